// lapor-sandbox's faults on command: fixed statuses, Retry-After, stalls, slow and malformed
// answers, missing or wrong protocol header, captive portal, and the link faults.
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::sandbox::test {

TEST_CASE("faults: a fixed status for the next N matching requests, then normal answers") {
    SandboxFixture f;
    f.fault({{"kind", "status"},
             {"status", 500},
             {"count", 2},
             {"path", "/v1/reports"},
             {"method", "POST"}});
    CHECK(f.adminGet("/admin/faults").size() == 1);
    // A request the fault does not match is answered normally.
    CHECK(f.api().Get("/v1/catalog", SandboxFixture::auth())->status == 200);
    for (int i = 0; i < 2; ++i) {
        auto r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
        REQUIRE(r);
        CHECK(r->status == 500);
        CHECK(json::parse(r->body)["code"] == "internal");
        CHECK(r->get_header_value("Lapor-Protocol") == "1");
    }
    CHECK(f.adminGet("/admin/stats")["reports"] == 0);  // the faulted requests did nothing
    CHECK(f.postReport(uuidFor(1), SandboxFixture::reportBody())->status == 201);
    CHECK(f.adminGet("/admin/faults").empty());
}

TEST_CASE("faults: 429 and 503 carry Retry-After") {
    SandboxFixture f;
    f.fault(json::array({{{"kind", "status"}, {"status", 429}, {"retry_after", 7}},
                         {{"kind", "status"}, {"status", 503}}}));
    auto r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 429);
    CHECK(r->get_header_value("Retry-After") == "7");
    CHECK(json::parse(r->body)["code"] == "rate_limited");
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(r->get_header_value("Retry-After") == "1");
    CHECK(json::parse(r->body)["code"] == "unavailable");
}

TEST_CASE("faults: a stall holds the request longer than the client waits, then it is handled") {
    SandboxFixture f;
    f.fault({{"kind", "stall"}, {"seconds", 1.0}});
    auto client = f.makeApiClient();
    client->set_read_timeout(0, 300'000);
    const auto start = std::chrono::steady_clock::now();
    auto r = client->Get("/v1/catalog", SandboxFixture::auth());
    CHECK_FALSE(r);  // timed out
    CHECK(secondsSince(start) >= 0.29);
    // A stalled POST still lands: the retry finds it by its key.
    f.fault({{"kind", "stall"}, {"seconds", 0.5}});
    r = client->Post(
        "/v1/reports",
        [] {
            auto h = SandboxFixture::auth();
            h.emplace("Idempotency-Key", uuidFor(1));
            return h;
        }(),
        SandboxFixture::reportBody().dump(), "application/json");
    CHECK_FALSE(r);
    CHECK(waitUntil([&] { return f.adminGet("/admin/stats")["reports"] == 1; }));
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("faults: a slow answer trickles at the given rate") {
    SandboxFixture f;
    auto r = f.api().Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(r);
    const double size = static_cast<double>(r->body.size());
    const double rate = size / 0.5;  // the whole catalog in about half a second
    f.fault({{"kind", "slow"}, {"bytes_per_second", rate}});
    const auto start = std::chrono::steady_clock::now();
    auto slow = f.api().Get("/v1/catalog", SandboxFixture::auth());
    const double took = secondsSince(start);
    REQUIRE(slow);
    CHECK(slow->status == 200);
    CHECK(slow->body == r->body);
    CHECK(took >= 0.4);
    CHECK(took < 3.0);  // loose: the machine is shared
}

TEST_CASE(
    "faults: malformed body, missing header, wrong header: handled, but not a valid success") {
    SandboxFixture f;
    f.fault({{"kind", "malformed"}});
    auto r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 201);
    CHECK(json::parse(r->body, nullptr, false).is_discarded());
    CHECK(f.adminGet("/admin/stats")["reports"] == 1);  // it was stored all the same

    f.fault({{"kind", "no_header"}});
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK_FALSE(r->has_header("Lapor-Protocol"));

    f.fault({{"kind", "wrong_header"}, {"value", "7"}});
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->get_header_value("Lapor-Protocol") == "7");

    // The retry with the same key gets the one tracking ID; still one report.
    r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Lapor-Protocol") == "1");
    const json stats = f.adminGet("/admin/stats");
    CHECK(stats["reports"] == 1);
    CHECK(stats["acceptances"][uuidFor(1)]["replayed"] == 3);
}

TEST_CASE("faults: a captive portal answers 200 HTML without the header and stores nothing") {
    SandboxFixture f;
    f.fault({{"kind", "portal"}});
    auto r = f.postReport(uuidFor(1), SandboxFixture::reportBody());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK_FALSE(r->has_header("Lapor-Protocol"));
    CHECK(r->get_header_value("Content-Type") == "text/html");
    CHECK(f.adminGet("/admin/stats")["reports"] == 0);
}

TEST_CASE("faults: the network down refuses connections until it comes back") {
    SandboxFixture f;
    f.fault({{"kind", "down"}});
    auto client = f.makeApiClient();
    CHECK_FALSE(client->Get("/v1/catalog", SandboxFixture::auth()));
    auto del = f.admin().Delete("/admin/faults");
    REQUIRE(del);
    CHECK(del->status == 200);
    auto r = client->Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(r);
    CHECK(r->status == 200);

    f.fault({{"kind", "down"}, {"seconds", 0.3}});
    CHECK_FALSE(f.makeApiClient()->Get("/v1/catalog", SandboxFixture::auth()));
    CHECK(waitUntil([&] {
        auto again = f.makeApiClient()->Get("/v1/catalog", SandboxFixture::auth());
        return again && again->status == 200;
    }));
}

TEST_CASE("faults: a link stall holds the bytes, a throttle slows them") {
    SandboxFixture f;
    f.fault({{"kind", "link_stall"}, {"seconds", 0.4}});
    auto start = std::chrono::steady_clock::now();
    auto r = f.api().Get("/v1/catalog", SandboxFixture::auth());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(secondsSince(start) >= 0.35);

    const std::string bytes = makeBytes(100'000);
    const std::string loc = f.createUpload(bytes, uuidFor(1), 0);
    f.fault({{"kind", "throttle"}, {"bytes_per_second", 200'000}, {"seconds", 5}});
    start = std::chrono::steady_clock::now();
    auto p = f.patch(loc, 0, bytes);
    const double took = secondsSince(start);
    REQUIRE(p);
    CHECK(p->status == 204);
    CHECK(took >= 0.4);  // 100 KB at 200 KB/s
    CHECK(took < 2.5);   // loose: the machine is shared
}

TEST_CASE("faults: bad fault descriptions are refused") {
    SandboxFixture f;
    auto r = f.admin().Post("/admin/faults", R"({"kind":"gremlins"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    r = f.admin().Post("/admin/faults", R"({"kind":"slow"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    r = f.admin().Post("/admin/faults", R"({"kind":"status","status":42})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
}

}  // namespace lapor::sandbox::test
