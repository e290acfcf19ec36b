// Draining a backlog of 10,000 text-only reports to lapor-sandbox on loopback: reports per second,
// against a baseline in the same run that opens a new connection per request (2,000 reports).
// Store and sandbox data live on /dev/shm so that the figure is the agent's and the protocol's,
// not the disk's fsync (the store benchmark measures that).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "bench_rig.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

struct ShmDir {
    std::string path;
    ShmDir() {
        std::string tmpl = std::filesystem::exists("/dev/shm") ? "/dev/shm/lapor-bench-XXXXXX"
                                                               : "/tmp/lapor-bench-XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~ShmDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

double drain(ShmDir& dir, SandboxProcess& sandbox, const std::string& name, int count,
             std::uint32_t salt, bool reuse) {
    auto store = Store::open(storeOptions(dir.path + "/" + name));
    REQUIRE(store.ok());
    (void)fillStore(**store, count, 0, 0, salt);
    sync::HttpOptions ho;
    ho.reuseConnections = reuse;
    sync::AgentOptions ao;
    ao.inFlight = 4;
    ao.storePollMs = 20;
    ao.statusPollMs = 3600'000;
    ao.catalogPollMs = 3600'000;
    AgentRun run(**store, sandbox.url(), ho, ao);
    // Bounded: a slow server must not hold the whole test run; the rate is what got through.
    const auto r = drainFor(**store, *run.agent, std::chrono::seconds(25));
    REQUIRE(r.delivered > 0);
    const auto hs = run.http->stats();
    const double rate = static_cast<double>(r.delivered) / r.seconds;
    std::printf(
        "  %s: %llu of %d reports in %.2f s = %.0f reports/s (%llu requests, %llu "
        "connections)%s\n",
        name.c_str(), static_cast<unsigned long long>(r.delivered), count, r.seconds, rate,
        static_cast<unsigned long long>(hs.requests),
        static_cast<unsigned long long>(hs.connectionsOpened),
        r.finished ? "" : " (stopped at the time limit)");
    return rate;
}

}  // namespace

TEST_CASE("sync drain of 10,000 text-only reports on loopback") {
    ShmDir dir;
    SandboxProcess sandbox(dir.path + "/sandbox");
    std::printf("sync drain (4 in flight, loopback, tmpfs):\n");
    const char* env = std::getenv("LAPOR_BENCH_DRAIN");
    const int count = env != nullptr ? std::atoi(env) : 10'000;
    const double agent = drain(dir, sandbox, "agent, kept-alive connections", count, 500, true);
    const double base =
        drain(dir, sandbox, "baseline, new connection per request", count / 5, 501, false);
    std::printf("  ratio agent/baseline %.2f; target >= 500 reports/s\n", agent / base);
    WARN(agent >= 500);
}
