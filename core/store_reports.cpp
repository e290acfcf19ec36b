// Saving reports: checked and sealed before the lock, then the report, its identity, photos,
// clips (sealed inside the transaction, store_clips.cpp), outbox entry and first history row in ONE
// write transaction; and loading them back.
#include "core/receipt_code.hpp"
#include "core/report_codec.hpp"
#include "core/store_impl.hpp"
#include "core/store_slips.hpp"
#include "core/validation.hpp"
#include "core/wipe.hpp"

namespace lapor {

using namespace storage;

namespace {

// A report made ready for the write transaction: checked, encoded, identity and photos sealed.
struct Prepared {
    const Report* report = nullptr;
    std::span<const Photo> photos;
    std::vector<PhotoInfo> infos;
    std::span<const Clip> clips;  // checked and hashed here, sealed inside the transaction
    std::vector<PhotoInfo> clipInfos;
    std::string publicJson;
    std::vector<std::uint8_t> identitySealed;
    std::vector<std::uint8_t> ownSealed;        // photo chunks sealed by prepare()...
    std::span<const std::uint8_t> aheadSealed;  // ...or ahead of it (SealedPhotos), when set
    bool sealedAhead = false;
    bool slipDue = false;  // ReportToSave::slipDue

    // (A function, not a span into ownSealed, so that moving a Prepared cannot leave it dangling.)
    [[nodiscard]] std::span<const std::uint8_t> photosSealed() const {
        return sealedAhead ? aheadSealed : std::span<const std::uint8_t>(ownSealed);
    }
};

Result<Prepared> prepare(const crypto::Key& key, const Report& report,
                         std::span<const Photo> photos, std::span<const Clip> clips,
                         const std::vector<PhotoInfo>* sealedInfos,
                         std::span<const std::uint8_t> sealedBytes) {
    if (!validUuid(report.uuid)) {
        return makeError(Errc::invalidInput,
                         "report UUID must be 36 lowercase characters (RFC 4122)");
    }
    if (report.receiptCode.size() > 32) {  // empty: the store assigns one (putReport)
        return makeError(Errc::invalidInput, "report's receipt code is longer than 32 characters");
    }
    if (!report.replacesUuid.empty() && !validUuid(report.replacesUuid)) {
        return makeError(Errc::invalidInput, "replaced report's UUID is malformed");
    }
    if (Status s = checkReportDates(report); !s.ok()) {
        return s.error();
    }
    // Clips first: their checks are cheap to fail before the photos are sealed.
    auto clipped = clipInfos(clips, static_cast<std::uint32_t>(photos.size()));
    if (!clipped.ok())
        return clipped.error();
    Prepared p;
    p.report = &report;
    p.photos = photos;
    p.clips = clips;
    p.clipInfos = std::move(*clipped);
    if (sealedInfos) {  // sealed ahead for this report and these photos
        p.aheadSealed = sealedBytes;
        p.sealedAhead = true;
        p.infos = *sealedInfos;
    } else {
        auto infos = photoInfos(photos);
        if (!infos.ok())
            return infos.error();
        p.infos = std::move(*infos);
        p.ownSealed = sealChunks(key, report.uuid, photos, p.infos);
    }
    p.publicJson = codec::encodeReportPublic(report);
    std::vector<std::uint8_t> identityPlain = codec::encodeIdentity(report.identity);
    p.identitySealed = crypto::seal(key, identityPlain, identityAd(report.uuid));
    wipeBytes(identityPlain);
    return p;
}

std::string_view chars(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Takes a new random receipt code in the receipts table, inside the save's transaction, so that a
// save that fails leaves no code behind. A code already taken (about one draw in 10^7 for a store
// of 100,000 reports) is drawn again.
Result<std::string> assignReceiptCode(Store::Impl& m, Writer& w, std::string_view uuid) {
    for (int draw = 0; draw < 16; ++draw) {
        auto code = receipt::generate(m.prefix);
        if (!code.ok())
            return code.error();
        const int rc = w.putRc(m.receipts, *code, uuid, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST)
            continue;
        if (Status s = w.check(rc, "write"); !s.ok())
            return s.error();
        return code;
    }
    return makeError(Errc::internal, "16 receipt codes in a row were taken: is the RNG broken?");
}

// Writes one prepared report, inside the batch's write transaction; returns its receipt code.
Result<std::string> putReport(Store::Impl& m, Writer& w, const Prepared& p, std::uint64_t seq,
                              std::int64_t at) {
    const Report& report = *p.report;
    const std::string& uuid = report.uuid;
    std::string code = report.receiptCode;
    if (code.empty()) {
        auto drawn = assignReceiptCode(m, w, uuid);
        if (!drawn.ok())
            return drawn.error();
        code = std::move(*drawn);
    } else {
        const int rc = w.putRc(m.receipts, code, uuid, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST)
            return makeError(Errc::invalidInput, "receipt code " + code + " is already in use");
        if (Status s = w.check(rc, "write"); !s.ok())
            return s.error();
    }
    const std::string assignedJson =
        report.receiptCode.empty() ? codec::encodeReportPublic(report, code) : std::string();
    int rc = w.putRc(m.reports, uuid, report.receiptCode.empty() ? assignedJson : p.publicJson,
                     MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return makeError(Errc::invalidInput, "report " + uuid + " is already stored");
    if (Status s = w.check(rc, "write"); !s.ok())
        return s.error();
    if (Status s = w.put(m.identity, uuid, chars(p.identitySealed)); !s.ok())
        return s.error();
    if (Status s = putPhotos(w, m.photoMeta, m.photos, uuid, p.photos, p.infos, p.photosSealed());
        !s.ok())
        return s.error();
    if (Status s = putClips(w, m.photoMeta, m.photos, *m.opts.key, uuid, p.clips, p.clipInfos);
        !s.ok())
        return s.error();
    Rec rec;
    rec.seq = seq;
    OutboxEntry& e = rec.e;
    e.uuid = uuid;
    e.receiptCode = code;
    e.state = OutboxState::queued;
    e.createdAtMs = report.createdAtMs != 0 ? report.createdAtMs : at;
    e.updatedAtMs = at;
    e.replacesUuid = report.replacesUuid;
    e.photoCount = static_cast<std::uint32_t>(p.photos.size());
    e.clipCount = static_cast<std::uint32_t>(p.clips.size());
    if (Status s = m.addHistory(w, rec, OutboxState::queued, at, "saved"); !s.ok())
        return s.error();
    // With the report, so that no crash can leave a stored report without its slip.
    if (p.slipDue) {
        if (Status s = w.put(m.status, slipStatusKey(uuid), slipDueValue); !s.ok())
            return s.error();
    }
    if (Status s = m.storeRec(w, rec, OutboxState::queued, 0, true); !s.ok())
        return s.error();
    return code;
}

}  // namespace

Status Store::saveReport(const Report& report, std::span<const Photo> photos) {
    return saveReport(report, photos, {}, nullptr);
}

Status Store::saveReport(const Report& report, std::span<const Photo> photos,
                         const SealedPhotos& sealed) {
    return saveReport(report, photos, {}, &sealed);
}

Status Store::saveReport(const Report& report, std::span<const Photo> photos,
                         std::span<const Clip> clips, const SealedPhotos* sealed) {
    ReportToSave one{&report, photos, sealed};
    one.clips = clips;
    auto codes = saveReports(std::span<const ReportToSave>(&one, 1));
    return codes.ok() ? Status{} : Status(codes.error());
}

Result<std::vector<std::string>> Store::saveReports(std::span<const ReportToSave> batch) {
    Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    // Work that needs no lock happens before the write transaction.
    std::vector<Prepared> ready;
    ready.reserve(batch.size());
    for (const ReportToSave& item : batch) {
        if (!item.report)
            return makeError(Errc::invalidInput, "no report given");
        const bool ahead = item.sealed && item.sealed->matches(item.report->uuid, item.photos);
        auto p = prepare(*m.opts.key, *item.report, item.photos, item.clips,
                         ahead ? &item.sealed->infos_ : nullptr,
                         ahead ? std::span<const std::uint8_t>(item.sealed->sealed_)
                               : std::span<const std::uint8_t>());
        if (!p.ok())
            return p.error();
        p->slipDue = item.slipDue;
        ready.push_back(std::move(*p));
    }
    const std::int64_t now = m.now();

    using Codes = std::vector<std::string>;
    return m.write<Codes>([&](Writer& w) -> Result<Codes> {
        auto seqRaw = w.get(m.meta, "next_seq");
        if (!seqRaw.ok())
            return seqRaw.error();
        std::uint64_t seq = *seqRaw && (*seqRaw)->size() == 8 ? readBE(**seqRaw, 0, 8) : 1;
        Codes codes;
        codes.reserve(ready.size());
        for (const Prepared& p : ready) {
            auto code = putReport(m, w, p, seq++, now);
            if (!code.ok())
                return code.error();
            codes.push_back(std::move(*code));
        }
        if (Status s = w.put(m.meta, "next_seq", be(seq, 8)); !s.ok())
            return s.error();
        return codes;
    });
}

Result<Report> Store::Impl::loadPublic(const Reader& r, std::string_view uuid) const {
    auto v = r.get(reports, uuid);
    if (!v.ok())
        return v.error();
    if (!*v)
        return makeError(Errc::notFound, "no report " + std::string(uuid));
    return codec::decodeReportPublic(**v);
}

Result<std::optional<Identity>> Store::Impl::loadIdentity(const Reader& r,
                                                          std::string_view uuid) const {
    auto sealed = r.view(identity, uuid);
    if (!sealed.ok())
        return sealed.error();
    if (!*sealed)  // absent once retention purged it
        return std::optional<Identity>();
    auto plain = crypto::open(*opts.key, bytesOf(**sealed), identityAd(uuid));
    if (!plain.ok()) {
        return makeError(Errc::corrupt,
                         "identity of " + std::string(uuid) + ": " + plain.error().message);
    }
    auto id = codec::decodeIdentity(*plain);
    wipeBytes(*plain);
    if (!id.ok()) {
        return makeError(Errc::corrupt,
                         "identity of " + std::string(uuid) + ": " + id.error().message);
    }
    return std::optional<Identity>(std::move(*id));
}

Result<Report> Store::loadReport(std::string_view uuid) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    return m.read<Report>([&](const Reader& r) -> Result<Report> {
        auto report = m.loadPublic(r, uuid);
        if (!report.ok())
            return report;
        auto id = m.loadIdentity(r, uuid);
        if (!id.ok())
            return id.error();
        if (*id)
            report->identity = std::move(**id);
        return report;
    });
}

Result<Report> Store::loadReportPublic(std::string_view uuid) const {
    return impl_->read<Report>([&](const Reader& r) { return impl_->loadPublic(r, uuid); });
}

Result<std::string> Store::findByReceiptCode(std::string_view code) const {
    return impl_->read<std::string>([&](const Reader& r) -> Result<std::string> {
        auto v = r.get(impl_->receipts, code);
        if (!v.ok())
            return v.error();
        if (!*v)
            return makeError(Errc::notFound, "no report with receipt code " + std::string(code));
        return std::move(**v);
    });
}

}  // namespace lapor
