// lapor-syncd's resident memory after delivering 30 reports with 3 photos of 300 KB (peak, VmHWM)
// and its CPU with an empty outbox over 5 s (target about 0: no busy polling). Baseline in the same
// run: the same measurements of `sleep`, a process that does nothing.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "agent_sandbox_support.hpp"
#include "core/crypto.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

long statusKb(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) {
            return std::stol(line.substr(field.size() + 1));
        }
    }
    return -1;
}

double cpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), {});
    std::istringstream rest(all.substr(all.rfind(')') + 2));
    std::string f;
    long utime = 0;
    long stime = 0;
    for (int i = 3; i <= 15; ++i) {
        rest >> f;
        if (i == 14) {
            utime = std::stol(f);
        } else if (i == 15) {
            stime = std::stol(f);
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_CASE("lapor-syncd memory and idle CPU") {
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    const std::string config = dir.sub("lapor.toml");
    writeSyncdConfig(config, dir, sandbox);
    auto store = openSyncdStore(dir);
    (void)fillStore(*store, 30, 3, 300 * 1024, 700);

    ChildProcess syncd(
        {std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd", "--config", config}, false);
    REQUIRE(waitUntil(
        [&] {
            auto c = store->counts();
            return c.ok() && c->count(OutboxState::delivered) == 30;
        },
        std::chrono::seconds(60)));
    const long peakKb = statusKb(syncd.pid(), "VmHWM");
    // LMDB reads the photos through its memory map; the agent releases those pages after each
    // read (Store::releaseMappedPages), so what stays in RssFile is mostly shared libraries.
    const long anonKb = statusKb(syncd.pid(), "RssAnon");
    const long fileKb = statusKb(syncd.pid(), "RssFile");
    // Idle: the outbox is empty now.
    const double c0 = cpuSeconds(syncd.pid());
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(5));  // the measurement window itself
    const double idleCpu = cpuSeconds(syncd.pid()) - c0;
    const double window =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long idleRssKb = statusKb(syncd.pid(), "VmRSS");
    syncd.signal(SIGTERM);
    CHECK(syncd.wait(std::chrono::seconds(10)) == 0);

    ChildProcess idle({"/bin/sleep", "3"}, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it settle
    const long sleepRssKb = statusKb(idle.pid(), "VmRSS");

    std::printf(
        "lapor-syncd after delivering 30 reports x 3 x 300 KB: peak RSS %.1f MB "
        "(target <= 20 MB: %s) = own memory (RssAnon) %.1f MB + mapped libraries and "
        "store pages (RssFile) %.1f MB; idle RSS %.1f MB; baseline `sleep` RSS %.1f MB\n",
        peakKb / 1024.0, peakKb <= 20 * 1024 ? "met" : "MISSED", anonKb / 1024.0, fileKb / 1024.0,
        idleRssKb / 1024.0, sleepRssKb / 1024.0);
    std::printf("lapor-syncd idle CPU: %.3f s in %.1f s = %.2f%% of one core (target about 0)\n",
                idleCpu, window, 100.0 * idleCpu / window);
    WARN(peakKb <= 20 * 1024);
    CHECK(idleCpu / window < 0.01);
}
