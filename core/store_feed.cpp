// The status feed in the store: each report's timeline and the agency's follow-ups, applied once
// per update with the feed's cursor in the same transaction; and the status view by receipt code.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;
using nlohmann::json;

namespace {

// Timeline rows sort by report, then time, then the feed's id.
std::string timelineKey(std::string_view uuid, std::int64_t atMs, std::string_view id) {
    std::string k(uuid);
    appendBE(k, static_cast<std::uint64_t>(atMs), 8);
    k.append(id);
    return k;
}

std::string encodeUpdate(const FeedUpdate& u) {
    json j = {{"id", u.id},       {"ev", u.event},      {"st", u.status},   {"at", u.atMs},
              {"note", u.note},   {"cl", u.closed},     {"ai", u.agencyId}, {"ag", u.agency},
              {"rid", u.replyId}, {"tid", u.trackingId}};
    j["ca"] = u.closesAtMs ? json(*u.closesAtMs) : json(nullptr);
    if (u.followUp) {
        const FollowUp& f = *u.followUp;
        j["fu"] = {{"text", f.text},
                   {"ai", f.agencyId},
                   {"ag", f.agency},
                   {"at", f.atMs},
                   {"off", f.utcOffsetMinutes}};
    }
    return j.dump();
}

Result<FeedUpdate> decodeUpdate(std::string_view uuid, std::string_view text) {
    try {
        const json j = json::parse(text);
        FeedUpdate u;
        u.uuid = std::string(uuid);
        u.id = j.at("id").get<std::string>();
        u.event = j.at("ev").get<std::string>();
        u.status = j.at("st").get<std::string>();
        u.atMs = j.at("at").get<std::int64_t>();
        u.note = j.at("note").get<std::string>();
        u.closed = j.at("cl").get<bool>();
        u.agencyId = j.at("ai").get<std::string>();
        u.agency = j.at("ag").get<std::string>();
        u.replyId = j.at("rid").get<std::string>();
        u.trackingId = j.value("tid", std::string());
        if (!j.at("ca").is_null())
            u.closesAtMs = j.at("ca").get<std::int64_t>();
        if (j.contains("fu")) {
            const json& f = j.at("fu");
            u.followUp = FollowUp{f.at("text").get<std::string>(), f.at("ai").get<std::string>(),
                                  f.at("ag").get<std::string>(), f.at("at").get<std::int64_t>(),
                                  f.at("off").get<int>()};
        }
        return u;
    } catch (const json::exception& e) {
        return makeError(Errc::corrupt, "timeline row of " + std::string(uuid) + ": " + e.what());
    }
}

Result<std::vector<FeedUpdate>> timelineIn(const Store::Impl& m, const Reader& r,
                                           std::string_view uuid) {
    if (!m.feedTables)
        return std::vector<FeedUpdate>();
    // The prefix is the 36-character UUID, so another report's rows never match it.
    return decodePrefix<FeedUpdate>(
        r.txn(), m.timeline, uuid, [&](std::string_view text) { return decodeUpdate(uuid, text); });
}

}  // namespace

Result<std::size_t> Store::applyFeedPage(std::span<const FeedUpdate> updates,
                                         std::string_view nextCursor) {
    Impl& m = *impl_;
    return m.write<std::size_t>([&](Writer& w) -> Result<std::size_t> {
        std::size_t applied = 0;
        for (const FeedUpdate& u : updates) {
            if (!validUuid(u.uuid) || u.id.empty())
                continue;
            auto rec = m.loadRec(w, u.uuid);
            if (!rec.ok()) {
                if (rec.error().code == Errc::notFound)
                    continue;  // not a report of this store
                return rec.error();
            }
            auto known = timelineIn(m, w, u.uuid);
            if (!known.ok())
                return known.error();
            if (std::any_of(known->begin(), known->end(),
                            [&](const FeedUpdate& k) { return k.id == u.id; }))
                continue;  // a page read again after a crash: applied once
            if (Status s = w.put(m.timeline, timelineKey(u.uuid, u.atMs, u.id), encodeUpdate(u));
                !s.ok())
                return s.error();
            if (u.state && isDelivered(rec->e.state)) {
                const std::string note = u.status == "rejected" ? "rejected: " + u.note : u.note;
                if (Status s = m.statusUpdateIn(w, u.uuid, *u.state, u.atMs, note); !s.ok())
                    return s.error();
            }
            ++applied;
        }
        if (Status s = w.put(m.status, feedCursorKey, nextCursor); !s.ok())
            return s.error();
        return applied;
    });
}

Result<std::vector<FeedUpdate>> Store::timeline(std::string_view uuid) const {
    const Impl& m = *impl_;
    return m.read<std::vector<FeedUpdate>>([&](const Reader& r) { return timelineIn(m, r, uuid); });
}

Result<ReportStatus> Store::Impl::statusIn(const Reader& r, std::string_view uuid) const {
    auto report = loadPublic(r, uuid);  // never the identity
    if (!report.ok())
        return report.error();
    auto rec = loadRec(r, uuid);
    if (!rec.ok())
        return rec.error();
    ReportStatus out;
    out.uuid = std::string(uuid);
    out.receiptCode = rec->e.receiptCode;
    out.kind = report->kind;
    out.title = std::move(report->title);
    out.filedAtMs = rec->e.createdAtMs;
    out.utcOffsetMinutes = report->utcOffsetMinutes;
    out.state = rec->e.state;
    out.trackingId = rec->e.trackingId;
    out.deliveredAtMs = rec->e.deliveredAtMs;
    auto rows = timelineIn(*this, r, uuid);
    if (!rows.ok())
        return rows.error();
    out.timeline = std::move(*rows);
    for (const FeedUpdate& u : out.timeline) {
        if (u.followUp)
            out.followUps.push_back(*u.followUp);
    }
    auto replied = repliesIn(r, [&](const ReplyEntry& e) { return e.reportUuid == uuid; });
    if (!replied.ok())
        return replied.error();
    out.replies = std::move(*replied);
    if (!out.timeline.empty()) {
        const FeedUpdate& last = out.timeline.back();
        out.closed = last.closed;
        out.closesAtMs = last.closesAtMs;
        // A follow-up the visitor can answer must be there (Open311 statuses bring none).
        out.canReply = !last.closed && last.status == "followed_up" && !out.followUps.empty();
    } else {
        // Stored by an agent before the timeline existed: the state alone.
        out.closed = out.state == OutboxState::closed;
        out.canReply = out.state == OutboxState::followedUp;
    }
    if (out.state == OutboxState::closed) {
        out.closed = true;
        out.canReply = false;
    }
    return out;
}

Result<ReportStatus> Store::statusOf(std::string_view uuid) const {
    const Impl& m = *impl_;
    return m.read<ReportStatus>([&](const Reader& r) { return m.statusIn(r, uuid); });
}

Result<ReportStatus> Store::statusByReceiptCode(std::string_view code) const {
    const Impl& m = *impl_;
    return m.read<ReportStatus>([&](const Reader& r) -> Result<ReportStatus> {
        auto uuid = r.get(m.receipts, code);
        if (!uuid.ok())
            return uuid.error();
        if (!*uuid)
            return makeError(Errc::notFound, "no report with this receipt code");
        return m.statusIn(r, **uuid);
    });
}

}  // namespace lapor
