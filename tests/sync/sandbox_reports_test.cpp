// lapor-sandbox's POST /v1/reports: tracking IDs, idempotency, validation, photo checks, tokens,
// and that all of it survives a restart.
#include <regex>

#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

TEST_CASE(
    "reports: first POST is 201 with a tracking ID, same key and body is 200 with the same ID") {
    SandboxFixture f;
    const std::string uuid = uuidFor(1);
    json photos = json::array({f.uploadPhoto(makeBytes(20'000, 1), uuid, 0),
                               f.uploadPhoto(makeBytes(30'000, 2), uuid, 1)});
    const json body = SandboxFixture::reportBody(photos);
    auto r = f.postReport(uuid, body);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    CHECK(r->get_header_value("Lapor-Protocol") == "1");
    const json first = json::parse(r->body);
    const std::string id = first["tracking_id"];
    CHECK(std::regex_match(id, std::regex(R"(LPR-\d{4}-\d{6,})")));
    CHECK(first["uuid"] == uuid);
    CHECK(first["status"] == "received");

    // Key order, white space and spelt-out defaults do not make another body.
    json same = body;
    same.erase("replaces");
    same.erase("assisted_by");
    auto h = SandboxFixture::auth();
    h.emplace("Idempotency-Key", uuid);
    r = f.api().Post("/v1/reports", h, "  " + same.dump(2), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Idempotent-Replayed") == "true");
    CHECK(json::parse(r->body) == first);

    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["reports"] == 1);
    CHECK(stats["acceptances"][uuid]["created"] == 1);
    CHECK(stats["acceptances"][uuid]["replayed"] == 1);

    const json stored = f.adminGet("/admin/reports/" + uuid);
    CHECK(stored["tracking_id"] == id);
    CHECK(stored["body"] == body);
}

TEST_CASE("reports: same key with another body is 409 idempotency_conflict") {
    SandboxFixture f;
    json body = SandboxFixture::reportBody();
    REQUIRE(f.postReport(uuidFor(1), body)->status == 201);
    body["title"] = "Another title";
    auto r = f.postReport(uuidFor(1), body);
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(json::parse(r->body)["code"] == "idempotency_conflict");
    // The same key from another device is a conflict too, never a second report.
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody(), "device-token-2");
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(f.adminGet("/admin/stats")["reports"] == 1);
}

TEST_CASE("reports: tracking IDs count up per accepted report") {
    SandboxFixture f;
    std::set<std::string> ids;
    for (int i = 1; i <= 5; ++i) {
        auto r = f.postReport(uuidFor(i), SandboxFixture::reportBody());
        REQUIRE(r);
        REQUIRE(r->status == 201);
        ids.insert(json::parse(r->body)["tracking_id"].get<std::string>());
    }
    CHECK(ids.size() == 5);
    CHECK(ids.begin()->substr(9) == "000001");
    CHECK(ids.rbegin()->substr(9) == "000005");
}

TEST_CASE("reports: validation failures are 422 with the fields named") {
    SandboxFixture f;
    struct Case {
        std::function<void(json&)> change;
        std::string field;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {[](json& b) { b["title"] = "   "; }, "title", "empty"},
        {[](json& b) { b["kind"] = "keluhan"; }, "kind", "unknown"},
        {[](json& b) { b["reporter"]["nik"] = "12345"; }, "reporter.nik", "format"},
        {[](json& b) { b["anonymous"] = true; }, "reporter", "present_when_anonymous"},
        {[](json& b) { b.erase("reporter"); }, "reporter", "missing"},
        {[](json& b) { b["agency_id"] = "no-such-agency"; }, "agency_id", "unknown"},
        {[](json& b) { b["topic_id"] = "puskesmas"; }, "topic_id", "unknown"},
        {[](json& b) { b["incident_date"] = "2026-02-30"; }, "incident_date", "format"},
        {[](json& b) { b["incident_date"] = "2026-12-01"; }, "incident_date", "after_created_at"},
        {[](json& b) { b["region_code"] = "11.1"; }, "region_code", "format"},
        {[](json& b) { b["created_at"] = "yesterday"; }, "created_at", "format"},
        // The kiosk's rule (core/validation): a number too short for Indonesia's numbering
        // plan, or one sent unnormalized, is refused.
        {[](json& b) { b["reporter"]["phone"] = "+6281234567"; }, "reporter.phone", "format"},
        {[](json& b) { b["reporter"]["phone"] = "+62 812-3456-7890"; }, "reporter.phone", "format"},
        {[](json& b) {
             b["reporter"]["phone"] = "";
             b["reporter"]["email"] = "";
         },
         "reporter.phone", "phone_or_email_required"},
        {[](json& b) { b["colour"] = "blue"; }, "colour", "unknown_field"},
        {[](json& b) {
             b["photos"] = json::array({{{"upload", "x"}}});
         },
         "photos[0].upload", "format"},
    };
    int n = 100;
    for (const auto& c : cases) {
        CAPTURE(c.field);
        json body = SandboxFixture::reportBody();
        c.change(body);
        auto r = f.postReport(uuidFor(++n), body);
        REQUIRE(r);
        CHECK(r->status == 422);
        const json err = json::parse(r->body);
        CHECK(err["code"] == "validation_failed");
        bool named = false;
        for (const auto& fe : err["fields"]) {
            named = named || (fe["field"] == c.field && fe["reason"] == c.reason);
        }
        CHECK_MESSAGE(named, err.dump());
    }
    // An anonymous report without identity is fine.
    json anon = SandboxFixture::reportBody();
    anon["anonymous"] = true;
    anon.erase("reporter");
    CHECK(f.postReport(uuidFor(1), anon)->status == 201);
    CHECK(f.adminGet("/admin/stats")["reports"] == 1);
}

TEST_CASE("reports: photos must be complete uploads with the stated hash and size") {
    SandboxFixture f;
    const std::string uuid = uuidFor(1);
    const std::string bytes = makeBytes(10'000);
    const std::string loc = f.createUpload(bytes, uuid, 0);
    json photo = {{"upload", loc}, {"sha256", sha256Hex(bytes)}, {"bytes", bytes.size()}};

    auto r = f.postReport(uuid, SandboxFixture::reportBody(json::array({photo})));
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(json::parse(r->body)["code"] == "upload_incomplete");

    json unknown = photo;
    unknown["upload"] = "/v1/uploads/0123456789abcdef0123456789abcdef";
    r = f.postReport(uuid, SandboxFixture::reportBody(json::array({unknown})));
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(json::parse(r->body)["code"] == "upload_missing");

    REQUIRE(f.patch(loc, 0, bytes)->status == 204);
    json wrong = photo;
    wrong["sha256"] = sha256Hex("something else");
    r = f.postReport(uuid, SandboxFixture::reportBody(json::array({wrong})));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(json::parse(r->body)["code"] == "photo_mismatch");

    // An absolute URL names the upload as well as the path.
    photo["upload"] = f.sandbox().baseUrl() + loc;
    r = f.postReport(uuid, SandboxFixture::reportBody(json::array({photo})));
    REQUIRE(r);
    CHECK(r->status == 201);
    // Another device cannot name this device's upload.
    r = f.postReport(uuidFor(2), SandboxFixture::reportBody(json::array({photo})),
                     "device-token-2");
    REQUIRE(r);
    CHECK(r->status == 409);
}

TEST_CASE("reports: bad requests: missing key, malformed key, body not JSON") {
    SandboxFixture f;
    auto r = f.api().Post("/v1/reports", SandboxFixture::auth(),
                          SandboxFixture::reportBody().dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    r = f.postReport("not-a-uuid", SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 400);
    auto h = SandboxFixture::auth();
    h.emplace("Idempotency-Key", uuidFor(1));
    r = f.api().Post("/v1/reports", h, "{\"kind\":", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)["code"] == "bad_request");
    CHECK(r->get_header_value("Lapor-Protocol") == "1");
}

TEST_CASE("reports: tokens: missing 401, unknown 401, revoked 403") {
    SandboxOptions o;
    o.tokens = {kToken, "old-token"};
    o.revokedTokens = {"old-token"};
    SandboxFixture f(o);
    auto r = f.api().Post("/v1/reports", {{"Idempotency-Key", uuidFor(1)}},
                          SandboxFixture::reportBody().dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(json::parse(r->body)["code"] == "unauthorized");
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody(), "stranger");
    REQUIRE(r);
    CHECK(r->status == 401);
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody(), "old-token");
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(json::parse(r->body)["code"] == "forbidden");
    CHECK(f.postReport(uuidFor(1), SandboxFixture::reportBody())->status == 201);
}

TEST_CASE("reports: accepted reports, tracking IDs and history survive a restart") {
    SandboxFixture f;
    auto r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    const json first = json::parse(r->body);
    f.adminPost("/admin/status", {{"uuid", uuidFor(1)}, {"status", "followed_up"}});
    f.restart();
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(json::parse(r->body) == first);
    r = f.postReport(uuidFor(2), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(json::parse(r->body)["tracking_id"].get<std::string>().substr(9) == "000002");
    auto one = f.api().Get(("/v1/reports/" + first["tracking_id"].get<std::string>()).c_str(),
                           SandboxFixture::auth());
    REQUIRE(one);
    CHECK(one->status == 200);
    CHECK(json::parse(one->body)["status"] == "followed_up");
    CHECK(json::parse(one->body)["history"].size() == 4);
    CHECK(std::filesystem::exists(f.dataDir() / "reports" /
                                  (first["tracking_id"].get<std::string>() + ".json")));
}

}  // namespace lapor::sandbox::test
