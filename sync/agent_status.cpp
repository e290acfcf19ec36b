// The agent's status round: the national feed from the stored cursor, each page stored with its
// next cursor in one transaction (Store::applyFeedPage), timeline and follow-ups included.
#include "core/log.hpp"
#include "sync/agent.hpp"

namespace lapor::sync {

namespace {

constexpr std::string_view kComponent = "syncd";

}  // namespace

Status Agent::pullStatus() {
    std::string cursor;
    if (auto c = store_.getStatus(Store::feedCursorKey); c.ok() && c->has_value()) {
        cursor = **c;
    }
    // Protocols without a feed (Open311) are asked about the delivered reports not yet closed.
    std::vector<Followed> followed;
    for (OutboxState s : {OutboxState::delivered, OutboxState::received, OutboxState::verified,
                          OutboxState::forwarded, OutboxState::followedUp}) {
        if (auto list = store_.listByState(s, 500); list.ok()) {
            for (const auto& e : *list) {
                followed.push_back({e.uuid, e.trackingId});
            }
        }
    }
    for (int page = 0; page < 50 && !stopping_.load(); ++page) {
        ExchangeNote note;
        auto got = uplink_.pullStatus(cursor, followed, note);
        if (!got.ok()) {
            const Verdict verdict = judge(got.error(), note);
            if (verdict.kind == Verdict::Kind::park && !cursor.empty()) {
                // A cursor the server no longer knows: from the beginning, which is harmless
                // (each update is applied once).
                (void)store_.putStatus(Store::feedCursorKey, "");
            }
            noteError(got.error(), verdict.kind == Verdict::Kind::holdServer);
            log::warn(kComponent, "status pull failed (" + std::string(errcName(got.error().code)) +
                                      "): " + got.error().message);
            if (verdict.kind == Verdict::Kind::holdServer) {
                heldForToken_ = verdict.hold == Verdict::Hold::token;
                (void)book_.failure("(status)", clock_.monotonicMs(), verdict.retryAfterMs, true);
            }
            return got.error();
        }
        noteSuccess();
        for (StatusUpdate& u : got->updates) {
            u.state = outboxStateForStatus(u.status);
            if (!u.state) {
                log::debug(kComponent, "status \"" + u.status + "\" kept in the timeline only");
            }
            if (u.id.empty()) {
                // A server without update ids (Open311): the same status at the same time is the
                // same update.
                u.id = u.status + "@" + std::to_string(u.atMs);
            }
        }
        auto applied = store_.applyFeedPage(got->updates, got->nextCursor);
        if (!applied.ok()) {
            log::error(kComponent, "status page not stored: " + applied.error().message);
            noteError(applied.error(), false);
            return applied.error();
        }
        {
            std::lock_guard lock(stateMutex_);
            counters_.statusUpdates += *applied;
        }
        cursor = got->nextCursor;
        if (!got->more) {
            break;
        }
    }
    return {};
}

}  // namespace lapor::sync
