// Private to the store's own files (core/store_*.cpp): LMDB handles, keys and records, Store::Impl.
//
// The store is one class split across files by concern, as Tracy splits its View:
//   store_layout.cpp     the tables, their keys and the encoding of every record
//   store_lmdb.cpp       LMDB's handles: environment, transactions and cursors (RAII), errors
//   store_open.cpp       opening the environment, the schema check, creating the metadata
//   store_space.cpp      the map and the disk: map growth, disk full, room ahead, mapped pages
//   store_reports.cpp    saving a report (one transaction) and loading it back
//   store_photos.cpp     sealing photos in chunks, reading them back (chunk, range, whole; clips)
//   store_clips.cpp      video clips and spoken notes: checks, and sealing them into the pages
//   store_outbox.cpp     claims, leases and their expiry, the due index, every state change
//   store_catalog.cpp    the agency catalog the agent stored
//   store_status.cpp     status records (the agent's "syncd", per-report bookkeeping)
//   store_retention.cpp  purging delivered reports' personal data, and verify
//   store_feed.cpp       the status feed's timeline and follow-ups, the status view by code
//   store_replies.cpp    the citizen's replies: saving (one transaction), their outbox
// Nothing outside those files includes this header.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "core/store.hpp"

namespace lapor::storage {

// ---------------------------------------------------------------------------------------------
// Keys and records (store_layout.cpp)

inline constexpr std::size_t uuidLength = 36;

inline void appendBE(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline std::uint64_t readBE(std::string_view in, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | static_cast<std::uint8_t>(in[at + i]);
    return v;
}
// `v` as `bytes` big-endian bytes: the meta table's numbers.
[[nodiscard]] std::string be(std::uint64_t v, int bytes);

[[nodiscard]] bool validUuid(std::string_view u);

[[nodiscard]] std::string photoMetaKey(std::string_view uuid, std::uint32_t index);
[[nodiscard]] std::string photoKey(std::string_view uuid, std::uint32_t index, std::uint32_t chunk);
[[nodiscard]] std::string historyKey(std::string_view uuid, std::uint32_t n);
[[nodiscard]] std::string dueKey(std::int64_t dueMs, std::uint64_t seq);
[[nodiscard]] std::string stateKey(OutboxState state);
[[nodiscard]] std::string stateValue(std::int64_t createdAtMs, std::string_view uuid);
// The associated data that binds a sealed record to its place.
[[nodiscard]] std::string identityAd(std::string_view uuid);
[[nodiscard]] std::string photoAd(std::string_view uuid, std::uint32_t index, std::uint32_t chunk);

// The outbox record: the public entry and the store's own bookkeeping.
struct Rec {
    OutboxEntry e;
    std::uint64_t seq = 0;
    std::int64_t statusAtMs = 0;  // time of the national status now in e.state
    std::uint32_t historyCount = 0;
};
[[nodiscard]] std::string encodeRec(const Rec& r);
[[nodiscard]] Result<Rec> decodeRec(std::string_view text);

[[nodiscard]] std::string encodePhotoInfo(const PhotoInfo& p);
[[nodiscard]] Result<PhotoInfo> decodePhotoInfo(std::string_view text);

[[nodiscard]] std::string encodeHistory(const HistoryEntry& h);
[[nodiscard]] Result<HistoryEntry> decodeHistory(std::string_view text);

// ---------------------------------------------------------------------------------------------
// LMDB handles (store_lmdb.cpp)

[[nodiscard]] Error lmdbError(int rc, std::string_view what);

inline MDB_val mv(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view sv(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}
inline std::span<const std::uint8_t> bytesOf(const MDB_val& v) {
    return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

// The environment; closed when it goes.
class Env {
  public:
    Env() = default;
    ~Env();
    Env(Env&& other) noexcept : env_(std::exchange(other.env_, nullptr)) {}
    Env& operator=(Env&& other) noexcept;
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    [[nodiscard]] int create();
    operator MDB_env*() const noexcept { return env_; }  // NOLINT: a handle, as in lmdbxx

  private:
    MDB_env* env_ = nullptr;
};

// A transaction; aborted when it goes unless committed, so that neither an early return nor an
// exception can leave LMDB's writer lock or a reader slot taken.
class Txn {
  public:
    Txn() = default;
    ~Txn() { abort(); }
    Txn(Txn&& other) noexcept : txn_(std::exchange(other.txn_, nullptr)) {}
    Txn& operator=(Txn&& other) noexcept;
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    // LMDB's code (MDB_MAP_RESIZED among them); this holds the transaction only on 0.
    [[nodiscard]] int begin(MDB_env* env, unsigned flags);
    // LMDB's code; the handle is gone afterwards whatever it says (LMDB frees it).
    [[nodiscard]] int commit();
    void abort() noexcept;
    operator MDB_txn*() const noexcept { return txn_; }  // NOLINT: a handle, as in lmdbxx

  private:
    MDB_txn* txn_ = nullptr;
};

// A cursor; closed when it goes. Must go before its transaction (LMDB frees a write
// transaction's cursors when it ends): keep it inside the transaction's callback.
class Cursor {
  public:
    [[nodiscard]] static Result<Cursor> open(MDB_txn* txn, MDB_dbi dbi);
    ~Cursor();
    Cursor(Cursor&& other) noexcept : c_(std::exchange(other.c_, nullptr)) {}
    Cursor& operator=(Cursor&& other) noexcept;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    int get(MDB_val& k, MDB_val& v, MDB_cursor_op op) { return mdb_cursor_get(c_, &k, &v, op); }
    operator MDB_cursor*() const noexcept { return c_; }  // NOLINT: a handle, as in lmdbxx

  private:
    explicit Cursor(MDB_cursor* c) : c_(c) {}
    MDB_cursor* c_ = nullptr;
};

// Reads within one transaction; values are copied out before it ends.
class Reader {
  public:
    explicit Reader(MDB_txn* txn) : txn_(txn) {}
    [[nodiscard]] MDB_txn* txn() const { return txn_; }
    // nullopt when absent.
    [[nodiscard]] Result<std::optional<std::string>> get(MDB_dbi dbi, std::string_view key) const;
    // A view valid until the transaction ends.
    [[nodiscard]] Result<std::optional<MDB_val>> view(MDB_dbi dbi, std::string_view key) const;

  protected:
    MDB_txn* txn_;
};

// Writes within one write transaction. A write that hits MDB_MAP_FULL sets mapFull, so that
// Impl::write rolls back, grows the map and runs the whole transaction again.
class Writer : public Reader {
  public:
    explicit Writer(MDB_txn* txn) : Reader(txn) {}
    bool mapFull = false;

    [[nodiscard]] Status put(MDB_dbi dbi, std::string_view key, std::string_view value,
                             unsigned flags = 0);
    // The raw LMDB code, for callers that treat MDB_KEYEXIST as an answer.
    [[nodiscard]] int putRc(MDB_dbi dbi, std::string_view key, std::string_view value,
                            unsigned flags);
    // Room for a value of `size` bytes under `key` (MDB_RESERVE), to be filled in place before
    // the next write in this transaction: a clip's chunk is sealed straight into the page.
    [[nodiscard]] Result<std::span<std::uint8_t>> reserve(MDB_dbi dbi, std::string_view key,
                                                          std::size_t size);
    // Deletes key (or one duplicate when `value` is given); absent is fine.
    [[nodiscard]] Status del(MDB_dbi dbi, std::string_view key,
                             std::optional<std::string_view> value = {});
    // Deletes every key starting with `prefix`.
    [[nodiscard]] Status delPrefix(MDB_dbi dbi, std::string_view prefix);
    [[nodiscard]] Status check(int rc, std::string_view what);
};

// Calls fn(key, value) for every key starting with `prefix`, in order; stops when fn returns false.
template <class F>
Status forPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, F&& fn) {
    auto c = Cursor::open(txn, dbi);
    if (!c.ok())
        return c.error();
    MDB_val k = mv(prefix), v{};
    // LMDB refuses an empty key: an empty prefix means "from the first".
    int rc = c->get(k, v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
    while (rc == 0) {
        std::string_view key = sv(k);
        if (key.substr(0, prefix.size()) != prefix)
            break;
        if (!fn(key, v))
            break;
        rc = c->get(k, v, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND)
        return lmdbError(rc, "cursor");
    return {};
}

// Every record under `prefix`, decoded in key order; the first that does not decode is the answer.
template <class T, class Decode>
Result<std::vector<T>> decodePrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix,
                                    Decode&& decode) {
    std::vector<T> out;
    Status bad;
    Status s = forPrefix(txn, dbi, prefix, [&](std::string_view, const MDB_val& v) {
        auto item = decode(sv(v));
        if (!item.ok()) {
            bad = item.error();
            return false;
        }
        out.push_back(std::move(*item));
        return true;
    });
    if (!s.ok())
        return s.error();
    if (!bad.ok())
        return bad.error();
    return out;
}

// ---------------------------------------------------------------------------------------------
// Photos (store_photos.cpp)

// Writes the photometa rows and sealed chunks of `photos` (sealed back to back in `sealed`, as
// sealChunks makes them) under `owner`: a report's UUID or a reply's id.
[[nodiscard]] Status putPhotos(Writer& w, MDB_dbi photoMeta, MDB_dbi photos, std::string_view owner,
                               std::span<const Photo> list, const std::vector<PhotoInfo>& infos,
                               std::span<const std::uint8_t> sealed);

// Deletes every item (photos and clips: their photometa rows and sealed chunks) stored under
// `owner` (retention).
[[nodiscard]] Status deleteItems(Writer& w, MDB_dbi photoMeta, MDB_dbi photos,
                                 std::string_view owner);

// The photometa records of a report's clips, numbered from `firstIndex` (its photo count) on,
// after the checks Store::saveReport lists; every clip is hashed (an empty sha256Hex is filled in,
// a wrong one refused).
[[nodiscard]] Result<std::vector<PhotoInfo>> clipInfos(std::span<const Clip> clips,
                                                       std::uint32_t firstIndex);
// Writes the clips' photometa rows and their chunks, each sealed straight into LMDB's page.
[[nodiscard]] Status putClips(Writer& w, MDB_dbi photoMeta, MDB_dbi photos, const crypto::Key& key,
                              std::string_view owner, std::span<const Clip> clips,
                              const std::vector<PhotoInfo>& infos);

// Size, hash and chunk count of each photo, as stored in the photometa table.
[[nodiscard]] Result<std::vector<PhotoInfo>> photoInfos(std::span<const Photo> photos);
// Every chunk of every photo sealed, back to back in photo and chunk order.
[[nodiscard]] std::vector<std::uint8_t> sealChunks(const crypto::Key& key, std::string_view uuid,
                                                   std::span<const Photo> photos,
                                                   const std::vector<PhotoInfo>& infos);

}  // namespace lapor::storage

namespace lapor {

struct Store::Impl {
    using Reader = storage::Reader;
    using Writer = storage::Writer;
    using Rec = storage::Rec;

    StoreOptions opts;
    const Clock* clock = nullptr;
    storage::Env env;
    // Shared by every transaction of this process; exclusive while the map is resized, which
    // LMDB allows only when this process has no transaction open.
    mutable std::shared_mutex mapMutex;
    MDB_dbi meta = 0, reports = 0, identity = 0, photoMeta = 0, photos = 0, outbox = 0, due = 0,
            byState = 0, history = 0, receipts = 0, catalog = 0, status = 0;
    // Tables added after schema 1's first stores: a read-only open of an older store lacks them
    // until a writer opens it (staffTables false), and reads them as empty.
    MDB_dbi staff = 0, audit = 0;
    bool staffTables = true;
    // Likewise the status feed's timeline and the replies (issue 12).
    MDB_dbi timeline = 0, replies = 0, replyText = 0, replyDue = 0;
    bool feedTables = true;
    std::string deviceId, prefix;
    std::uint32_t schema = 0;

    [[nodiscard]] std::int64_t now() const { return clock->wallMs(); }

    [[nodiscard]] Status requireKey() const {
        if (!opts.key || !opts.key->valid()) {
            return makeError(Errc::permission, "this operation needs the store key");
        }
        return {};
    }

    // --- opening (store_open.cpp) ---
    [[nodiscard]] Status openDatabases(MDB_txn* txn, unsigned create);

    // --- the map and the disk (store_space.cpp) ---
    // Adopts a map size another process set (MDB_MAP_RESIZED).
    [[nodiscard]] Status adoptMapSize() const;
    // Grows the map: first to what another process already set, else doubles up to the limit.
    [[nodiscard]] Status growMap();
    // A commit failed: says "disk full" when that is why (a short write reports EIO).
    [[nodiscard]] Error commitError(int rc) const;
    // Where this process maps the data file. Call with mapMutex held (shared is enough).
    [[nodiscard]] std::pair<void*, std::size_t> mapRange() const;
    mutable std::mutex mapRangeMutex;
    mutable std::uint64_t mapRangeSize = 0;  // the map size the cached range belongs to
    mutable std::pair<void*, std::size_t> mapRangeCached{nullptr, 0};

    // --- transactions ---
    // Runs fn(const Reader&) in a read transaction, adopting a map another process grew.
    template <class T, class F>
    Result<T> read(F&& fn) const {
        for (int attempt = 0; attempt < 8; ++attempt) {
            {
                std::shared_lock lock(mapMutex);
                storage::Txn txn;
                const int rc = txn.begin(env, MDB_RDONLY);
                if (rc == 0) {
                    const Reader r(txn);
                    return fn(r);
                }
                if (rc != MDB_MAP_RESIZED)
                    return storage::lmdbError(rc, "begin read");
            }
            if (Status s = adoptMapSize(); !s.ok())
                return s.error();
        }
        return makeError(Errc::busy, "store map keeps changing size");
    }

    // Runs fn(Writer&) in a write transaction and commits it when fn answers ok. When the map is
    // full, rolls back, grows the map (no transaction of this process open) and runs fn again:
    // fn must do all its work through the Writer.
    template <class T, class F>
    Result<T> write(F&& fn) {
        if (opts.readOnly)
            return makeError(Errc::permission, "store opened read-only");
        for (int attempt = 0; attempt < 64; ++attempt) {
            int rc = 0;
            {
                std::shared_lock lock(mapMutex);
                storage::Txn txn;
                rc = txn.begin(env, 0);
                if (rc == 0) {
                    Writer w(txn);
                    Result<T> out = fn(w);
                    if (w.mapFull) {
                        rc = MDB_MAP_FULL;
                    } else if (!out.ok()) {
                        return out;
                    } else {
                        rc = txn.commit();
                        if (rc == 0)
                            return out;
                        if (rc != MDB_MAP_FULL)
                            return commitError(rc);
                    }
                } else if (rc != MDB_MAP_RESIZED) {
                    return storage::lmdbError(rc, "begin write");
                }
            }
            if (Status s = rc == MDB_MAP_RESIZED ? adoptMapSize() : growMap(); !s.ok())
                return s.error();
        }
        return makeError(Errc::diskFull, "store could not make room for the write");
    }

    // --- the outbox (store_outbox.cpp) ---
    [[nodiscard]] Result<Rec> loadRec(const Reader& r, std::string_view uuid) const;
    [[nodiscard]] Status addHistory(Writer& w, Rec& rec, OutboxState state, std::int64_t atMs,
                                    std::string_view reason);
    // Moves `rec` from `old` to rec.e.state in the indexes, then writes it.
    [[nodiscard]] Status storeRec(Writer& w, Rec& rec, OutboxState old, std::int64_t oldDueMs,
                                  bool isNew);
    // Sets the new state, ends any lease and writes the history row.
    [[nodiscard]] Status moveTo(Writer& w, Rec& rec, OutboxState to, std::string_view reason);
    [[nodiscard]] static Error wrongState(const OutboxEntry& e, std::string_view why);
    // Where the entry sits in the due index: queued 0, sending its lease's end, failed its next
    // attempt.
    [[nodiscard]] static std::int64_t dueMsOf(const OutboxEntry& e);

    // The first entry of a due index (dueKey -> id) due by `now`, as load(w, id) reads its
    // record (Result<R>). An entry whose record is gone would block the queue forever: dropped.
    template <class R, class Load>
    Result<std::optional<std::pair<std::string, R>>> firstDue(Writer& w, MDB_dbi dueDbi,
                                                              std::int64_t nowMs, Load&& load) {
        using Found = std::optional<std::pair<std::string, R>>;
        auto c = storage::Cursor::open(w.txn(), dueDbi);
        if (!c.ok())
            return c.error();
        for (;;) {
            MDB_val k{}, v{};
            // Ordered by due time: queued items at 0, a failed one at its next attempt, a claimed
            // one at its lease's end, so an expired claim comes up here.
            const int rc = c->get(k, v, MDB_FIRST);
            if (rc == MDB_NOTFOUND)
                return Found();
            if (rc != 0)
                return storage::lmdbError(rc, "cursor");
            if (static_cast<std::int64_t>(storage::readBE(storage::sv(k), 0, 8)) > nowMs)
                return Found();
            std::string id(storage::sv(v));
            Result<R> rec = load(w, id);
            if (rec.ok())
                return Found(std::pair<std::string, R>(std::move(id), std::move(*rec)));
            if (rec.error().code != Errc::notFound)
                return rec.error();
            log::warn("store", "dropping due-index entry of missing record " + id);
            if (Status s = w.check(mdb_cursor_del(*c, 0), "delete"); !s.ok())
                return s.error();
        }
    }

    // An outbox state change through `apply`, inside a write transaction (addStatusUpdate and
    // applyFeedPage share it).
    [[nodiscard]] Status statusUpdateIn(Writer& w, std::string_view uuid, OutboxState status,
                                        std::int64_t atMs, std::string_view note);

    // Loads, lets `change(w, rec, changed)` edit the record (returning an error to refuse, or
    // clearing `changed` to leave it), and stores it.
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

    // --- the feed and the replies (store_feed.cpp, store_replies.cpp) ---
    [[nodiscard]] Result<ReportStatus> statusIn(const Reader& r, std::string_view uuid) const;
    // The replies that `keep` takes, oldest first.
    [[nodiscard]] Result<std::vector<ReplyEntry>> repliesIn(
        const Reader& r, const std::function<bool(const ReplyEntry&)>& keep) const;
    // Removes the text and photos of replies delivered at or before `cutoffMs` (retention);
    // returns how many.
    [[nodiscard]] Result<std::uint64_t> purgeReplies(std::int64_t cutoffMs);

    // --- reports and photos (store_reports.cpp, store_photos.cpp) ---
    [[nodiscard]] Result<Report> loadPublic(const Reader& r, std::string_view uuid) const;
    // The sealed identity opened and decoded; nullopt once retention removed it.
    [[nodiscard]] Result<std::optional<Identity>> loadIdentity(const Reader& r,
                                                               std::string_view uuid) const;
    [[nodiscard]] Result<PhotoInfo> photoInfo(const Reader& r, std::string_view uuid,
                                              std::uint32_t index) const;
    // One chunk, opened.
    [[nodiscard]] Result<std::vector<std::uint8_t>> chunk(const Reader& r, std::string_view uuid,
                                                          std::uint32_t index,
                                                          std::uint32_t c) const;
};

}  // namespace lapor
