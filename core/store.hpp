// The durable store: reports, photos (chunked, encrypted), the outbox and its history, the catalog,
// status records and metadata, in one LMDB environment shared by the kiosk and the agent.
//
// Every method is a complete transaction: when a write returns ok it is on disk (fsync), and it
// survives kill -9 and power loss. Safe to use from several threads and several processes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/report.hpp"
#include "core/report_status.hpp"
#include "core/result.hpp"
#include "core/staff.hpp"

namespace lapor {

// The outbox record of one report (never personal data).
struct OutboxEntry {
    std::string uuid;
    std::string receiptCode;
    OutboxState state = OutboxState::queued;
    std::int64_t createdAtMs = 0;      // when the report was filed
    std::int64_t updatedAtMs = 0;      // last state change
    std::int64_t nextAttemptAtMs = 0;  // failed: when it becomes due again
    std::int64_t leaseUntilMs = 0;     // sending: when the claim expires
    std::string leaseOwner;            // sending: who claimed it
    std::uint32_t attempts = 0;        // delivery attempts so far
    std::string lastError;             // reason of the last failure or park
    std::string trackingId;            // the national system's ID, once delivered
    std::int64_t deliveredAtMs = 0;
    std::string replacesUuid;  // a correction names the report it replaces
    bool purged = false;       // photos and identity removed by retention
    std::uint32_t photoCount = 0;
    std::uint32_t clipCount = 0;  // video clips and spoken notes, stored after the photos
    friend bool operator==(const OutboxEntry&, const OutboxEntry&) = default;
};

// One row of a report's history.
struct HistoryEntry {
    std::int64_t atMs = 0;
    OutboxState state = OutboxState::queued;
    std::string reason;  // failure reason, park reason, status note; never personal data
    friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// A claimed outbox item: the agent owns it until leaseUntilMs.
struct Claim {
    std::string uuid;
    std::string receiptCode;
    std::uint32_t attempts = 0;  // attempts before this one
    std::int64_t leaseUntilMs = 0;
};

// A claimed reply: the agent owns it until leaseUntilMs.
struct ReplyClaim {
    std::string id;
    std::string reportUuid;
    std::string trackingId;  // the report's
    std::uint32_t attempts = 0;
    std::int64_t leaseUntilMs = 0;
};

// A stored photo, video clip or spoken note (Clip), without its bytes. A report's (or reply's)
// items are numbered from 0: its photos first, in the order saved, then its clips, so that the
// agent, uploading in index order, sends the photos first.
struct PhotoInfo {
    std::uint32_t index = 0;  // 0-based, in the order saved
    std::uint64_t size = 0;   // bytes of the JPEG (or of the clip's file)
    std::string sha256Hex;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t chunkCount = 0;
    MediaKind kind = MediaKind::photo;  // records from before clips read as photos
    std::uint32_t durationMs = 0;       // clips only
    friend bool operator==(const PhotoInfo&, const PhotoInfo&) = default;
};

// The photos of one report sealed ahead of its save (Store::sealPhotos). The kiosk seals them
// while the visitor reviews the report, so that the save the visitor waits for only copies and
// commits. Ciphertext only: nothing in it needs wiping.
class SealedPhotos {
  public:
    SealedPhotos() = default;
    // True when these are exactly `photos` (count, sizes, SHA-256) of report `uuid`.
    [[nodiscard]] bool matches(std::string_view uuid, std::span<const Photo> photos) const;

  private:
    friend class Store;
    std::string uuid_;
    std::vector<PhotoInfo> infos_;
    std::vector<std::uint8_t> sealed_;  // every chunk, back to back in photo and chunk order
};

struct StoreStats {
    std::uint64_t fileBytes = 0;  // size of data.mdb on disk
    std::uint64_t usedBytes = 0;  // pages in use
    std::uint64_t mapBytes = 0;   // current map size
    std::uint64_t maxMapBytes = 0;
};

// Count per state and the age of the oldest report not yet delivered (queued, sending, failed).
struct OutboxCounts {
    std::vector<std::pair<OutboxState, std::uint64_t>> perState;  // every state, zeros included
    std::optional<std::int64_t> oldestUndeliveredAgeMs;
    [[nodiscard]] std::uint64_t count(OutboxState s) const;
};

struct StoreOptions {
    std::string path;  // directory holding data.mdb and lock.mdb; created if missing
    // The at-rest key. Without one the store opens for metadata only: saving, reading identity
    // and photos, and verify fail with Errc::permission (lapor-ctl status/list/show use this).
    std::optional<crypto::Key> key;
    std::uint64_t mapSize = 64ull << 20;       // initial map size (grows by doubling)
    std::uint64_t maxMapSize = 8192ull << 20;  // beyond this a save fails with Errc::diskFull
    const Clock* clock = nullptr;              // nullptr: SystemClock::instance()
    std::string deviceId;   // used only when the store is created; empty: drawn at random
    bool readOnly = false;  // lapor-ctl's read-only commands; no write is possible
    std::size_t auditRowsKept = 20'000;  // the newest staff audit rows kept (about 2 MB)
};

// The schema version this code writes and understands.
inline constexpr std::uint32_t storeSchemaVersion = 1;
// Photo bytes per chunk: a sealed chunk plus LMDB's page header fills exactly 16 pages of 4 KiB.
inline constexpr std::size_t photoChunkBytes = 65536 - 16 - crypto::sealOverhead;
// What one report may carry besides its photos (Clip): the kiosk's own limits are lower (one clip
// of 30 s, one note of 2 minutes); the store refuses beyond these with Errc::invalidInput.
inline constexpr std::size_t maxClipsPerReport = 4;
inline constexpr std::size_t maxClipBytes = 16u << 20;

class Store {
  public:
    // Opens (creating if missing) the store. Errc::tooNew when it was written by a newer version
    // (nothing is changed), Errc::corrupt when it is not a store, Errc::ioError/permission
    // otherwise.
    [[nodiscard]] static Result<std::unique_ptr<Store>> open(StoreOptions options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // --- metadata ---
    [[nodiscard]] const std::string& deviceId() const noexcept;
    // Random, drawn once when the store was created: the device's receipt-code prefix.
    [[nodiscard]] const std::string& receiptPrefix() const noexcept;
    [[nodiscard]] std::uint32_t schemaVersion() const noexcept;
    [[nodiscard]] const std::string& path() const noexcept;
    [[nodiscard]] bool hasKey() const noexcept;

    // --- reports (the kiosk) ---
    // Stores the report, its photos, its outbox entry (queued) and first history row in ONE
    // transaction; durable when it returns ok. A report with an empty receiptCode gets a new
    // random one (receipt::generate with receiptPrefix()) inside that transaction, drawn again if
    // taken, so a failed save burns no code. Refuses (Errc::invalidInput) a UUID or given receipt
    // code already stored, a malformed UUID, and a photo whose bytes do not match its sha256Hex
    // (an empty sha256Hex is computed). Errc::diskFull when the map cannot grow or the disk is
    // full: nothing is stored then, and the store stays readable.
    [[nodiscard]] Status saveReport(const Report& report, std::span<const Photo> photos);
    // The same, with the photos sealed ahead (sealPhotos); when `sealed` is not of this report and
    // these photos, they are sealed now, as above.
    [[nodiscard]] Status saveReport(const Report& report, std::span<const Photo> photos,
                                    const SealedPhotos& sealed);
    // The same with the report's video clips and spoken notes, stored after its photos (items
    // photos.size() and up) in the same transaction. Each clip is sealed chunk by chunk straight
    // into the store's pages, never copied whole. Refuses (Errc::invalidInput) a clip of kind
    // photo, an empty one, one over maxClipBytes, more than maxClipsPerReport, and one whose bytes
    // do not match its sha256Hex (an empty sha256Hex is computed).
    [[nodiscard]] Status saveReport(const Report& report, std::span<const Photo> photos,
                                    std::span<const Clip> clips, const SealedPhotos* sealed);
    // Seals the photos of report `uuid` for a later saveReport. Errc::permission without a key.
    [[nodiscard]] Result<SealedPhotos> sealPhotos(std::string_view uuid,
                                                  std::span<const Photo> photos) const;
    // Several reports in one transaction (all or none), e.g. an imported bundle. Same checks.
    // Returns the receipt code of each, in batch order (as given, or as assigned).
    struct ReportToSave {
        const Report* report = nullptr;
        std::span<const Photo> photos;
        const SealedPhotos* sealed = nullptr;  // optional, as in saveReport
        // The kiosk prints a slip for it: a "slip due" record (core/store_slips.hpp) is written
        // in the same transaction.
        bool slipDue = false;
        std::span<const Clip> clips = {};  // stored after the photos, as in saveReport
    };
    [[nodiscard]] Result<std::vector<std::string>> saveReports(std::span<const ReportToSave> batch);
    // The report with its identity decrypted (empty after retention purged it).
    // Errc::notFound, Errc::permission without a key, Errc::corrupt when decryption fails.
    [[nodiscard]] Result<Report> loadReport(std::string_view uuid) const;
    // The report without identity; needs no key.
    [[nodiscard]] Result<Report> loadReportPublic(std::string_view uuid) const;
    [[nodiscard]] Result<std::string> findByReceiptCode(std::string_view code) const;  // -> uuid
    [[nodiscard]] Result<std::vector<PhotoInfo>> listPhotos(std::string_view uuid) const;
    // One decrypted chunk (photoChunkBytes, the last one shorter).
    [[nodiscard]] Result<std::vector<std::uint8_t>> readPhotoChunk(std::string_view uuid,
                                                                   std::uint32_t photoIndex,
                                                                   std::uint32_t chunkIndex) const;
    // Up to `maxBytes` of the photo from byte `offset` (for resumable uploads); empty at the end.
    [[nodiscard]] Result<std::vector<std::uint8_t>> readPhotoRange(std::string_view uuid,
                                                                   std::uint32_t photoIndex,
                                                                   std::uint64_t offset,
                                                                   std::size_t maxBytes) const;
    // The whole photo, with its SHA-256 checked.
    [[nodiscard]] Result<Photo> readPhoto(std::string_view uuid, std::uint32_t photoIndex) const;
    // The whole clip (an item listPhotos lists with a kind other than photo), its SHA-256 checked.
    [[nodiscard]] Result<Clip> readClip(std::string_view uuid, std::uint32_t index) const;

    // --- outbox (the agent) ---
    // The next due item, now leased to `ownerId` for `leaseMs`: queued (oldest first), failed
    // whose nextAttemptAtMs has come, or sending whose lease expired. nullopt when nothing is due.
    [[nodiscard]] Result<std::optional<Claim>> claimNext(std::string_view ownerId,
                                                         std::int64_t leaseMs);
    // Extends a lease the owner still holds (Errc::busy when it expired and someone else took it).
    [[nodiscard]] Status renewLease(std::string_view uuid, std::string_view ownerId,
                                    std::int64_t leaseMs);
    // sending/failed/queued -> delivered. Idempotent for the same tracking ID.
    [[nodiscard]] Status recordDelivered(std::string_view uuid, std::string_view trackingId);
    // sending -> failed, due again at nextAttemptAtMs.
    [[nodiscard]] Status recordFailure(std::string_view uuid, std::string_view reason,
                                       std::int64_t nextAttemptAtMs);
    // -> parked (refused for good), with the server's reason.
    [[nodiscard]] Status park(std::string_view uuid, std::string_view reason);
    // parked -> queued (staff retry). `who` goes into the history row.
    [[nodiscard]] Status unpark(std::string_view uuid, std::string_view who = {});
    // Every parked report whose park reason is exactly `reason` -> queued, in one transaction
    // (the staff panel's "retry all of this reason"). Returns how many.
    [[nodiscard]] Result<std::uint64_t> unparkAll(std::string_view reason,
                                                  std::string_view who = {});
    // A national status after delivery (received, verified, forwarded, followedUp, closed, or
    // delivered again). Errc::invalidInput before delivery; a repeat of the last row is ignored.
    [[nodiscard]] Status addStatusUpdate(std::string_view uuid, OutboxState status,
                                         std::int64_t atMs, std::string_view note);

    [[nodiscard]] Result<OutboxEntry> outboxEntry(std::string_view uuid) const;
    [[nodiscard]] Result<std::vector<HistoryEntry>> history(std::string_view uuid) const;
    [[nodiscard]] Result<OutboxCounts> counts() const;
    // Entries in `state`, oldest first, at most `limit` (0: all).
    [[nodiscard]] Result<std::vector<OutboxEntry>> listByState(OutboxState state,
                                                               std::size_t limit = 0) const;
    // Every entry, oldest first.
    [[nodiscard]] Result<std::vector<OutboxEntry>> listAll(std::size_t limit = 0) const;
    [[nodiscard]] Result<StoreStats> stats() const;

    // --- the status feed, follow-ups and replies (core/store_feed.cpp, core/store_replies.cpp) ---
    // Where the agent keeps the feed's cursor (a status record, written by applyFeedPage).
    static constexpr std::string_view feedCursorKey = "syncd.status_cursor";
    // Stores one page of the feed and its next cursor in ONE transaction, so a crash can only
    // make the agent read the page again. Each update is kept once per report (by id: a repeat is
    // ignored) in the report's timeline; one with a state moves the outbox state as
    // addStatusUpdate does. Updates of reports this store does not hold are skipped. Returns how
    // many updates were new.
    [[nodiscard]] Result<std::size_t> applyFeedPage(std::span<const FeedUpdate> updates,
                                                    std::string_view nextCursor);
    // The report's timeline, oldest first (by time, then by order of arrival).
    [[nodiscard]] Result<std::vector<FeedUpdate>> timeline(std::string_view uuid) const;
    // What a status screen shows of the report with this receipt code (canonical form). No
    // identity, needs no key. Errc::notFound when no report has it.
    [[nodiscard]] Result<ReportStatus> statusByReceiptCode(std::string_view code) const;
    [[nodiscard]] Result<ReportStatus> statusOf(std::string_view uuid) const;

    // Stores the reply, its photos (sealed like a report's, under the reply's id: readPhotoRange
    // and listPhotos take it) and its outbox entry (queued) in ONE transaction. Refuses
    // (Errc::invalidInput) a malformed or already stored id, a report that does not take replies
    // now (ReportStatus::canReply), an "information" reply without text or photo, text over 4000
    // bytes, more than 5 photos. Errc::permission without a key.
    [[nodiscard]] Status saveReply(const Reply& reply, std::span<const Photo> photos);
    // With its text opened; Errc::notFound, Errc::permission without a key.
    [[nodiscard]] Result<Reply> loadReply(std::string_view id) const;
    [[nodiscard]] Result<ReplyEntry> replyEntry(std::string_view id) const;
    // The replies of a report, oldest first.
    [[nodiscard]] Result<std::vector<ReplyEntry>> replies(std::string_view reportUuid) const;
    // Every reply in `state` (nullopt: all), oldest first (lapor-ctl, the agent's start).
    [[nodiscard]] Result<std::vector<ReplyEntry>> listReplies(
        std::optional<OutboxState> state = std::nullopt) const;
    // Like claimNext, for replies: queued (oldest first), failed and due, or sending with an
    // expired lease; leased to `ownerId`.
    [[nodiscard]] Result<std::optional<ReplyClaim>> claimNextReply(std::string_view ownerId,
                                                                   std::int64_t leaseMs);
    [[nodiscard]] Status renewReplyLease(std::string_view id, std::string_view ownerId,
                                         std::int64_t leaseMs);
    // -> delivered (idempotent).
    [[nodiscard]] Status recordReplyDelivered(std::string_view id);
    // sending/queued/failed -> failed, due again at nextAttemptAtMs.
    [[nodiscard]] Status recordReplyFailure(std::string_view id, std::string_view reason,
                                            std::int64_t nextAttemptAtMs);
    // -> parked (refused for good), with the server's reason.
    [[nodiscard]] Status parkReply(std::string_view id, std::string_view reason);

    // --- catalog ---
    // The catalog the agent last stored; Errc::notFound when none yet (use the default then).
    [[nodiscard]] Result<AgencyCatalog> getCatalog() const;
    // The stored catalog, else the one shipped in <dataDir>/data/catalog.json.
    [[nodiscard]] Result<AgencyCatalog> getCatalogOrDefault(const std::string& dataDir) const;
    [[nodiscard]] Status putCatalog(const AgencyCatalog& catalog);

    // --- status records (e.g. the agent's "syncd": online, last success, last error) ---
    // The agent's word that it has no device token yet ("waiting"; absent once enrolled): the
    // kiosk shows staff "not enrolled yet" from it.
    static constexpr std::string_view enrolmentStatusKey = "syncd.enrolment";
    [[nodiscard]] Status putStatus(std::string_view key, std::string_view value);
    // nullopt when never written.
    [[nodiscard]] Result<std::optional<std::string>> getStatus(std::string_view key) const;
    // Removes a record (absent is fine), e.g. per-report bookkeeping once the report is delivered.
    [[nodiscard]] Status eraseStatus(std::string_view key);
    // Every record, in key order.
    [[nodiscard]] Result<std::vector<std::pair<std::string, std::string>>> listStatus() const;

    // --- staff accounts and their audit (core/store_staff.cpp; rules in core/staff.hpp) ---
    // Accounts are sealed with the store key (their PIN hashes never lie in the clear); audit rows
    // are clear (no PIN, no citizen's data) and the newest StoreOptions::auditRowsKept are kept.
    [[nodiscard]] Result<std::optional<staff::Account>> staffAccount(std::string_view id) const;
    [[nodiscard]] Result<std::vector<staff::Account>> staffAccounts() const;
    // The account and its audit row in one transaction.
    [[nodiscard]] Status putStaffAccount(const staff::Account& account,
                                         const staff::AuditEntry& entry);
    [[nodiscard]] Status appendAudit(const staff::AuditEntry& entry);
    // The newest `limit` rows, oldest first.
    [[nodiscard]] Result<std::vector<staff::AuditEntry>> auditLog(std::size_t limit) const;

    // --- retention and integrity ---
    // Removes photos and identity of reports delivered more than `olderThanDays` ago, and the
    // text and photos of the citizen's replies delivered that long ago; keeps the receipt code,
    // tracking ID, history and the replies' records (kind, times). Says how many of each.
    struct PurgeCounts {
        std::uint64_t reports = 0;
        std::uint64_t replies = 0;
    };
    [[nodiscard]] Result<PurgeCounts> purgeDelivered(int olderThanDays);

    struct VerifyProblem {
        std::string uuid;
        std::string what;  // e.g. "photo 2 chunk 0: authentication failed"
    };
    struct VerifyReport {
        std::uint64_t reports = 0;
        std::uint64_t photos = 0;
        std::uint64_t clips = 0;
        std::uint64_t bytes = 0;  // photo and clip bytes checked
        std::vector<VerifyProblem> problems;
    };
    // Decrypts every identity and photo and checks every photo's SHA-256 and chunk count.
    // Errc::permission without a key.
    [[nodiscard]] Result<VerifyReport> verify() const;

    // Keeps up to `bytes` of zero-filled file beyond the last page in use (never past the map
    // size), so that the next commits overwrite blocks the file already has. A commit that grows
    // the file makes its fdatasync commit the filesystem's journal too (the new size and blocks);
    // one inside the file flushes only its data: measured, a save of a report with 5 photos
    // takes half the time (docs/performance.md). Runs inside a write transaction, so no other
    // writer, in any process, can be extending the file meanwhile. Does nothing while at least
    // half of `bytes` is still free. Returns the bytes added; Errc::diskFull when the disk has no
    // room (whatever was added is given back). The kiosk calls it at start and after each save,
    // off the visitor's path (config store.reserve_mib).
    [[nodiscard]] Result<std::uint64_t> reserveSpace(std::uint64_t bytes);

    // Drops this process's page mappings of the store file. LMDB hands out values as pointers
    // into its read-only map, so every photo read stays resident in the reader's RSS until the
    // map is closed: after uploading a backlog the agent would hold all it sent. The data stays
    // in the page cache and on disk (MADV_DONTNEED on a shared file mapping only unmaps), and a
    // later read faults it back in (a page fault each: not for every small read). Safe while
    // other threads read. The agent calls it after each photo read and every few seconds;
    // verify after each report it checked.
    void releaseMappedPages() const;

    struct Impl;

  private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor
