// Issue 12 end to end through real processes: a report filed, the sandbox follows it up (admin),
// lapor-syncd pulls the feed, the store shows the follow-up, a reply with a photo is saved and
// delivered exactly once: with lapor-syncd killed (SIGKILL) mid-upload and restarted, and with
// the reply's answer lost once (the server stored it; the retry is a replay).
#include <doctest/doctest.h>

#include <csignal>

#include "agent_sandbox_support.hpp"
#include "core/uuid.hpp"

using namespace lapor;
using namespace lapor::testing;
using nlohmann::json;

namespace {

struct FollowUpRig {
    TempDir dir;
    std::unique_ptr<SandboxProcess> sandbox;
    std::string configPath;

    FollowUpRig() {
        sandbox = std::make_unique<SandboxProcess>(dir.sub("sandbox"));
        configPath = dir.sub("lapor.toml");
        writeSyncdConfig(configPath, dir, *sandbox,
                         "in_flight = 2\nstore_poll_ms = 50\nstatus_poll_ms = 200\n"
                         "backoff_base_ms = 20\nbackoff_cap_ms = 300\n"
                         "connect_timeout_ms = 2000\nstall_seconds = 3\n");
    }
    std::unique_ptr<ChildProcess> syncd() {
        return std::make_unique<ChildProcess>(
            std::vector<std::string>{std::string(LAPOR_BINARY_DIR) + "/sync/syncd/lapor-syncd",
                                     "--config", configPath},
            false);
    }
};

// Bytes of the reply's photo the sandbox has taken so far (0 before its upload exists).
std::uint64_t replyBytesReceived(SandboxProcess& sandbox, const std::string& replyId) {
    const json stats = sandbox.stats();  // kept: a loop over a temporary's member would dangle
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] == replyId) {
            return u["bytes_received"].get<std::uint64_t>();
        }
    }
    return 0;
}

}  // namespace

TEST_CASE(
    "lapor-syncd: follow-up pulled, reply with a photo delivered exactly once across a kill") {
    FollowUpRig rig;
    auto store = openSyncdStore(rig.dir);
    const auto uuids = fillStore(*store, 1, 1, 40'000, 12);
    const std::string& uuid = uuids[0];
    auto daemon = rig.syncd();
    REQUIRE(waitUntil([&] { return isDelivered(store->outboxEntry(uuid)->state); },
                      std::chrono::seconds(30)));
    const std::string tracking = store->outboxEntry(uuid)->trackingId;

    // Staff at the sandbox verify, forward and follow it up.
    auto posted = rig.sandbox->admin("POST", "/admin/reports/" + tracking + "/followup",
                                     json{{"text", "Perbaikan jalan dijadwalkan pekan depan."},
                                          {"agency", "Dinas PU Kabupaten Aceh Selatan"}});
    CHECK(posted["status"] == "followed_up");
    REQUIRE(waitUntil(
        [&] {
            auto v = store->statusOf(uuid);
            return v.ok() && v->canReply && v->followUps.size() == 1;
        },
        std::chrono::seconds(30)));
    auto view = store->statusByReceiptCode(store->outboxEntry(uuid)->receiptCode);
    REQUIRE(view.ok());
    CHECK(view->followUps[0].text == "Perbaikan jalan dijadwalkan pekan depan.");
    CHECK(view->followUps[0].agency == "Dinas PU Kabupaten Aceh Selatan");
    CHECK(view->followUps[0].utcOffsetMinutes == 7 * 60);
    CHECK(view->state == OutboxState::followedUp);
    CHECK(view->trackingId == tracking);
    CHECK(view->timeline.size() >= 4);  // received, verified, forwarded, followed up
    CHECK(view->closesAtMs.has_value());

    // The visitor replies with a photo. The link is slowed so that the kill lands mid-upload.
    rig.sandbox->fault({{"kind", "throttle"}, {"bytes_per_second", 100'000}, {"seconds", 0}});
    Reply reply;
    reply.id = newUuidV4();
    reply.reportUuid = uuid;
    reply.kind = ReplyKind::information;
    reply.text = "Lubangnya makin besar sejak hujan.";
    reply.createdAtMs = 1'767'225'600'000;
    const Photo photo = samplePhoto(600'000, 99);
    REQUIRE(store->saveReply(reply, std::span(&photo, 1)).ok());
    REQUIRE(waitUntil([&] { return replyBytesReceived(*rig.sandbox, reply.id) > 0; },
                      std::chrono::seconds(30)));
    daemon->signal(SIGKILL);
    (void)daemon->wait(std::chrono::seconds(10));
    CHECK(store->replyEntry(reply.id)->state == OutboxState::sending);  // left mid-delivery
    const std::uint64_t before = replyBytesReceived(*rig.sandbox, reply.id);
    CHECK(before < photo.jpeg.size());

    // Its answer is lost once: the sandbox stores the reply, the agent must not take it as sent.
    (void)rig.sandbox->admin("DELETE", "/admin/faults");
    rig.sandbox->fault({{"kind", "malformed"},
                        {"method", "POST"},
                        {"path", "/v1/reports/" + tracking + "/replies"}});
    daemon = rig.syncd();
    REQUIRE(waitUntil([&] { return store->replyEntry(reply.id)->state == OutboxState::delivered; },
                      std::chrono::seconds(60)));
    // The feed's "reply" update comes back into the timeline; the report stays open.
    REQUIRE(waitUntil(
        [&] {
            auto v = store->statusOf(uuid);
            return v.ok() && !v->timeline.empty() && v->timeline.back().event == "reply";
        },
        std::chrono::seconds(30)));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait(std::chrono::seconds(20)) == 0);

    auto stats = rig.sandbox->stats();
    CHECK(stats["replies"] == 1);
    const auto& acc = stats["reply_acceptances"][reply.id];
    CHECK(acc["created"] == 1);
    CHECK(acc["replayed"].get<int>() >= 1);  // the lost answer was asked again, not re-filed
    CHECK(acc["tracking_id"] == tracking);
    CHECK(acc["photos"] == 1);
    bool photoComplete = false;
    for (const auto& u : stats["uploads_detail"]) {
        if (u["report_uuid"] == reply.id) {
            photoComplete = u["complete"] == true && u["sha256"] == photo.sha256Hex &&
                            u["bytes_received"] == u["length"];  // resumed, not sent again
        }
    }
    CHECK(photoComplete);
    auto held = rig.sandbox->admin("GET", "/admin/reports/" + uuid);
    REQUIRE(held["replies"].size() == 1);
    CHECK(held["replies"][0]["reply_id"] == reply.id);
}
