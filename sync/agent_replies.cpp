// The agent's delivery of the citizen's replies (docs/protocol.md 4.5): claimed like reports,
// photos through tus under the reply's key, the POST idempotent by that key, failures judged by
// the same verdict (report_closed and not_followed_up park the reply).
#include "core/log.hpp"
#include "core/wipe.hpp"
#include "sync/agent.hpp"
#include "sync/upload_state.hpp"

namespace lapor::sync {

namespace {

constexpr std::string_view kComponent = "syncd";

}  // namespace

Outcome Agent::deliverReplyOne(const std::string& owner) {
    auto claim = store_.claimNextReply(owner, options_.leaseMs);
    if (!claim.ok()) {
        log::error(kComponent, "cannot claim a reply: " + claim.error().message);
        noteError(claim.error(), false);
        return Outcome::nothingDue;
    }
    if (!claim->has_value()) {
        return Outcome::nothingDue;
    }
    return processReply(**claim, owner);
}

Outcome Agent::processReply(const ReplyClaim& claim, const std::string& owner) {
    const std::string& id = claim.id;
    const ItemOps ops{"reply",
                      [&](std::string_view reason, std::int64_t next) {
                          return store_.recordReplyFailure(id, reason, next);
                      },
                      [&](std::string_view reason) { return store_.parkReply(id, reason); }};
    auto reply = store_.loadReply(id);
    struct WipeOnExit {  // the citizen's words
        Result<Reply>& r;
        ~WipeOnExit() {
            if (r.ok()) {
                wipeString(r.value().text);
            }
        }
    } wipeOnExit{reply};
    if (!reply.ok()) {
        if (reply.error().code == Errc::corrupt) {
            (void)store_.parkReply(id, "stored reply unreadable: " + reply.error().message);
            return Outcome::parked;
        }
        return failItem(id, ops, reply.error(), ExchangeNote{});
    }
    if (claim.trackingId.empty()) {
        return failItem(id, ops, makeError(Errc::rejected, "the report has no tracking ID"), {});
    }
    // The tus metadata names the reply's key as report_uuid (4.5): a carrier with only that.
    Report carrier;
    carrier.uuid = id;
    Uploaded up =
        uploadPhotos(carrier, [&] { return store_.renewReplyLease(id, owner, options_.leaseMs); });
    if (up.leaseLost) {
        log::warn(kComponent, "lost the lease on reply " + id + " mid-upload; leaving it");
        return Outcome::stopped;
    }
    if (up.error) {
        return failItem(id, ops, *up.error, up.note);
    }
    ExchangeNote note;
    if (Status s = uplink_.submitReply(*reply, claim.trackingId, up.refs, note); !s.ok()) {
        return failItem(id, ops, s.error(), note);
    }
    if (Status s = store_.recordReplyDelivered(id); !s.ok()) {
        // The server holds it; the next attempt is answered as a replay (same key).
        log::error(kComponent,
                   "delivered reply " + id + " but could not record it: " + s.error().message);
        noteError(s.error(), false);
        return Outcome::retryLater;
    }
    if (up.recorded) {
        (void)ReportUploads::forget(store_, id);
    }
    book_.success(id);
    noteSuccess();
    {
        std::lock_guard lock(stateMutex_);
        ++counters_.repliesDelivered;
    }
    log::info(kComponent, "delivered reply " + id + " to " + claim.trackingId);
    return Outcome::delivered;
}

}  // namespace lapor::sync
