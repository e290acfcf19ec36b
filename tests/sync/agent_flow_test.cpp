// The agent's decisions with a real store and a scripted uplink: delivered, retried with backoff
// (Retry-After honoured), parked with the server's reason, upload URLs remembered across attempts,
// leases released on stop and after a crash, statuses and catalog pulled, status record written.
#include <doctest/doctest.h>

#include <condition_variable>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "../core/store_test_support.hpp"
#include "sync/agent.hpp"
#include "sync/uplink_fake.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;

namespace {

struct Fixture {
    TempDir dir;
    FakeClock clock;
    std::unique_ptr<Store> store;
    ScriptedUplink uplink;
    FakeRandom random{{1.0}};  // the largest delay allowed: easy to predict
    AgentOptions options;
    std::unique_ptr<Agent> agent;

    Fixture() {
        auto s = Store::open(storeOptions(dir.path(), &clock));
        REQUIRE(s.ok());
        store = std::move(*s);
        options.backoff = BackoffPolicy{1000, 60000};
        options.leaseMs = 60000;
        agent = std::make_unique<Agent>(*store, uplink, options, clock, random);
    }
    std::string add(std::uint64_t n, int photos = 2) {
        Report r = sampleReport(n);
        std::vector<Photo> ps;
        for (int i = 0; i < photos; ++i) {
            ps.push_back(samplePhoto(70000 + 1000 * i, static_cast<std::uint32_t>(n * 10 + i)));
        }
        REQUIRE(store->saveReport(r, ps).ok());
        return r.uuid;
    }
    OutboxEntry entry(const std::string& uuid) {
        auto e = store->outboxEntry(uuid);
        REQUIRE(e.ok());
        return *e;
    }
};

std::pair<Error, ExchangeNote> failure(Errc code, long status, std::string serverCode = {},
                                       std::optional<std::int64_t> retryAfter = {}) {
    ExchangeNote n;
    n.status = status;
    n.code = std::move(serverCode);
    n.retryAfterMs = retryAfter;
    return {makeError(code, "report POST: HTTP " + std::to_string(status) + " (test)"), n};
}

}  // namespace

TEST_CASE("agent: due reports are delivered and their tracking IDs recorded") {
    Fixture f;
    const auto a = f.add(1);
    const auto b = f.add(2, 0);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    CHECK(f.agent->deliverOne("w") == Outcome::nothingDue);
    CHECK(f.entry(a).state == OutboxState::delivered);
    CHECK(f.entry(a).trackingId == "LPR-2026-100001");
    CHECK(f.entry(b).trackingId == "LPR-2026-100002");
    CHECK(f.uplink.created == 2);
    CHECK(f.agent->counters().delivered == 2);
}

TEST_CASE("agent: a retryable failure waits out its backoff, the upload URL is kept") {
    Fixture f;
    const auto a = f.add(1);
    f.uplink.uploadFailures.push_back(
        {makeError(Errc::network, "http: Connection reset by peer"), ExchangeNote{}});
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    auto e = f.entry(a);
    CHECK(e.state == OutboxState::failed);
    CHECK(e.nextAttemptAtMs == f.clock.wallMs() + 3000);  // min(cap, base * 3) with top jitter
    CHECK(e.lastError.find("reset") != std::string::npos);
    CHECK(f.agent->deliverOne("w") == Outcome::nothingDue);  // not due yet
    f.clock.advance(3000);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    // The first photo's upload from the failed attempt was resumed, not made again.
    REQUIRE(f.uplink.knownUrls.size() == 3);
    CHECK(f.uplink.knownUrls[0].empty());
    CHECK(f.uplink.knownUrls[1] == "http://s/v1/uploads/1");
    CHECK(f.uplink.created == 2);
}

TEST_CASE("agent: Retry-After is a floor on the delay and holds the whole server") {
    Fixture f;
    const auto a = f.add(1, 0);
    f.uplink.submitFailures.push_back(failure(Errc::busy, 503, "unavailable", 120000));
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    CHECK(f.entry(a).nextAttemptAtMs == f.clock.wallMs() + 120000);
    f.clock.advance(120000);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
}

TEST_CASE("agent: permanent refusals are parked with the server's reason") {
    Fixture f;
    const auto a = f.add(1, 0);
    const auto b = f.add(2, 0);
    f.uplink.submitFailures.push_back(failure(Errc::rejected, 422, "validation_failed"));
    f.uplink.submitFailures.push_back(failure(Errc::rejected, 409, "idempotency_conflict"));
    CHECK(f.agent->deliverOne("w") == Outcome::parked);
    CHECK(f.agent->deliverOne("w") == Outcome::parked);
    CHECK(f.entry(a).state == OutboxState::parked);
    CHECK(f.entry(a).lastError.find("422") != std::string::npos);
    CHECK(f.entry(b).state == OutboxState::parked);
    CHECK(f.agent->counters().parked == 2);
}

TEST_CASE("agent: an upload the server lost is made again") {
    Fixture f;
    const auto a = f.add(1, 1);
    f.uplink.submitFailures.push_back(failure(Errc::rejected, 409, "upload_missing"));
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    CHECK(f.entry(a).state == OutboxState::failed);
    f.clock.advance(10000);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    CHECK(f.uplink.created == 2);  // the forgotten upload was not named again
}

TEST_CASE("agent: stopping hands the report back at once") {
    Fixture f;
    const auto a = f.add(1);
    f.uplink.uploadFailures.push_back(
        {makeError(Errc::cancelled, "http: stopped mid-transfer"), ExchangeNote{}});
    CHECK(f.agent->deliverOne("w") == Outcome::stopped);
    auto e = f.entry(a);
    CHECK(e.state == OutboxState::failed);
    CHECK(e.nextAttemptAtMs <= f.clock.wallMs());
}

TEST_CASE("agent: a lease left by a killed agent is released on start") {
    Fixture f;
    const auto a = f.add(1, 0);
    auto claim = f.store->claimNext("syncd:1:0", 600000);  // an earlier process, pid 1
    REQUIRE(claim.ok());
    REQUIRE(claim->has_value());
    CHECK(f.agent->deliverOne("w") == Outcome::nothingDue);
    f.options.inFlight = 1;
    f.options.storePollMs = 10;
    Agent agent(*f.store, f.uplink, f.options, f.clock, f.random);
    REQUIRE(agent.start().ok());
    // Wait (bounded) for the worker to deliver it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (f.entry(a).state != OutboxState::delivered &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    agent.stop();
    CHECK(f.entry(a).state == OutboxState::delivered);
}

TEST_CASE("agent: status updates are applied and the cursor kept") {
    Fixture f;
    const auto a = f.add(1, 0);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    const auto upd = [&](std::string status, std::int64_t at, std::string note) {
        StatusUpdate u;
        u.uuid = a;
        u.trackingId = "LPR-2026-100001";
        u.status = std::move(status);
        u.atMs = at;
        u.note = std::move(note);
        return u;
    };
    StatusPage p1{{upd("received", f.clock.wallMs(), "")}, "1", true};
    StatusPage p2{
        {upd("verified", f.clock.wallMs() + 1, "ok"), upd("teleported", f.clock.wallMs() + 2, "")},
        "3",
        false};
    f.uplink.pages = {p1, p2};
    REQUIRE(f.agent->pullStatus().ok());
    CHECK(f.uplink.cursorsSeen == std::vector<std::string>{"", "1"});
    CHECK(f.entry(a).state == OutboxState::verified);
    REQUIRE(f.agent->pullStatus().ok());
    CHECK(f.uplink.cursorsSeen.back() == "3");
}

TEST_CASE("agent: the catalog is stored with its ETag and asked for with it") {
    Fixture f;
    AgencyCatalog c;
    c.etag = "v7";
    c.version = "2026-11-01";
    c.agencies.push_back(Agency{"pemda", {"Pemerintah Daerah", ""}, {}});
    f.uplink.catalog = c;
    REQUIRE(f.agent->pullCatalog().ok());
    REQUIRE(f.agent->pullCatalog().ok());
    CHECK(f.uplink.etagsSeen.back() == "v7");
    auto stored = f.store->getCatalog();
    REQUIRE(stored.ok());
    CHECK(stored->etag == "v7");
    CHECK(f.agent->counters().catalogUpdates == 1);
}

TEST_CASE("agent: the status record tells the kiosk how things stand, without personal data") {
    Fixture f;
    f.add(1, 0);
    f.add(2, 0);
    f.uplink.submitFailures.push_back(
        {makeError(Errc::network, "http: Could not connect to server"), ExchangeNote{}});
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    f.agent->writeStatusRecord();
    auto rec = f.store->getStatus(agentStatusKey);
    REQUIRE(rec.ok());
    REQUIRE(rec->has_value());
    auto j = nlohmann::json::parse(**rec);
    CHECK(j["online"] == false);
    CHECK(j["queue_depth"] == 2);
    CHECK(j["last_error"].get<std::string>().find("connect") != std::string::npos);
    CHECK((*rec)->find("Siti") == std::string::npos);
    CHECK(f.agent->deliverOne("w") == Outcome::delivered);
    f.agent->writeStatusRecord();
    j = nlohmann::json::parse(**f.store->getStatus(agentStatusKey));
    CHECK(j["online"] == true);
    CHECK(j["queue_depth"] == 1);
}

namespace {

// Drives an agent the way its threads would, one simulated second per step, while the server is
// away for `awayMs`; returns how long after its return every report was delivered (ms), or -1.
std::int64_t recoveryAfterOutage(std::int64_t probeIntervalMs, std::int64_t awayMs) {
    Fixture f;
    f.options.backoff = BackoffPolicy{2'000, 30 * 60'000};  // the shipped policy
    f.options.probeIntervalMs = probeIntervalMs;
    f.agent = std::make_unique<Agent>(*f.store, f.uplink, f.options, f.clock, f.random);
    const std::vector<std::string> uuids{f.add(1, 0), f.add(2, 0), f.add(3, 0)};
    auto step = [&] {
        f.agent->housekeepOnce();
        for (int i = 0; i < 8 && f.agent->serverWaitMs() == 0; ++i) {
            if (f.agent->deliverOne("w") == Outcome::nothingDue) {
                break;
            }
        }
        f.clock.advance(1000);
    };
    f.uplink.serverUp = false;
    for (std::int64_t t = 0; t < awayMs; t += 1000) {
        step();
    }
    f.uplink.serverUp = true;
    for (std::int64_t t = 0; t < 3600'000; t += 1000) {
        const bool all = std::all_of(uuids.begin(), uuids.end(), [&](const std::string& u) {
            return f.entry(u).state == OutboxState::delivered;
        });
        if (all) {
            return t;
        }
        step();
    }
    return -1;
}

}  // namespace

TEST_CASE("agent: after 7 minutes of a server away, the queue resumes within a probe interval") {
    const std::int64_t withProbe = recoveryAfterOutage(15'000, 7 * 60'000);
    const std::int64_t withoutProbe = recoveryAfterOutage(0, 7 * 60'000);
    MESSAGE("delivered all " << withProbe / 1000 << " s after the server returned (probe every "
                             << "15 s); without the probe: " << withoutProbe / 1000 << " s");
    CHECK(withProbe >= 0);
    CHECK(withProbe <= 17'000);
    CHECK(withoutProbe > 60'000);  // what the agent did before: the whole server-wide backoff
}

TEST_CASE("agent: a probe does not cut short the server's own Retry-After, nor a token hold") {
    Fixture f;
    f.options.probeIntervalMs = 1000;
    f.agent = std::make_unique<Agent>(*f.store, f.uplink, f.options, f.clock, f.random);
    f.add(1, 0);
    f.uplink.submitFailures.push_back(failure(Errc::busy, 503, "unavailable", 120000));
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    f.clock.advance(5000);
    CHECK_FALSE(f.agent->probeIfHeld());
    CHECK(f.agent->serverWaitMs() > 100'000);
    f.clock.advance(116'000);
    CHECK(f.agent->serverWaitMs() == 0);

    f.uplink.submitFailures.push_back(failure(Errc::permission, 401, "unauthorized"));
    f.clock.advance(200'000);
    CHECK(f.agent->deliverOne("w") == Outcome::retryLater);
    const int probes = f.uplink.probes;
    f.clock.advance(5000);
    CHECK_FALSE(f.agent->probeIfHeld());
    CHECK(f.uplink.probes == probes);  // OPTIONS cannot show that the token was fixed
}

TEST_CASE("liveness: beats, announced waits, and a thread stuck beyond its grace") {
    FakeClock clock;
    Liveness l(clock, 1000);
    const int slot = l.add("worker 0");
    (void)l.add("housekeeping");
    l.retire(1);
    l.enter(slot);
    CHECK_FALSE(l.stuck());
    clock.advance(1500);
    CHECK(l.stuck() == std::optional<std::string>("worker 0"));
    Liveness::beat();
    CHECK_FALSE(l.stuck());
    Liveness::waiting(10'000);
    clock.advance(10'500);
    CHECK_FALSE(l.stuck());
    clock.advance(1000);
    CHECK(l.stuck().has_value());
    l.leave();
    CHECK_FALSE(l.stuck());
    Liveness::beat();  // a thread in no slot: nothing happens
}

TEST_CASE("agent: the watchdog is fed from its own thread and stops for a stuck worker") {
    Fixture f;
    f.add(1, 0);
    std::mutex m;
    std::condition_variable cv;
    bool inSubmit = false;
    bool release = false;
    f.uplink.onSubmit = [&] {
        std::unique_lock lock(m);
        inSubmit = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });  // stuck, beating nothing
    };
    f.options.inFlight = 1;
    f.options.storePollMs = 10;
    f.options.stuckAfterMs = 1000;
    Agent agent(*f.store, f.uplink, f.options, f.clock, f.random);
    std::atomic<int> feeds{0};
    agent.setWatchdog([&] { ++feeds; }, 5);
    REQUIRE(agent.start().ok());
    {
        std::unique_lock lock(m);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return inSubmit; }));
    }
    const auto waitFeeds = [&](int more) {
        const int from = feeds.load();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (feeds.load() < from + more && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::yield();
        }
        return feeds.load() >= from + more;
    };
    CHECK(waitFeeds(3));  // in a request, within its grace: fed
    f.clock.advance(1500);
    CHECK(agent.stuckThread() == std::optional<std::string>("worker 0"));
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (agent.stuckThread() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    CHECK_FALSE(agent.stuckThread());
    CHECK(waitFeeds(3));  // moving again: fed again
    agent.stop();
}
