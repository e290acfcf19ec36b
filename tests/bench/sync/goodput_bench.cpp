// Goodput of the agent over an emulated bad link (1 Mbit/s each way, 100 ms latency one way,
// every connection reset after 256 KB): bytes sent / payload bytes and time / (payload /
// bandwidth). Baseline in the same run: each report with its media as one multipart POST,
// started over on any failure. Photos: scaled down to 3 reports of 3 photos of 300 KB by default
// (the full 20 reports take 2.5 minutes per side): LAPOR_BENCH_REPORTS=20 runs the full size.
// Clips: one report with a 30 s video clip of 1.3 MB (the video encoder's measured size; random
// bytes of that size here).
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bench_rig.hpp"
#include "sync/linkemu/link_emulator.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

constexpr double kBandwidth = 125'000;  // bytes per second: 1 Mbit/s
constexpr std::size_t kPhotoBytes = 300 * 1024;

linkemu::LinkShape badLink() {
    linkemu::LinkShape s;
    s.upBytesPerSecond = kBandwidth;
    s.downBytesPerSecond = kBandwidth;
    s.latency = std::chrono::milliseconds(100);
    s.resetEveryBytes = 256 * 1024;
    return s;
}

int reportCount() {
    const char* env = std::getenv("LAPOR_BENCH_REPORTS");
    return env != nullptr ? std::max(1, std::atoi(env)) : 3;
}

sync::HttpOptions benchHttp() {
    sync::HttpOptions ho;
    ho.connectTimeoutMs = 10'000;
    ho.stallSeconds = 10;
    return ho;
}

sync::AgentOptions benchAgent() {
    sync::AgentOptions ao;
    ao.inFlight = 4;
    ao.storePollMs = 50;
    ao.statusPollMs = 3600'000;
    ao.catalogPollMs = 3600'000;
    ao.backoff = sync::BackoffPolicy{100, 2000};
    return ao;
}

// The agent drains `store` through a bad link in front of the sandbox.
struct AgentFigures {
    double seconds = 0;
    linkemu::LinkCounters link;
};

AgentFigures agentOverBadLink(Store& store, SandboxProcess& sandbox) {
    auto link = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                             static_cast<std::uint16_t>(sandbox.port()), badLink());
    REQUIRE(link.ok());
    AgentRun run(store, "http://127.0.0.1:" + std::to_string((*link)->port()), benchHttp(),
                 benchAgent());
    (*link)->resetCounters();
    const auto drained = drainFor(store, *run.agent, std::chrono::seconds(300));
    REQUIRE(drained.finished);
    return {drained.seconds, (*link)->counters()};
}

// Prints the agent's line; returns bytes / payload and time / (payload / bandwidth).
std::pair<double, double> agentRatios(const AgentFigures& a, double payload) {
    const double bytesRatio = static_cast<double>(a.link.bytesUp) / payload;
    const double timeRatio = a.seconds / (payload / kBandwidth);
    std::printf(
        "  agent (tus, resume by HEAD): %.2f s, %llu bytes up, %llu resets; "
        "bytes/payload %.3f (target <= 1.10), time/(payload/bandwidth) %.3f "
        "(target <= 1.25)\n",
        a.seconds, static_cast<unsigned long long>(a.link.bytesUp),
        static_cast<unsigned long long>(a.link.resets), bytesRatio, timeRatio);
    return {bytesRatio, timeRatio};
}

struct BaselineFigures {
    int delivered = 0;
    int attempts = 0;
    double seconds = 0;
    std::uint64_t bytesUp = 0;
};

// The baseline: each report's media as one multipart POST (`parts`: name, media type, bytes)
// over the same link to a server that takes it whole, started over on any failure, for at most
// 12 s (over this link it never gets through: do not wait forever).
BaselineFigures baselineOverBadLink(
    int reports, const std::vector<std::tuple<std::string, std::string, std::string>>& parts) {
    httplib::Server sink;
    sink.Post("/reports",
              [&](const httplib::Request&, httplib::Response& res) { res.status = 201; });
    const int sinkPort = sink.bind_to_any_port("127.0.0.1");
    std::thread sinkThread([&] { sink.listen_after_bind(); });
    auto link = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                             static_cast<std::uint16_t>(sinkPort), badLink());
    REQUIRE(link.ok());
    sync::CurlHttpClient http(benchHttp());
    std::string body;
    const std::string boundary = "lapor-bench-boundary";
    for (const auto& [name, type, bytes] : parts) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                "\"; filename=\"" + name + "\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes +
                "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    BaselineFigures out;
    const auto b0 = std::chrono::steady_clock::now();
    const auto budget = std::chrono::seconds(12);
    for (int r = 0; r < reports && std::chrono::steady_clock::now() - b0 < budget; ++r) {
        while (std::chrono::steady_clock::now() - b0 < budget) {
            sync::HttpRequest req;
            req.method = "POST";
            req.url = "http://127.0.0.1:" + std::to_string((*link)->port()) + "/reports";
            req.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
            req.body = body;
            ++out.attempts;
            auto res = http.send(req);
            if (res.ok() && res->status == 201) {
                ++out.delivered;
                break;
            }
        }
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count();
    out.bytesUp = (*link)->counters().bytesUp;
    sink.stop();
    sinkThread.join();
    return out;
}

}  // namespace

TEST_CASE("sync goodput over 1 Mbit/s, 100 ms, reset every 256 KB") {
    const int reports = reportCount();
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    auto store = Store::open(storeOptions(dir.sub("store")));
    REQUIRE(store.ok());
    (void)fillStore(**store, reports, 3, kPhotoBytes, 900);
    const double payload = static_cast<double>(reports) * 3 * kPhotoBytes;

    const AgentFigures agent = agentOverBadLink(**store, sandbox);
    const std::string photo(kPhotoBytes, 'p');
    std::vector<std::tuple<std::string, std::string, std::string>> parts;
    for (int k = 0; k < 3; ++k)
        parts.emplace_back("photo" + std::to_string(k), "image/jpeg", photo);
    const BaselineFigures base = baselineOverBadLink(reports, parts);

    std::printf("sync goodput: %d reports x 3 photos x 300 KB = %.0f payload bytes\n", reports,
                payload);
    const auto [bytesRatio, timeRatio] = agentRatios(agent, payload);
    std::printf(
        "  baseline (one multipart POST per report, restarted on failure): %d of %d "
        "reports delivered in %.1f s after %d attempts, %llu bytes up%s\n",
        base.delivered, reports, base.seconds, base.attempts,
        static_cast<unsigned long long>(base.bytesUp),
        base.delivered == 0 ? " (a 900 KB POST never survives a reset every 256 KB)" : "");
    CHECK(bytesRatio <= 1.10);
    WARN(timeRatio <= 1.25);
}

TEST_CASE("sync goodput of a 30 s clip (1.3 MB) over 1 Mbit/s, 100 ms, reset every 256 KB") {
    constexpr std::size_t kClipBytes = 1'300'000;
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    StoreOptions o = storeOptions(dir.sub("store"));
    o.mapSize = 16u << 20;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    Clip clip;
    clip.kind = MediaKind::video;
    clip.bytes.resize(kClipBytes);
    crypto::randomBytes(clip.bytes);  // incompressible, like H.264
    clip.durationMs = 30'000;
    REQUIRE((*store)
                ->saveReport(sandboxReport(1, 910), {}, std::span<const Clip>(&clip, 1), nullptr)
                .ok());
    const double payload = kClipBytes;

    const AgentFigures agent = agentOverBadLink(**store, sandbox);
    REQUIRE(agent.link.bytesUp > 0);  // fail when nothing was measured
    const BaselineFigures base = baselineOverBadLink(
        1, {{"clip", "video/mp4", std::string(clip.bytes.begin(), clip.bytes.end())}});

    std::printf("clip goodput: one 30 s clip of %zu bytes\n", kClipBytes);
    const auto [bytesRatio, timeRatio] = agentRatios(agent, payload);
    std::printf(
        "  baseline (one multipart POST, restarted on failure): %s in %.1f s after %d attempts, "
        "%llu bytes up%s\n",
        base.delivered == 1 ? "delivered" : "not delivered", base.seconds, base.attempts,
        static_cast<unsigned long long>(base.bytesUp),
        base.delivered == 0 ? " (a 1.3 MB POST never survives a reset every 256 KB)" : "");
    CHECK(bytesRatio <= 1.10);
    WARN(timeRatio <= 1.25);
}
