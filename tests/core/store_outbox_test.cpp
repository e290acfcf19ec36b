// The outbox: claims with leases (FakeClock), failures, parking, delivery, national statuses,
// counts, listing and retention.
#include <doctest/doctest.h>
#include <lmdb.h>

#include "core/store.hpp"
#include "store_raw_edit.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

struct Fixture {
    TempDir dir;
    FakeClock clock;
    std::unique_ptr<Store> store;
    Fixture() {
        auto s = Store::open(storeOptions(dir.path(), &clock));
        REQUIRE(s.ok());
        store = std::move(*s);
    }
    std::string save(std::uint64_t n, std::size_t photos = 0) {
        Report r = sampleReport(n);
        std::vector<Photo> ps;
        for (std::size_t i = 0; i < photos; ++i)
            ps.push_back(samplePhoto(5000, static_cast<std::uint32_t>(i)));
        REQUIRE(store->saveReport(r, ps).ok());
        return r.uuid;
    }
    OutboxState state(const std::string& uuid) { return store->outboxEntry(uuid)->state; }
};

}  // namespace

TEST_CASE("outbox: claims come oldest first, one owner at a time") {
    Fixture f;
    std::string a = f.save(1), b = f.save(2);
    auto c1 = f.store->claimNext("agent-1", 60'000);
    REQUIRE(c1.ok());
    REQUIRE(c1->has_value());
    CHECK((*c1)->uuid == a);
    CHECK((*c1)->attempts == 0);
    CHECK(f.state(a) == OutboxState::sending);
    auto c2 = f.store->claimNext("agent-2", 60'000);
    REQUIRE(c2->has_value());
    CHECK((*c2)->uuid == b);
    auto c3 = f.store->claimNext("agent-1", 60'000);
    REQUIRE(c3.ok());
    CHECK_FALSE(c3->has_value());
}

TEST_CASE("outbox: a crashed agent's lease expires and the item is claimed again") {
    Fixture f;
    std::string a = f.save(1);
    REQUIRE(f.store->claimNext("agent-dead", 30'000)->has_value());
    f.clock.advance(29'999);
    CHECK_FALSE(f.store->claimNext("agent-2", 30'000)->has_value());
    CHECK(f.store->renewLease(a, "agent-dead", 30'000).ok());  // still holding: until +59'999
    f.clock.advance(29'999);
    CHECK_FALSE(f.store->claimNext("agent-2", 30'000)->has_value());
    f.clock.advance(1);
    auto again = f.store->claimNext("agent-2", 30'000);
    REQUIRE(again->has_value());
    CHECK((*again)->uuid == a);
    CHECK((*again)->attempts == 1);
    CHECK(f.store->renewLease(a, "agent-dead", 30'000).error().code == Errc::busy);
    auto entry = f.store->outboxEntry(a);
    CHECK(entry->leaseOwner == "agent-2");
    auto hist = f.store->history(a);
    REQUIRE(hist->size() == 3);
    CHECK((*hist)[2].reason.find("expired") != std::string::npos);
}

TEST_CASE("outbox: a failure waits until its next attempt time") {
    Fixture f;
    std::string a = f.save(1);
    REQUIRE(f.store->claimNext("agent", 60'000)->has_value());
    REQUIRE(f.store->recordFailure(a, "HTTP 503", f.clock.wallMs() + 10'000).ok());
    CHECK(f.state(a) == OutboxState::failed);
    CHECK(f.store->outboxEntry(a)->lastError == "HTTP 503");
    CHECK_FALSE(f.store->claimNext("agent", 60'000)->has_value());
    f.clock.advance(10'000);
    auto c = f.store->claimNext("agent", 60'000);
    REQUIRE(c->has_value());
    CHECK((*c)->attempts == 1);
}

TEST_CASE("outbox: delivery, national statuses, and no going back") {
    Fixture f;
    std::string a = f.save(1);
    REQUIRE(f.store->claimNext("agent", 60'000)->has_value());
    CHECK(f.store->addStatusUpdate(a, OutboxState::verified, 1, "").error().code ==
          Errc::invalidInput);
    REQUIRE(f.store->recordDelivered(a, "LAPOR-123").ok());
    CHECK(f.store->recordDelivered(a, "LAPOR-123").ok());  // idempotent
    CHECK(f.store->recordDelivered(a, "LAPOR-999").error().code == Errc::invalidInput);
    CHECK(f.store->park(a, "x").error().code == Errc::invalidInput);
    CHECK(f.store->recordFailure(a, "x", 0).error().code == Errc::invalidInput);
    CHECK_FALSE(f.store->claimNext("agent", 60'000)->has_value());
    auto e = f.store->outboxEntry(a);
    CHECK(e->state == OutboxState::delivered);
    CHECK(e->trackingId == "LAPOR-123");

    const std::int64_t t = f.clock.wallMs();
    REQUIRE(f.store->addStatusUpdate(a, OutboxState::verified, t + 1000, "diverifikasi").ok());
    REQUIRE(f.store->addStatusUpdate(a, OutboxState::verified, t + 1000, "diverifikasi").ok());
    REQUIRE(f.store->addStatusUpdate(a, OutboxState::closed, t + 5000, "selesai").ok());
    // An older status arriving late is recorded but does not move the state back.
    REQUIRE(f.store->addStatusUpdate(a, OutboxState::forwarded, t + 3000, "").ok());
    CHECK(f.state(a) == OutboxState::closed);
    CHECK(f.store->addStatusUpdate(a, OutboxState::parked, t, "").error().code ==
          Errc::invalidInput);
    auto hist = f.store->history(a);
    REQUIRE(hist.ok());
    std::vector<OutboxState> states;
    for (const auto& h : *hist)
        states.push_back(h.state);
    CHECK(states == std::vector<OutboxState>{OutboxState::queued, OutboxState::sending,
                                             OutboxState::delivered, OutboxState::verified,
                                             OutboxState::closed, OutboxState::forwarded});
}

TEST_CASE("outbox: park and unpark") {
    Fixture f;
    std::string a = f.save(1);
    REQUIRE(f.store->claimNext("agent", 60'000)->has_value());
    REQUIRE(f.store->park(a, "agency unknown").ok());
    CHECK(f.state(a) == OutboxState::parked);
    CHECK_FALSE(f.store->claimNext("agent", 60'000)->has_value());
    CHECK(f.store->unpark(f.save(2), "staff").error().code == Errc::invalidInput);
    REQUIRE(f.store->unpark(a, "operator").ok());
    CHECK(f.state(a) == OutboxState::queued);
    auto c = f.store->claimNext("agent", 60'000);
    REQUIRE(c->has_value());
    CHECK((*c)->uuid == a);  // keeps its place ahead of the newer report
    CHECK(f.store->history(a)->back().reason == "claimed by agent");
}

TEST_CASE("outbox: counts, oldest age and listing by state") {
    Fixture f;
    for (int i = 1; i <= 5; ++i)
        f.save(i);
    f.clock.advance(60'000);
    auto c = f.store->claimNext("agent", 60'000);
    REQUIRE(f.store->recordDelivered((*c)->uuid, "T1").ok());
    c = f.store->claimNext("agent", 60'000);
    REQUIRE(f.store->park((*c)->uuid, "no").ok());
    c = f.store->claimNext("agent", 60'000);
    auto counts = f.store->counts();
    REQUIRE(counts.ok());
    CHECK(counts->count(OutboxState::queued) == 2);
    CHECK(counts->count(OutboxState::sending) == 1);
    CHECK(counts->count(OutboxState::delivered) == 1);
    CHECK(counts->count(OutboxState::parked) == 1);
    CHECK(counts->count(OutboxState::closed) == 0);
    REQUIRE(counts->oldestUndeliveredAgeMs.has_value());
    CHECK(*counts->oldestUndeliveredAgeMs == 60'000 - 3);  // report 3 is the oldest not delivered
    auto queued = f.store->listByState(OutboxState::queued);
    REQUIRE(queued->size() == 2);
    CHECK((*queued)[0].uuid == testUuid(4));
    CHECK(f.store->listByState(OutboxState::queued, 1)->size() == 1);
    CHECK(f.store->listAll()->size() == 5);
}

TEST_CASE("outbox: retention purges photos and identity, keeps code, tracking ID and history") {
    Fixture f;
    std::string a = f.save(1, 2), b = f.save(2, 1);
    REQUIRE(f.store->claimNext("agent", 60'000)->has_value());
    REQUIRE(f.store->recordDelivered(a, "T-A").ok());
    f.clock.advance(10LL * 24 * 3600 * 1000);
    auto none = f.store->purgeDelivered(30);
    REQUIRE(none.ok());
    CHECK(none->reports == 0);
    f.clock.advance(21LL * 24 * 3600 * 1000);
    auto purged = f.store->purgeDelivered(30);
    REQUIRE(purged.ok());
    CHECK(purged->reports == 1);
    CHECK(purged->replies == 0);
    auto e = f.store->outboxEntry(a);
    CHECK(e->purged);
    CHECK(e->trackingId == "T-A");
    CHECK(*f.store->findByReceiptCode(e->receiptCode) == a);
    auto r = f.store->loadReport(a);
    REQUIRE(r.ok());
    CHECK(r->identity == Identity{});
    CHECK(f.store->listPhotos(a)->empty());
    CHECK(f.store->readPhoto(a, 0).error().code == Errc::notFound);
    CHECK(f.store->history(a)->size() == 4);
    // The undelivered one is untouched.
    CHECK(f.store->loadReport(b)->identity.nik == "3171234567890123");
    CHECK(f.store->readPhoto(b, 0).ok());
    auto v = f.store->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->photos == 1);
}

TEST_CASE("outbox: a due entry whose record is gone does not block the queue") {
    TempDir dir;
    Report a = sampleReport(1), b = sampleReport(2);
    {
        auto store = Store::open(storeOptions(dir.path()));
        REQUIRE(store.ok());
        REQUIRE((*store)->saveReport(a, {}).ok());
        REQUIRE((*store)->saveReport(b, {}).ok());
    }
    // Remove a's outbox record behind the store's back, leaving its due-index entry.
    {
        RawLmdbEdit edit(dir.path());
        MDB_val k{a.uuid.size(), a.uuid.data()};
        REQUIRE(mdb_del(edit.txn(), edit.table("outbox"), &k, nullptr) == 0);
        edit.commit();
    }

    auto store = Store::open(storeOptions(dir.path()));
    REQUIRE(store.ok());
    auto c = (*store)->claimNext("agent", 1000);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    CHECK((*c)->uuid == b.uuid);
}
