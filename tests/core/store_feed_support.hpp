// Store tests of the status feed and replies: a delivered report and the feed that follows it up.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "store_test_support.hpp"

namespace lapor::testing {

// A store with report n saved and delivered as LPR-2026-00000n.
struct Delivered {
    TempDir dir;
    FakeClock clock;
    std::unique_ptr<Store> store;
    Report report;

    explicit Delivered(std::uint64_t n = 1) : report(sampleReport(n)) {
        auto s = Store::open(storeOptions(dir.path(), &clock));
        REQUIRE(s.ok());
        store = std::move(*s);
        report.receiptCode.clear();
        REQUIRE(store->saveReport(report, {}).ok());
        report.receiptCode = store->outboxEntry(report.uuid)->receiptCode;
        auto claim = store->claimNext("agent", 60'000);
        REQUIRE(claim.ok());
        REQUIRE(claim->has_value());
        REQUIRE(store->recordDelivered(report.uuid, "LPR-2026-00000" + std::to_string(n)).ok());
    }
};

inline FeedUpdate update(const Report& r, std::string id, std::string event, std::string status,
                         std::int64_t atMs, std::optional<OutboxState> state) {
    FeedUpdate u;
    u.id = std::move(id);
    u.uuid = r.uuid;
    u.event = std::move(event);
    u.status = std::move(status);
    u.atMs = atMs;
    u.note = "catatan " + u.id;
    u.state = state;
    return u;
}

// The feed of a report verified, forwarded and followed up (docs/protocol.md 4.3).
inline std::vector<FeedUpdate> followedUpFeed(const Report& r, std::int64_t t0) {
    std::vector<FeedUpdate> page;
    page.push_back(update(r, "7", "status", "received", t0, OutboxState::received));
    page.push_back(update(r, "8", "status", "verified", t0 + 1000, OutboxState::verified));
    FeedUpdate fwd = update(r, "9", "status", "forwarded", t0 + 2000, OutboxState::forwarded);
    fwd.agencyId = "kemen-pupr";
    fwd.agency = "Kementerian PUPR";
    page.push_back(fwd);
    FeedUpdate fu = update(r, "10", "followup", "followed_up", t0 + 3000, OutboxState::followedUp);
    fu.closesAtMs = t0 + 10 * 86'400'000ll;
    fu.followUp = FollowUp{"Perbaikan dijadwalkan minggu depan.", "kemen-pupr",
                           "Dinas PU Kabupaten Aceh Selatan", t0 + 3000, 7 * 60};
    page.push_back(fu);
    return page;
}

}  // namespace lapor::testing
