// The LMDB store: layout, transactions with map growth, reports, photos, outbox, catalog, status.
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
//   photometa  uuid + u16 index                 PhotoInfo JSON
//   photos     uuid + u16 index + u32 chunk     sealed chunk ("lapor/photo/v1/<uuid>/<i>/<c>")
//   outbox     uuid                             outbox record JSON
//   due        u64 due-ms + u64 seq             uuid: queued (due 0), failed (next attempt),
//                                               sending (lease end)
//   bystate    u8 state                         (dup, fixed) u64 created-ms + uuid
//   history    uuid + u32 n                     {"t","s","r"}
//   receipts   receipt code                     uuid
//   catalog    "current"                        catalog JSON with its ETag
//   status     key                              value
#include "core/store.hpp"

#include <lmdb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <thread>

#include "core/log.hpp"
#include "core/receipt_code.hpp"
#include "core/report_codec.hpp"
#include "core/store_slips.hpp"
#include "core/validation.hpp"
#include "core/wipe.hpp"

namespace lapor {

using nlohmann::json;

namespace {

constexpr std::size_t uuidLength = 36;

// --- byte helpers ---
void appendBE(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t readBE(std::string_view in, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | static_cast<std::uint8_t>(in[at + i]);
    return v;
}
MDB_val mv(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
std::string_view sv(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}
std::span<const std::uint8_t> bytesOf(const MDB_val& v) {
    return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
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

Error lmdbError(int rc, std::string_view what) {
    Errc code = Errc::ioError;
    switch (rc) {
        case MDB_MAP_FULL:
        case ENOSPC:
        case EDQUOT: code = Errc::diskFull; break;
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_INVALID:
        case MDB_VERSION_MISMATCH:
        case MDB_BAD_DBI: code = Errc::corrupt; break;
        case EACCES:
        case EPERM:
        case EROFS: code = Errc::permission; break;
        case MDB_READERS_FULL:
        case EAGAIN: code = Errc::busy; break;
        case ENOENT: code = Errc::notFound; break;
        case MDB_NOTFOUND: code = Errc::notFound; break;
        default: break;
    }
    return makeError(code, std::string(what) + ": " + mdb_strerror(rc));
}

// --- outbox record ---
struct Rec {
    OutboxEntry e;
    std::uint64_t seq = 0;
    std::int64_t statusAtMs = 0;  // time of the national status now in e.state
    std::uint32_t historyCount = 0;
};

std::string encodeRec(const Rec& r) {
    const OutboxEntry& e = r.e;
    json j = {{"u", e.uuid},          {"c", e.receiptCode},  {"s", static_cast<int>(e.state)},
              {"ca", e.createdAtMs},  {"ua", e.updatedAtMs}, {"na", e.nextAttemptAtMs},
              {"lu", e.leaseUntilMs}, {"lo", e.leaseOwner},  {"n", e.attempts},
              {"le", e.lastError},    {"t", e.trackingId},   {"da", e.deliveredAtMs},
              {"rp", e.replacesUuid}, {"p", e.purged},       {"pc", e.photoCount},
              {"q", r.seq},           {"sa", r.statusAtMs},  {"h", r.historyCount}};
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
        r.seq = j.at("q").get<std::uint64_t>();
        r.statusAtMs = j.at("sa").get<std::int64_t>();
        r.historyCount = j.at("h").get<std::uint32_t>();
        return r;
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("outbox record malformed: ") + ex.what());
    }
}

std::string encodePhotoInfo(const PhotoInfo& p) {
    return json{{"i", p.index}, {"z", p.size},   {"h", p.sha256Hex},
                {"w", p.width}, {"v", p.height}, {"c", p.chunkCount}}
        .dump();
}

Result<PhotoInfo> decodePhotoInfo(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "photo record is not JSON");
    try {
        return PhotoInfo{j.at("i").get<std::uint32_t>(), j.at("z").get<std::uint64_t>(),
                         j.at("h").get<std::string>(),   j.at("w").get<std::uint32_t>(),
                         j.at("v").get<std::uint32_t>(), j.at("c").get<std::uint32_t>()};
    } catch (const json::exception& ex) {
        return makeError(Errc::corrupt, std::string("photo record malformed: ") + ex.what());
    }
}

constexpr OutboxState kAllStates[] = {
    OutboxState::queued,     OutboxState::sending,  OutboxState::failed,   OutboxState::parked,
    OutboxState::delivered,  OutboxState::received, OutboxState::verified, OutboxState::forwarded,
    OutboxState::followedUp, OutboxState::closed,
};

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
// Transactions

namespace {

// Reads within one transaction; values are copied out before it ends.
class Reader {
  public:
    explicit Reader(MDB_txn* txn) : txn_(txn) {}
    MDB_txn* txn() const { return txn_; }

    // nullopt when absent.
    Result<std::optional<std::string>> get(MDB_dbi dbi, std::string_view key) const {
        MDB_val k = mv(key), v{};
        int rc = mdb_get(txn_, dbi, &k, &v);
        if (rc == MDB_NOTFOUND)
            return std::optional<std::string>();
        if (rc != 0)
            return lmdbError(rc, "read");
        return std::optional<std::string>(std::string(sv(v)));
    }
    // A view valid until the transaction ends.
    Result<std::optional<MDB_val>> view(MDB_dbi dbi, std::string_view key) const {
        MDB_val k = mv(key), v{};
        int rc = mdb_get(txn_, dbi, &k, &v);
        if (rc == MDB_NOTFOUND)
            return std::optional<MDB_val>();
        if (rc != 0)
            return lmdbError(rc, "read");
        return std::optional<MDB_val>(v);
    }

  protected:
    MDB_txn* txn_;
};

// Cursor RAII.
class Cursor {
  public:
    Cursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &c_); }
    ~Cursor() {
        if (c_)
            mdb_cursor_close(c_);
    }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    int openRc() const { return rc_; }
    int get(MDB_val& k, MDB_val& v, MDB_cursor_op op) { return mdb_cursor_get(c_, &k, &v, op); }
    MDB_cursor* raw() { return c_; }

  private:
    MDB_cursor* c_ = nullptr;
    int rc_ = 0;
};

// Calls fn(key, value) for every key starting with `prefix`, in order; stops when fn returns false.
template <class F>
Status forPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, F&& fn) {
    Cursor c(txn, dbi);
    if (c.openRc() != 0)
        return lmdbError(c.openRc(), "cursor");
    MDB_val k = mv(prefix), v{};
    // LMDB refuses an empty key: an empty prefix means "from the first".
    int rc = c.get(k, v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
    while (rc == 0) {
        std::string_view key = sv(k);
        if (key.substr(0, prefix.size()) != prefix)
            break;
        if (!fn(key, v))
            break;
        rc = c.get(k, v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        return lmdbError(rc, "cursor");
    return {};
}

class Writer : public Reader {
  public:
    explicit Writer(MDB_txn* txn) : Reader(txn) {}
    bool mapFull = false;

    Status put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0) {
        return check(putRc(dbi, key, value, flags), "write");
    }
    // The raw LMDB code, for callers that treat MDB_KEYEXIST as an answer.
    int putRc(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
        MDB_val k = mv(key), v = mv(value);
        return mdb_put(txn_, dbi, &k, &v, flags);
    }
    // Room for `size` bytes under `key`, to be filled before the transaction ends.
    Result<std::span<std::uint8_t>> reserve(MDB_dbi dbi, std::string_view key, std::size_t size) {
        MDB_val k = mv(key), v{size, nullptr};
        Status s = check(mdb_put(txn_, dbi, &k, &v, MDB_RESERVE), "write");
        if (!s.ok())
            return s.error();
        return std::span<std::uint8_t>(static_cast<std::uint8_t*>(v.mv_data), size);
    }
    // Deletes key (or one duplicate when `value` is given); absent is fine.
    Status del(MDB_dbi dbi, std::string_view key, std::optional<std::string_view> value = {}) {
        MDB_val k = mv(key), v{};
        if (value)
            v = mv(*value);
        int rc = mdb_del(txn_, dbi, &k, value ? &v : nullptr);
        if (rc == MDB_NOTFOUND)
            return {};
        return check(rc, "delete");
    }
    // Deletes every key starting with `prefix`.
    Status delPrefix(MDB_dbi dbi, std::string_view prefix) {
        Cursor c(txn_, dbi);
        if (c.openRc() != 0)
            return lmdbError(c.openRc(), "cursor");
        MDB_val k = mv(prefix), v{};
        int rc = c.get(k, v, MDB_SET_RANGE);
        while (rc == 0 && sv(k).substr(0, prefix.size()) == prefix) {
            if (Status s = check(mdb_cursor_del(c.raw(), 0), "delete"); !s.ok())
                return s;
            rc = c.get(k, v, MDB_GET_CURRENT);
            if (rc == MDB_NOTFOUND || rc == EINVAL)
                rc = c.get(k, v, MDB_NEXT);
        }
        if (rc != 0 && rc != MDB_NOTFOUND && rc != EINVAL)
            return lmdbError(rc, "cursor");
        return {};
    }
    Status check(int rc, std::string_view what) {
        if (rc == 0)
            return {};
        if (rc == MDB_MAP_FULL)
            mapFull = true;
        return lmdbError(rc, what);
    }
};

}  // namespace

namespace {

// Size, hash and chunk count of each photo, as stored in the photometa table.
Result<std::vector<PhotoInfo>> photoInfos(std::span<const Photo> photos) {
    if (photos.size() > 0xffff)
        return makeError(Errc::invalidInput, "too many photos");
    std::vector<PhotoInfo> infos;
    infos.reserve(photos.size());
    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        const Photo& photo = photos[i];
        if (photo.jpeg.empty())
            return makeError(Errc::invalidInput, "photo " + std::to_string(i) + " is empty");
        PhotoInfo info;
        info.index = i;
        info.size = photo.jpeg.size();
        // The hash the camera computed is trusted here (hashing 1.5 MB would double the save
        // time); verify() checks it against the stored bytes.
        info.sha256Hex = photo.sha256Hex.empty() ? crypto::sha256Hex(photo.jpeg) : photo.sha256Hex;
        info.width = photo.width;
        info.height = photo.height;
        info.chunkCount =
            static_cast<std::uint32_t>((photo.jpeg.size() + photoChunkBytes - 1) / photoChunkBytes);
        infos.push_back(std::move(info));
    }
    return infos;
}

// Seals every chunk of every photo, back to back in photo and chunk order, on up to four threads.
// Sealing is most of a save's CPU (XChaCha20-Poly1305 over 1.5 MB: about 0.9 ms on one core of
// this machine), it splits per chunk, and it runs before the write lock is taken.
std::vector<std::uint8_t> sealChunks(const crypto::Key& key, std::string_view uuid,
                                     std::span<const Photo> photos,
                                     const std::vector<PhotoInfo>& infos) {
    struct Job {
        std::uint32_t photo, chunk;
        std::size_t at;
    };
    std::vector<Job> jobs;
    std::size_t total = 0;
    for (std::uint32_t i = 0; i < photos.size(); ++i) {
        for (std::uint32_t c = 0; c < infos[i].chunkCount; ++c) {
            jobs.push_back({i, c, total});
            total += std::min(photoChunkBytes, photos[i].jpeg.size() - c * photoChunkBytes) +
                     crypto::sealOverhead;
        }
    }
    std::vector<std::uint8_t> out(total);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t j = next++; j < jobs.size(); j = next++) {
            const Job& job = jobs[j];
            auto part = std::span<const std::uint8_t>(photos[job.photo].jpeg)
                            .subspan(job.chunk * photoChunkBytes);
            part = part.first(std::min(photoChunkBytes, part.size()));
            crypto::sealTo(key, part, photoAd(uuid, job.photo, job.chunk),
                           std::span(out).subspan(job.at, part.size() + crypto::sealOverhead));
        }
    };
    // A thread costs tens of microseconds: worth it from a few chunks on.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const auto threads =
        static_cast<unsigned>(std::min<std::size_t>({cores, 4, (jobs.size() + 3) / 4}));
    {
        std::vector<std::jthread> helpers;
        for (unsigned t = 1; t < threads; ++t)
            helpers.emplace_back(work);
        work();
    }
    return out;
}

// A report made ready for the write transaction: checked, encoded, identity and photos sealed.
struct Prepared {
    const Report* report = nullptr;
    std::span<const Photo> photos;
    std::vector<PhotoInfo> infos;
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
                         std::span<const Photo> photos, const std::vector<PhotoInfo>* sealedInfos,
                         std::span<const std::uint8_t> sealedBytes) {
    if (!validUuid(report.uuid)) {
        return makeError(Errc::invalidInput,
                         "report UUID must be 36 lowercase characters (RFC 4122)");
    }
    if (report.receiptCode.empty() || report.receiptCode.size() > 32) {
        return makeError(Errc::invalidInput, "report has no receipt code");
    }
    if (!report.replacesUuid.empty() && !validUuid(report.replacesUuid)) {
        return makeError(Errc::invalidInput, "replaced report's UUID is malformed");
    }
    if (Status s = checkReportDates(report); !s.ok()) {
        return s.error();
    }
    Prepared p;
    p.report = &report;
    p.photos = photos;
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

}  // namespace

struct Store::Impl {
    StoreOptions opts;
    const Clock* clock = nullptr;
    MDB_env* env = nullptr;
    // Shared by every transaction of this process; exclusive while the map is resized, which
    // LMDB allows only when this process has no transaction open.
    mutable std::shared_mutex mapMutex;
    MDB_dbi meta = 0, reports = 0, identity = 0, photoMeta = 0, photos = 0, outbox = 0, due = 0,
            byState = 0, history = 0, receipts = 0, catalog = 0, status = 0;
    std::string deviceId, prefix;
    std::uint32_t schema = 0;

    ~Impl() {
        if (env)
            mdb_env_close(env);
    }

    std::int64_t now() const { return clock->wallMs(); }

    // Where this process maps the data file, found once per map size. LMDB does not say
    // (mdb_env_info's me_mapaddr is only the MDB_FIXEDMAP address), so it is looked up in
    // /proc/self/maps by the file's device and inode. Call with mapMutex held (shared is enough).
    mutable std::mutex mapRangeMutex;
    mutable std::uint64_t mapRangeSize = 0;  // the map size the cached range belongs to
    mutable std::pair<void*, std::size_t> mapRangeCached{nullptr, 0};

    std::pair<void*, std::size_t> mapRange() const {
        MDB_envinfo info{};
        if (mdb_env_info(env, &info) != 0)
            return {nullptr, 0};
        std::lock_guard guard(mapRangeMutex);
        if (mapRangeSize == info.me_mapsize)
            return mapRangeCached;
        mapRangeSize = info.me_mapsize;
        mapRangeCached = {nullptr, 0};
        mdb_filehandle_t fd = -1;
        struct stat st {};
        if (mdb_env_get_fd(env, &fd) != 0 || ::fstat(fd, &st) != 0)
            return mapRangeCached;
        std::ifstream maps("/proc/self/maps");
        std::string line;
        while (std::getline(maps, line)) {
            unsigned long long begin = 0, end = 0, offset = 0, inode = 0;
            unsigned int maj = 0, min = 0;
            char perms[8] = {};
            if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu", &begin, &end, perms,
                            &offset, &maj, &min, &inode) == 7 &&
                inode == st.st_ino && maj == major(st.st_dev) && min == minor(st.st_dev)) {
                mapRangeCached = {reinterpret_cast<void*>(begin), end - begin};
                break;
            }
        }
        return mapRangeCached;
    }

    // Adopts a map size another process set (MDB_MAP_RESIZED).
    Status adoptMapSize() const {
        std::unique_lock lock(mapMutex);
        int rc = mdb_env_set_mapsize(env, 0);
        if (rc != 0)
            return lmdbError(rc, "adopt map size");
        return {};
    }

    // Grows the map: first to what another process already set, else doubles up to the limit.
    Status growMap() {
        std::unique_lock lock(mapMutex);
        MDB_envinfo before{};
        mdb_env_info(env, &before);
        mdb_env_set_mapsize(env, 0);
        MDB_envinfo after{};
        mdb_env_info(env, &after);
        if (after.me_mapsize > before.me_mapsize)
            return {};
        if (after.me_mapsize >= opts.maxMapSize) {
            return makeError(Errc::diskFull, "store is full: map size reached its limit of " +
                                                 std::to_string(opts.maxMapSize >> 20) +
                                                 " MiB (store.max_map_size_mib)");
        }
        std::uint64_t next = std::min<std::uint64_t>(opts.maxMapSize, after.me_mapsize * 2);
        int rc = mdb_env_set_mapsize(env, next);
        if (rc != 0)
            return lmdbError(rc, "grow map");
        log::info("store", "map grown to " + std::to_string(next >> 20) + " MiB");
        return {};
    }

    // A commit failed: say "disk full" when that is why (a short write reports EIO).
    Error commitError(int rc) const {
        if (rc == ENOSPC || rc == EDQUOT || rc == EIO) {
            struct statvfs vfs {};
            if (rc != EIO ||
                (::statvfs(opts.path.c_str(), &vfs) == 0 &&
                 static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize < (16u << 20))) {
                return makeError(Errc::diskFull,
                                 "the disk holding the store is full; nothing was saved (" +
                                     std::string(mdb_strerror(rc)) + ")");
            }
        }
        return lmdbError(rc, "commit");
    }

    template <class T, class F>
    Result<T> read(F&& fn) const {
        for (int attempt = 0; attempt < 8; ++attempt) {
            bool resized = false;
            {
                std::shared_lock lock(mapMutex);
                MDB_txn* txn = nullptr;
                int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
                if (rc == MDB_MAP_RESIZED) {
                    resized = true;
                } else if (rc != 0) {
                    return lmdbError(rc, "begin read");
                } else {
                    Reader r(txn);
                    Result<T> out = fn(r);
                    mdb_txn_abort(txn);
                    return out;
                }
            }
            if (resized) {
                if (Status s = adoptMapSize(); !s.ok())
                    return s.error();
            }
        }
        return makeError(Errc::busy, "store map keeps changing size");
    }

    template <class T, class F>
    Result<T> write(F&& fn) {
        if (opts.readOnly)
            return makeError(Errc::permission, "store opened read-only");
        for (int attempt = 0; attempt < 64; ++attempt) {
            bool resized = false, full = false;
            {
                std::shared_lock lock(mapMutex);
                MDB_txn* txn = nullptr;
                int rc = mdb_txn_begin(env, nullptr, 0, &txn);
                if (rc == MDB_MAP_RESIZED) {
                    resized = true;
                } else if (rc != 0) {
                    return lmdbError(rc, "begin write");
                } else {
                    Writer w(txn);
                    Result<T> out = fn(w);
                    if (w.mapFull) {
                        mdb_txn_abort(txn);
                        full = true;
                    } else if (!out.ok()) {
                        mdb_txn_abort(txn);
                        return out;
                    } else {
                        rc = mdb_txn_commit(txn);
                        if (rc == MDB_MAP_FULL) {
                            full = true;
                        } else if (rc != 0) {
                            return commitError(rc);
                        } else {
                            return out;
                        }
                    }
                }
            }
            if (resized) {
                if (Status s = adoptMapSize(); !s.ok())
                    return s.error();
            } else if (full) {
                if (Status s = growMap(); !s.ok())
                    return s.error();
            }
        }
        return makeError(Errc::diskFull, "store could not make room for the write");
    }

    // --- shared pieces of the outbox ---
    Result<Rec> loadRec(const Reader& r, std::string_view uuid) const {
        auto v = r.get(outbox, uuid);
        if (!v.ok())
            return v.error();
        if (!*v)
            return makeError(Errc::notFound, "no report " + std::string(uuid));
        return decodeRec(**v);
    }

    Status addHistory(Writer& w, Rec& rec, OutboxState state, std::int64_t atMs,
                      std::string_view reason) {
        json j = {{"t", atMs}, {"s", static_cast<int>(state)}, {"r", reason}};
        Status s = w.put(history, historyKey(rec.e.uuid, rec.historyCount), j.dump());
        if (s.ok())
            ++rec.historyCount;
        return s;
    }

    // Moves `rec` from `old` to rec.e.state in the indexes, then writes it.
    Status storeRec(Writer& w, Rec& rec, OutboxState old, std::int64_t oldDueMs, bool isNew) {
        const OutboxEntry& e = rec.e;
        if (!isNew) {
            if (inDueIndex(old)) {
                if (Status s = w.del(due, dueKey(oldDueMs, rec.seq)); !s.ok())
                    return s;
            }
            if (old != e.state) {
                std::string oldKey(1, static_cast<char>(old));
                if (Status s = w.del(byState, oldKey, stateValue(e.createdAtMs, e.uuid)); !s.ok()) {
                    return s;
                }
            }
        }
        if (inDueIndex(e.state)) {
            if (Status s = w.put(due, dueKey(dueMsOf(e), rec.seq), e.uuid); !s.ok())
                return s;
        }
        if (isNew || old != e.state) {
            std::string key(1, static_cast<char>(e.state));
            if (Status s = w.put(byState, key, stateValue(e.createdAtMs, e.uuid)); !s.ok())
                return s;
        }
        return w.put(outbox, e.uuid, encodeRec(rec));
    }

    // Sets the new state, ends any lease and writes the history row.
    Status moveTo(Writer& w, Rec& rec, OutboxState to, std::string_view reason) {
        const std::int64_t at = now();
        rec.e.state = to;
        rec.e.updatedAtMs = at;
        rec.e.leaseOwner.clear();
        rec.e.leaseUntilMs = 0;
        return addHistory(w, rec, to, at, reason);
    }

    static Error wrongState(const OutboxEntry& e, std::string_view why) {
        return makeError(
            Errc::invalidInput,
            "report " + e.uuid + " is " + outboxStateName(e.state) + ", " + std::string(why));
    }

    static std::int64_t dueMsOf(const OutboxEntry& e) {
        switch (e.state) {
            case OutboxState::queued: return 0;
            case OutboxState::sending: return e.leaseUntilMs;
            case OutboxState::failed: return e.nextAttemptAtMs;
            default: return 0;
        }
    }

    // Loads, lets `change` edit the record (returning an error to refuse), and stores it.
    template <class F>
    Status transition(std::string_view uuid, F&& change) {
        return write<void>([&](Writer& w) -> Status {
            auto rec = loadRec(w, uuid);
            if (!rec.ok())
                return rec.error();
            OutboxState old = rec->e.state;
            std::int64_t oldDue = dueMsOf(rec->e);
            bool changed = true;
            if (Status s = change(w, *rec, changed); !s.ok())
                return s;
            if (!changed)
                return {};
            return storeRec(w, *rec, old, oldDue, false);
        });
    }

    Status putReport(Writer& w, const Prepared& p, std::uint64_t seq, std::int64_t at);

    Status requireKey() const {
        if (!opts.key || !opts.key->valid()) {
            return makeError(Errc::permission, "this operation needs the store key");
        }
        return {};
    }

    Result<Report> loadPublic(const Reader& r, std::string_view uuid) const {
        auto v = r.get(reports, uuid);
        if (!v.ok())
            return v.error();
        if (!*v)
            return makeError(Errc::notFound, "no report " + std::string(uuid));
        return codec::decodeReportPublic(**v);
    }

    Result<PhotoInfo> photoInfo(const Reader& r, std::string_view uuid, std::uint32_t index) const {
        auto v = r.get(photoMeta, photoMetaKey(uuid, index));
        if (!v.ok())
            return v.error();
        if (!*v) {
            return makeError(Errc::notFound,
                             "no photo " + std::to_string(index) + " of " + std::string(uuid));
        }
        return decodePhotoInfo(**v);
    }

    // Checks the key, opens a read transaction and looks up the photo's record, then lets
    // `fn(reader, info)` read what it needs of the photo.
    template <class T, class F>
    Result<T> readPhotoWith(std::string_view uuid, std::uint32_t index, F&& fn) const {
        if (Status s = requireKey(); !s.ok())
            return s.error();
        return read<T>([&](const Reader& r) -> Result<T> {
            auto info = photoInfo(r, uuid, index);
            if (!info.ok())
                return info.error();
            return fn(r, *info);
        });
    }

    Result<std::vector<std::uint8_t>> chunk(const Reader& r, std::string_view uuid,
                                            std::uint32_t index, std::uint32_t c) const {
        auto v = r.view(photos, photoKey(uuid, index, c));
        if (!v.ok())
            return v.error();
        if (!*v) {
            return makeError(Errc::corrupt, "photo " + std::to_string(index) + " chunk " +
                                                std::to_string(c) + " missing");
        }
        return crypto::open(*opts.key, bytesOf(**v), photoAd(uuid, index, c));
    }

    Status openDatabases(MDB_txn* txn, unsigned create) {
        struct Db {
            const char* name;
            MDB_dbi* dbi;
            unsigned flags;
        } dbs[] = {
            {"meta", &meta, 0},         {"reports", &reports, 0},
            {"identity", &identity, 0}, {"photometa", &photoMeta, 0},
            {"photos", &photos, 0},     {"outbox", &outbox, 0},
            {"due", &due, 0},           {"bystate", &byState, MDB_DUPSORT | MDB_DUPFIXED},
            {"history", &history, 0},   {"receipts", &receipts, 0},
            {"catalog", &catalog, 0},   {"status", &status, 0},
        };
        for (const Db& db : dbs) {
            int rc = mdb_dbi_open(txn, db.name, db.flags | create, db.dbi);
            if (rc == MDB_NOTFOUND) {
                return makeError(Errc::corrupt,
                                 "store lacks its '" + std::string(db.name) + "' table");
            }
            if (rc != 0)
                return lmdbError(rc, std::string("open table ") + db.name);
        }
        return {};
    }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::deviceId() const noexcept {
    return impl_->deviceId;
}
const std::string& Store::receiptPrefix() const noexcept {
    return impl_->prefix;
}
std::uint32_t Store::schemaVersion() const noexcept {
    return impl_->schema;
}
const std::string& Store::path() const noexcept {
    return impl_->opts.path;
}
bool Store::hasKey() const noexcept {
    return impl_->opts.key && impl_->opts.key->valid();
}

// ---------------------------------------------------------------------------------------------
// Opening

namespace {

std::string be(std::uint64_t v, int bytes) {
    std::string s;
    appendBE(s, v, bytes);
    return s;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(StoreOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->clock = options.clock ? options.clock : &SystemClock::instance();
    impl->opts = std::move(options);
    const StoreOptions& o = impl->opts;
    if (o.path.empty())
        return makeError(Errc::invalidInput, "no store path given");
    if (o.maxMapSize < o.mapSize)
        return makeError(Errc::invalidInput, "maxMapSize below mapSize");
    if (Status s = crypto::init(); !s.ok())
        return s.error();

    std::error_code ec;
    if (!std::filesystem::exists(o.path + "/data.mdb", ec)) {
        if (o.readOnly)
            return makeError(Errc::notFound, "no store at " + o.path);
        std::filesystem::create_directories(o.path, ec);
        if (ec) {
            return makeError(ec == std::errc::permission_denied ? Errc::permission : Errc::ioError,
                             "cannot create store directory " + o.path + ": " + ec.message());
        }
        ::chmod(o.path.c_str(), 0700);
    }

    int rc = mdb_env_create(&impl->env);
    if (rc != 0)
        return lmdbError(rc, "create environment");
    mdb_env_set_maxdbs(impl->env, 16);
    mdb_env_set_mapsize(impl->env, o.mapSize);
    // MDB_NOTLS: read transactions are not bound to a thread (callers may use threads).
    // No MDB_NOSYNC, MDB_NOMETASYNC or MDB_WRITEMAP: every commit is durable.
    unsigned flags = MDB_NOTLS | (o.readOnly ? MDB_RDONLY : 0u);
    rc = mdb_env_open(impl->env, o.path.c_str(), flags, 0600);
    if (rc != 0) {
        if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
            return makeError(Errc::corrupt, o.path + " is not an LMDB store this program can read");
        }
        return lmdbError(rc, "open store " + o.path);
    }
    int dead = 0;
    mdb_reader_check(impl->env, &dead);  // clears reader slots of crashed processes

    // Check the schema before anything can change: a newer store is never touched.
    MDB_txn* txn = nullptr;
    rc = mdb_txn_begin(impl->env, nullptr, MDB_RDONLY, &txn);
    if (rc != 0)
        return lmdbError(rc, "begin read");
    MDB_dbi metaDbi = 0;
    rc = mdb_dbi_open(txn, "meta", 0, &metaDbi);
    bool fresh = rc == MDB_NOTFOUND;
    if (!fresh) {
        if (rc != 0) {
            mdb_txn_abort(txn);
            return lmdbError(rc, "open meta table");
        }
        MDB_val k = mv("schema"), v{};
        rc = mdb_get(txn, metaDbi, &k, &v);
        if (rc != 0 || v.mv_size != 4) {
            mdb_txn_abort(txn);
            return makeError(Errc::corrupt, o.path + " has no schema version: not a LAPOR! store");
        }
        auto version = static_cast<std::uint32_t>(readBE(sv(v), 0, 4));
        if (version > storeSchemaVersion) {
            mdb_txn_abort(txn);
            return makeError(Errc::tooNew,
                             "store " + o.path + " has schema version " + std::to_string(version) +
                                 ", newer than this program understands (" +
                                 std::to_string(storeSchemaVersion) +
                                 "); refusing to open it. Install the newer program; the store "
                                 "was not changed.");
        }
    }
    mdb_txn_abort(txn);
    if (fresh && o.readOnly)
        return makeError(Errc::notFound, "no store at " + o.path);

    if (o.readOnly) {
        rc = mdb_txn_begin(impl->env, nullptr, MDB_RDONLY, &txn);
        if (rc != 0)
            return lmdbError(rc, "begin read");
        if (Status s = impl->openDatabases(txn, 0); !s.ok()) {
            mdb_txn_abort(txn);
            return s.error();
        }
        rc = mdb_txn_commit(txn);  // keeps the table handles
        if (rc != 0)
            return lmdbError(rc, "open tables");
    } else {
        auto status = impl->write<void>([&](Writer& w) -> Status {
            if (Status s = impl->openDatabases(w.txn(), MDB_CREATE); !s.ok())
                return s;
            auto schema = w.get(impl->meta, "schema");
            if (!schema.ok())
                return schema.error();
            if (*schema)
                return {};  // created by someone else meanwhile, or existing
            std::string id = o.deviceId.empty() ? "kiosk-" + crypto::randomHex(8) : o.deviceId;
            for (auto [k, v] :
                 {std::pair<std::string, std::string>{"schema", be(storeSchemaVersion, 4)},
                  {"device_id", id},
                  {"receipt_prefix", receipt::randomDevicePart()},
                  {"created_at", be(static_cast<std::uint64_t>(impl->now()), 8)},
                  {"next_seq", be(1, 8)}}) {
                if (Status s = w.put(impl->meta, k, v); !s.ok())
                    return s;
            }
            return {};
        });
        if (!status.ok())
            return status.error();
    }

    auto loaded = impl->read<bool>([&](const Reader& r) -> Result<bool> {
        auto schema = r.get(impl->meta, "schema");
        auto id = r.get(impl->meta, "device_id");
        auto prefix = r.get(impl->meta, "receipt_prefix");
        if (!schema.ok() || !id.ok() || !prefix.ok() || !*schema || !*id || !*prefix) {
            return makeError(Errc::corrupt, "store metadata incomplete");
        }
        impl->schema = static_cast<std::uint32_t>(readBE(**schema, 0, 4));
        impl->deviceId = **id;
        impl->prefix = **prefix;
        return true;
    });
    if (!loaded.ok())
        return loaded.error();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

// ---------------------------------------------------------------------------------------------
// Reports

bool SealedPhotos::matches(std::string_view uuid, std::span<const Photo> photos) const {
    if (uuid != uuid_ || photos.size() != infos_.size())
        return false;
    for (std::size_t i = 0; i < photos.size(); ++i) {
        if (photos[i].jpeg.size() != infos_[i].size || photos[i].sha256Hex.empty() ||
            photos[i].sha256Hex != infos_[i].sha256Hex) {
            return false;
        }
    }
    return true;
}

Result<SealedPhotos> Store::sealPhotos(std::string_view uuid, std::span<const Photo> photos) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    auto infos = photoInfos(photos);
    if (!infos.ok())
        return infos.error();
    SealedPhotos out;
    out.uuid_ = std::string(uuid);
    out.sealed_ = sealChunks(*m.opts.key, uuid, photos, *infos);
    out.infos_ = std::move(*infos);
    return out;
}

Status Store::saveReport(const Report& report, std::span<const Photo> photos) {
    const ReportToSave one{&report, photos};
    return saveReports(std::span<const ReportToSave>(&one, 1));
}

Status Store::saveReport(const Report& report, std::span<const Photo> photos,
                         const SealedPhotos& sealed) {
    const ReportToSave one{&report, photos, &sealed};
    return saveReports(std::span<const ReportToSave>(&one, 1));
}

Status Store::saveReports(std::span<const ReportToSave> batch) {
    Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s;
    // Work that needs no lock happens before the write transaction.
    std::vector<Prepared> ready;
    ready.reserve(batch.size());
    for (const ReportToSave& item : batch) {
        if (!item.report)
            return makeError(Errc::invalidInput, "no report given");
        const bool ahead = item.sealed && item.sealed->matches(item.report->uuid, item.photos);
        auto p =
            prepare(*m.opts.key, *item.report, item.photos, ahead ? &item.sealed->infos_ : nullptr,
                    ahead ? std::span<const std::uint8_t>(item.sealed->sealed_)
                          : std::span<const std::uint8_t>());
        if (!p.ok())
            return p.error();
        p->slipDue = item.slipDue;
        ready.push_back(std::move(*p));
    }
    const std::int64_t now = m.now();

    return m.write<void>([&](Writer& w) -> Status {
        auto seqRaw = w.get(m.meta, "next_seq");
        if (!seqRaw.ok())
            return seqRaw.error();
        std::uint64_t seq = *seqRaw && (*seqRaw)->size() == 8 ? readBE(**seqRaw, 0, 8) : 1;
        for (const Prepared& p : ready) {
            if (Status s = m.putReport(w, p, seq++, now); !s.ok())
                return s;
        }
        return w.put(m.meta, "next_seq", be(seq, 8));
    });
}

Status Store::Impl::putReport(Writer& w, const Prepared& p, std::uint64_t seq, std::int64_t at) {
    const Report& report = *p.report;
    const std::string& uuid = report.uuid;
    int rc = w.putRc(reports, uuid, p.publicJson, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        return makeError(Errc::invalidInput, "report " + uuid + " is already stored");
    if (Status s = w.check(rc, "write"); !s.ok())
        return s;
    rc = w.putRc(receipts, report.receiptCode, uuid, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        return makeError(Errc::invalidInput,
                         "receipt code " + report.receiptCode + " is already in use");
    }
    if (Status s = w.check(rc, "write"); !s.ok())
        return s;
    std::string_view identityView(reinterpret_cast<const char*>(p.identitySealed.data()),
                                  p.identitySealed.size());
    if (Status s = w.put(identity, uuid, identityView); !s.ok())
        return s;
    const std::span<const std::uint8_t> allSealed = p.photosSealed();
    std::size_t sealedAt = 0;  // photo chunks come out of allSealed in order
    for (std::uint32_t i = 0; i < p.photos.size(); ++i) {
        const PhotoInfo& info = p.infos[i];
        if (Status s = w.put(photoMeta, photoMetaKey(uuid, i), encodePhotoInfo(info)); !s.ok())
            return s;
        const std::size_t size = p.photos[i].jpeg.size();
        for (std::uint32_t c = 0; c < info.chunkCount; ++c) {
            const std::size_t n =
                std::min(photoChunkBytes, size - c * photoChunkBytes) + crypto::sealOverhead;
            if (sealedAt + n > allSealed.size())
                return makeError(Errc::internal, "sealed photo chunks do not match the photos");
            std::string_view sealed(reinterpret_cast<const char*>(allSealed.data()) + sealedAt, n);
            if (Status s = w.put(photos, photoKey(uuid, i, c), sealed); !s.ok())
                return s;
            sealedAt += n;
        }
    }
    Rec rec;
    rec.seq = seq;
    OutboxEntry& e = rec.e;
    e.uuid = uuid;
    e.receiptCode = report.receiptCode;
    e.state = OutboxState::queued;
    e.createdAtMs = report.createdAtMs != 0 ? report.createdAtMs : at;
    e.updatedAtMs = at;
    e.replacesUuid = report.replacesUuid;
    e.photoCount = static_cast<std::uint32_t>(p.photos.size());
    if (Status s = addHistory(w, rec, OutboxState::queued, at, "saved"); !s.ok())
        return s;
    // With the report, so that no crash can leave a stored report without its slip.
    if (p.slipDue) {
        if (Status s = w.put(status, slipStatusKey(uuid), slipDueValue); !s.ok())
            return s;
    }
    return storeRec(w, rec, OutboxState::queued, 0, true);
}

Result<Report> Store::loadReport(std::string_view uuid) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    return m.read<Report>([&](const Reader& r) -> Result<Report> {
        auto report = m.loadPublic(r, uuid);
        if (!report.ok())
            return report;
        auto sealed = r.view(m.identity, uuid);
        if (!sealed.ok())
            return sealed.error();
        if (*sealed) {  // absent once retention purged it
            auto plain = crypto::open(*m.opts.key, bytesOf(**sealed), identityAd(uuid));
            if (!plain.ok())
                return makeError(Errc::corrupt,
                                 "identity of " + std::string(uuid) + ": " + plain.error().message);
            auto id = codec::decodeIdentity(*plain);
            wipeBytes(*plain);
            if (!id.ok())
                return id.error();
            report->identity = std::move(*id);
        }
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

Result<std::vector<PhotoInfo>> Store::listPhotos(std::string_view uuid) const {
    const Impl& m = *impl_;
    return m.read<std::vector<PhotoInfo>>([&](const Reader& r) -> Result<std::vector<PhotoInfo>> {
        auto exists = r.view(m.outbox, uuid);
        if (!exists.ok())
            return exists.error();
        if (!*exists)
            return makeError(Errc::notFound, "no report " + std::string(uuid));
        std::vector<PhotoInfo> out;
        Status bad;
        Status s = forPrefix(r.txn(), m.photoMeta, uuid, [&](std::string_view, const MDB_val& v) {
            auto info = decodePhotoInfo(sv(v));
            if (!info.ok()) {
                bad = info.error();
                return false;
            }
            out.push_back(std::move(*info));
            return true;
        });
        if (!s.ok())
            return s.error();
        if (!bad.ok())
            return bad.error();
        return out;
    });
}

Result<std::vector<std::uint8_t>> Store::readPhotoChunk(std::string_view uuid,
                                                        std::uint32_t photoIndex,
                                                        std::uint32_t chunkIndex) const {
    const Impl& m = *impl_;
    return m.readPhotoWith<std::vector<std::uint8_t>>(
        uuid, photoIndex,
        [&](const Reader& r, const PhotoInfo& info) -> Result<std::vector<std::uint8_t>> {
            if (chunkIndex >= info.chunkCount) {
                return makeError(Errc::notFound,
                                 "photo chunk " + std::to_string(chunkIndex) + " out of range");
            }
            return m.chunk(r, uuid, photoIndex, chunkIndex);
        });
}

Result<std::vector<std::uint8_t>> Store::readPhotoRange(std::string_view uuid,
                                                        std::uint32_t photoIndex,
                                                        std::uint64_t offset,
                                                        std::size_t maxBytes) const {
    const Impl& m = *impl_;
    return m.readPhotoWith<std::vector<std::uint8_t>>(
        uuid, photoIndex,
        [&](const Reader& r, const PhotoInfo& info) -> Result<std::vector<std::uint8_t>> {
            std::vector<std::uint8_t> out;
            if (offset >= info.size)
                return out;
            std::uint64_t end = std::min<std::uint64_t>(info.size, offset + maxBytes);
            out.reserve(end - offset);
            for (std::uint64_t pos = offset; pos < end;) {
                auto c = static_cast<std::uint32_t>(pos / photoChunkBytes);
                auto plain = m.chunk(r, uuid, photoIndex, c);
                if (!plain.ok())
                    return plain.error();
                std::size_t from = pos - std::uint64_t{c} * photoChunkBytes;
                std::size_t take = std::min<std::uint64_t>(plain->size() - from, end - pos);
                if (from >= plain->size())
                    return makeError(Errc::corrupt, "photo chunk shorter than recorded");
                out.insert(out.end(), plain->begin() + from, plain->begin() + from + take);
                pos += take;
            }
            return out;
        });
}

Result<Photo> Store::readPhoto(std::string_view uuid, std::uint32_t photoIndex) const {
    const Impl& m = *impl_;
    if (Status s = m.requireKey(); !s.ok())
        return s.error();
    return m.read<Photo>([&](const Reader& r) -> Result<Photo> {
        auto info = m.photoInfo(r, uuid, photoIndex);
        if (!info.ok())
            return info.error();
        Photo p;
        p.jpeg.reserve(info->size);
        for (std::uint32_t c = 0; c < info->chunkCount; ++c) {
            auto plain = m.chunk(r, uuid, photoIndex, c);
            if (!plain.ok())
                return plain.error();
            p.jpeg.insert(p.jpeg.end(), plain->begin(), plain->end());
        }
        p.sha256Hex = crypto::sha256Hex(p.jpeg);
        if (p.jpeg.size() != info->size || p.sha256Hex != info->sha256Hex) {
            return makeError(Errc::corrupt, "photo " + std::to_string(photoIndex) + " of " +
                                                std::string(uuid) + " does not match its SHA-256");
        }
        p.width = info->width;
        p.height = info->height;
        return p;
    });
}

// ---------------------------------------------------------------------------------------------
// Outbox

Result<std::optional<Claim>> Store::claimNext(std::string_view ownerId, std::int64_t leaseMs) {
    Impl& m = *impl_;
    if (ownerId.empty() || leaseMs <= 0)
        return makeError(Errc::invalidInput, "claim needs an owner and a lease");
    return m.write<std::optional<Claim>>([&](Writer& w) -> Result<std::optional<Claim>> {
        const std::int64_t now = m.now();
        Cursor c(w.txn(), m.due);
        if (c.openRc() != 0)
            return lmdbError(c.openRc(), "cursor");
        MDB_val k{}, v{};
        std::string uuid;
        Result<Rec> rec = makeError(Errc::notFound, "");
        for (;;) {
            int rc = c.get(k, v, MDB_FIRST);
            if (rc == MDB_NOTFOUND)
                return std::optional<Claim>();
            if (rc != 0)
                return lmdbError(rc, "cursor");
            if (static_cast<std::int64_t>(readBE(sv(k), 0, 8)) > now)
                return std::optional<Claim>();
            uuid = std::string(sv(v));
            rec = m.loadRec(w, uuid);
            if (rec.ok() || rec.error().code != Errc::notFound)
                break;
            // An index entry without its record would block the queue forever: drop it.
            log::warn("store", "dropping due-index entry of missing report " + uuid);
            if (Status s = w.check(mdb_cursor_del(c.raw(), 0), "delete"); !s.ok())
                return s.error();
        }
        if (!rec.ok())
            return rec.error();
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

Status Store::addStatusUpdate(std::string_view uuid, OutboxState status, std::int64_t atMs,
                              std::string_view note) {
    Impl& m = *impl_;
    if (!isDelivered(status)) {
        return makeError(Errc::invalidInput,
                         std::string("status update cannot be ") + outboxStateName(status));
    }
    return m.transition(uuid, [&](Writer& w, Rec& rec, bool& changed) -> Status {
        OutboxEntry& e = rec.e;
        if (!isDelivered(e.state)) {
            return makeError(Errc::invalidInput, "report " + e.uuid + " is not delivered yet");
        }
        if (rec.historyCount > 0) {
            auto last = w.get(m.history, historyKey(e.uuid, rec.historyCount - 1));
            if (!last.ok())
                return last.error();
            if (*last) {
                json j = json::parse(**last, nullptr, false);
                if (!j.is_discarded() && j.value("t", std::int64_t{-1}) == atMs &&
                    j.value("s", 0) == static_cast<int>(status) &&
                    j.value("r", std::string()) == note) {
                    changed = false;  // the agent polled the same status again
                    return {};
                }
            }
        }
        // Statuses can arrive out of order: the newest one by its own time decides the state.
        if (atMs >= rec.statusAtMs) {
            e.state = status;
            rec.statusAtMs = atMs;
        }
        e.updatedAtMs = m.now();
        return m.addHistory(w, rec, status, atMs, note);
    });
}

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
            std::vector<HistoryEntry> out;
            Status bad;
            Status s = forPrefix(r.txn(), m.history, uuid, [&](std::string_view, const MDB_val& v) {
                json j = json::parse(sv(v), nullptr, false);
                if (j.is_discarded() || !j.is_object()) {
                    bad = makeError(Errc::corrupt, "history row malformed");
                    return false;
                }
                out.push_back({j.value("t", std::int64_t{0}),
                               static_cast<OutboxState>(j.value("s", 0)),
                               j.value("r", std::string())});
                return true;
            });
            if (!s.ok())
                return s.error();
            if (!bad.ok())
                return bad.error();
            return out;
        });
}

Result<OutboxCounts> Store::counts() const {
    const Impl& m = *impl_;
    return m.read<OutboxCounts>([&](const Reader& r) -> Result<OutboxCounts> {
        OutboxCounts out;
        std::optional<std::int64_t> oldest;
        Cursor c(r.txn(), m.byState);
        if (c.openRc() != 0)
            return lmdbError(c.openRc(), "cursor");
        for (OutboxState s : kAllStates) {
            std::string key(1, static_cast<char>(s));
            MDB_val k = mv(key), v{};
            int rc = c.get(k, v, MDB_SET_KEY);
            std::uint64_t n = 0;
            if (rc == 0) {
                std::size_t count = 0;
                mdb_cursor_count(c.raw(), &count);
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
            Cursor c(r.txn(), m.byState);
            if (c.openRc() != 0)
                return lmdbError(c.openRc(), "cursor");
            std::string key(1, static_cast<char>(state));
            MDB_val k = mv(key), v{};
            int rc = c.get(k, v, MDB_SET_KEY);
            while (rc == 0 && (limit == 0 || out.size() < limit)) {
                auto rec = m.loadRec(r, sv(v).substr(8));
                if (!rec.ok())
                    return rec.error();
                out.push_back(std::move(rec->e));
                rc = c.get(k, v, MDB_NEXT_DUP);
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

Result<StoreStats> Store::stats() const {
    const Impl& m = *impl_;
    return m.read<StoreStats>([&](const Reader&) -> Result<StoreStats> {
        StoreStats out;
        MDB_envinfo info{};
        MDB_stat st{};
        mdb_env_info(m.env, &info);
        mdb_env_stat(m.env, &st);
        out.mapBytes = info.me_mapsize;
        out.usedBytes = static_cast<std::uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
        out.maxMapBytes = m.opts.maxMapSize;
        std::error_code ec;
        auto size = std::filesystem::file_size(m.opts.path + "/data.mdb", ec);
        out.fileBytes = ec ? 0 : size;
        return out;
    });
}

// ---------------------------------------------------------------------------------------------
// AgencyCatalog and status records

Result<AgencyCatalog> Store::getCatalog() const {
    return impl_->read<AgencyCatalog>([&](const Reader& r) -> Result<AgencyCatalog> {
        auto v = r.get(impl_->catalog, "current");
        if (!v.ok())
            return v.error();
        if (!*v)
            return makeError(Errc::notFound, "no catalog stored yet");
        json j = json::parse(**v, nullptr, false);
        if (j.is_discarded() || !j.contains("etag") || !j.contains("catalog")) {
            return makeError(Errc::corrupt, "stored catalog malformed");
        }
        auto c = parseCatalogJson(j["catalog"].get<std::string>(), j["etag"].get<std::string>());
        if (!c.ok())
            return makeError(Errc::corrupt, "stored catalog: " + c.error().message);
        return c;
    });
}

Result<AgencyCatalog> Store::getCatalogOrDefault(const std::string& dataDir) const {
    auto stored = getCatalog();
    if (stored.ok() || stored.error().code != Errc::notFound)
        return stored;
    return loadDefaultCatalog(dataDir);
}

Status Store::putCatalog(const AgencyCatalog& catalog) {
    // Round-trip through the checks so that a bad catalog never replaces a good one.
    std::string text = catalogToJson(catalog);
    auto checked = parseCatalogJson(text, catalog.etag);
    if (!checked.ok())
        return checked.error();
    json j = {{"etag", catalog.etag}, {"catalog", text}};
    return impl_->write<void>(
        [&](Writer& w) { return w.put(impl_->catalog, "current", j.dump()); });
}

Status Store::putStatus(std::string_view key, std::string_view value) {
    if (key.empty() || key.size() > 256)
        return makeError(Errc::invalidInput, "status key must be 1..256 bytes");
    return impl_->write<void>([&](Writer& w) { return w.put(impl_->status, key, value); });
}

Status Store::eraseStatus(std::string_view key) {
    if (key.empty())
        return makeError(Errc::invalidInput, "empty status key");
    return impl_->write<void>([&](Writer& w) { return w.del(impl_->status, key); });
}

Result<std::optional<std::string>> Store::getStatus(std::string_view key) const {
    if (key.empty())
        return makeError(Errc::invalidInput, "empty status key");
    return impl_->read<std::optional<std::string>>(
        [&](const Reader& r) { return r.get(impl_->status, key); });
}

Result<std::vector<std::pair<std::string, std::string>>> Store::listStatus() const {
    using List = std::vector<std::pair<std::string, std::string>>;
    return impl_->read<List>([&](const Reader& r) -> Result<List> {
        List out;
        Status s = forPrefix(r.txn(), impl_->status, "", [&](std::string_view k, const MDB_val& v) {
            out.emplace_back(std::string(k), std::string(sv(v)));
            return true;
        });
        if (!s.ok())
            return s.error();
        return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Retention and integrity

Result<std::uint64_t> Store::purgeDelivered(int olderThanDays) {
    Impl& m = *impl_;
    if (olderThanDays < 0)
        return makeError(Errc::invalidInput, "retention days must not be negative");
    const std::int64_t cutoff = m.now() - std::int64_t{olderThanDays} * 24 * 3600 * 1000;
    std::vector<std::string> candidates;
    for (OutboxState s : kAllStates) {
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
            if (Status d = w.delPrefix(m.photos, uuid); !d.ok())
                return d;
            if (Status d = w.delPrefix(m.photoMeta, uuid); !d.ok())
                return d;
            rec.e.purged = true;
            ++purged;
            return m.addHistory(w, rec, rec.e.state, m.now(),
                                "retention: photos and identity removed");
        });
        if (!s.ok())
            return s.error();
    }
    if (purged > 0)
        log::info("store", "retention purged " + std::to_string(purged) + " report(s)");
    return purged;
}

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
            auto sealed = r.view(m.identity, e.uuid);
            if (!sealed.ok())
                return sealed.error();
            if (*sealed) {
                auto plain = crypto::open(*m.opts.key, bytesOf(**sealed), identityAd(e.uuid));
                if (!plain.ok()) {
                    problem("identity: " + plain.error().message);
                } else {
                    if (!codec::decodeIdentity(*plain).ok())
                        problem("identity: malformed");
                    wipeBytes(*plain);
                }
            } else if (!e.purged) {
                problem("identity missing");
            }
            std::uint32_t seen = 0;
            for (std::uint32_t i = 0; i < e.photoCount && !e.purged; ++i) {
                auto info = m.photoInfo(r, e.uuid, i);
                if (!info.ok()) {
                    problem("photo " + std::to_string(i) + ": " + info.error().message);
                    continue;
                }
                ++seen;
                crypto::Sha256 hash;
                std::uint64_t size = 0;
                bool ok = true;
                for (std::uint32_t c = 0; c < info->chunkCount; ++c) {
                    auto plain = m.chunk(r, e.uuid, i, c);
                    if (!plain.ok()) {
                        problem("photo " + std::to_string(i) + " chunk " + std::to_string(c) +
                                ": " + plain.error().message);
                        ok = false;
                        break;
                    }
                    hash.update(*plain);
                    size += plain->size();
                }
                if (ok && (size != info->size || hash.finishHex() != info->sha256Hex)) {
                    problem("photo " + std::to_string(i) + ": does not match its SHA-256");
                }
                out.bytes += size;
            }
            out.photos += seen;
            return true;
        });
        releaseMappedPages();
        if (!checked.ok())
            return checked.error();
    }
    return out;
}

Result<std::uint64_t> Store::reserveSpace(std::uint64_t bytes) {
    Impl& m = *impl_;
    if (m.opts.readOnly)
        return makeError(Errc::permission, "store opened read-only");
    std::shared_lock lock(m.mapMutex);
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(m.env, nullptr, 0, &txn); rc != 0) {
        // MDB_MAP_RESIZED included: the next save adopts the new size; reserve after it.
        return lmdbError(rc, "begin write (reserve)");
    }
    // The transaction holds LMDB's writer lock and writes nothing: it is aborted at the end.
    struct Abort {
        MDB_txn* txn;
        ~Abort() { mdb_txn_abort(txn); }
    } abort{txn};
    MDB_envinfo info{};
    MDB_stat st{};
    mdb_filehandle_t fd = -1;
    struct stat file {};
    if (mdb_env_info(m.env, &info) != 0 || mdb_env_stat(m.env, &st) != 0 ||
        mdb_env_get_fd(m.env, &fd) != 0 || ::fstat(fd, &file) != 0) {
        return makeError(Errc::ioError,
                         std::string("reserve: cannot stat the store: ") + std::strerror(errno));
    }
    const std::uint64_t used = static_cast<std::uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
    const std::uint64_t size = static_cast<std::uint64_t>(file.st_size);
    const std::uint64_t target = std::min<std::uint64_t>(used + bytes, info.me_mapsize);
    if (size >= target || size - used >= bytes / 2)
        return std::uint64_t{0};
    static const std::vector<char> zeros(1 << 20, 0);
    for (std::uint64_t at = size; at < target;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), target - at));
        const ssize_t w = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(at));
        if (w <= 0) {
            const int err = w < 0 ? errno : ENOSPC;
            (void)::ftruncate(fd, static_cast<off_t>(size));  // give the space back
            if (err == ENOSPC || err == EDQUOT) {
                return makeError(Errc::diskFull, "reserve: the disk holding the store is full");
            }
            return makeError(Errc::ioError, std::string("reserve: ") + std::strerror(err));
        }
        at += static_cast<std::uint64_t>(w);
    }
    if (::fdatasync(fd) != 0) {
        const int err = errno;
        (void)::ftruncate(fd, static_cast<off_t>(size));
        return makeError(err == ENOSPC ? Errc::diskFull : Errc::ioError,
                         std::string("reserve: fdatasync: ") + std::strerror(err));
    }
    return target - size;
}

void Store::releaseMappedPages() const {
    const Impl& m = *impl_;
    std::shared_lock lock(m.mapMutex);  // no resize (remap) while the range is in use
    auto [begin, length] = m.mapRange();
    if (length != 0 && ::madvise(begin, length, MADV_DONTNEED) != 0) {
        log::warn("store",
                  std::string("cannot release the store's mapped pages: ") + std::strerror(errno));
    }
}

}  // namespace lapor
