// The agent's replies with a real store and a scripted uplink: delivered once with the report's
// tracking ID, report_closed / not_followed_up parked with the server's reason, a protocol
// without replies (Open311) parked with a plain reason, a transient failure retried; feed pages
// applied once with their cursor.
#include <doctest/doctest.h>

#include "../core/store_feed_support.hpp"
#include "core/uuid.hpp"
#include "sync/agent.hpp"
#include "sync/uplink_fake.hpp"

using namespace lapor;
using namespace lapor::sync;
using namespace lapor::testing;

namespace {

struct ReplyRig {
    Delivered d;
    ScriptedUplink uplink;
    FakeRandom random{{1.0}};
    AgentOptions options;
    std::unique_ptr<Agent> agent;

    ReplyRig() {
        options.backoff = BackoffPolicy{1000, 60000};
        options.leaseMs = 60000;
        agent = std::make_unique<Agent>(*d.store, uplink, options, d.clock, random);
        REQUIRE(d.store->applyFeedPage(followedUpFeed(d.report, d.clock.wallMs()), "10").ok());
    }
    std::string reply(std::string text) {
        Reply r;
        r.id = newUuidV4();
        r.reportUuid = d.report.uuid;
        r.text = std::move(text);
        r.createdAtMs = d.clock.wallMs();
        const Photo photo = samplePhoto(20'000, 3);
        REQUIRE(d.store->saveReply(r, std::span(&photo, 1)).ok());
        return r.id;
    }
    OutboxState state(const std::string& id) { return d.store->replyEntry(id)->state; }
};

std::pair<Error, ExchangeNote> refusal(long status, std::string code) {
    ExchangeNote n;
    n.status = status;
    n.code = code;
    return {makeError(Errc::rejected, "reply POST: HTTP " + std::to_string(status) + " " + code +
                                          ": the report is closed"),
            n};
}

}  // namespace

TEST_CASE("agent replies: delivered once, to the report's tracking ID, after its photo") {
    ReplyRig rig;
    const std::string id = rig.reply("Lubangnya makin besar.");
    CHECK(rig.agent->deliverOne("w") == Outcome::nothingDue);  // reports first: none due
    CHECK(rig.agent->deliverReplyOne("w") == Outcome::delivered);
    REQUIRE(rig.uplink.replied.size() == 1);
    CHECK(rig.uplink.replied[0] == std::pair<std::string, std::string>{id, "LPR-2026-000001"});
    CHECK(rig.uplink.knownUrls.size() == 1);  // its one photo went up first
    CHECK(rig.state(id) == OutboxState::delivered);
    CHECK(rig.agent->deliverReplyOne("w") == Outcome::nothingDue);
    CHECK(rig.agent->counters().repliesDelivered == 1);
}

TEST_CASE("agent replies: report_closed and not_followed_up park the reply with the reason") {
    for (const char* code : {"report_closed", "not_followed_up"}) {
        CAPTURE(code);
        ReplyRig rig;
        const std::string id = rig.reply("Masih rusak.");
        rig.uplink.replyFailures.push_back(refusal(409, code));
        CHECK(rig.agent->deliverReplyOne("w") == Outcome::parked);
        CHECK(rig.state(id) == OutboxState::parked);
        CHECK(rig.d.store->replyEntry(id)->lastError.find(code) != std::string::npos);
        CHECK(rig.uplink.replied.empty());
    }
}

TEST_CASE("agent replies: a protocol without replies parks them with a plain reason") {
    ReplyRig rig;
    const std::string id = rig.reply("Masih rusak.");
    // The default of Uplink::submitReply, which the Open311 adapter keeps.
    struct NoReplies final : Uplink {
        ScriptedUplink& inner;
        explicit NoReplies(ScriptedUplink& i) : inner(i) {}
        Result<std::string> uploadPhoto(const Report& r, const PhotoUpload& p,
                                        ExchangeNote& n) override {
            return inner.uploadPhoto(r, p, n);
        }
        Result<std::string> submit(const Report& r, const std::vector<PhotoRef>& p,
                                   ExchangeNote& n) override {
            return inner.submit(r, p, n);
        }
        Result<StatusPage> pullStatus(const std::string& c, const std::vector<Followed>& f,
                                      ExchangeNote& n) override {
            return inner.pullStatus(c, f, n);
        }
        Result<std::optional<AgencyCatalog>> pullCatalog(const std::string& e,
                                                         ExchangeNote& n) override {
            return inner.pullCatalog(e, n);
        }
        Status probe(ExchangeNote& n) override { return inner.probe(n); }
    } open311(rig.uplink);
    Agent agent(*rig.d.store, open311, rig.options, rig.d.clock, rig.random);
    CHECK(agent.deliverReplyOne("w") == Outcome::parked);
    CHECK(rig.state(id) == OutboxState::parked);
    CHECK(rig.d.store->replyEntry(id)->lastError.find("Open311 GeoReport v2") != std::string::npos);
}

TEST_CASE("agent replies: a transient failure is retried after its backoff") {
    ReplyRig rig;
    const std::string id = rig.reply("Masih rusak.");
    rig.uplink.serverUp = false;
    CHECK(rig.agent->deliverReplyOne("w") == Outcome::retryLater);
    CHECK(rig.state(id) == OutboxState::failed);
    rig.uplink.serverUp = true;
    CHECK(rig.agent->deliverReplyOne("w") == Outcome::nothingDue);  // not yet due
    rig.d.clock.advance(120'000);
    CHECK(rig.agent->deliverReplyOne("w") == Outcome::delivered);
    CHECK(rig.uplink.replied.size() == 1);
}

TEST_CASE("agent status: pages go into the timeline once, the cursor with them") {
    ReplyRig rig;
    StatusUpdate reply;
    reply.id = "11";
    reply.uuid = rig.d.report.uuid;
    reply.event = "reply";
    reply.status = "followed_up";
    reply.atMs = rig.d.clock.wallMs() + 9000;
    reply.replyId = "k";
    StatusUpdate noId = reply;  // a server without ids (Open311): status and time identify it
    noId.id.clear();
    noId.event = "status";
    noId.atMs += 1;
    rig.uplink.pages = {StatusPage{{reply, noId}, "11", false},
                        StatusPage{{reply, noId}, "11", false}};
    REQUIRE(rig.agent->pullStatus().ok());
    REQUIRE(rig.agent->pullStatus().ok());
    CHECK(rig.uplink.cursorsSeen == std::vector<std::string>{"10", "11"});
    auto rows = rig.d.store->timeline(rig.d.report.uuid);
    REQUIRE(rows->size() == 4 + 2);
    CHECK(rows->at(4).event == "reply");
    CHECK(rows->at(5).id == "followed_up@" + std::to_string(noId.atMs));
    CHECK(rig.agent->counters().statusUpdates == 2);
    CHECK(rig.d.store->statusOf(rig.d.report.uuid)->canReply);
}
