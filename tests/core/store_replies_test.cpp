// The citizen's replies in the store: one transaction with their photos (text and photos sealed),
// only while the report takes replies, and their own outbox (claims, leases, failures, parking).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/uuid.hpp"
#include "store_feed_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

Reply replyTo(const Report& r, std::string text) {
    Reply reply;
    reply.id = newUuidV4();
    reply.reportUuid = r.uuid;
    reply.kind = ReplyKind::information;
    reply.text = std::move(text);
    reply.createdAtMs = 1'767'225'600'000;
    return reply;
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("store replies: saved whole with a photo, sealed, and only while the report takes them") {
    Delivered d;
    const Photo photo = samplePhoto(150'000, 7);
    Reply early = replyTo(d.report, "Lubangnya makin besar sejak hujan.");
    CHECK(d.store->saveReply(early, std::span(&photo, 1)).error().code == Errc::invalidInput);
    CHECK(d.store->replyEntry(early.id).error().code == Errc::notFound);

    REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, d.clock.wallMs()), "10").ok());
    Reply reply = replyTo(d.report, "Lubangnya makin besar sejak hujan, Bu Sri Wahyuni.");
    REQUIRE(d.store->saveReply(reply, std::span(&photo, 1)).ok());
    CHECK(d.store->saveReply(reply, {}).error().code == Errc::invalidInput);  // same id twice

    auto loaded = d.store->loadReply(reply.id);
    REQUIRE(loaded.ok());
    CHECK(loaded->text == reply.text);
    CHECK(loaded->reportUuid == d.report.uuid);
    auto photos = d.store->listPhotos(reply.id);
    REQUIRE(photos.ok());
    REQUIRE(photos->size() == 1);
    CHECK(d.store->readPhoto(reply.id, 0)->jpeg == photo.jpeg);
    auto entry = d.store->replyEntry(reply.id);
    CHECK(entry->state == OutboxState::queued);
    CHECK(entry->photoCount == 1);
    auto view = d.store->statusOf(d.report.uuid);
    REQUIRE(view->replies.size() == 1);
    CHECK(view->replies[0].id == reply.id);
    // verify opens and hashes the reply's photo too.
    auto v = d.store->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->photos == 1);
    CHECK(v->bytes == 150'000);

    // Neither the text nor the photo lies in the clear on disk.
    d.store.reset();
    const std::string disk = fileBytes(d.dir.path() + "/data.mdb");
    CHECK(disk.find("Sri Wahyuni") == std::string::npos);
    const std::string probe(photo.jpeg.begin() + 5000, photo.jpeg.begin() + 5064);
    CHECK(disk.find(probe) == std::string::npos);
}

TEST_CASE("store replies: what a reply must hold") {
    Delivered d;
    REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, d.clock.wallMs()), "10").ok());
    Reply empty = replyTo(d.report, "  ");
    CHECK(d.store->saveReply(empty, {}).error().code == Errc::invalidInput);
    empty.kind = ReplyKind::notResolved;  // "not resolved" needs no text
    CHECK(d.store->saveReply(empty, {}).ok());
    Reply tooLong = replyTo(d.report, std::string(4001, 'a'));
    CHECK(d.store->saveReply(tooLong, {}).error().code == Errc::invalidInput);
    Reply badId = replyTo(d.report, "x");
    badId.id = "not-a-uuid";
    CHECK(d.store->saveReply(badId, {}).error().code == Errc::invalidInput);
    Reply unknown = replyTo(sampleReport(55), "x");
    CHECK(d.store->saveReply(unknown, {}).error().code == Errc::notFound);
    CHECK(std::string(replyKindName(ReplyKind::notResolved)) == "not_resolved");
    CHECK(parseReplyKind("information") == ReplyKind::information);
    CHECK_FALSE(parseReplyKind("maybe"));
}

TEST_CASE("store replies: the agent claims them like reports, leases expire, outcomes stick") {
    Delivered d;
    REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, d.clock.wallMs()), "10").ok());
    Reply a = replyTo(d.report, "pertama");
    Reply b = replyTo(d.report, "kedua");
    REQUIRE(d.store->saveReply(a, {}).ok());
    REQUIRE(d.store->saveReply(b, {}).ok());
    // Report claims and reply claims do not mix.
    CHECK_FALSE(d.store->claimNext("agent", 1000)->has_value());

    auto c1 = d.store->claimNextReply("agent:1", 30'000);
    REQUIRE(c1.ok());
    REQUIRE(c1->has_value());
    CHECK((*c1)->id == a.id);  // oldest first
    CHECK((*c1)->trackingId == "LPR-2026-000001");
    auto c2 = d.store->claimNextReply("agent:2", 30'000);
    CHECK((*c2)->id == b.id);
    CHECK_FALSE(d.store->claimNextReply("agent:3", 30'000)->has_value());

    // agent:1 dies: its lease ends and the reply is due again, for someone else.
    d.clock.advance(30'001);
    CHECK(d.store->renewReplyLease(b.id, "agent:2", 30'000).ok());
    auto again = d.store->claimNextReply("agent:3", 30'000);
    REQUIRE(again->has_value());
    CHECK((*again)->id == a.id);
    CHECK((*again)->attempts == 1);
    CHECK(d.store->renewReplyLease(a.id, "agent:1", 30'000).error().code == Errc::busy);

    REQUIRE(d.store->recordReplyDelivered(a.id).ok());
    REQUIRE(d.store->recordReplyDelivered(a.id).ok());  // idempotent
    CHECK(d.store->replyEntry(a.id)->state == OutboxState::delivered);

    REQUIRE(d.store->recordReplyFailure(b.id, "HTTP 503", d.clock.wallMs() + 5000).ok());
    CHECK_FALSE(d.store->claimNextReply("agent:3", 30'000)->has_value());
    d.clock.advance(5000);
    REQUIRE(d.store->claimNextReply("agent:3", 30'000)->has_value());
    REQUIRE(d.store->parkReply(b.id, "report_closed: the report is closed").ok());
    CHECK(d.store->replyEntry(b.id)->state == OutboxState::parked);
    CHECK(d.store->replyEntry(b.id)->lastError == "report_closed: the report is closed");
    CHECK_FALSE(d.store->claimNextReply("agent:3", 30'000)->has_value());
    CHECK(d.store->recordReplyDelivered(b.id).error().code == Errc::invalidInput);
}

TEST_CASE(
    "store replies: retention removes a delivered reply's text and photos, not a waiting one's") {
    Delivered d;
    REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, d.clock.wallMs()), "10").ok());
    const Photo photo = samplePhoto(40'000, 3);
    Reply sent = replyTo(d.report, "Sudah saya foto lagi, Pak Budi Santoso.");
    Reply waiting = replyTo(d.report, "Masih berlubang, Bu Sri Wahyuni.");
    REQUIRE(d.store->saveReply(sent, std::span(&photo, 1)).ok());
    REQUIRE(d.store->saveReply(waiting, std::span(&photo, 1)).ok());
    auto claim = d.store->claimNextReply("agent", 60'000);
    REQUIRE(claim.ok());
    REQUIRE(claim->has_value());
    REQUIRE((*claim)->id == sent.id);
    REQUIRE(d.store->recordReplyDelivered(sent.id).ok());

    d.clock.advance(10LL * 24 * 3600 * 1000);
    auto early = d.store->purgeDelivered(30);
    REQUIRE(early.ok());
    CHECK(early->replies == 0);
    CHECK(d.store->loadReply(sent.id)->text == sent.text);

    d.clock.advance(21LL * 24 * 3600 * 1000);
    auto purged = d.store->purgeDelivered(30);
    REQUIRE(purged.ok());
    CHECK(purged->reports == 1);  // the report was delivered before the reply
    CHECK(purged->replies == 1);
    auto entry = d.store->replyEntry(sent.id);
    REQUIRE(entry.ok());
    CHECK(entry->purged);
    CHECK(entry->state == OutboxState::delivered);
    CHECK(entry->kind == ReplyKind::information);
    auto loaded = d.store->loadReply(sent.id);
    REQUIRE(loaded.ok());
    CHECK(loaded->text.empty());
    CHECK(d.store->listPhotos(sent.id)->empty());
    CHECK(d.store->readPhoto(sent.id, 0).error().code == Errc::notFound);
    // The one still waiting keeps everything, and verify finds nothing missing.
    CHECK(d.store->loadReply(waiting.id)->text == waiting.text);
    CHECK(d.store->readPhoto(waiting.id, 0)->jpeg == photo.jpeg);
    CHECK_FALSE(d.store->replyEntry(waiting.id)->purged);
    auto v = d.store->verify();
    REQUIRE(v.ok());
    CHECK(v->problems.empty());
    CHECK(v->photos == 1);
    // A second pass has nothing left to do.
    CHECK(d.store->purgeDelivered(30)->replies == 0);
}
