// lapor-sandbox's status timeline (received -> verified after 3 working days -> forwarded ->
// followed up after 5 -> closed 10 working days later), pulled by cursor; and the catalog with its
// ETag.
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

namespace {

std::vector<std::string> statusesOf(const json& page) {
    std::vector<std::string> out;
    for (const auto& u : page["updates"]) {
        out.push_back(u["status"]);
    }
    return out;
}

json pull(SandboxFixture& f, const std::string& cursor, const std::string& token = kToken,
          int limit = 100) {
    const std::string path =
        "/v1/reports/status?cursor=" + cursor + "&limit=" + std::to_string(limit);
    auto r = f.api().Get(path.c_str(), SandboxFixture::auth(token));
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body);
}

}  // namespace

TEST_CASE("status: the timeline follows working days on a sped-up clock") {
    // 2026-01-01 is a Thursday: 3 working days later is Tuesday 6 January.
    FakeClock clock(1'767'225'600'000);
    SandboxOptions o;
    o.timeScale = 86400;  // a sandbox day per real second
    SandboxFixture f(o, clock);
    REQUIRE(f.postReport(uuidFor(1), SandboxFixture::reportBody())->status == 201);
    json page = pull(f, "");
    CHECK(statusesOf(page) == std::vector<std::string>{"received"});
    const std::string cursor = page["next_cursor"];

    clock.advance(4'900);  // 4.9 sandbox days: Monday evening, still received
    CHECK(pull(f, cursor)["updates"].empty());
    clock.advance(200);  // past Tuesday
    page = pull(f, cursor);
    CHECK(statusesOf(page) == std::vector<std::string>{"verified", "forwarded"});
    CHECK(page["updates"][0]["at"] == "2026-01-06T00:00:00.000Z");

    clock.advance(7'000);  // followed up 5 working days after forwarding: Tuesday 13 January
    page = pull(f, page["next_cursor"]);
    CHECK(statusesOf(page) == std::vector<std::string>{"followed_up"});
    CHECK(page["updates"][0]["at"] == "2026-01-13T00:00:00.000Z");

    clock.advance(14'000);  // closed 10 working days later: two weekends skipped
    page = pull(f, page["next_cursor"]);
    CHECK(statusesOf(page) == std::vector<std::string>{"closed"});
    CHECK(page["updates"][0]["at"] == "2026-01-27T00:00:00.000Z");
}

TEST_CASE("status: the admin clock and admin status move reports on command") {
    SandboxFixture f;
    REQUIRE(f.postReport(uuidFor(1), SandboxFixture::reportBody())->status == 201);
    REQUIRE(f.postReport(uuidFor(2), SandboxFixture::reportBody())->status == 201);
    f.adminPost("/admin/status", {{"uuid", uuidFor(1)}, {"status", "followed_up"}});
    json page = pull(f, "");
    CHECK(statusesOf(page) ==
          std::vector<std::string>{"received", "received", "verified", "forwarded", "followed_up"});

    auto back =
        f.admin().Post("/admin/status", json{{"uuid", uuidFor(1)}, {"status", "received"}}.dump(),
                       "application/json");
    REQUIRE(back);
    CHECK(back->status == 400);  // statuses only move forward

    f.adminPost("/admin/status",
                {{"uuid", uuidFor(2)}, {"status", "rejected"}, {"note", "Bukan wewenang"}});
    page = pull(f, page["next_cursor"]);
    REQUIRE(page["updates"].size() == 1);
    CHECK(page["updates"][0]["status"] == "rejected");
    CHECK(page["updates"][0]["note"] == "Bukan wewenang");

    f.adminPost("/admin/clock", {{"advance_seconds", 30 * 86400}});
    page = pull(f, page["next_cursor"]);
    CHECK(statusesOf(page) == std::vector<std::string>{"closed"});  // the rejected one stays
}

TEST_CASE("status: pages by limit, scoped to the device token, bad cursor is 400") {
    SandboxFixture f;
    for (int i = 1; i <= 5; ++i) {
        REQUIRE(f.postReport(uuidFor(i), SandboxFixture::reportBody())->status == 201);
    }
    REQUIRE(f.postReport(uuidFor(99), SandboxFixture::reportBody(), "device-token-2")->status ==
            201);
    json page = pull(f, "", kToken, 2);
    CHECK(page["updates"].size() == 2);
    CHECK(page["more"] == true);
    std::set<std::string> seen;
    std::string cursor = "";
    for (int guard = 0; guard < 10; ++guard) {
        page = pull(f, cursor, kToken, 2);
        for (const auto& u : page["updates"]) {
            seen.insert(u["uuid"]);
        }
        cursor = page["next_cursor"];
        if (!page["more"]) {
            break;
        }
    }
    CHECK(seen.size() == 5);
    CHECK(seen.count(uuidFor(99)) == 0);
    CHECK(pull(f, "", "device-token-2")["updates"].size() == 1);
    auto r = f.api().Get("/v1/reports/status?cursor=abc", SandboxFixture::auth());
    REQUIRE(r);
    CHECK(r->status == 400);
    // A report of another device is not found through this one.
    auto other = f.api().Get("/v1/reports/LPR-2026-000006", SandboxFixture::auth());
    REQUIRE(other);
    CHECK(other->status == 404);
}

TEST_CASE("catalog: ETag, 304 on If-None-Match, a new ETag when the catalog changes") {
    SandboxFixture f;
    auto r = f.api().Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(r);
    CHECK(r->status == 200);
    const std::string etag = r->get_header_value("ETag");
    CHECK(etag.size() > 2);
    CHECK(etag.front() == '"');
    const json catalog = json::parse(r->body);
    REQUIRE(catalog["agencies"].size() >= 3);
    bool hasChild = false;
    for (const auto& a : catalog["agencies"]) {
        for (const auto& t : a["topics"]) {
            hasChild = hasChild || !t["parent"].is_null();
        }
    }
    CHECK(hasChild);

    auto h = SandboxFixture::auth();
    h.emplace("If-None-Match", etag);
    r = f.api().Get("/v1/catalog", h);
    REQUIRE(r);
    CHECK(r->status == 304);
    CHECK(r->body.empty());
    CHECK(r->get_header_value("Lapor-Protocol") == "1");
    CHECK(r->get_header_value("ETag") == etag);

    json changed = catalog;
    changed["agencies"].push_back({{"id", "new"}, {"name", "Baru"}, {"topics", json::array()}});
    f.adminPost("/admin/catalog", changed);
    r = f.api().Get("/v1/catalog", h);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("ETag") != etag);
    CHECK(json::parse(r->body) == changed);
}

}  // namespace lapor::sandbox::test
