// The uplink adapters against FakeHttpClient: the report's JSON (identity only when not
// anonymous), Idempotency-Key, what counts as success, the catalog's ETag, the Open311 form and
// its token answers.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../core/store_test_support.hpp"
#include "sync/uplink_lapor.hpp"
#include "sync/uplink_open311.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;
using nlohmann::json;

namespace {

const Headers kOk{{"Lapor-Protocol", "1"}, {"Content-Type", "application/json"}};

std::string header(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

}  // namespace

TEST_CASE("lapor uplink: the report goes as the protocol's JSON with its UUID as the key") {
    FakeClock clock;
    FakeHttpClient http([](const FakeHttpClient::Recorded& r) -> Result<HttpResponse> {
        auto j = json::parse(r.body);
        return makeResponse(201, kOk,
                            json{{"tracking_id", "LPR-2026-000001"},
                                 {"uuid", header(r.request, "Idempotency-Key")},
                                 {"status", "received"}}
                                .dump());
    });
    LaporUplink up(http, LaporUplinkOptions{{"http://s", 1 << 20, 1000}, "tok"}, clock);
    Report r = sampleReport(1);
    ExchangeNote note;
    auto id = up.submit(r, {{"/v1/uploads/ab", std::string(64, 'a'), 1234}}, note);
    REQUIRE(id.ok());
    CHECK(*id == "LPR-2026-000001");
    const auto rec = http.requests().at(0);
    CHECK(rec.request.url == "http://s/v1/reports");
    CHECK(header(rec.request, "Idempotency-Key") == r.uuid);
    CHECK(header(rec.request, "Authorization") == "Bearer tok");
    auto j = json::parse(rec.body);
    CHECK(j["kind"] == "pengaduan");
    CHECK(j["incident_date"] == "2025-10-30");
    CHECK(j["reporter"]["nik"] == r.identity.nik);
    CHECK(j["photos"][0]["bytes"] == 1234);
    CHECK(j["created_at"] == "2026-01-01T07:00:00.001+07:00");
    CHECK(j["replaces"].is_null());

    r.anonymous = true;
    r.identity = {};
    auto anon = json::parse(reportJson(r, {}));
    CHECK_FALSE(anon.contains("reporter"));
}

TEST_CASE("lapor uplink: only a well-formed success with the protocol header counts") {
    FakeClock clock;
    Report r = sampleReport(2);
    struct Case {
        HttpResponse answer;
        Errc expected;
    };
    const std::vector<Case> cases = {
        {makeResponse(200, {{"Content-Type", "text/html"}}, "<html>WiFi login</html>"),
         Errc::protocol},
        {makeResponse(201, {{"Lapor-Protocol", "2"}}, R"({"tracking_id":"LPR-2026-000001"})"),
         Errc::protocol},
        {makeResponse(201, kOk, R"({"tracking_id":)"), Errc::protocol},
        {makeResponse(201, kOk, R"({"status":"received"})"), Errc::protocol},
        {makeResponse(201, kOk, R"({"tracking_id":"<script>"})"), Errc::protocol},
        {makeResponse(422, kOk, R"({"code":"validation_failed","message":"title: empty"})"),
         Errc::rejected},
        {makeResponse(503, {{"Lapor-Protocol", "1"}, {"Retry-After", "30"}}, "{}"), Errc::busy},
        {makeResponse(401, kOk, R"({"code":"unauthorized","message":"no"})"), Errc::permission},
        {makeResponse(500, kOk, "{}"), Errc::unavailable},
    };
    for (const auto& c : cases) {
        CAPTURE(c.answer.status);
        CAPTURE(c.answer.body);
        FakeHttpClient http(
            [&](const FakeHttpClient::Recorded&) -> Result<HttpResponse> { return c.answer; });
        LaporUplink up(http, LaporUplinkOptions{{"http://s", 1 << 20, 1000}, "tok"}, clock);
        ExchangeNote note;
        auto id = up.submit(r, {}, note);
        REQUIRE_FALSE(id.ok());
        CHECK(id.error().code == c.expected);
        CHECK((judge(id.error(), note).kind == Verdict::Kind::park) ==
              (c.expected == Errc::rejected));
        if (c.answer.status == 503) {
            CHECK(note.retryAfterMs == 30000);
        }
        if (c.answer.status == 422) {
            CHECK(note.code == "validation_failed");
            CHECK(id.error().message.find("title: empty") != std::string::npos);
        }
    }
    // A replay (200 with the same tracking ID) is a delivery too.
    FakeHttpClient replay([&](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
        return makeResponse(200, kOk,
                            json{{"tracking_id", "LPR-2026-000009"}, {"uuid", r.uuid}}.dump());
    });
    LaporUplink up(replay, LaporUplinkOptions{{"http://s", 1 << 20, 1000}, "tok"}, clock);
    ExchangeNote note;
    CHECK(*up.submit(r, {}, note) == "LPR-2026-000009");
}

TEST_CASE("lapor uplink: catalog with ETag, 304 unchanged, status pages parsed") {
    FakeClock clock;
    FakeHttpClient http([](const FakeHttpClient::Recorded& r) -> Result<HttpResponse> {
        if (r.request.url.find("/v1/catalog") != std::string::npos) {
            if (header(r.request, "If-None-Match") == "\"e1\"") {
                return makeResponse(304, {{"Lapor-Protocol", "1"}, {"ETag", "\"e1\""}});
            }
            return makeResponse(200, {{"Lapor-Protocol", "1"}, {"ETag", "\"e1\""}},
                                R"({"version":"v","agencies":[{"id":"a","name":"A","topics":[
                                   {"id":"t","name":"T","parent":null}]}]})");
        }
        return makeResponse(
            200, kOk,
            R"({"updates":[{"uuid":"00000000-0000-4000-8000-000000000001","tracking_id":"LPR-1",
            "status":"verified","at":"2026-12-02T20:30:23.001Z","note":"ok"}],
            "next_cursor":"42","more":false})");
    });
    LaporUplink up(http, LaporUplinkOptions{{"http://s", 1 << 20, 1000}, "tok"}, clock);
    ExchangeNote note;
    auto c = up.pullCatalog("", note);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    CHECK((*c)->etag == "e1");
    auto same = up.pullCatalog("e1", note);
    REQUIRE(same.ok());
    CHECK_FALSE(same->has_value());
    auto page = up.pullStatus("7", {}, note);
    REQUIRE(page.ok());
    CHECK(page->nextCursor == "42");
    REQUIRE(page->updates.size() == 1);
    CHECK(page->updates[0].atMs == *parseRfc3339("2026-12-02T20:30:23.001Z"));
    CHECK(http.requests().back().request.url.find("cursor=7") != std::string::npos);
    CHECK(rfc3339(*parseRfc3339("2026-12-02T20:30:23.001Z")) == "2026-12-02T20:30:23.001Z");
}

TEST_CASE("open311: the form, identity only when not anonymous, tokens followed") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    Open311Options o;
    o.baseUrl = "http://s/open311/v2";
    o.apiKey = "key";
    Report r = sampleReport(3);
    const std::string form = open311Form(r, {{"http://s/v1/uploads/x", "h", 1}}, o);
    CHECK(form.find("service_code=pengaduan%3Apemda%3Ajalan-rusak") != std::string::npos);
    CHECK(form.find("address_string=11.01.01.2001%20Depan%20SD%20Negeri%201") != std::string::npos);
    CHECK(form.find("first_name=Siti%20Rahayu") != std::string::npos);
    CHECK(form.find("last_name=Planted") != std::string::npos);
    CHECK(form.find("media_url=http%3A%2F%2Fs%2Fv1%2Fuploads%2Fx") != std::string::npos);
    // Clips have no media_url: their URLs end the description, labelled by media type.
    const std::string withClips = open311Form(r,
                                              {{"http://s/v1/uploads/p", "h", 1},
                                               {"http://s/v1/uploads/v", "h", 2, MediaKind::video},
                                               {"http://s/v1/uploads/n", "h", 3, MediaKind::voice}},
                                              o);
    CHECK(withClips.find("media_url=http%3A%2F%2Fs%2Fv1%2Fuploads%2Fp") != std::string::npos);
    CHECK(withClips.find("media_url=http%3A%2F%2Fs%2Fv1%2Fuploads%2Fv") == std::string::npos);
    CHECK(withClips.find("%0A%5Bvideo%2Fmp4%5D%20http%3A%2F%2Fs%2Fv1%2Fuploads%2Fv%0A%5Baudio%2Fogg"
                         "%5D%20http%3A%2F%2Fs%2Fv1%2Fuploads%2Fn&") != std::string::npos);
    auto lapor = json::parse(
        reportJson(r, {{"/v1/uploads/p", "h", 1}, {"/v1/uploads/v", "h", 2, MediaKind::video}}));
    CHECK(lapor["photos"][0]["type"] == "image/jpeg");
    CHECK(lapor["photos"][1]["type"] == "video/mp4");
    CHECK(lapor["photos"][1]["bytes"] == 2);
    Report anon = r;
    anon.anonymous = true;
    const std::string anonForm = open311Form(anon, {}, o);
    CHECK(anonForm.find("first_name") == std::string::npos);
    CHECK(anonForm.find("email") == std::string::npos);
    CHECK(anonForm.find("phone") == std::string::npos);

    int tokenQueries = 0;
    int posts = 0;
    FakeHttpClient http([&](const FakeHttpClient::Recorded& q) -> Result<HttpResponse> {
        const Headers h{{"Content-Type", "application/json"}};
        if (q.request.method == "POST") {
            ++posts;
            return makeResponse(201, h, R"([{"token":"abc","service_notice":"queued"}])");
        }
        if (q.request.url.find("/tokens/abc.json") != std::string::npos) {
            return ++tokenQueries < 2
                       ? makeResponse(200, h, R"([{"token":"abc"}])")
                       : makeResponse(200, h,
                                      R"([{"token":"abc","service_request_id":"LPR-2026-7"}])");
        }
        return makeResponse(200, h,
                            R"([{"service_request_id":"LPR-2026-7","status":"open",
                                 "status_notes":"forwarded","updated_datetime":
                                 "2026-12-01T00:00:00Z"}])");
    });
    Open311Uplink up(http, o, **store, clock);
    ExchangeNote note;
    auto first = up.submit(r, {}, note);
    REQUIRE_FALSE(first.ok());
    CHECK(note.code == "pending");
    auto second = up.submit(r, {}, note);  // follows the stored token, no second POST
    REQUIRE(second.ok());
    CHECK(*second == "LPR-2026-7");
    CHECK(posts == 1);
    auto page = up.pullStatus("", {{r.uuid, "LPR-2026-7"}}, note);
    REQUIRE(page.ok());
    REQUIRE(page->updates.size() == 1);
    CHECK(page->updates[0].status == "forwarded");
    CHECK(page->updates[0].uuid == r.uuid);

    // Not JSON: a portal, never a success.
    FakeHttpClient portal([](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
        return makeResponse(200, {{"Content-Type", "text/html"}}, "<html/>");
    });
    Open311Uplink up2(portal, o, **store, clock);
    Report other = sampleReport(4);
    auto p = up2.submit(other, {}, note);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::protocol);
}
