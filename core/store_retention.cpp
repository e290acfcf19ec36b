// Retention and integrity: purging the photos and identity of reports delivered long ago (the
// receipt code, tracking ID and history stay) and the text and photos of replies delivered long
// ago, and verify, which opens and checks every record.
#include "core/log.hpp"
#include "core/report_codec.hpp"
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

Result<Store::PurgeCounts> Store::purgeDelivered(int olderThanDays) {
    Impl& m = *impl_;
    if (olderThanDays < 0)
        return makeError(Errc::invalidInput, "retention days must not be negative");
    const std::int64_t cutoff = m.now() - std::int64_t{olderThanDays} * 24 * 3600 * 1000;
    std::vector<std::string> candidates;
    for (OutboxState s : allOutboxStates()) {
        if (!isDelivered(s))
            continue;
        auto list = listByState(s);
        if (!list.ok())
            return list.error();
        for (const auto& e : *list) {
            if (!e.purged && e.deliveredAtMs <= cutoff)
                candidates.push_back(e.uuid);
        }
    }
    std::uint64_t purged = 0;
    // A small transaction per report keeps the writer lock short for the kiosk.
    for (const auto& uuid : candidates) {
        Status s = m.transition(uuid, [&](Writer& w, Rec& rec, bool& changed) -> Status {
            if (rec.e.purged || !isDelivered(rec.e.state) || rec.e.deliveredAtMs > cutoff) {
                changed = false;
                return {};
            }
            if (Status d = w.del(m.identity, uuid); !d.ok())
                return d;
            if (Status d = deleteItems(w, m.photoMeta, m.photos, uuid); !d.ok())
                return d;
            rec.e.purged = true;
            ++purged;
            return m.addHistory(w, rec, rec.e.state, m.now(),
                                "retention: photos and identity removed");
        });
        if (!s.ok())
            return s.error();
    }
    auto replies = m.purgeReplies(cutoff);
    if (!replies.ok())
        return replies.error();
    if (purged > 0 || *replies > 0) {
        log::info("store", "retention purged " + std::to_string(purged) + " report(s), " +
                               std::to_string(*replies) + " reply(ies)");
    }
    return PurgeCounts{purged, *replies};
}

namespace {

// Opens and hashes, chunk by chunk, the items stored under `owner` (a report's UUID or a reply's
// id): photos 0..photoCount-1, then clips. Counts them in `out`, names what is wrong to `problem`.
template <class Problem>
void checkItems(const Store::Impl& m, const Store::Impl::Reader& r, std::string_view owner,
                std::uint32_t photoCount, std::uint32_t clipCount, Store::VerifyReport& out,
                Problem&& problem) {
    const std::uint32_t items = photoCount + clipCount;
    for (std::uint32_t i = 0; i < items; ++i) {
        const std::string item = (i < photoCount ? "photo " : "clip ") + std::to_string(i);
        auto info = m.photoInfo(r, owner, i);
        if (!info.ok()) {
            problem(item + ": " + info.error().message);
            continue;
        }
        if ((info->kind == MediaKind::photo) != (i < photoCount))
            problem(item + ": stored as the wrong kind of item");
        ++(info->kind == MediaKind::photo ? out.photos : out.clips);
        crypto::Sha256 hash;
        std::uint64_t size = 0;
        bool ok = true;
        for (std::uint32_t c = 0; c < info->chunkCount; ++c) {
            auto plain = m.chunk(r, owner, i, c);
            if (!plain.ok()) {
                problem(item + " chunk " + std::to_string(c) + ": " + plain.error().message);
                ok = false;
                break;
            }
            hash.update(*plain);
            size += plain->size();
        }
        if (ok && (size != info->size || hash.finishHex() != info->sha256Hex))
            problem(item + ": does not match its SHA-256");
        out.bytes += size;
    }
}

}  // namespace

Result<Store::VerifyReport> Store::verify() const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    auto all = listAll();
    if (!all.ok())
        return all.error();
    VerifyReport out;
    for (const OutboxEntry& e : *all) {
        ++out.reports;
        auto problem = [&](std::string what) { out.problems.push_back({e.uuid, std::move(what)}); };
        auto checked = m.read<bool>([&](const Reader& r) -> Result<bool> {
            auto report = m.loadPublic(r, e.uuid);
            if (!report.ok())
                problem("report: " + report.error().message);
            auto code = r.get(m.receipts, e.receiptCode);
            if (!code.ok() || !*code || **code != e.uuid)
                problem("receipt code index does not point here");
            auto identity = m.loadIdentity(r, e.uuid);
            if (!identity.ok() && identity.error().code != Errc::corrupt)
                return identity.error();
            if (!identity.ok())
                problem(identity.error().message);
            else if (!*identity && !e.purged)
                problem("identity missing");
            checkItems(m, r, e.uuid, e.purged ? 0 : e.photoCount, e.purged ? 0 : e.clipCount, out,
                       problem);
            return true;
        });
        releaseMappedPages();
        if (!checked.ok())
            return checked.error();
    }
    // The citizen's replies' photos, stored under each reply's id (their text is checked when the
    // agent opens it); none once retention purged the reply.
    auto replies = m.read<bool>([&](const Reader& r) -> Result<bool> {
        auto all = m.repliesIn(r, [](const ReplyEntry&) { return true; });
        if (!all.ok())
            return all.error();
        for (const ReplyEntry& reply : *all) {
            checkItems(m, r, reply.id, reply.purged ? 0 : reply.photoCount, 0, out,
                       [&](std::string what) {
                           out.problems.push_back({reply.id, "reply " + std::move(what)});
                       });
        }
        return true;
    });
    releaseMappedPages();
    if (!replies.ok())
        return replies.error();
    return out;
}

}  // namespace lapor
