// lapor-syncd killed with SIGKILL at random moments, 25 times, while it works through 50 reports
// with photos; afterwards the sandbox holds each report exactly once and every photo's hash
// matches. Then SIGTERM mid-upload: a clean exit 0 with every lease released.
#include <doctest/doctest.h>

#include <fstream>
#include <random>

#include <sys/stat.h>

#include <csignal>

#include "agent_sandbox_support.hpp"
#include "core/crypto.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

struct DaemonRig {
    TempDir dir;
    std::unique_ptr<SandboxProcess> sandbox;
    std::string configPath;

    DaemonRig() {
        sandbox = std::make_unique<SandboxProcess>(dir.sub("sandbox"));
        configPath = dir.sub("lapor.toml");
        writeSyncdConfig(configPath, dir, *sandbox,
                         "in_flight = 4\nstore_poll_ms = 50\n"
                         "backoff_base_ms = 20\nbackoff_cap_ms = 300\n"
                         "connect_timeout_ms = 2000\nstall_seconds = 3\n");
    }
    std::unique_ptr<Store> openStore() { return openSyncdStore(dir); }
    std::unique_ptr<ChildProcess> syncd(bool drain = false) {
        std::vector<std::string> argv{std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd",
                                      "--config", configPath};
        if (drain) {
            argv.push_back("--drain");
        }
        return std::make_unique<ChildProcess>(argv, false);
    }
};

}  // namespace

TEST_CASE("lapor-syncd: 25 SIGKILLs at random moments, every report exactly once") {
    DaemonRig rig;
    auto store = rig.openStore();
    const auto uuids = fillStore(*store, 50, 3, 60'000, 70);
    // Slow the link so that kills land mid-upload as well as between steps.
    rig.sandbox->fault({{"kind", "throttle"}, {"bytes_per_second", 700'000}, {"seconds", 0}});
    std::mt19937 rng(20261129);
    std::uniform_int_distribution<int> moment(50, 700);
    for (int i = 0; i < 25; ++i) {
        auto d = rig.syncd();
        // A random moment to kill at (the test's design, not a wait for anything).
        std::this_thread::sleep_for(std::chrono::milliseconds(moment(rng)));
        d->signal(SIGKILL);
        (void)d->wait(std::chrono::seconds(10));
        if (i % 5 == 4) {
            auto c = store->counts();
            REQUIRE(c.ok());
            MESSAGE("after kill " << i + 1 << ": " << c->count(OutboxState::delivered)
                                  << " delivered, " << c->count(OutboxState::failed) << " failed");
        }
    }
    auto counts = store->counts();
    REQUIRE(counts.ok());
    MESSAGE("delivered before the final run: " << counts->count(OutboxState::delivered));
    auto last = rig.syncd(true);
    CHECK(last->wait(std::chrono::seconds(120)) == 0);
    checkExactlyOnce(*store, *rig.sandbox, uuids);
}

TEST_CASE("lapor-syncd: SIGTERM mid-upload exits 0 and releases every lease") {
    DaemonRig rig;
    auto store = rig.openStore();
    (void)fillStore(*store, 4, 2, 300'000, 80);
    rig.sandbox->fault({{"kind", "throttle"}, {"bytes_per_second", 30'000}, {"seconds", 0}});
    auto d = rig.syncd();
    REQUIRE(waitUntil(
        [&] {
            auto c = store->counts();
            return c.ok() && c->count(OutboxState::sending) >= 2;
        },
        std::chrono::seconds(20)));
    d->signal(SIGTERM);
    CHECK(d->wait(std::chrono::seconds(5)) == 0);
    auto c = store->counts();
    REQUIRE(c.ok());
    CHECK(c->count(OutboxState::sending) == 0);
}

TEST_CASE("lapor-syncd: an empty store is logged as empty, not as reports in flight") {
    DaemonRig rig;
    { (void)rig.openStore(); }
    // The log goes to stderr: through a shell onto the pipe the rig reads.
    const std::string syncd = std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd";
    ChildProcess d(
        {"/bin/sh", "-c", "exec '" + syncd + "' --config '" + rig.configPath + "' --drain 2>&1"});
    std::string started;
    for (int i = 0; i < 50 && started.empty(); ++i) {
        const std::string line = d.readLine(std::chrono::seconds(10));
        if (line.find("started") != std::string::npos) {
            started = line;
        }
        if (line.empty()) {
            break;
        }
    }
    CHECK(d.wait(std::chrono::seconds(20)) == 0);
    CAPTURE(started);
    CHECK(started.find("in flight") == std::string::npos);
    CHECK(started.find("the outbox is empty") != std::string::npos);
}

TEST_CASE("lapor-syncd: the store says it waits for enrolment until a token is there") {
    DaemonRig rig;
    { (void)rig.openStore(); }
    const std::string tokenFile = rig.dir.sub("device-token");
    std::ofstream(rig.configPath) << "[store]\npath = \"" << rig.dir.sub("store") << "\"\n"
                                  << "key_file = \"" << rig.dir.sub("keys/store.key") << "\"\n"
                                  << "[sync]\nserver_url = \"" << rig.sandbox->url() << "\"\n"
                                  << "token_file = \"" << tokenFile << "\"\n";
    auto store = rig.openStore();
    const auto waiting = [&] {
        auto s = store->getStatus(Store::enrolmentStatusKey);
        return s.ok() && s.value().has_value();
    };
    CHECK_FALSE(waiting());
    {
        auto d = rig.syncd();
        CHECK(waitUntil(waiting, std::chrono::seconds(20)));
        d->signal(SIGTERM);
        CHECK(d->wait(std::chrono::seconds(20)) == 0);
    }
    std::ofstream(tokenFile) << kSandboxToken;
    ::chmod(tokenFile.c_str(), 0600);
    auto d = rig.syncd(true);
    CHECK(d->wait(std::chrono::seconds(60)) == 0);
    CHECK_FALSE(waiting());
}
