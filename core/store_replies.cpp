// The citizen's replies to a follow-up: saved with their photos in ONE transaction (text and
// photos sealed), and their own outbox (claims with leases, failures, parking, delivery).
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/store_impl.hpp"
#include "core/text.hpp"
#include "core/wipe.hpp"

namespace lapor {

using namespace storage;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxReplyText = 4000;  // characters (docs/protocol.md 4.5)
constexpr std::size_t kMaxReplyPhotos = 5;

std::string replyTextAd(std::string_view id) {
    return "lapor/reply/v1/" + std::string(id);
}

bool inDue(OutboxState s) {
    return s == OutboxState::queued || s == OutboxState::sending || s == OutboxState::failed;
}

std::int64_t dueOf(const ReplyEntry& e) {
    switch (e.state) {
        case OutboxState::sending: return e.leaseUntilMs;
        case OutboxState::failed: return e.nextAttemptAtMs;
        default: return 0;
    }
}

std::string encodeReply(const ReplyEntry& e) {
    return json{{"id", e.id},
                {"r", e.reportUuid},
                {"k", static_cast<int>(e.kind)},
                {"s", static_cast<int>(e.state)},
                {"ca", e.createdAtMs},
                {"off", e.utcOffsetMinutes},
                {"lang", e.language},
                {"ua", e.updatedAtMs},
                {"na", e.nextAttemptAtMs},
                {"lu", e.leaseUntilMs},
                {"lo", e.leaseOwner},
                {"n", e.attempts},
                {"le", e.lastError},
                {"da", e.deliveredAtMs},
                {"p", e.photoCount},
                {"seq", e.seq},
                {"pu", e.purged}}
        .dump();
}

Result<ReplyEntry> decodeReply(std::string_view text) {
    try {
        const json j = json::parse(text);
        ReplyEntry e;
        e.id = j.at("id").get<std::string>();
        e.reportUuid = j.at("r").get<std::string>();
        e.kind = static_cast<ReplyKind>(j.at("k").get<int>());
        e.state = static_cast<OutboxState>(j.at("s").get<int>());
        e.createdAtMs = j.at("ca").get<std::int64_t>();
        e.utcOffsetMinutes = j.at("off").get<int>();
        e.language = j.at("lang").get<std::string>();
        e.updatedAtMs = j.at("ua").get<std::int64_t>();
        e.nextAttemptAtMs = j.at("na").get<std::int64_t>();
        e.leaseUntilMs = j.at("lu").get<std::int64_t>();
        e.leaseOwner = j.at("lo").get<std::string>();
        e.attempts = j.at("n").get<std::uint32_t>();
        e.lastError = j.at("le").get<std::string>();
        e.deliveredAtMs = j.at("da").get<std::int64_t>();
        e.photoCount = j.at("p").get<std::uint32_t>();
        e.seq = j.at("seq").get<std::uint64_t>();
        e.purged = j.value("pu", false);  // absent in records written before retention knew them
        return e;
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("reply record: ") + ex.what());
    }
}

Result<ReplyEntry> loadReplyIn(const Store::Impl& m, const Reader& r, std::string_view id) {
    if (!m.feedTables)
        return makeError(Errc::notFound, "no reply " + std::string(id));
    auto v = r.get(m.replies, id);
    if (!v.ok())
        return v.error();
    if (!*v)
        return makeError(Errc::notFound, "no reply " + std::string(id));
    return decodeReply(**v);
}

// Writes the record and moves it in the due index from `oldDue` (when it `wasDue`).
Status storeReply(const Store::Impl& m, Writer& w, const ReplyEntry& e, bool wasDue,
                  std::int64_t oldDue) {
    if (wasDue) {
        if (Status s = w.del(m.replyDue, dueKey(oldDue, e.seq)); !s.ok())
            return s;
    }
    if (inDue(e.state)) {
        if (Status s = w.put(m.replyDue, dueKey(dueOf(e), e.seq), e.id); !s.ok())
            return s;
    }
    return w.put(m.replies, e.id, encodeReply(e));
}

// Loads the reply, lets `change(e)` edit it (an error refuses), stores it.
template <class F>
Status changeReply(Store::Impl& m, std::string_view id, F&& change) {
    return m.write<void>([&](Writer& w) -> Status {
        auto e = loadReplyIn(m, w, id);
        if (!e.ok())
            return e.error();
        const bool wasDue = inDue(e->state);
        const std::int64_t oldDue = dueOf(*e);
        if (Status s = change(*e); !s.ok())
            return s;
        e->updatedAtMs = m.now();
        return storeReply(m, w, *e, wasDue, oldDue);
    });
}

Error wrongReplyState(const ReplyEntry& e, std::string_view why) {
    return makeError(Errc::invalidInput,
                     "reply " + e.id + " is " + outboxStateName(e.state) + ", " + std::string(why));
}

}  // namespace

const char* replyKindName(ReplyKind kind) noexcept {
    return kind == ReplyKind::notResolved ? "not_resolved" : "information";
}

std::optional<ReplyKind> parseReplyKind(std::string_view name) noexcept {
    if (name == "information")
        return ReplyKind::information;
    if (name == "not_resolved")
        return ReplyKind::notResolved;
    return std::nullopt;
}

Result<std::vector<ReplyEntry>> Store::Impl::repliesIn(
    const Reader& r, const std::function<bool(const ReplyEntry&)>& keep) const {
    if (!feedTables)
        return std::vector<ReplyEntry>();
    // Replies are few (one report in many gets one): a scan is cheaper than an index to keep.
    auto all = decodePrefix<ReplyEntry>(r.txn(), replies, "", decodeReply);
    if (!all.ok())
        return all.error();
    std::vector<ReplyEntry> out;
    for (ReplyEntry& e : *all) {
        if (keep(e))
            out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(),
              [](const ReplyEntry& a, const ReplyEntry& b) { return a.seq < b.seq; });
    return out;
}

Result<std::uint64_t> Store::Impl::purgeReplies(std::int64_t cutoffMs) {
    if (!feedTables)
        return std::uint64_t{0};
    auto due = [cutoffMs](const ReplyEntry& e) {
        return !e.purged && e.state == OutboxState::delivered && e.deliveredAtMs <= cutoffMs;
    };
    auto candidates =
        read<std::vector<ReplyEntry>>([&](const Reader& r) { return repliesIn(r, due); });
    if (!candidates.ok())
        return candidates.error();
    std::uint64_t purged = 0;
    // One small transaction per reply, as for reports: the writer lock stays short.
    for (const ReplyEntry& candidate : *candidates) {
        Status s = write<void>([&](Writer& w) -> Status {
            auto e = loadReplyIn(*this, w, candidate.id);
            if (!e.ok())
                return e.error();
            if (!due(*e))
                return {};
            if (Status d = w.del(replyText, e->id); !d.ok())
                return d;
            if (Status d = deleteItems(w, photoMeta, photos, e->id); !d.ok())
                return d;
            e->purged = true;
            e->updatedAtMs = now();
            ++purged;
            return storeReply(*this, w, *e, false, 0);
        });
        if (!s.ok())
            return s.error();
    }
    return purged;
}

Status Store::saveReply(const Reply& reply, std::span<const Photo> photos) {
    Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s;
    if (!validUuid(reply.id) || !validUuid(reply.reportUuid))
        return makeError(Errc::invalidInput, "reply and report ids must be RFC 4122 UUIDs");
    if (!isValidUtf8(reply.text))
        return makeError(Errc::invalidInput, "reply text is not UTF-8");
    if (codePointCount(reply.text) > kMaxReplyText)
        return makeError(Errc::invalidInput, "reply text is longer than 4000 characters");
    if (photos.size() > kMaxReplyPhotos)
        return makeError(Errc::invalidInput, "a reply has at most 5 photos");
    if (reply.kind == ReplyKind::information &&
        reply.text.find_first_not_of(" \t\r\n") == std::string::npos && photos.empty())
        return makeError(Errc::invalidInput, "a reply with information needs text or a photo");
    // Sealing before the lock, as a report's save does.
    auto infos = photoInfos(photos);
    if (!infos.ok())
        return infos.error();
    const std::vector<std::uint8_t> sealedPhotos =
        sealChunks(*m.opts.key, reply.id, photos, *infos);
    const std::span<const std::uint8_t> textBytes(
        reinterpret_cast<const std::uint8_t*>(reply.text.data()), reply.text.size());
    const std::vector<std::uint8_t> sealedText =
        crypto::seal(*m.opts.key, textBytes, replyTextAd(reply.id));
    const std::int64_t now = m.now();

    return m.write<void>([&](Writer& w) -> Status {
        auto exists = w.view(m.replies, reply.id);
        if (!exists.ok())
            return exists.error();
        if (*exists)
            return makeError(Errc::invalidInput, "reply " + reply.id + " is already stored");
        auto status = m.statusIn(w, reply.reportUuid);
        if (!status.ok())
            return status.error();
        if (!status->canReply) {
            return makeError(Errc::invalidInput,
                             status->closed ? "the report is closed: it takes no more replies"
                                            : "the report is not followed up yet");
        }
        auto seqRaw = w.get(m.meta, "next_seq");
        if (!seqRaw.ok())
            return seqRaw.error();
        const std::uint64_t seq = *seqRaw && (*seqRaw)->size() == 8 ? readBE(**seqRaw, 0, 8) : 1;
        if (Status s = w.put(m.meta, "next_seq", be(seq + 1, 8)); !s.ok())
            return s;
        ReplyEntry e;
        e.id = reply.id;
        e.reportUuid = reply.reportUuid;
        e.kind = reply.kind;
        e.state = OutboxState::queued;
        e.createdAtMs = reply.createdAtMs != 0 ? reply.createdAtMs : now;
        e.utcOffsetMinutes = reply.utcOffsetMinutes;
        e.language = reply.language;
        e.updatedAtMs = now;
        e.photoCount = static_cast<std::uint32_t>(photos.size());
        e.seq = seq;
        const std::string_view text(reinterpret_cast<const char*>(sealedText.data()),
                                    sealedText.size());
        if (Status s = w.put(m.replyText, reply.id, text); !s.ok())
            return s;
        if (Status s = putPhotos(w, m.photoMeta, m.photos, reply.id, photos, *infos, sealedPhotos);
            !s.ok())
            return s;
        return storeReply(m, w, e, false, 0);
    });
}

Result<Reply> Store::loadReply(std::string_view id) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    return m.read<Reply>([&](const Reader& r) -> Result<Reply> {
        auto e = loadReplyIn(m, r, id);
        if (!e.ok())
            return e.error();
        auto sealed = r.view(m.replyText, id);
        if (!sealed.ok())
            return sealed.error();
        Reply out;
        out.id = e->id;
        out.reportUuid = e->reportUuid;
        out.kind = e->kind;
        out.createdAtMs = e->createdAtMs;
        out.utcOffsetMinutes = e->utcOffsetMinutes;
        out.language = e->language;
        if (*sealed) {
            auto plain = crypto::open(*m.opts.key, bytesOf(**sealed), replyTextAd(id));
            if (!plain.ok())
                return makeError(Errc::corrupt,
                                 "text of reply " + std::string(id) + ": " + plain.error().message);
            out.text.assign(plain->begin(), plain->end());
            wipeBytes(*plain);
        }
        return out;
    });
}

Result<ReplyEntry> Store::replyEntry(std::string_view id) const {
    const Impl& m = *impl_;
    return m.read<ReplyEntry>([&](const Reader& r) { return loadReplyIn(m, r, id); });
}

Result<std::vector<ReplyEntry>> Store::replies(std::string_view reportUuid) const {
    const Impl& m = *impl_;
    return m.read<std::vector<ReplyEntry>>([&](const Reader& r) {
        return m.repliesIn(r, [&](const ReplyEntry& e) { return e.reportUuid == reportUuid; });
    });
}

Result<std::vector<ReplyEntry>> Store::listReplies(std::optional<OutboxState> state) const {
    const Impl& m = *impl_;
    return m.read<std::vector<ReplyEntry>>([&](const Reader& r) {
        return m.repliesIn(r, [&](const ReplyEntry& e) { return !state || e.state == *state; });
    });
}

Result<std::optional<ReplyClaim>> Store::claimNextReply(std::string_view ownerId,
                                                        std::int64_t leaseMs) {
    Impl& m = *impl_;
    if (ownerId.empty() || leaseMs <= 0)
        return makeError(Errc::invalidInput, "claim needs an owner and a lease");
    if (!m.feedTables)
        return std::optional<ReplyClaim>();
    return m.write<std::optional<ReplyClaim>>([&](Writer& w) -> Result<std::optional<ReplyClaim>> {
        const std::int64_t now = m.now();
        auto found = m.firstDue<ReplyEntry>(
            w, m.replyDue, now,
            [&](const Reader& r, std::string_view id) { return loadReplyIn(m, r, id); });
        if (!found.ok())
            return found.error();
        if (!*found)
            return std::optional<ReplyClaim>();
        ReplyEntry& e = (*found)->second;
        auto report = m.loadRec(w, e.reportUuid);
        if (!report.ok())
            return report.error();
        const std::int64_t oldDue = dueOf(e);
        e.state = OutboxState::sending;
        e.leaseOwner = std::string(ownerId);
        e.leaseUntilMs = now + leaseMs;
        e.updatedAtMs = now;
        ++e.attempts;
        if (Status s = storeReply(m, w, e, true, oldDue); !s.ok())
            return s.error();
        return std::optional<ReplyClaim>(
            ReplyClaim{e.id, e.reportUuid, report->e.trackingId, e.attempts - 1, e.leaseUntilMs});
    });
}

Status Store::renewReplyLease(std::string_view id, std::string_view ownerId, std::int64_t leaseMs) {
    Impl& m = *impl_;
    return changeReply(m, id, [&](ReplyEntry& e) -> Status {
        if (e.state != OutboxState::sending || e.leaseOwner != ownerId) {
            return makeError(Errc::busy, "lease on reply " + e.id + " is no longer held by " +
                                             std::string(ownerId));
        }
        e.leaseUntilMs = m.now() + leaseMs;
        return {};
    });
}

Status Store::recordReplyDelivered(std::string_view id) {
    Impl& m = *impl_;
    return changeReply(m, id, [&](ReplyEntry& e) -> Status {
        if (e.state == OutboxState::delivered)
            return {};
        if (e.state == OutboxState::parked)
            return wrongReplyState(e, "not waiting for delivery");
        e.state = OutboxState::delivered;
        e.deliveredAtMs = m.now();
        e.leaseOwner.clear();
        e.leaseUntilMs = 0;
        return {};
    });
}

Status Store::recordReplyFailure(std::string_view id, std::string_view reason,
                                 std::int64_t nextAttemptAtMs) {
    Impl& m = *impl_;
    return changeReply(m, id, [&](ReplyEntry& e) -> Status {
        if (!inDue(e.state))
            return wrongReplyState(e, "not waiting for delivery");
        e.state = OutboxState::failed;
        e.lastError = std::string(reason);
        e.nextAttemptAtMs = nextAttemptAtMs;
        e.leaseOwner.clear();
        e.leaseUntilMs = 0;
        return {};
    });
}

Status Store::parkReply(std::string_view id, std::string_view reason) {
    Impl& m = *impl_;
    return changeReply(m, id, [&](ReplyEntry& e) -> Status {
        if (!inDue(e.state))
            return wrongReplyState(e, "it cannot be parked");
        e.state = OutboxState::parked;
        e.lastError = std::string(reason);
        e.leaseOwner.clear();
        e.leaseUntilMs = 0;
        return {};
    });
}

}  // namespace lapor
