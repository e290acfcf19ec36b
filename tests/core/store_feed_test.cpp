// The status feed in the store: a page and its cursor in one transaction, each update once, the
// timeline and follow-ups, the status view by receipt code (no identity, no key needed).
#include <doctest/doctest.h>
#include <lmdb.h>

#include <fstream>
#include <sstream>

#include "core/store.hpp"
#include "store_feed_support.hpp"
#include "store_raw_edit.hpp"

using namespace lapor;
using namespace lapor::testing;

TEST_CASE("store feed: a page is applied once, with its cursor, and builds the timeline") {
    Delivered d;
    const std::int64_t t0 = d.clock.wallMs();
    const auto page = followedUpFeed(d.report, t0);
    auto applied = d.store->applyFeedPage(page, "10");
    REQUIRE(applied.ok());
    CHECK(*applied == 4);
    CHECK(**d.store->getStatus(Store::feedCursorKey) == "10");
    CHECK(d.store->outboxEntry(d.report.uuid)->state == OutboxState::followedUp);

    // Read again after a crash before the next cursor was kept: nothing twice.
    applied = d.store->applyFeedPage(page, "10");
    REQUIRE(applied.ok());
    CHECK(*applied == 0);
    auto rows = d.store->timeline(d.report.uuid);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 4);
    CHECK((*rows)[0].status == "received");
    CHECK((*rows)[2].agency == "Kementerian PUPR");
    FeedUpdate expected = page[3];
    expected.state.reset();         // the agent's reading of `status`, not kept
    CHECK((*rows)[3] == expected);  // every field of the feed kept
    const auto history = d.store->history(d.report.uuid);
    CHECK(history->size() == 3 + 4);  // saved, sending, delivered, then one per status

    // Updates of reports this store does not hold are skipped (not an error).
    Report other = sampleReport(77);
    std::vector<FeedUpdate> foreign = {update(other, "11", "status", "verified", t0, {})};
    CHECK(*d.store->applyFeedPage(foreign, "11") == 0);
    CHECK(**d.store->getStatus(Store::feedCursorKey) == "11");
}

TEST_CASE("store feed: the status view by receipt code holds no identity and needs no key") {
    Delivered d;
    const std::int64_t t0 = d.clock.wallMs();
    REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, t0), "10").ok());
    StoreOptions o = storeOptions(d.dir.path(), &d.clock);
    o.key.reset();
    o.readOnly = true;
    auto reader = Store::open(std::move(o));
    REQUIRE(reader.ok());
    auto view = (*reader)->statusByReceiptCode(d.report.receiptCode);
    REQUIRE(view.ok());
    CHECK(view->uuid == d.report.uuid);
    CHECK(view->title == d.report.title);
    CHECK(view->kind == d.report.kind);
    CHECK(view->trackingId == "LPR-2026-000001");
    CHECK(view->state == OutboxState::followedUp);
    CHECK(view->timeline.size() == 4);
    REQUIRE(view->followUps.size() == 1);
    CHECK(view->followUps[0].text == "Perbaikan dijadwalkan minggu depan.");
    CHECK(view->followUps[0].agency == "Dinas PU Kabupaten Aceh Selatan");
    CHECK(view->canReply);
    CHECK_FALSE(view->closed);
    CHECK(view->closesAtMs == t0 + 10 * 86'400'000ll);
    // The struct has no identity to leak; the report's own identity is not in any field.
    CHECK(view->title.find(d.report.identity.name) == std::string::npos);
    CHECK((*reader)->statusByReceiptCode("K7QMZZZZZZZZZZ").error().code == Errc::notFound);
}

TEST_CASE("store feed: a closed report takes no replies, a report not followed up neither") {
    Delivered d;
    const std::int64_t t0 = d.clock.wallMs();
    std::vector<FeedUpdate> early = {
        update(d.report, "1", "status", "forwarded", t0, OutboxState::forwarded)};
    REQUIRE(d.store->applyFeedPage(early, "1").ok());
    CHECK_FALSE(d.store->statusOf(d.report.uuid)->canReply);
    auto page = followedUpFeed(d.report, t0 + 10);
    FeedUpdate closed =
        update(d.report, "12", "status", "closed", t0 + 20'000, OutboxState::closed);
    closed.closed = true;
    page.push_back(closed);
    REQUIRE(d.store->applyFeedPage(page, "12").ok());
    auto view = d.store->statusOf(d.report.uuid);
    CHECK(view->closed);
    CHECK_FALSE(view->canReply);
    CHECK(view->state == OutboxState::closed);
    CHECK(view->followUps.size() == 1);  // the follow-up stays readable
}

TEST_CASE("store feed: a store from before the timeline, opened read-only, reads it as empty") {
    Delivered d;
    d.store.reset();
    {
        RawLmdbEdit edit(d.dir.path());
        for (const char* table : {"timeline", "replies", "replytext", "replydue"}) {
            REQUIRE(mdb_drop(edit.txn(), edit.table(table), 1) == 0);
        }
        edit.commit();
    }
    StoreOptions o = storeOptions(d.dir.path(), &d.clock);
    o.readOnly = true;
    auto old = Store::open(std::move(o));
    REQUIRE(old.ok());
    auto view = (*old)->statusOf(d.report.uuid);
    REQUIRE(view.ok());
    CHECK(view->timeline.empty());
    CHECK(view->replies.empty());
    CHECK(view->state == OutboxState::delivered);
    CHECK((*old)->replies(d.report.uuid)->empty());
}
