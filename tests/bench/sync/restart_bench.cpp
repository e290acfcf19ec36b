// Progress of lapor-syncd in a crash loop on a slow link: photos the sandbox holds whole after
// runs killed (SIGKILL) every 0.2-3 s (random, seeded) at 300 kbit/s each way and 50 ms one way,
// against one run without restarts over the same total time, in the same process, printed as a
// ratio. Default 40 s of running per side; LAPOR_BENCH_SECONDS changes it (e.g. 480 for about
// 300 restarts). Exits non-zero when either side measured nothing.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "agent_sandbox_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

constexpr double kBytesPerSecond = 37'500;  // 300 kbit/s
constexpr int kLatencyMs = 50;
constexpr int kReports = 14;
constexpr int kPhotos = 2;
constexpr std::size_t kPhotoBytes = 100 * 1024;

double runSeconds() {
    const char* env = std::getenv("LAPOR_BENCH_SECONDS");
    return env != nullptr ? std::max(5.0, std::atof(env)) : 40.0;
}

struct Side {
    TempDir dir;
    std::unique_ptr<SandboxProcess> sandbox;
    std::unique_ptr<Store> store;
    std::string config;

    Side() {
        sandbox = std::make_unique<SandboxProcess>(dir.sub("sandbox"));
        (void)sandbox->admin("POST", "/admin/link",
                             {{"up_bytes_per_second", kBytesPerSecond},
                              {"down_bytes_per_second", kBytesPerSecond},
                              {"latency_ms", kLatencyMs}});
        config = dir.sub("lapor.toml");
        // The daemon's defaults, except a catalog and status pull that would only add noise.
        writeSyncdConfig(config, dir, *sandbox);
        store = openSyncdStore(dir);
        (void)fillStore(*store, kReports, kPhotos, kPhotoBytes, 4242);
    }

    // Runs lapor-syncd for `seconds`, then kills it.
    void run(double seconds) {
        ChildProcess d(
            {std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd", "--config", config}, false);
        // The run's length is the experiment (a crash at a random moment), not a wait.
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        d.signal(SIGKILL);
        (void)d.wait(std::chrono::seconds(10));
    }

    struct Figures {
        int photos = 0;            // uploads the sandbox holds whole
        std::uint64_t bytes = 0;   // photo bytes the sandbox holds
        std::uint64_t linkUp = 0;  // bytes the link carried to the server (requests and all)
        int reports = 0;
    };
    Figures figures() {
        auto stats = sandbox->stats();
        Figures f;
        for (const auto& u : stats["uploads_detail"]) {
            f.photos += u["complete"] == true ? 1 : 0;
            f.bytes += u["offset"].get<std::uint64_t>();
        }
        f.linkUp = stats["link"]["bytes_up"].get<std::uint64_t>();
        f.reports = stats["reports"].get<int>();
        return f;
    }
};

}  // namespace

TEST_CASE("lapor-syncd crash loop at 300 kbit/s: photos per restart against no restarts") {
    const double total = runSeconds();
    const double payload = static_cast<double>(kReports) * kPhotos * kPhotoBytes;
    REQUIRE(payload > total * kBytesPerSecond);  // neither side may run out of work

    Side restarts;
    std::mt19937 rng(20261202);
    std::uniform_real_distribution<double> length(0.2, 3.0);
    double ran = 0;
    int runs = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (ran < total) {
        const double s = std::min(length(rng), std::max(0.2, total - ran));
        restarts.run(s);
        ran += s;
        ++runs;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto r = restarts.figures();

    Side steady;
    steady.run(ran);
    const auto b = steady.figures();

    const double perRestart = static_cast<double>(r.photos) / runs;
    const double basePerRun = static_cast<double>(b.photos) * (ran / runs) / ran;
    std::printf("sync crash loop: %d reports x %d photos x %zu KB over 300 kbit/s, %d ms one way\n",
                kReports, kPhotos, kPhotoBytes / 1024, kLatencyMs);
    std::printf(
        "  %d runs killed after 0.2-3 s (%.1f s running, %.1f s with restarts): %d photos whole "
        "(%.3f per restart), %d reports delivered, %.0f KB held of %.0f KB carried up\n",
        runs, ran, wall, r.photos, perRestart, r.reports, r.bytes / 1024.0, r.linkUp / 1024.0);
    std::printf(
        "  baseline, one run of %.1f s: %d photos whole (%.3f per %.2f s, the mean run), %d "
        "reports delivered, %.0f KB held of %.0f KB carried up (link limit %.0f KB)\n",
        ran, b.photos, basePerRun, ran / runs, b.reports, b.bytes / 1024.0, b.linkUp / 1024.0,
        ran * kBytesPerSecond / 1024.0);
    const double ratio = b.photos > 0 ? static_cast<double>(r.photos) / b.photos : 0;
    const double byteRatio = b.bytes > 0 ? static_cast<double>(r.bytes) / b.bytes : 0;
    std::printf("  photos with restarts / without: %.2f (target >= 0.50); bytes held: %.2f\n",
                ratio, byteRatio);
    // Nothing measured is a failure, not a figure.
    REQUIRE_MESSAGE(b.photos > 0, "the baseline delivered no photo: nothing was measured");
    REQUIRE(runs > 1);
    CHECK(ratio >= 0.5);
}
