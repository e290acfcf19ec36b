// The outbox: claims and their leases (a claim expires when its lease ends, then the item is due
// again), the due index, every state change with its history row, and the outbox's lists.
#include <algorithm>
#include <iterator>

#include "core/log.hpp"
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

namespace {

constexpr OutboxState kAllStates[] = {
    OutboxState::queued,     OutboxState::sending,  OutboxState::failed,   OutboxState::parked,
    OutboxState::delivered,  OutboxState::received, OutboxState::verified, OutboxState::forwarded,
    OutboxState::followedUp, OutboxState::closed,
};

// Queued, sending and failed reports sit in the due index: the agent may have to act on them.
bool inDueIndex(OutboxState s) {
    return s == OutboxState::queued || s == OutboxState::sending || s == OutboxState::failed;
}

}  // namespace

const char* outboxStateName(OutboxState s) noexcept {
    static constexpr const char* names[] = {"queued",      "sending",  "failed",   "parked",
                                            "delivered",   "received", "verified", "forwarded",
                                            "followed-up", "closed"};
    for (std::size_t i = 0; i < std::size(kAllStates); ++i) {
        if (kAllStates[i] == s)
            return names[i];
    }
    return "unknown";
}

std::optional<OutboxState> parseOutboxState(std::string_view name) noexcept {
    for (OutboxState s : kAllStates) {
        if (name == outboxStateName(s))
            return s;
    }
    return std::nullopt;
}

std::span<const OutboxState> allOutboxStates() noexcept {
    return kAllStates;
}

std::uint64_t OutboxCounts::count(OutboxState s) const {
    for (const auto& [state, n] : perState) {
        if (state == s)
            return n;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Records, indexes and history

Result<Rec> Store::Impl::loadRec(const Reader& r, std::string_view uuid) const {
    auto v = r.get(outbox, uuid);
    if (!v.ok())
        return v.error();
    if (!*v)
        return makeError(Errc::notFound, "no report " + std::string(uuid));
    return decodeRec(**v);
}

Status Store::Impl::addHistory(Writer& w, Rec& rec, OutboxState state, std::int64_t atMs,
                               std::string_view reason) {
    Status s = w.put(history, historyKey(rec.e.uuid, rec.historyCount),
                     encodeHistory({atMs, state, std::string(reason)}));
    if (s.ok())
        ++rec.historyCount;
    return s;
}

Status Store::Impl::storeRec(Writer& w, Rec& rec, OutboxState old, std::int64_t oldDueMs,
                             bool isNew) {
    const OutboxEntry& e = rec.e;
    if (!isNew) {
        if (inDueIndex(old)) {
            if (Status s = w.del(due, dueKey(oldDueMs, rec.seq)); !s.ok())
                return s;
        }
        if (old != e.state) {
            if (Status s = w.del(byState, stateKey(old), stateValue(e.createdAtMs, e.uuid));
                !s.ok()) {
                return s;
            }
        }
    }
    if (inDueIndex(e.state)) {
        if (Status s = w.put(due, dueKey(dueMsOf(e), rec.seq), e.uuid); !s.ok())
            return s;
    }
    if (isNew || old != e.state) {
        if (Status s = w.put(byState, stateKey(e.state), stateValue(e.createdAtMs, e.uuid));
            !s.ok())
            return s;
    }
    return w.put(outbox, e.uuid, encodeRec(rec));
}

Status Store::Impl::moveTo(Writer& w, Rec& rec, OutboxState to, std::string_view reason) {
    const std::int64_t at = now();
    rec.e.state = to;
    rec.e.updatedAtMs = at;
    rec.e.leaseOwner.clear();
    rec.e.leaseUntilMs = 0;
    return addHistory(w, rec, to, at, reason);
}

Error Store::Impl::wrongState(const OutboxEntry& e, std::string_view why) {
    return makeError(Errc::invalidInput, "report " + e.uuid + " is " + outboxStateName(e.state) +
                                             ", " + std::string(why));
}

std::int64_t Store::Impl::dueMsOf(const OutboxEntry& e) {
    switch (e.state) {
        case OutboxState::queued: return 0;
        case OutboxState::sending: return e.leaseUntilMs;
        case OutboxState::failed: return e.nextAttemptAtMs;
        default: return 0;
    }
}

// ---------------------------------------------------------------------------------------------
// Claims and leases

Result<std::optional<Claim>> Store::claimNext(std::string_view ownerId, std::int64_t leaseMs) {
    Impl& m = *impl_;
    if (ownerId.empty() || leaseMs <= 0)
        return makeError(Errc::invalidInput, "claim needs an owner and a lease");
    return m.write<std::optional<Claim>>([&](Writer& w) -> Result<std::optional<Claim>> {
        const std::int64_t now = m.now();
        auto found = m.firstDue<Rec>(
            w, m.due, now, [&](const Reader& r, std::string_view id) { return m.loadRec(r, id); });
        if (!found.ok())
            return found.error();
        if (!*found)
            return std::optional<Claim>();
        const std::string uuid = (*found)->first;
        Rec* rec = &(*found)->second;
        OutboxEntry& e = rec->e;
        OutboxState old = e.state;
        std::int64_t oldDue = Impl::dueMsOf(e);
        std::string reason = "claimed by " + std::string(ownerId);
        if (old == OutboxState::sending)
            reason += " after the lease of " + e.leaseOwner + " expired";
        Claim claim{uuid, e.receiptCode, e.attempts, now + leaseMs};
        e.state = OutboxState::sending;
        e.leaseOwner = std::string(ownerId);
        e.leaseUntilMs = now + leaseMs;
        e.updatedAtMs = now;
        ++e.attempts;
        if (Status s = m.addHistory(w, *rec, OutboxState::sending, now, reason); !s.ok())
            return s.error();
        if (Status s = m.storeRec(w, *rec, old, oldDue, false); !s.ok())
            return s.error();
        return std::optional<Claim>(std::move(claim));
    });
}

Status Store::renewLease(std::string_view uuid, std::string_view ownerId, std::int64_t leaseMs) {
    Impl& m = *impl_;
    return m.transition(uuid, [&](Writer&, Rec& rec, bool&) -> Status {
        if (rec.e.state != OutboxState::sending || rec.e.leaseOwner != ownerId) {
            return makeError(Errc::busy, "lease on " + rec.e.uuid + " is no longer held by " +
                                             std::string(ownerId));
        }
        rec.e.leaseUntilMs = m.now() + leaseMs;
        return {};
    });
}

// ---------------------------------------------------------------------------------------------
// Outcomes: delivered, failed, parked, unparked, national statuses

Status Store::recordDelivered(std::string_view uuid, std::string_view trackingId) {
    Impl& m = *impl_;
    if (trackingId.empty())
        return makeError(Errc::invalidInput, "delivery needs a tracking ID");
    return m.transition(uuid, [&](Writer& w, Rec& rec, bool& changed) -> Status {
        OutboxEntry& e = rec.e;
        if (isDelivered(e.state)) {
            if (e.trackingId == trackingId) {
                changed = false;
                return {};
            }
            return makeError(Errc::invalidInput,
                             "report " + e.uuid + " was already delivered as " + e.trackingId);
        }
        e.trackingId = std::string(trackingId);
        e.deliveredAtMs = m.now();
        rec.statusAtMs = e.deliveredAtMs;
        return m.moveTo(w, rec, OutboxState::delivered, "tracking ID " + std::string(trackingId));
    });
}

Status Store::recordFailure(std::string_view uuid, std::string_view reason,
                            std::int64_t nextAttemptAtMs) {
    Impl& m = *impl_;
    return m.transition(uuid, [&](Writer& w, Rec& rec, bool&) -> Status {
        OutboxEntry& e = rec.e;
        if (!inDueIndex(e.state))
            return Impl::wrongState(e, "not waiting for delivery");
        e.lastError = std::string(reason);
        e.nextAttemptAtMs = nextAttemptAtMs;
        return m.moveTo(w, rec, OutboxState::failed, reason);
    });
}

Status Store::park(std::string_view uuid, std::string_view reason) {
    Impl& m = *impl_;
    return m.transition(uuid, [&](Writer& w, Rec& rec, bool&) -> Status {
        OutboxEntry& e = rec.e;
        if (!inDueIndex(e.state))
            return Impl::wrongState(e, "it cannot be parked");
        e.lastError = std::string(reason);
        return m.moveTo(w, rec, OutboxState::parked, reason);
    });
}

Status Store::unpark(std::string_view uuid, std::string_view who) {
    Impl& m = *impl_;
    return m.transition(uuid, [&](Writer& w, Rec& rec, bool&) -> Status {
        OutboxEntry& e = rec.e;
        if (e.state != OutboxState::parked)
            return Impl::wrongState(e, "not parked");
        e.nextAttemptAtMs = 0;
        return m.moveTo(w, rec, OutboxState::queued,
                        who.empty() ? "unparked by staff" : "unparked by " + std::string(who));
    });
}

Result<std::uint64_t> Store::unparkAll(std::string_view reason, std::string_view who) {
    auto parked = listByState(OutboxState::parked);
    if (!parked.ok())
        return parked.error();
    Impl& m = *impl_;
    const std::string note = who.empty() ? "unparked by staff" : "unparked by " + std::string(who);
    return m.write<std::uint64_t>([&](Writer& w) -> Result<std::uint64_t> {
        std::uint64_t n = 0;
        for (const OutboxEntry& listed : *parked) {
            if (listed.lastError != reason)
                continue;
            auto rec = m.loadRec(w, listed.uuid);
            if (!rec.ok())
                return rec.error();
            if (rec->e.state != OutboxState::parked || rec->e.lastError != reason)
                continue;  // changed since it was listed
            const OutboxState old = rec->e.state;
            const std::int64_t oldDue = Impl::dueMsOf(rec->e);
            rec->e.nextAttemptAtMs = 0;
            if (Status s = m.moveTo(w, *rec, OutboxState::queued, note); !s.ok())
                return s.error();
            if (Status s = m.storeRec(w, *rec, old, oldDue, false); !s.ok())
                return s.error();
            ++n;
        }
        return n;
    });
}

Status Store::Impl::statusUpdateIn(Writer& w, std::string_view uuid, OutboxState status,
                                   std::int64_t atMs, std::string_view note) {
    if (!isDelivered(status)) {
        return makeError(Errc::invalidInput,
                         std::string("status update cannot be ") + outboxStateName(status));
    }
    auto rec = loadRec(w, uuid);
    if (!rec.ok())
        return rec.error();
    OutboxEntry& e = rec->e;
    const OutboxState old = e.state;
    const std::int64_t oldDue = dueMsOf(e);
    if (!isDelivered(e.state)) {
        return makeError(Errc::invalidInput, "report " + e.uuid + " is not delivered yet");
    }
    if (rec->historyCount > 0) {
        auto last = w.get(history, historyKey(e.uuid, rec->historyCount - 1));
        if (!last.ok())
            return last.error();
        if (*last) {
            auto row = decodeHistory(**last);
            if (row.ok() && row->atMs == atMs && row->state == status && row->reason == note)
                return {};  // the agent polled the same status again
        }
    }
    // Statuses can arrive out of order: the newest one by its own time decides the state.
    if (atMs >= rec->statusAtMs) {
        e.state = status;
        rec->statusAtMs = atMs;
    }
    e.updatedAtMs = now();
    if (Status s = addHistory(w, *rec, status, atMs, note); !s.ok())
        return s;
    return storeRec(w, *rec, old, oldDue, false);
}

Status Store::addStatusUpdate(std::string_view uuid, OutboxState status, std::int64_t atMs,
                              std::string_view note) {
    Impl& m = *impl_;
    return m.write<void>([&](Writer& w) { return m.statusUpdateIn(w, uuid, status, atMs, note); });
}

// ---------------------------------------------------------------------------------------------
// Reading the outbox

Result<OutboxEntry> Store::outboxEntry(std::string_view uuid) const {
    return impl_->read<OutboxEntry>([&](const Reader& r) -> Result<OutboxEntry> {
        auto rec = impl_->loadRec(r, uuid);
        if (!rec.ok())
            return rec.error();
        return std::move(rec->e);
    });
}

Result<std::vector<HistoryEntry>> Store::history(std::string_view uuid) const {
    const Impl& m = *impl_;
    return m.read<std::vector<HistoryEntry>>(
        [&](const Reader& r) -> Result<std::vector<HistoryEntry>> {
            auto rec = m.loadRec(r, uuid);
            if (!rec.ok())
                return rec.error();
            return decodePrefix<HistoryEntry>(r.txn(), m.history, uuid, decodeHistory);
        });
}

Result<OutboxCounts> Store::counts() const {
    const Impl& m = *impl_;
    return m.read<OutboxCounts>([&](const Reader& r) -> Result<OutboxCounts> {
        OutboxCounts out;
        std::optional<std::int64_t> oldest;
        auto c = Cursor::open(r.txn(), m.byState);
        if (!c.ok())
            return c.error();
        for (OutboxState s : kAllStates) {
            std::string key = stateKey(s);
            MDB_val k = mv(key), v{};
            int rc = c->get(k, v, MDB_SET_KEY);
            std::uint64_t n = 0;
            if (rc == 0) {
                std::size_t count = 0;
                mdb_cursor_count(*c, &count);
                n = count;
                if (inDueIndex(s)) {
                    auto created = static_cast<std::int64_t>(readBE(sv(v), 0, 8));
                    if (!oldest || created < *oldest)
                        oldest = created;
                }
            } else if (rc != MDB_NOTFOUND) {
                return lmdbError(rc, "cursor");
            }
            out.perState.emplace_back(s, n);
        }
        if (oldest)
            out.oldestUndeliveredAgeMs = std::max<std::int64_t>(0, m.now() - *oldest);
        return out;
    });
}

Result<std::vector<OutboxEntry>> Store::listByState(OutboxState state, std::size_t limit) const {
    const Impl& m = *impl_;
    return m.read<std::vector<OutboxEntry>>(
        [&](const Reader& r) -> Result<std::vector<OutboxEntry>> {
            std::vector<OutboxEntry> out;
            auto c = Cursor::open(r.txn(), m.byState);
            if (!c.ok())
                return c.error();
            std::string key = stateKey(state);
            MDB_val k = mv(key), v{};
            int rc = c->get(k, v, MDB_SET_KEY);
            while (rc == 0 && (limit == 0 || out.size() < limit)) {
                auto rec = m.loadRec(r, sv(v).substr(8));
                if (!rec.ok())
                    return rec.error();
                out.push_back(std::move(rec->e));
                rc = c->get(k, v, MDB_NEXT_DUP);
            }
            if (rc != 0 && rc != MDB_NOTFOUND)
                return lmdbError(rc, "cursor");
            return out;
        });
}

Result<std::vector<OutboxEntry>> Store::listAll(std::size_t limit) const {
    std::vector<OutboxEntry> all;
    for (OutboxState s : kAllStates) {
        auto part = listByState(s);
        if (!part.ok())
            return part.error();
        std::move(part->begin(), part->end(), std::back_inserter(all));
    }
    std::stable_sort(all.begin(), all.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
        return a.createdAtMs < b.createdAtMs;
    });
    if (limit != 0 && all.size() > limit)
        all.resize(limit);
    return all;
}

}  // namespace lapor
