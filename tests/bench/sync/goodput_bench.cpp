// Goodput of the agent over an emulated bad link (1 Mbit/s each way, 100 ms latency one way,
// every connection reset after 256 KB): bytes sent / payload bytes and time / (payload /
// bandwidth). Baseline in the same run: each report with its photos as one multipart POST,
// started over on any failure. Scaled down to 3 reports of 3 photos of 300 KB by default (the
// full 20 reports take 2.5 minutes per side): LAPOR_BENCH_REPORTS=20 runs the full size.
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>

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

}  // namespace

TEST_CASE("sync goodput over 1 Mbit/s, 100 ms, reset every 256 KB") {
    const int reports = reportCount();
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    auto link = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                             static_cast<std::uint16_t>(sandbox.port()), badLink());
    REQUIRE(link.ok());
    auto store = Store::open(storeOptions(dir.sub("store")));
    REQUIRE(store.ok());
    (void)fillStore(**store, reports, 3, kPhotoBytes, 900);
    const double payload = static_cast<double>(reports) * 3 * kPhotoBytes;

    sync::HttpOptions ho;
    ho.connectTimeoutMs = 10'000;
    ho.stallSeconds = 10;
    sync::AgentOptions ao;
    ao.inFlight = 4;
    ao.storePollMs = 50;
    ao.statusPollMs = 3600'000;
    ao.catalogPollMs = 3600'000;
    ao.backoff = sync::BackoffPolicy{100, 2000};
    AgentRun run(**store, "http://127.0.0.1:" + std::to_string((*link)->port()), ho, ao);
    (*link)->resetCounters();
    const auto drained = drainFor(**store, *run.agent, std::chrono::seconds(300));
    REQUIRE(drained.finished);
    const double seconds = drained.seconds;
    const auto c = (*link)->counters();
    const double bytesRatio = static_cast<double>(c.bytesUp) / payload;
    const double timeRatio = seconds / (payload / kBandwidth);

    // Baseline: one multipart POST per report, over the same link to a server that takes it whole.
    httplib::Server sink;
    int accepted = 0;
    sink.Post("/reports", [&](const httplib::Request& req, httplib::Response& res) {
        accepted += req.is_multipart_form_data() ? 1 : 0;
        res.status = 201;
    });
    const int sinkPort = sink.bind_to_any_port("127.0.0.1");
    std::thread sinkThread([&] { sink.listen_after_bind(); });
    auto link2 = linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1",
                                              static_cast<std::uint16_t>(sinkPort), badLink());
    REQUIRE(link2.ok());
    sync::CurlHttpClient http(ho);
    const std::string photo(kPhotoBytes, 'p');
    std::string body;
    const std::string boundary = "lapor-bench-boundary";
    for (int k = 0; k < 3; ++k) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo" +
                std::to_string(k) + "\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
                photo + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    int delivered = 0;
    int attempts = 0;
    const auto b0 = std::chrono::steady_clock::now();
    const auto budget = std::chrono::seconds(12);  // it never gets through: do not wait forever
    for (int r = 0; r < reports && std::chrono::steady_clock::now() - b0 < budget; ++r) {
        while (std::chrono::steady_clock::now() - b0 < budget) {
            sync::HttpRequest req;
            req.method = "POST";
            req.url = "http://127.0.0.1:" + std::to_string((*link2)->port()) + "/reports";
            req.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
            req.body = body;
            ++attempts;
            auto res = http.send(req);
            if (res.ok() && res->status == 201) {
                ++delivered;
                break;
            }
        }
    }
    const double baseSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count();
    const auto bc = (*link2)->counters();
    sink.stop();
    sinkThread.join();

    std::printf("sync goodput: %d reports x 3 photos x 300 KB = %.0f payload bytes\n", reports,
                payload);
    std::printf(
        "  agent (tus, resume by HEAD): %.2f s, %llu bytes up, %llu resets; "
        "bytes/payload %.3f (target <= 1.10), time/(payload/bandwidth) %.3f "
        "(target <= 1.25)\n",
        seconds, static_cast<unsigned long long>(c.bytesUp),
        static_cast<unsigned long long>(c.resets), bytesRatio, timeRatio);
    std::printf(
        "  baseline (one multipart POST per report, restarted on failure): %d of %d "
        "reports delivered in %.1f s after %d attempts, %llu bytes up%s\n",
        delivered, reports, baseSeconds, attempts, static_cast<unsigned long long>(bc.bytesUp),
        delivered == 0 ? " (a 900 KB POST never survives a reset every 256 KB)" : "");
    CHECK(bytesRatio <= 1.10);
    WARN(timeRatio <= 1.25);
}
