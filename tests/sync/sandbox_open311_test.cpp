// lapor-sandbox's Open311 GeoReport v2 subset: services, form-encoded requests, tokens, reads.
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

namespace {

httplib::Params form(const std::string& apiKey = kToken) {
    return {{"api_key", apiKey},
            {"service_code", "pengaduan:kemen-pupr:jalan-rusak"},
            {"description", "Jalan berlubang di depan sekolah"},
            {"address_string", "11.01.01.2001 Jl. Merdeka 5"},
            {"first_name", "Siti"},
            {"email", "siti@example.id"},
            {"media_url", "http://127.0.0.1/v1/uploads/a"},
            {"media_url", "http://127.0.0.1/v1/uploads/b"}};
}

}  // namespace

TEST_CASE("open311: services come from the catalog, one per kind and topic") {
    SandboxFixture f;
    auto r = f.api().Get("/open311/v2/services.json");
    REQUIRE(r);
    CHECK(r->status == 200);
    const json services = json::parse(r->body);
    REQUIRE(services.is_array());
    bool found = false;
    for (const auto& s : services) {
        CHECK(s["metadata"] == false);
        CHECK(s["type"] == "realtime");
        if (s["service_code"] == "aspirasi:kemenkes:puskesmas") {
            found = true;
            CHECK(s["service_name"] == "Puskesmas");
            CHECK(s["group"] == "Kementerian Kesehatan");
        }
    }
    CHECK(found);
    CHECK(f.api().Get("/open311/v2/services.xml")->status == 404);
}

TEST_CASE("open311: POST requests.json answers a service_request_id, GET reads it back") {
    SandboxFixture f;
    auto r = f.api().Post("/open311/v2/requests.json", form());
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    const json answer = json::parse(r->body);
    REQUIRE(answer.is_array());
    const std::string id = answer[0]["service_request_id"];
    CHECK(id.rfind("LPR-", 0) == 0);

    r = f.api().Get(("/open311/v2/requests/" + id + ".json").c_str());
    REQUIRE(r);
    CHECK(r->status == 200);
    json one = json::parse(r->body)[0];
    CHECK(one["service_request_id"] == id);
    CHECK(one["status"] == "open");
    CHECK(one["status_notes"] == "received");
    CHECK(one["description"] == "Jalan berlubang di depan sekolah");
    CHECK(one["media_url"] == "http://127.0.0.1/v1/uploads/a");

    f.adminPost("/admin/status", {{"tracking_id", id}, {"status", "closed"}});
    r = f.api().Get(
        ("/open311/v2/requests.json?service_request_id=" + id + ",LPR-0000-000000").c_str());
    REQUIRE(r);
    const json list = json::parse(r->body);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["status"] == "closed");
    CHECK(json::parse(f.api().Get("/open311/v2/requests.json?status=open")->body).empty());
    CHECK(f.api().Get("/open311/v2/requests/LPR-2026-999999.json")->status == 404);
}

TEST_CASE("open311: token mode answers a token that resolves to the ID after pending queries") {
    SandboxOptions o;
    o.open311TokenMode = true;
    o.open311TokenPendingQueries = 1;
    SandboxFixture f(o);
    auto r = f.api().Post("/open311/v2/requests.json", form());
    REQUIRE(r);
    REQUIRE(r->status == 201);
    const json answer = json::parse(r->body);
    REQUIRE(answer[0].contains("token"));
    CHECK_FALSE(answer[0].contains("service_request_id"));
    const std::string path =
        "/open311/v2/tokens/" + answer[0]["token"].get<std::string>() + ".json";
    json t = json::parse(f.api().Get(path.c_str())->body);
    CHECK_FALSE(t[0].contains("service_request_id"));
    t = json::parse(f.api().Get(path.c_str())->body);
    CHECK(t[0]["service_request_id"].get<std::string>().rfind("LPR-", 0) == 0);
    CHECK(f.api().Get("/open311/v2/tokens/00ff.json")->status == 404);
}

TEST_CASE("open311: errors are Open311 arrays, the Idempotency-Key header makes POSTs idempotent") {
    SandboxOptions o;
    o.tokens = {kToken};
    SandboxFixture f(o);
    auto r = f.api().Post("/open311/v2/requests.json", form("wrong-key"));
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(json::parse(r->body)[0]["code"] == 401);

    auto bad = form();
    bad.erase("service_code");
    bad.emplace("service_code", "nope");
    r = f.api().Post("/open311/v2/requests.json", bad);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)[0].contains("description"));

    const httplib::Headers key = {{"Idempotency-Key", uuidFor(5)}};
    r = f.api().Post("/open311/v2/requests.json", key, form());
    REQUIRE(r);
    CHECK(r->status == 201);
    const std::string id = json::parse(r->body)[0]["service_request_id"];
    r = f.api().Post("/open311/v2/requests.json", key, form());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(json::parse(r->body)[0]["service_request_id"] == id);
    auto changed = form();
    changed.erase("description");
    changed.emplace("description", "Lain");
    r = f.api().Post("/open311/v2/requests.json", key, changed);
    REQUIRE(r);
    CHECK(r->status == 409);
    CHECK(f.adminGet("/admin/stats")["open311_reports"] == 1);
}

}  // namespace lapor::sandbox::test
