// lapor-syncd under a short systemd watchdog (NOTIFY_SOCKET pointed at a socket this test reads)
// while the sandbox trickles the status answer at 2 bytes a second: the watchdog keeps being fed,
// and the trickled request is abandoned at the low-speed limit, not after minutes.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>

#include "agent_sandbox_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
  public:
    explicit NotifySocket(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(path_.size() < sizeof addr.sun_path);
        std::copy(path_.begin(), path_.end(), addr.sun_path);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~NotifySocket() { ::close(fd_); }
    // The next message, or "" when none came before `deadline`.
    std::string receive(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            return {};
        }
        char buf[512];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

int statusRequests(SandboxProcess& sandbox) {
    int n = 0;
    const auto stats = sandbox.stats();
    for (const auto& [k, v] : stats["requests"].items()) {
        if (k.find("/v1/reports/status") != std::string::npos) {
            n += v.get<int>();
        }
    }
    return n;
}

}  // namespace

TEST_CASE("lapor-syncd: a trickling status answer neither starves the watchdog nor holds on") {
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    sandbox.fault({{"kind", "slow"},
                   {"bytes_per_second", 2},
                   {"path", "/v1/reports/status"},
                   {"count", 100}});
    const std::string config = dir.sub("lapor.toml");
    writeSyncdConfig(config, dir, sandbox,
                     "stall_seconds = 3\nstatus_poll_ms = 1000\n"
                     "backoff_base_ms = 200\nbackoff_cap_ms = 1000\nconnect_timeout_ms = 2000\n");
    NotifySocket notify(dir.sub("notify.sock"));
    // A 2 s watchdog: fed every ~0.67 s by a healthy agent.
    ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
    ::setenv("WATCHDOG_USEC", "2000000", 1);
    ::unsetenv("WATCHDOG_PID");
    ChildProcess syncd(
        {std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd", "--config", config}, false);
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::optional<Clock::time_point> ready;
    std::vector<Clock::time_point> feeds;
    const auto window = std::chrono::seconds(9);
    while (Clock::now() < start + window) {
        const std::string msg = notify.receive(start + window);
        if (msg.find("READY=1") != std::string::npos) {
            ready = Clock::now();
        }
        if (msg.find("WATCHDOG=1") != std::string::npos) {
            feeds.push_back(Clock::now());
        }
    }
    REQUIRE(ready.has_value());
    // Fed all along, although the housekeeping thread sat in a trickled request most of the time.
    std::chrono::milliseconds longestGap{0};
    auto previous = *ready;
    for (const auto& t : feeds) {
        longestGap = std::max(longestGap,
                              std::chrono::duration_cast<std::chrono::milliseconds>(t - previous));
        previous = t;
    }
    longestGap = std::max(
        longestGap, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - previous));
    const int pulls = statusRequests(sandbox);
    MESSAGE(feeds.size() << " WATCHDOG=1 in 9 s, longest gap " << longestGap.count() << " ms; "
                         << pulls << " status requests (each trickled at 2 bytes/s)");
    CHECK(feeds.size() >= 8);
    CHECK(longestGap < std::chrono::milliseconds(2000));
    // The first trickled request was given up at the low-speed limit (~3 s) and pulled again;
    // before, it ran for the whole answer (22 s here) or the request timeout (121 s in the field).
    CHECK(pulls >= 2);
    syncd.signal(SIGTERM);
    CHECK(syncd.wait(std::chrono::seconds(15)) == 0);
}
