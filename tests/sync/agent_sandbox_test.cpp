// The agent against lapor-sandbox on loopback: the happy path, every fault the sandbox plays, the
// network gone for a while and back, video clips and spoken notes over a link with resets. Real
// HTTP, real store, short backoff; bounded waits only.
#include <doctest/doctest.h>

#include <map>

#include "agent_sandbox_support.hpp"
#include "sync/agent.hpp"
#include "sync/linkemu/link_emulator.hpp"
#include "sync/uplink_lapor.hpp"
#include "sync/uplink_open311.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;
using nlohmann::json;

namespace {

// A store, an agent and a sandbox, wired as lapor-syncd wires them.
struct Rig {
    TempDir dir;
    std::unique_ptr<SandboxProcess> sandbox;
    std::unique_ptr<Store> store;
    HttpOptions httpOptions;
    std::unique_ptr<CurlHttpClient> http;
    std::unique_ptr<Uplink> uplink;
    SystemRandom random;
    AgentOptions options;
    std::unique_ptr<Agent> agent;

    explicit Rig(std::vector<std::string> sandboxArgs = {}) {
        sandbox = std::make_unique<SandboxProcess>(dir.sub("sandbox"), std::move(sandboxArgs));
        auto s = Store::open(storeOptions(dir.sub("store")));
        REQUIRE(s.ok());
        store = std::move(*s);
        httpOptions.connectTimeoutMs = 2000;
        httpOptions.stallSeconds = 2;
        options.inFlight = 4;
        options.storePollMs = 20;
        options.statusPollMs = 200;
        options.backoff = BackoffPolicy{20, 400};
        options.leaseMs = 30'000;
    }
    // The LAPOR adapter aimed at the sandbox, or at `url` (a link emulator in front of it).
    void lapor(const std::string& url = {}) {
        http = std::make_unique<CurlHttpClient>(httpOptions);
        uplink = std::make_unique<LaporUplink>(
            *http,
            LaporUplinkOptions{{url.empty() ? sandbox->url() : url, 1 << 20, 10'000},
                               kSandboxToken},
            SystemClock::instance());
    }
    void start() {
        agent = std::make_unique<Agent>(*store, *uplink, options, SystemClock::instance(), random);
        agent->setStopHook([this] { http->cancel(); });
        REQUIRE(agent->start().ok());
    }
    bool allSettled(std::chrono::milliseconds limit) {
        return waitUntil(
            [&] {
                auto c = store->counts();
                return c.ok() && c->count(OutboxState::queued) == 0 &&
                       c->count(OutboxState::sending) == 0 && c->count(OutboxState::failed) == 0;
            },
            limit);
    }
};

constexpr std::size_t kClipBytes = 1'300'000;  // a 30 s clip as the video encoder makes it

Clip clipOf(MediaKind kind, std::size_t size, std::uint32_t seed, std::uint32_t durationMs) {
    Photo bytes = samplePhoto(size, seed);
    Clip c;
    c.kind = kind;
    c.bytes = std::move(bytes.jpeg);
    c.sha256Hex = std::move(bytes.sha256Hex);
    c.durationMs = durationMs;
    return c;
}

// The sandbox's uploads of `uuid`, by item index.
std::map<int, json> uploadsOf(SandboxProcess& sandbox, const std::string& uuid) {
    std::map<int, json> out;
    const json stats = sandbox.stats();  // kept: the loop reads into it
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] == uuid) {
            out[u["photo_index"].get<int>()] = u;
        }
    }
    return out;
}

// Every item complete at the sandbox with the stored hash, size and media type.
void checkMedia(Store& store, SandboxProcess& sandbox, const std::string& uuid) {
    auto infos = store.listPhotos(uuid);
    REQUIRE(infos.ok());
    const auto uploads = uploadsOf(sandbox, uuid);
    CHECK(uploads.size() == infos->size());
    for (const PhotoInfo& info : *infos) {
        CAPTURE(info.index);
        auto u = uploads.find(static_cast<int>(info.index));
        REQUIRE(u != uploads.end());
        CHECK(u->second["complete"] == true);
        CHECK(u->second["sha256"] == info.sha256Hex);
        CHECK(u->second["length"] == info.size);
        CHECK(u->second["filetype"] == mediaTypeOf(info.kind));
    }
}

bool deliveredWithin(Store& store, const std::string& uuid, std::chrono::seconds limit) {
    return waitUntil(
        [&] {
            auto e = store.outboxEntry(uuid);
            return e.ok() && isDelivered(e->state);
        },
        limit);
}

// Stops the agent and lets its client go (a stopped client stays cancelled).
void stopAgent(Rig& rig) {
    rig.agent->stop();
    rig.agent.reset();
}

}  // namespace

TEST_CASE("sandbox: reports with photos are delivered once, nothing sent twice") {
    Rig rig;
    rig.lapor();
    const auto uuids = fillStore(*rig.store, 12, 2, 150'000, 1);
    rig.start();
    REQUIRE(rig.allSettled(std::chrono::seconds(60)));
    rig.agent->stop();
    checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
    auto stats = rig.sandbox->stats();
    for (const auto& u : stats["uploads_detail"]) {
        CHECK(u["bytes_received"] == u["length"]);  // not one photo byte twice
    }
    // Connections were re-used: far fewer than requests.
    const auto hs = rig.http->stats();
    CHECK(hs.connectionsOpened <= 8);
    CHECK(hs.requests >= 12 * 3);
}

TEST_CASE("sandbox: statuses move along and come back, the catalog arrives with its ETag") {
    Rig rig({"--time-scale", "86400"});
    rig.lapor();
    const auto uuids = fillStore(*rig.store, 3, 0, 0, 2);
    rig.start();
    REQUIRE(rig.allSettled(std::chrono::seconds(30)));
    (void)rig.sandbox->admin("POST", "/admin/clock", json{{"advance_seconds", 40 * 86400}});
    REQUIRE(waitUntil(
        [&] {
            auto e = rig.store->outboxEntry(uuids[0]);
            return e.ok() && e->state == OutboxState::closed;
        },
        std::chrono::seconds(30)));
    auto catalog = rig.store->getCatalog();
    REQUIRE(catalog.ok());
    CHECK_FALSE(catalog->etag.empty());
    CHECK(catalog->findAgency("kemen-pupr") != nullptr);
    rig.agent->stop();
    auto status = rig.store->getStatus(agentStatusKey);
    REQUIRE(status.ok());
    REQUIRE(status->has_value());
    auto j = json::parse(**status);
    CHECK(j["online"] == true);
    CHECK(j["queue_depth"] == 0);
}

TEST_CASE("sandbox: an upload that expires under a PATCH is made again, the report is delivered") {
    Rig rig;
    rig.lapor();
    const auto uuids = fillStore(*rig.store, 2, 2, 150'000, 3);
    // A tus server that expires uploads answers the PATCH 410 with a text body (@tus/server).
    rig.sandbox->fault({{"kind", "expire"}, {"method", "PATCH"}, {"count", 2}});
    rig.start();
    REQUIRE(rig.allSettled(std::chrono::seconds(60)));
    rig.agent->stop();
    for (const auto& uuid : uuids) {
        auto e = rig.store->outboxEntry(uuid);
        REQUIRE(e.ok());
        CHECK_MESSAGE(e->state != OutboxState::parked, e->lastError);
    }
    checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
    CHECK(rig.sandbox->stats()["requests"]["POST /v1/uploads"] >= 6);  // 4 photos, 2 made again
}

TEST_CASE("sandbox: every fault is survived, and nothing lands twice") {
    struct Case {
        const char* name;
        json fault;
    };
    const std::vector<Case> cases = {
        {"error 500", {{"kind", "status"}, {"status", 500}, {"count", 3}}},
        {"429 Retry-After", {{"kind", "status"}, {"status", 429}, {"retry_after", 1}}},
        {"503 Retry-After",
         {{"kind", "status"}, {"status", 503}, {"retry_after", 1}, {"count", 2}}},
        {"stall", {{"kind", "stall"}, {"seconds", 4}, {"method", "POST"}, {"path", "/v1/reports"}}},
        {"reset after N bytes",
         {{"kind", "reset"}, {"after_bytes", 40000}, {"direction", "up"}, {"count", 3}}},
        {"slow answers", {{"kind", "slow"}, {"bytes_per_second", 200}, {"count", 4}}},
        {"malformed body",
         {{"kind", "malformed"}, {"method", "POST"}, {"path", "/v1/reports"}, {"count", 2}}},
        {"no protocol header",
         {{"kind", "no_header"}, {"method", "POST"}, {"path", "/v1/reports"}}},
        {"wrong protocol header",
         {{"kind", "wrong_header"}, {"method", "POST"}, {"path", "/v1/reports"}}},
        {"captive portal", {{"kind", "portal"}, {"count", 3}}},
        {"link stall", {{"kind", "link_stall"}, {"seconds", 3}}},
        {"throttle", {{"kind", "throttle"}, {"bytes_per_second", 50000}, {"seconds", 2}}},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const std::string name = c.name;
        CAPTURE(name);
        Rig rig;
        rig.lapor();
        rig.sandbox->fault(c.fault);
        const auto uuids = fillStore(*rig.store, 4, 1, 60'000, static_cast<std::uint32_t>(10 + i));
        rig.start();
        REQUIRE(rig.allSettled(std::chrono::seconds(60)));
        rig.agent->stop();
        checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
        if (std::string(c.name).find("header") != std::string::npos ||
            std::string(c.name) == "malformed body") {
            // The server stored it but its answer did not count: the retry was a replay.
            auto stats = rig.sandbox->stats();
            int replayed = 0;
            for (const auto& u : uuids) {
                replayed += stats["acceptances"][u]["replayed"].get<int>();
            }
            CHECK(replayed >= 1);
        }
    }
}

TEST_CASE("sandbox: a permanent refusal is parked with the server's reason") {
    Rig rig;
    rig.lapor();
    rig.sandbox->fault({{"kind", "status"},
                        {"status", 422},
                        {"code", "validation_failed"},
                        {"method", "POST"},
                        {"path", "/v1/reports"}});
    const auto uuids = fillStore(*rig.store, 1, 0, 0, 30);
    rig.start();
    REQUIRE(rig.allSettled(std::chrono::seconds(30)));
    rig.agent->stop();
    auto e = rig.store->outboxEntry(uuids[0]);
    REQUIRE(e.ok());
    CHECK(e->state == OutboxState::parked);
    CHECK(e->lastError.find("422") != std::string::npos);
}

TEST_CASE("sandbox: the network gone for a while and back") {
    Rig rig;
    rig.lapor();
    rig.sandbox->fault({{"kind", "down"}, {"seconds", 3}});
    const auto uuids = fillStore(*rig.store, 5, 1, 80'000, 40);
    rig.start();
    // While it is down nothing is delivered, and the status record says offline.
    REQUIRE(waitUntil(
        [&] {
            rig.agent->writeStatusRecord();
            auto s = rig.store->getStatus(agentStatusKey);
            return s.ok() && s->has_value() && json::parse(**s)["online"] == false &&
                   json::parse(**s)["queue_depth"] == 5;
        },
        std::chrono::seconds(10)));
    REQUIRE(rig.allSettled(std::chrono::seconds(60)));
    rig.agent->stop();
    checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
}

TEST_CASE("sandbox: SIGTERM-style stop mid-upload releases the reports at once") {
    Rig rig;
    rig.lapor();
    rig.sandbox->fault({{"kind", "throttle"}, {"bytes_per_second", 20000}, {"seconds", 0}});
    const auto uuids = fillStore(*rig.store, 4, 2, 200'000, 50);
    rig.start();
    REQUIRE(waitUntil(
        [&] {
            auto c = rig.store->counts();
            return c.ok() && c->count(OutboxState::sending) >= 2;
        },
        std::chrono::seconds(10)));
    const auto t0 = std::chrono::steady_clock::now();
    rig.agent->stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    auto c = rig.store->counts();
    REQUIRE(c.ok());
    CHECK(c->count(OutboxState::sending) == 0);  // every lease released
    CHECK(c->count(OutboxState::delivered) + c->count(OutboxState::failed) +
              c->count(OutboxState::queued) ==
          uuids.size());
}

TEST_CASE("sandbox: the Open311 adapter files, follows tokens and reads the status back") {
    Rig rig({"--time-scale", "86400"});
    (void)rig.sandbox->admin("POST", "/admin/open311",
                             json{{"token_mode", true}, {"token_pending_queries", 1}});
    rig.http = std::make_unique<CurlHttpClient>(rig.httpOptions);
    Open311Options o;
    o.baseUrl = rig.sandbox->url() + "/open311/v2";
    o.apiKey = kSandboxToken;
    o.mediaUploadUrl = rig.sandbox->url() + "/v1/uploads";
    o.guard = laporGuard();
    rig.uplink = std::make_unique<Open311Uplink>(*rig.http, o, *rig.store, SystemClock::instance());
    const auto uuids = fillStore(*rig.store, 3, 1, 30'000, 60);
    rig.start();
    REQUIRE(rig.allSettled(std::chrono::seconds(30)));
    (void)rig.sandbox->admin("POST", "/admin/clock", json{{"advance_seconds", 40 * 86400}});
    REQUIRE(waitUntil(
        [&] {
            auto e = rig.store->outboxEntry(uuids[1]);
            return e.ok() && e->state == OutboxState::closed;
        },
        std::chrono::seconds(30)));
    rig.agent->stop();
    auto stats = rig.sandbox->stats();
    CHECK(stats["open311_reports"] == 3);
    for (const auto& u : uuids) {
        auto e = rig.store->outboxEntry(u);
        REQUIRE(e.ok());
        CHECK(e->trackingId.rfind("LPR-", 0) == 0);
    }
}

TEST_CASE("sandbox over HTTPS: verified with the CA file, refused without, DANGEROUS key skips") {
    Rig rig({"--tls-self-signed"});
    REQUIRE_FALSE(rig.sandbox->certFile().empty());
    REQUIRE(rig.sandbox->url().rfind("https://", 0) == 0);

    SUBCASE("the server's CA configured: delivered") {
        rig.httpOptions.caFile = rig.sandbox->certFile();
        rig.lapor();
        const auto uuids = fillStore(*rig.store, 2, 1, 20'000, 90);
        rig.start();
        REQUIRE(rig.allSettled(std::chrono::seconds(30)));
        rig.agent->stop();
        checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
    }
    SUBCASE("no CA configured: the certificate is not trusted and nothing is sent") {
        rig.lapor();
        const auto uuids = fillStore(*rig.store, 1, 0, 0, 91);
        rig.start();
        REQUIRE(waitUntil(
            [&] {
                auto e = rig.store->outboxEntry(uuids[0]);
                return e.ok() && e->state == OutboxState::failed;
            },
            std::chrono::seconds(20)));
        rig.agent->stop();
        auto e = rig.store->outboxEntry(uuids[0]);
        REQUIRE(e.ok());
        CHECK(e->lastError.find("certificate") != std::string::npos);
        CHECK(rig.sandbox->stats()["reports"] == 0);
    }
    SUBCASE("insecure_skip_tls_verify_DANGEROUS: delivered anyway") {
        rig.httpOptions.insecureSkipTlsVerify = true;
        rig.lapor();
        const auto uuids = fillStore(*rig.store, 1, 0, 0, 92);
        rig.start();
        REQUIRE(rig.allSettled(std::chrono::seconds(30)));
        rig.agent->stop();
        checkExactlyOnce(*rig.store, *rig.sandbox, uuids);
    }
}

// Video clips and spoken notes (issue 15): after the photos, each its own tus upload with its
// media type; over a link with resets the clip resumes instead of starting over, also across an
// agent restart.
TEST_CASE("sandbox: a report with photos, a clip and a spoken note arrives whole, hashes equal") {
    Rig rig;
    const Report r = sandboxReport(1, 501);
    const std::vector<Photo> photos = {samplePhoto(120'000, 1), samplePhoto(80'000, 2)};
    const std::vector<Clip> clips = {clipOf(MediaKind::video, kClipBytes, 3, 30'000),
                                     clipOf(MediaKind::voice, 200'000, 4, 60'000)};
    REQUIRE(rig.store->saveReport(r, photos, clips, nullptr).ok());
    rig.lapor();
    rig.start();
    REQUIRE(deliveredWithin(*rig.store, r.uuid, std::chrono::seconds(60)));
    stopAgent(rig);
    checkExactlyOnce(*rig.store, *rig.sandbox, {r.uuid});
    checkMedia(*rig.store, *rig.sandbox, r.uuid);
    for (const auto& [index, u] : uploadsOf(*rig.sandbox, r.uuid))
        CHECK(u["bytes_received"] == u["length"]);  // not one byte twice
}

TEST_CASE("sandbox: a 1.3 MB clip over a link that resets every 256 KB resumes, never restarts") {
    Rig rig;
    linkemu::LinkShape shape;
    shape.upBytesPerSecond = 1'000'000;  // 8 Mbit/s: the resets matter here, not the speed
    shape.downBytesPerSecond = 1'000'000;
    shape.latency = std::chrono::milliseconds(5);
    shape.resetEveryBytes = 256 * 1024;
    auto link = linkemu::LinkEmulator::start(
        "127.0.0.1", 0, "127.0.0.1", static_cast<std::uint16_t>(rig.sandbox->port()), shape);
    REQUIRE(link.ok());
    const Report r = sandboxReport(2, 502);
    const Clip clip = clipOf(MediaKind::video, kClipBytes, 5, 30'000);
    REQUIRE(rig.store
                ->saveReport(r, std::vector<Photo>{samplePhoto(50'000, 6)},
                             std::span<const Clip>(&clip, 1), nullptr)
                .ok());
    rig.lapor("http://127.0.0.1:" + std::to_string((*link)->port()));
    rig.start();
    REQUIRE(deliveredWithin(*rig.store, r.uuid, std::chrono::seconds(90)));
    stopAgent(rig);
    checkMedia(*rig.store, *rig.sandbox, r.uuid);
    const auto c = (*link)->counters();
    CHECK(c.resets >= 4);
    const json u = uploadsOf(*rig.sandbox, r.uuid).at(1);
    // Each reset loses at most the PATCH under way; the rest is never sent again.
    CHECK(u["bytes_received"].get<double>() <= 1.25 * static_cast<double>(kClipBytes));
    MESSAGE("clip of " << kClipBytes << " bytes: " << u["bytes_received"] << " bytes received in "
                       << u["patches"] << " PATCHes over " << c.resets << " resets");
}

TEST_CASE("sandbox: a clip half sent when the agent stops goes on from there after a restart") {
    Rig rig;
    linkemu::LinkShape shape;
    shape.upBytesPerSecond = 250'000;  // 2 Mbit/s: the clip takes about five seconds
    shape.downBytesPerSecond = 250'000;
    auto link = linkemu::LinkEmulator::start(
        "127.0.0.1", 0, "127.0.0.1", static_cast<std::uint16_t>(rig.sandbox->port()), shape);
    REQUIRE(link.ok());
    const Report r = sandboxReport(3, 503);
    const Clip clip = clipOf(MediaKind::video, kClipBytes, 7, 30'000);
    REQUIRE(rig.store->saveReport(r, {}, std::span<const Clip>(&clip, 1), nullptr).ok());
    const std::string url = "http://127.0.0.1:" + std::to_string((*link)->port());
    rig.lapor(url);
    rig.start();
    REQUIRE(waitUntil(
        [&] {
            auto uploads = uploadsOf(*rig.sandbox, r.uuid);
            return uploads.count(0) == 1 && uploads.at(0)["offset"].get<std::uint64_t>() >= 300'000;
        },
        std::chrono::seconds(30)));
    stopAgent(rig);
    const std::uint64_t before = uploadsOf(*rig.sandbox, r.uuid).at(0)["offset"];
    REQUIRE(before < kClipBytes);
    rig.lapor(url);
    rig.start();
    REQUIRE(deliveredWithin(*rig.store, r.uuid, std::chrono::seconds(60)));
    stopAgent(rig);
    checkMedia(*rig.store, *rig.sandbox, r.uuid);
    const auto uploads = uploadsOf(*rig.sandbox, r.uuid);
    CHECK(uploads.size() == 1);  // the same upload went on; none made anew
    CHECK(uploads.at(0)["bytes_received"].get<double>() <= 1.2 * static_cast<double>(kClipBytes));
    CHECK(rig.sandbox->stats()["uploads"] == 1);
}
