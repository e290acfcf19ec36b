// Time zones end to end: reports filed just after midnight in WIB, WITA and WIT with the local
// date as the incident date are accepted by lapor-sandbox; a report stored before reports carried
// their offset, parked as "incident_date: after_created_at", delivers after a staff retry.
#include <doctest/doctest.h>

#include <lmdb.h>

#include "agent_sandbox_support.hpp"
#include "sync/agent.hpp"
#include "sync/uplink_lapor.hpp"
#include "tests/core/store_raw_edit.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;

namespace {

constexpr std::int64_t kMidnightUtc30Nov = 1'795'996'800'000;  // 2026-11-30T00:00:00Z

// A report filed at 00:30 local time on 30 November in a zone `offset` minutes east of UTC (still
// 29 November in UTC), naming that local day.
Report filedAfterLocalMidnight(std::uint64_t n, int offset) {
    Report r = sandboxReport(n, 77);
    r.createdAtMs = kMidnightUtc30Nov - static_cast<std::int64_t>(offset) * 60'000 + 30 * 60'000;
    r.utcOffsetMinutes = offset;
    r.incidentDate = Date{2026, 11, 30};
    return r;
}

// Rewrites a stored report's clear-text record as the kiosk wrote it before the offset existed.
void dropStoredOffset(const std::string& storeDir, const std::string& uuid) {
    RawLmdbEdit edit(storeDir);
    const MDB_dbi reports = edit.table("reports");
    MDB_val key{uuid.size(), const_cast<char*>(uuid.data())};
    MDB_val value{};
    REQUIRE(mdb_get(edit.txn(), reports, &key, &value) == 0);
    auto j = nlohmann::json::parse(
        std::string_view(static_cast<const char*>(value.mv_data), value.mv_size));
    REQUIRE(j.erase("utcOffset") == 1);
    const std::string old = j.dump();
    MDB_val put{old.size(), const_cast<char*>(old.data())};
    REQUIRE(mdb_put(edit.txn(), reports, &key, &put, 0) == 0);
    edit.commit();
}

}  // namespace

TEST_CASE("zones: filed after local midnight in WIB, WITA, WIT, and an old parked one retried") {
    TempDir dir;
    SandboxProcess sandbox(dir.sub("sandbox"));
    auto opened = Store::open(storeOptions(dir.sub("store")));
    REQUIRE(opened.ok());
    std::unique_ptr<Store> store = std::move(*opened);

    std::vector<std::string> uuids;
    for (const int offset : {7 * 60, 8 * 60, 9 * 60}) {
        const Report r = filedAfterLocalMidnight(uuids.size() + 1, offset);
        REQUIRE(store->saveReport(r, {}).ok());
        uuids.push_back(r.uuid);
    }
    // Filed at 00:30 WIB by a kiosk that did not store the offset, and refused by the server that
    // compared the WIB date with the UTC day.
    const Report old = filedAfterLocalMidnight(10, 7 * 60);
    REQUIRE(store->saveReport(old, {}).ok());
    store.reset();
    dropStoredOffset(dir.sub("store"), old.uuid);
    opened = Store::open(storeOptions(dir.sub("store")));
    REQUIRE(opened.ok());
    store = std::move(*opened);
    auto loaded = store->loadReportPublic(old.uuid);
    REQUIRE(loaded.ok());
    CHECK(loaded->utcOffsetMinutes == 7 * 60);  // read as the zone the kiosk always used
    REQUIRE(store->park(old.uuid, "HTTP 422: incident_date: after_created_at").ok());
    REQUIRE(store->unpark(old.uuid, "staff").ok());  // lapor-ctl unpark
    uuids.push_back(old.uuid);

    HttpOptions httpOptions;
    httpOptions.connectTimeoutMs = 2000;
    CurlHttpClient http(httpOptions);
    LaporUplink uplink(http, LaporUplinkOptions{{sandbox.url(), 1 << 20, 10'000}, kSandboxToken},
                       SystemClock::instance());
    SystemRandom random;
    AgentOptions options;
    options.storePollMs = 20;
    options.backoff = BackoffPolicy{20, 400};
    Agent agent(*store, uplink, options, SystemClock::instance(), random);
    REQUIRE(agent.start().ok());
    const bool settled = waitUntil(
        [&] {
            auto c = store->counts();
            return c.ok() && c->count(OutboxState::queued) == 0 &&
                   c->count(OutboxState::sending) == 0 && c->count(OutboxState::failed) == 0;
        },
        std::chrono::seconds(30));
    agent.stop();
    REQUIRE(settled);
    for (const std::string& uuid : uuids) {
        CAPTURE(uuid);
        auto e = store->outboxEntry(uuid);
        REQUIRE(e.ok());
        CHECK(e->state == OutboxState::delivered);
    }
}
