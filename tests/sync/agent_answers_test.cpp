// Lying servers: every answer of every endpoint with wrong JSON types, missing or forged fields,
// and bodies past their caps is a malformed answer (retry later, field named), never a crash and
// never a delivery.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/resource.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../core/store_test_support.hpp"
#include "core/crypto.hpp"
#include "sync/agent.hpp"
#include "sync/answers.hpp"
#include "sync/uplink_lapor.hpp"
#include "sync/uplink_open311.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;
using nlohmann::json;

namespace {

const Headers kOk{{"Lapor-Protocol", "1"}, {"Content-Type", "application/json"}};
const std::string kUuid = "00000000-0000-4000-8000-000000000001";

LaporUplinkOptions laporOptions() {
    return LaporUplinkOptions{{"http://s", 1 << 20, 1000}, "tok"};
}

// A status page whose first update has `field` replaced by `value`.
std::string pageWith(const std::string& field, const json& value) {
    json update = {{"uuid", kUuid},
                   {"tracking_id", "LPR-2026-000001"},
                   {"status", "verified"},
                   {"at", "2026-12-02T20:30:23.001Z"},
                   {"note", "ok"}};
    json page = {{"updates", json::array({update})}, {"next_cursor", "42"}, {"more", false}};
    if (update.contains(field)) {
        page["updates"][0][field] = value;
    } else {
        page[field] = value;
    }
    return page.dump();
}

}  // namespace

TEST_CASE("status: a field of the wrong JSON type is a malformed answer naming the field") {
    FakeClock clock;
    struct Case {
        std::string field;
        json value;
        std::string named;
    };
    const std::vector<Case> cases = {
        {"next_cursor", 42, "next_cursor"},
        {"uuid", 123, "updates[0].uuid"},
        {"at", 5, "updates[0].at"},
        {"more", "yes", "more"},
        {"note", nullptr, "updates[0].note"},
        {"status", json::array(), "updates[0].status"},
        {"updates", json::object(), "updates"},
        {"at", "2026-13-45T99:00:00Z", "updates[0].at"},
        {"uuid", "../../etc", "updates[0].uuid"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.field);
        CAPTURE(c.value.dump());
        const std::string body = pageWith(c.field, c.value);
        FakeHttpClient http([&](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
            return makeResponse(200, kOk, body);
        });
        LaporUplink up(http, laporOptions(), clock);
        ExchangeNote note;
        std::optional<Result<StatusPage>> page;
        REQUIRE_NOTHROW(page.emplace(up.pullStatus("", {}, note)));
        REQUIRE_FALSE(page->ok());
        CHECK(page->error().code == Errc::protocol);
        CHECK(isMalformedAnswer(page->error()));
        CHECK(judge(page->error(), note).kind == Verdict::Kind::holdServer);
        CHECK(judge(page->error(), note).hold == Verdict::Hold::malformed);
        CHECK(page->error().message.find(c.named) != std::string::npos);
        CHECK(note.status == 200);
    }
    // The well-formed page reads (and an absent note or next_cursor is fine).
    json ok = json::parse(pageWith("more", true));
    ok["updates"][0].erase("note");
    ok.erase("next_cursor");
    auto page = parseStatusPage(ok.dump(), "7");
    REQUIRE(page.ok());
    CHECK(page->more);
    CHECK(page->nextCursor == "7");
    CHECK(page->updates.at(0).atMs == *parseRfc3339("2026-12-02T20:30:23.001Z"));
}

TEST_CASE("status: the agent's pull survives every malformed page and keeps its cursor") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    REQUIRE((*store)->putStatus("syncd.status_cursor", "9").ok());
    for (const auto& fieldAndValue : std::vector<std::pair<std::string, json>>{
             {"next_cursor", 42}, {"uuid", 123}, {"at", 5}, {"more", "yes"}, {"note", nullptr}}) {
        const std::string& field = fieldAndValue.first;  // clang 14: no lambda capture of bindings
        CAPTURE(field);
        const std::string body = pageWith(field, fieldAndValue.second);
        FakeHttpClient http([&](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
            return makeResponse(200, kOk, body);
        });
        LaporUplink up(http, laporOptions(), clock);
        FakeRandom random{{1.0}};
        Agent agent(**store, up, AgentOptions{}, clock, random);
        std::optional<Status> pulled;
        REQUIRE_NOTHROW(pulled.emplace(agent.pullStatus()));
        CHECK_FALSE(pulled->ok());
        CHECK(agent.serverWaitMs() > 0);  // retry later
        CHECK(**(*store)->getStatus("syncd.status_cursor") == "9");
    }
}

TEST_CASE("submit: success counts only when it names the report and the body sent") {
    FakeClock clock;
    const Report r = sampleReport(5);
    const std::string body = reportJson(r, {});
    const std::string hash = crypto::sha256Hex(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
    struct Case {
        json answer;
        std::string named;  // empty: success
    };
    const std::vector<Case> cases = {
        {{{"tracking_id", "FORGED-1"}}, "uuid"},
        {{{"tracking_id", "LPR-2026-000001"}, {"uuid", testUuid(99)}}, "uuid"},
        {{{"tracking_id", "LPR-2026-000001"}, {"uuid", 5}}, "uuid"},
        {{{"tracking_id", 7}, {"uuid", r.uuid}}, "tracking_id"},
        {{{"tracking_id", "LPR-2026-000001"},
          {"uuid", r.uuid},
          {"body_sha256", std::string(64, 'a')}},
         "body_sha256"},
        {{{"tracking_id", "LPR-2026-000001"}, {"uuid", r.uuid}, {"received_at", 3}}, "received_at"},
        {{{"tracking_id", "LPR-2026-000001"}, {"uuid", r.uuid}, {"body_sha256", hash}}, ""},
        {{{"tracking_id", "LPR-2026-000001"}, {"uuid", r.uuid}, {"status", "received"}}, ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.answer.dump());
        FakeHttpClient http([&](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
            return makeResponse(201, kOk, c.answer.dump());
        });
        LaporUplink up(http, laporOptions(), clock);
        ExchangeNote note;
        auto id = up.submit(r, {}, note);
        if (c.named.empty()) {
            REQUIRE(id.ok());
            CHECK(*id == "LPR-2026-000001");
        } else {
            REQUIRE_FALSE(id.ok());
            CHECK(isMalformedAnswer(id.error()));
            CHECK(id.error().message.find(c.named) != std::string::npos);
        }
    }
}

TEST_CASE("submit: a forged success leaves the report waiting, not delivered") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    const Report r = sampleReport(6);
    REQUIRE((*store)->saveReport(r, {}).ok());
    FakeHttpClient http([](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
        return makeResponse(201, kOk, R"({"tracking_id":"FORGED-1"})");
    });
    LaporUplink up(http, laporOptions(), clock);
    FakeRandom random{{1.0}};
    Agent agent(**store, up, AgentOptions{}, clock, random);
    CHECK(agent.deliverOne("w") == Outcome::retryLater);
    auto e = (*store)->outboxEntry(r.uuid);
    REQUIRE(e.ok());
    CHECK(e->state == OutboxState::failed);
    CHECK(e->trackingId.empty());
    CHECK(e->lastError.find("malformed answer") != std::string::npos);
}

TEST_CASE("catalog, tus headers and error bodies: wrong types are malformed, never thrown") {
    // Catalog.
    for (const char* body :
         {R"({"version":"v","agencies":"all"})", R"({"version":"v","agencies":[{"id":5}]})",
          R"({"version":"v","agencies":[{"id":"a","name":"A","topics":[{"id":"t","name":"T",)"
          R"("parent":7}]}]})",
          R"([1,2])", ""}) {
        CAPTURE(body);
        auto c = parseCatalogAnswer(body, nullptr);
        REQUIRE_FALSE(c.ok());
        CHECK(isMalformedAnswer(c.error()));
    }
    const std::string tag = "\"e\x01\"";
    CHECK(
        parseCatalogAnswer(R"({"version":"v","agencies":[]})", &tag).error().message.find("ETag") !=
        std::string::npos);
    // tus.
    auto options = makeResponse(200, {{"Tus-Version", "1.0.0"},
                                      {"Tus-Extension", "creation,checksum"},
                                      {"Tus-Checksum-Algorithm", "sha1,sha256"},
                                      {"Tus-Max-Size", "lots"}});
    CHECK(parseTusOptions(options).error().message.find("Tus-Max-Size") != std::string::npos);
    options.headers.pop_back();
    REQUIRE(parseTusOptions(options).ok());
    CHECK(parseTusOptions(options)->checksumAlgorithm == "sha256");
    CHECK(parseTusOptions(makeResponse(200, {{"Tus-Version", "0.2"}}))
              .error()
              .message.find("Tus-Version") != std::string::npos);
    CHECK(parseUploadOffset(makeResponse(204, {{"Upload-Offset", "-1"}}), "tus HEAD")
              .error()
              .message.find("Upload-Offset") != std::string::npos);
    CHECK(parseUploadOffset(makeResponse(204, {{"Upload-Offset", "99999999999999999999999"}}),
                            "tus HEAD")
              .ok() == false);
    CHECK(*parseUploadOffset(makeResponse(204, {{"Upload-Offset", "12"}}), "tus HEAD") == 12);
    CHECK(parseTusLocation(makeResponse(201), "http://s/v1/uploads")
              .error()
              .message.find("Location") != std::string::npos);
    CHECK(!parseTusLocation(makeResponse(201, {{"Location", "file:///etc/passwd"}}),
                            "http://s/v1/uploads")
               .ok());
    CHECK(*parseTusLocation(makeResponse(201, {{"Location", "/v1/uploads/ab"}}),
                            "http://s/v1/uploads") == "http://s/v1/uploads/ab");
    // Error bodies: odd types give no code (the status alone decides), control characters go.
    CHECK(parseErrorBody(R"({"code":5,"message":{"a":1}})").code.empty());
    CHECK(parseErrorBody(R"({"error":"x"})").code.empty());
    CHECK(parseErrorBody(R"([{"code":"unavailable","description":"a\nb"}])").detail ==
          "unavailable: a b");
    CHECK(parseErrorBody(R"({"code":"Robert'); DROP"})").code.empty());
    FakeClock clock;
    FakeHttpClient http([](const FakeHttpClient::Recorded&) -> Result<HttpResponse> {
        return makeResponse(503, kOk, R"({"code":[1],"message":null})");
    });
    LaporUplink up(http, laporOptions(), clock);
    ExchangeNote note;
    auto id = up.submit(sampleReport(7), {}, note);
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().code == Errc::busy);
}

TEST_CASE("open311: numbers as IDs are read, other wrong types and XML are malformed") {
    const std::vector<Followed> followed{{kUuid, "123"}};
    const Headers json{{"Content-Type", "application/json"}};
    auto list = parseOpen311List(
        makeResponse(200, json, R"([{"service_request_id":123,"status":"closed"}])"), "t");
    REQUIRE(list.ok());
    auto updates = parseOpen311Requests(*list, followed, 1000);
    REQUIRE(updates.ok());
    REQUIRE(updates->size() == 1);
    CHECK(updates->at(0).status == "closed");
    CHECK(updates->at(0).atMs == 1000);
    for (const char* body : {R"([{"service_request_id":"123","status_notes":5}])",
                             R"([{"service_request_id":{"x":1}}])",
                             R"([{"service_request_id":"123","updated_datetime":"yesterday"}])",
                             R"([{"service_request_id":-4}])"}) {
        CAPTURE(body);
        auto l = parseOpen311List(makeResponse(200, json, body), "t");
        REQUIRE(l.ok());
        std::optional<Result<std::vector<StatusUpdate>>> u;
        REQUIRE_NOTHROW(u.emplace(parseOpen311Requests(*l, followed, 0)));
        REQUIRE_FALSE(u->ok());
        CHECK(isMalformedAnswer(u->error()));
    }
    CHECK(isMalformedAnswer(
        parseOpen311List(makeResponse(200, {{"Content-Type", "text/xml"}},
                                      "<service_requests><request/></service_requests>"),
                         "t")
            .error()));
    CHECK(isMalformedAnswer(parseOpen311List(makeResponse(200, json, "[1]"), "t").error()));
    auto ticket = parseOpen311Ticket(nlohmann::json::parse(R"([{"token":7}])"), "t");
    REQUIRE_FALSE(ticket.ok());
    CHECK(ticket.error().message.find("token") != std::string::npos);
    CHECK(parseOpen311Ticket(nlohmann::json::parse(R"([{"service_request_id":null,"token":"a"}])"),
                             "t")
              ->token == "a");
    CHECK_FALSE(parseOpen311Ticket(nlohmann::json::parse("[]"), "t").ok());
}

TEST_CASE("rfc3339: fields in range, a zone required, offsets applied") {
    CHECK(parseRfc3339("2026-12-02T20:30:23.001Z") == 1'796'243'423'001);
    CHECK(parseRfc3339("2026-12-03T03:30:23.001+07:00") == 1'796'243'423'001);
    CHECK(parseRfc3339("2026-12-02T20:30:23Z") == 1'796'243'423'000);
    for (const char* bad : {"2026-12-02T20:30:23", "2026-13-02T20:30:23Z", "2026-12-02T24:00:00Z",
                            "2026-12-02T20:30:23.Z", "2026-12-02T20:30:23Zjunk", "", "5",
                            "2026-12-02T20:30:23+7:00", "0000-01-01T00:00:00Z"}) {
        CAPTURE(bad);
        CHECK_FALSE(parseRfc3339(bad).has_value());
    }
}

TEST_CASE("caps: a body past its endpoint's cap is malformed (fake and libcurl alike)") {
    FakeClock clock;
    FakeHttpClient http([](const FakeHttpClient::Recorded& r) -> Result<HttpResponse> {
        if (r.request.method == "POST") {
            return makeResponse(503, kOk, std::string(kSubmitAnswerCap + 1, ' '));
        }
        return makeResponse(200, kOk, std::string(kStatusPageCap + 1, ' '));
    });
    LaporUplink up(http, laporOptions(), clock);
    ExchangeNote note;
    auto page = up.pullStatus("", {}, note);
    REQUIRE_FALSE(page.ok());
    CHECK(isMalformedAnswer(page.error()));
    CHECK(page.error().message.find(std::to_string(kStatusPageCap)) != std::string::npos);
    auto id = up.submit(sampleReport(8), {}, note);
    REQUIRE_FALSE(id.ok());
    CHECK(isMalformedAnswer(id.error()));
    CHECK(id.error().message.find(std::to_string(kSubmitAnswerCap)) != std::string::npos);
}

TEST_CASE("caps: libcurl stops reading a 256 MB answer at the cap, memory stays flat") {
    constexpr std::size_t kHuge = 256u << 20;
    std::atomic<std::size_t> served{0};
    httplib::Server server;
    server.Get("/v1/reports/status", [&](const httplib::Request&, httplib::Response& res) {
        res.set_header("Lapor-Protocol", "1");
        res.set_content_provider(kHuge, "application/json",
                                 [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                     static const std::string block(64 << 10, ' ');
                                     const std::size_t n = std::min(block.size(), kHuge - offset);
                                     if (!sink.write(block.data(), n)) {
                                         return false;  // the client went away
                                     }
                                     served += n;
                                     return true;
                                 });
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread loop([&] { server.listen_after_bind(); });
    CurlHttpClient curl(HttpOptions{});
    LaporUplink up(
        curl,
        LaporUplinkOptions{{"http://127.0.0.1:" + std::to_string(port), 1 << 20, 20'000}, "tok"},
        SystemClock::instance());
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    ExchangeNote note;
    auto page = up.pullStatus("", {}, note);
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    server.stop();
    loop.join();
    REQUIRE_FALSE(page.ok());
    CHECK(isMalformedAnswer(page.error()));
    // The transfer stopped near the cap (socket buffers hold a few MB more at most).
    CHECK(served.load() < kHuge / 8);
    const long grownKiB = after.ru_maxrss - before.ru_maxrss;
    MESSAGE("256 MB answer: served " << served.load() / 1024 << " KiB before the client stopped; "
                                     << "peak RSS grew by " << grownKiB << " KiB (cap "
                                     << kStatusPageCap / 1024 << " KiB)");
    CHECK(grownKiB < 32 * 1024);
}

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in, path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string seed(const std::string& name) {
    return readFile(std::string(LAPOR_SOURCE_DIR) + "/tests/fuzz/corpus/" + name);
}

}  // namespace

TEST_CASE("seeds: the real sandbox answers in the fuzz corpus read as they should") {
    const std::string uuid = "0f1e2d3c-4b5a-4697-8877-665544332211";
    for (const char* name : {"created.json", "replayed.json"}) {
        CHECK(*parseSubmitAnswer(seed(std::string("answer_submit/") + name), uuid, "{}") ==
              "LPR-2026-000001");
    }
    auto timeline = parseStatusPage(seed("answer_status/timeline.json"), "");
    REQUIRE(timeline.ok());
    CHECK(timeline->updates.size() == 5);  // one of them under the server's own key
    CHECK(timeline->nextCursor == "5");
    CHECK(parseStatusPage(seed("answer_status/one.json"), "")->more);
    const std::string catalogSeed = seed("answer_catalog/catalog.txt");
    const auto nl = catalogSeed.find('\n');
    const std::string etag = catalogSeed.substr(0, nl);
    auto catalog = parseCatalogAnswer(catalogSeed.substr(nl + 1), &etag);
    REQUIRE(catalog.ok());
    CHECK_FALSE(catalog->agencies.empty());
    auto headers = [](const std::string& text) {
        Headers h;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            const auto colon = line.find(':');
            h.emplace_back(line.substr(0, colon), line.substr(colon + 2));
        }
        return makeResponse(200, h);
    };
    CHECK(parseTusOptions(headers(seed("answer_tus/options.txt")))->maxSize == 16u << 20);
    CHECK(*parseUploadOffset(headers(seed("answer_tus/patch.txt")), "tus PATCH") == 5);
    CHECK(parseTusLocation(headers(seed("answer_tus/create.txt")), "http://s/v1/uploads").ok());
    const std::string requests = seed("answer_open311/requests.txt");
    auto list = parseOpen311List(makeResponse(200, {{"Content-Type", "application/json"}},
                                              requests.substr(requests.find('\n') + 1)),
                                 "t");
    REQUIRE(list.ok());
    auto updates = parseOpen311Requests(*list, {{uuid, "LPR-2026-000002"}}, 0);
    REQUIRE(updates.ok());
    CHECK(updates->at(0).note == "received");
    CHECK(parseErrorBody(seed("answer_error/validation_failed.json")).code == "validation_failed");
    CHECK(parseErrorBody(seed("answer_error/open311_error.json")).code.empty());  // a number
}
