// The agent delivers video clips and spoken notes to lapor-sandbox: after the photos, each as its
// own tus upload with its media type, the hashes equal at the sandbox; over the link emulator with
// resets the clip resumes instead of starting over, also across an agent restart.
#include <doctest/doctest.h>

#include <map>

#include "agent_sandbox_support.hpp"
#include "sync/agent.hpp"
#include "sync/linkemu/link_emulator.hpp"
#include "sync/uplink_lapor.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;
using nlohmann::json;

namespace {

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

// A store, an agent and its HTTP client, aimed at `url` (the sandbox, or a link in front of it).
struct ClipRig {
    TempDir dir;
    SandboxProcess sandbox{dir.sub("sandbox")};
    std::unique_ptr<Store> store;
    HttpOptions httpOptions;
    std::unique_ptr<CurlHttpClient> http;
    std::unique_ptr<Uplink> uplink;
    SystemRandom random;
    AgentOptions options;
    std::unique_ptr<Agent> agent;

    ClipRig() {
        StoreOptions o = storeOptions(dir.sub("store"));
        o.mapSize = 32u << 20;
        auto s = Store::open(std::move(o));
        REQUIRE(s.ok());
        store = std::move(*s);
        httpOptions.connectTimeoutMs = 5000;
        httpOptions.stallSeconds = 5;
        options.inFlight = 2;
        options.storePollMs = 20;
        options.statusPollMs = 3600'000;
        options.catalogPollMs = 3600'000;
        options.backoff = BackoffPolicy{20, 400};
        options.leaseMs = 30'000;
    }
    void start(const std::string& url) {
        http = std::make_unique<CurlHttpClient>(httpOptions);
        uplink = std::make_unique<LaporUplink>(
            *http, LaporUplinkOptions{{url, 256 << 10, 20'000}, kSandboxToken},
            SystemClock::instance());
        agent = std::make_unique<Agent>(*store, *uplink, options, SystemClock::instance(), random);
        agent->setStopHook([this] { http->cancel(); });
        REQUIRE(agent->start().ok());
    }
    void stop() {
        agent->stop();
        agent.reset();
        uplink.reset();
        http.reset();
    }
    bool delivered(const std::string& uuid, std::chrono::seconds limit) {
        return waitUntil(
            [&] {
                auto e = store->outboxEntry(uuid);
                return e.ok() && isDelivered(e->state);
            },
            limit);
    }
    // The sandbox's uploads of `uuid`, by item index.
    std::map<int, json> uploadsOf(const std::string& uuid) {
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
    void checkHashes(const std::string& uuid) {
        auto infos = store->listPhotos(uuid);
        REQUIRE(infos.ok());
        const auto uploads = uploadsOf(uuid);
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
};

}  // namespace

TEST_CASE("sandbox: a report with photos, a clip and a spoken note arrives whole, hashes equal") {
    ClipRig rig;
    const Report r = sandboxReport(1, 501);
    const std::vector<Photo> photos = {samplePhoto(120'000, 1), samplePhoto(80'000, 2)};
    const std::vector<Clip> clips = {clipOf(MediaKind::video, kClipBytes, 3, 30'000),
                                     clipOf(MediaKind::voice, 200'000, 4, 60'000)};
    REQUIRE(rig.store->saveReport(r, photos, clips, nullptr).ok());
    rig.start(rig.sandbox.url());
    REQUIRE(rig.delivered(r.uuid, std::chrono::seconds(60)));
    rig.stop();
    checkExactlyOnce(*rig.store, rig.sandbox, {r.uuid});
    rig.checkHashes(r.uuid);
    for (const auto& [index, u] : rig.uploadsOf(r.uuid))
        CHECK(u["bytes_received"] == u["length"]);  // not one byte twice
}

TEST_CASE("sandbox: a 1.3 MB clip over a link that resets every 256 KB resumes, never restarts") {
    ClipRig rig;
    linkemu::LinkShape shape;
    shape.upBytesPerSecond = 1'000'000;  // 8 Mbit/s: the resets matter here, not the speed
    shape.downBytesPerSecond = 1'000'000;
    shape.latency = std::chrono::milliseconds(5);
    shape.resetEveryBytes = 256 * 1024;
    auto link = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                             static_cast<std::uint16_t>(rig.sandbox.port()), shape);
    REQUIRE(link.ok());
    const Report r = sandboxReport(2, 502);
    const Clip clip = clipOf(MediaKind::video, kClipBytes, 5, 30'000);
    REQUIRE(rig.store
                ->saveReport(r, std::vector<Photo>{samplePhoto(50'000, 6)},
                             std::span<const Clip>(&clip, 1), nullptr)
                .ok());
    rig.start("http://127.0.0.1:" + std::to_string((*link)->port()));
    REQUIRE(rig.delivered(r.uuid, std::chrono::seconds(90)));
    rig.stop();
    rig.checkHashes(r.uuid);
    const auto c = (*link)->counters();
    CHECK(c.resets >= 4);
    const json u = rig.uploadsOf(r.uuid).at(1);
    // Each reset loses at most the PATCH under way; the rest is never sent again.
    CHECK(u["bytes_received"].get<double>() <= 1.25 * static_cast<double>(kClipBytes));
    MESSAGE("clip of " << kClipBytes << " bytes: " << u["bytes_received"] << " bytes received in "
                       << u["patches"] << " PATCHes over " << c.resets << " resets");
}

TEST_CASE("sandbox: a clip half sent when the agent stops goes on from there after a restart") {
    ClipRig rig;
    linkemu::LinkShape shape;
    shape.upBytesPerSecond = 250'000;  // 2 Mbit/s: the clip takes about five seconds
    shape.downBytesPerSecond = 250'000;
    auto link = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                             static_cast<std::uint16_t>(rig.sandbox.port()), shape);
    REQUIRE(link.ok());
    const Report r = sandboxReport(3, 503);
    const Clip clip = clipOf(MediaKind::video, kClipBytes, 7, 30'000);
    REQUIRE(rig.store->saveReport(r, {}, std::span<const Clip>(&clip, 1), nullptr).ok());
    const std::string url = "http://127.0.0.1:" + std::to_string((*link)->port());
    rig.start(url);
    REQUIRE(waitUntil(
        [&] {
            auto uploads = rig.uploadsOf(r.uuid);
            return uploads.count(0) == 1 && uploads.at(0)["offset"].get<std::uint64_t>() >= 300'000;
        },
        std::chrono::seconds(30)));
    rig.stop();
    const std::uint64_t before = rig.uploadsOf(r.uuid).at(0)["offset"];
    REQUIRE(before < kClipBytes);
    rig.start(url);
    REQUIRE(rig.delivered(r.uuid, std::chrono::seconds(60)));
    rig.stop();
    rig.checkHashes(r.uuid);
    const auto uploads = rig.uploadsOf(r.uuid);
    CHECK(uploads.size() == 1);  // the same upload went on; none made anew
    CHECK(uploads.at(0)["bytes_received"].get<double>() <= 1.2 * static_cast<double>(kClipBytes));
    CHECK(rig.sandbox.stats()["uploads"] == 1);
}
