// The store's layout: its tables, their keys, and the encoding of every record in them.
//
// Layout (named databases in one environment):
//
//   database   key                              value
//   ---------  -------------------------------  ----------------------------------------------
//   meta       "schema"                         u32 BE
//              "device_id", "receipt_prefix",   strings
//              "created_at"
//              "next_seq"                       u64 BE
//   reports    uuid                             clear-text report JSON (no identity)
//   identity   uuid                             sealed identity
//                                               (associated data "lapor/identity/v1/<uuid>")
//   photometa  uuid + u16 index                 PhotoInfo JSON (photos first, then clips:
//                                               "k" kind and "d" duration, absent for photos)
//   photos     uuid + u16 index + u32 chunk     sealed chunk ("lapor/photo/v1/<uuid>/<i>/<c>"),
//                                               clips' chunks too, with the same binding
//   outbox     uuid                             outbox record JSON
//   due        u64 due-ms + u64 seq             uuid: queued (due 0), failed (next attempt),
//                                               sending (lease end)
//   bystate    u8 state                         (dup, fixed) u64 created-ms + uuid
//   history    uuid + u32 n                     {"t","s","r"}
//   receipts   receipt code                     uuid
//   catalog    "current"                        catalog JSON with its ETag
//   status     key                              value
//   staff      staff id                         sealed account JSON ("lapor/staff/v1/<id>")
//   audit      u64 BE at-ms + u64 BE n          audit row JSON (no PIN, no citizen data)
//
// The tables are opened in Store::Impl::openDatabases (store_open.cpp).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/store_impl.hpp"

namespace lapor::storage {

using nlohmann::json;

std::string be(std::uint64_t v, int bytes) {
    std::string s;
    appendBE(s, v, bytes);
    return s;
}

bool validUuid(std::string_view u) {
    if (u.size() != uuidLength)
        return false;
    for (std::size_t i = 0; i < u.size(); ++i) {
        char c = u[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string photoMetaKey(std::string_view uuid, std::uint32_t index) {
    std::string k(uuid);
    appendBE(k, index, 2);
    return k;
}

std::string photoKey(std::string_view uuid, std::uint32_t index, std::uint32_t chunk) {
    std::string k = photoMetaKey(uuid, index);
    appendBE(k, chunk, 4);
    return k;
}

std::string historyKey(std::string_view uuid, std::uint32_t n) {
    std::string k(uuid);
    appendBE(k, n, 4);
    return k;
}

std::string dueKey(std::int64_t dueMs, std::uint64_t seq) {
    std::string k;
    appendBE(k, static_cast<std::uint64_t>(std::max<std::int64_t>(dueMs, 0)), 8);
    appendBE(k, seq, 8);
    return k;
}

std::string stateKey(OutboxState state) {
    return std::string(1, static_cast<char>(state));
}

std::string stateValue(std::int64_t createdAtMs, std::string_view uuid) {
    std::string v;
    appendBE(v, static_cast<std::uint64_t>(std::max<std::int64_t>(createdAtMs, 0)), 8);
    v.append(uuid);
    return v;
}

std::string identityAd(std::string_view uuid) {
    return "lapor/identity/v1/" + std::string(uuid);
}

std::string photoAd(std::string_view uuid, std::uint32_t index, std::uint32_t chunk) {
    return "lapor/photo/v1/" + std::string(uuid) + "/" + std::to_string(index) + "/" +
           std::to_string(chunk);
}

std::string encodeRec(const Rec& r) {
    const OutboxEntry& e = r.e;
    json j = {{"u", e.uuid},          {"c", e.receiptCode},  {"s", static_cast<int>(e.state)},
              {"ca", e.createdAtMs},  {"ua", e.updatedAtMs}, {"na", e.nextAttemptAtMs},
              {"lu", e.leaseUntilMs}, {"lo", e.leaseOwner},  {"n", e.attempts},
              {"le", e.lastError},    {"t", e.trackingId},   {"da", e.deliveredAtMs},
              {"rp", e.replacesUuid}, {"p", e.purged},       {"pc", e.photoCount},
              {"q", r.seq},           {"sa", r.statusAtMs},  {"h", r.historyCount}};
    if (e.clipCount != 0)  // absent when 0, as in every record from before clips
        j["cc"] = e.clipCount;
    return j.dump();
}

Result<Rec> decodeRec(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "outbox record is not JSON");
    try {
        Rec r;
        OutboxEntry& e = r.e;
        e.uuid = j.at("u").get<std::string>();
        e.receiptCode = j.at("c").get<std::string>();
        e.state = static_cast<OutboxState>(j.at("s").get<int>());
        e.createdAtMs = j.at("ca").get<std::int64_t>();
        e.updatedAtMs = j.at("ua").get<std::int64_t>();
        e.nextAttemptAtMs = j.at("na").get<std::int64_t>();
        e.leaseUntilMs = j.at("lu").get<std::int64_t>();
        e.leaseOwner = j.at("lo").get<std::string>();
        e.attempts = j.at("n").get<std::uint32_t>();
        e.lastError = j.at("le").get<std::string>();
        e.trackingId = j.at("t").get<std::string>();
        e.deliveredAtMs = j.at("da").get<std::int64_t>();
        e.replacesUuid = j.at("rp").get<std::string>();
        e.purged = j.at("p").get<bool>();
        e.photoCount = j.at("pc").get<std::uint32_t>();
        e.clipCount = j.value("cc", std::uint32_t{0});
        r.seq = j.at("q").get<std::uint64_t>();
        r.statusAtMs = j.at("sa").get<std::int64_t>();
        r.historyCount = j.at("h").get<std::uint32_t>();
        return r;
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("outbox record malformed: ") + ex.what());
    }
}

std::string encodePhotoInfo(const PhotoInfo& p) {
    json j = {{"i", p.index}, {"z", p.size},   {"h", p.sha256Hex},
              {"w", p.width}, {"v", p.height}, {"c", p.chunkCount}};
    // A photo's record stays as it was before clips, so that older readers read it unchanged.
    if (p.kind != MediaKind::photo) {
        j["k"] = static_cast<int>(p.kind);
        j["d"] = p.durationMs;
    }
    return j.dump();
}

Result<PhotoInfo> decodePhotoInfo(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "photo record is not JSON");
    try {
        PhotoInfo p{j.at("i").get<std::uint32_t>(), j.at("z").get<std::uint64_t>(),
                    j.at("h").get<std::string>(),   j.at("w").get<std::uint32_t>(),
                    j.at("v").get<std::uint32_t>(), j.at("c").get<std::uint32_t>()};
        const int kind = j.value("k", 0);  // absent: a photo (records from before clips)
        if (kind < 0 || kind > static_cast<int>(MediaKind::voice))
            return makeError(Errc::corrupt, "photo record has an unknown kind");
        p.kind = static_cast<MediaKind>(kind);
        p.durationMs = j.value("d", std::uint32_t{0});
        return p;
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("photo record malformed: ") + ex.what());
    }
}

std::string encodeHistory(const HistoryEntry& h) {
    return json{{"t", h.atMs}, {"s", static_cast<int>(h.state)}, {"r", h.reason}}.dump();
}

Result<HistoryEntry> decodeHistory(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "history row malformed");
    try {
        return HistoryEntry{j.value("t", std::int64_t{0}),
                            static_cast<OutboxState>(j.value("s", 0)), j.value("r", std::string())};
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("history row malformed: ") + ex.what());
    }
}

}  // namespace lapor::storage
