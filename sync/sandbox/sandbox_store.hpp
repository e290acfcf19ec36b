// What the sandbox has received, on disk under its data directory: tus uploads, accepted reports
// and their status timelines. Thread-safe; survives a restart (the journal is replayed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sync/sandbox/digest.hpp"
#include "sync/sandbox/report_rules.hpp"

namespace lapor::sandbox {

// The statuses of LAPOR!'s timeline, in order; "rejected" is terminal and only set by hand.
[[nodiscard]] const std::vector<std::string>& timelineStatuses();

struct UploadMeta {
    std::string reportUuid;
    int photoIndex = 0;
    std::string sha256Hex;
    std::string filename;
    std::string filetype;
    std::string rawHeader;  // Upload-Metadata as the client sent it
};

struct UploadView {
    std::string id;
    std::string token;
    std::uint64_t length = 0;
    std::uint64_t offset = 0;
    std::uint64_t bytesReceived = 0;  // every PATCH body byte that arrived, kept or not
    int patches = 0;
    bool complete = false;  // all bytes in and the whole-file SHA-256 matched
    UploadMeta meta;
};

enum class PatchOutcome { ok, unknown, offsetMismatch, checksumMismatch, wholeMismatch, ioError };

struct PatchResult {
    PatchOutcome outcome = PatchOutcome::ok;
    std::uint64_t offset = 0;  // the upload's offset after the PATCH
};

struct ChecksumRequest {
    DigestAlgorithm algorithm;
    std::string digest;  // raw bytes (decoded from the header's base64)
};

// One entry of the status feed (docs/protocol.md section 4.3): a status change, an agency's
// follow-up (status "followed_up", `note` its text) or a reply taken (`replyId`).
struct StatusEvent {
    std::uint64_t seq = 0;
    std::string token;
    std::string trackingId;
    std::string uuid;
    std::string status;
    std::int64_t atMs = 0;
    std::string note;
    std::string event = "status";  // "status", "followup" or "reply"
    std::string agencyId;          // the report's agency (forwarded, follow-ups)
    std::string agency;            // the agency's name as the follow-up gave it; "" = catalog's
    std::string replyId;
    std::int64_t closesAtMs = 0;  // when the report closes unless the reporter replies; 0 = not
    int utcOffsetMinutes = 0;     // the report's local offset (its created_at)
};

// The answers of POST /v1/reports and of a reply (the last three: replies only).
enum class SubmitOutcome {
    created,
    replayed,
    conflict,
    invalid,
    uploadMissing,
    uploadIncomplete,
    photoMismatch,
    unknownReport,
    closed,
    notFollowedUp
};

struct ReplyView {
    std::string id;  // its Idempotency-Key
    std::string trackingId;
    std::string token;
    nlohmann::json body;
    std::int64_t receivedAtMs = 0;
    int created = 0;
    int replayed = 0;
};

struct ReplyResult {
    SubmitOutcome outcome = SubmitOutcome::created;
    ReplyView reply;
    std::int64_t closesAtMs = 0;
    std::vector<FieldError> fields;
    std::string message;
};

struct ReportView {
    std::string trackingId;
    std::string uuid;
    std::string token;
    std::string source;  // "v1" or "open311"
    nlohmann::json body;
    std::int64_t receivedAtMs = 0;
    std::string status;
    std::int64_t statusAtMs = 0;
    std::vector<StatusEvent> history;
    std::vector<ReplyView> replies;
    std::int64_t closesAtMs = 0;
    int utcOffsetMinutes = 0;
    int created = 0;
    int replayed = 0;
};

struct SubmitResult {
    SubmitOutcome outcome = SubmitOutcome::created;
    ReportView report;               // for created and replayed
    std::vector<FieldError> fields;  // for invalid
    std::string message;
};

struct StatusPage {
    std::vector<StatusEvent> updates;
    std::uint64_t nextCursor = 0;
    bool more = false;
};

class SandboxStore {
  public:
    // `timeScale` sandbox seconds pass per real second; `fsync` makes every journal line durable.
    [[nodiscard]] static Result<std::unique_ptr<SandboxStore>> open(
        const std::filesystem::path& dataDir, const Clock& clock, double timeScale, bool fsync);
    ~SandboxStore();
    SandboxStore(const SandboxStore&) = delete;
    SandboxStore& operator=(const SandboxStore&) = delete;

    // Sandbox time (Unix ms): real time sped up by the time scale, plus manual advances.
    [[nodiscard]] std::int64_t now() const;
    void advanceClock(std::int64_t ms);
    [[nodiscard]] double timeScale() const { return timeScale_; }

    // tus creation, idempotent on (token, report uuid, photo index, sha256, length).
    [[nodiscard]] Result<UploadView> createUpload(const std::string& token, std::uint64_t length,
                                                  const UploadMeta& meta);
    [[nodiscard]] std::optional<UploadView> upload(const std::string& id) const;
    // The upload is gone as if it had expired (its bytes deleted; creation makes a new one);
    // HEAD and PATCH then answer `status` (404 or 410). False when there was no such upload.
    bool expireUpload(const std::string& id, int status);
    // The uploads of one report (empty: every upload), for expiring them.
    [[nodiscard]] std::vector<std::string> uploadIds(const std::string& reportUuid) const;
    // 404 or 410 for an upload that expired, nullopt for one never made or still there.
    [[nodiscard]] std::optional<int> expiredStatus(const std::string& id) const;
    // One PATCH: `readBody` pulls the request body and hands each piece to the sink it is given
    // (false from readBody: the connection broke; what arrived is kept unless a checksum was
    // asked).
    [[nodiscard]] PatchResult patchUpload(
        const std::string& id, std::uint64_t clientOffset,
        const std::optional<ChecksumRequest>& checksum,
        const std::function<bool(const std::function<bool(std::string_view)>&)>& readBody);

    // POST /v1/reports ("v1": checked against the rules, the catalog and the uploads) or an
    // Open311 request ("open311": checked by the caller). An empty key never matches.
    [[nodiscard]] SubmitResult submit(const std::string& token, const std::string& key,
                                      const nlohmann::json& body, const nlohmann::json& catalog,
                                      const std::string& source);

    [[nodiscard]] StatusPage statusSince(const std::string& token, std::uint64_t cursor,
                                         std::size_t limit);
    // `token` empty: any report.
    [[nodiscard]] std::optional<ReportView> reportByTracking(const std::string& token,
                                                             const std::string& trackingId);
    [[nodiscard]] std::optional<ReportView> reportByUuid(const std::string& uuid);
    [[nodiscard]] std::vector<ReportView> reports(const std::string& source);
    // Moves a report to `status` (forward only, or "rejected"), filling the steps between.
    [[nodiscard]] Status setStatus(const std::string& trackingOrUuid, const std::string& status,
                                   const std::string& note);
    // Moves every open report one step.
    void stepAll();
    // The agency's follow-up (tanggapan): moves the report to followed_up (filling the steps
    // before) or adds another follow-up to a followed-up one; restarts the close clock.
    [[nodiscard]] Status postFollowup(const std::string& trackingOrUuid, const std::string& text,
                                      const std::string& agency);
    // POST /v1/reports/{tracking_id}/replies, exactly once per key.
    [[nodiscard]] ReplyResult submitReply(const std::string& token, const std::string& trackingId,
                                          const std::string& key, const nlohmann::json& body);

    // Open311 tokens: a token stands for a tracking ID, pending for its first `pendingQueries`.
    [[nodiscard]] std::string addOpen311Token(const std::string& trackingId, int pendingQueries);
    // nullopt: unknown token; "" while pending; else the tracking ID.
    [[nodiscard]] std::optional<std::string> queryOpen311Token(const std::string& token);

    [[nodiscard]] nlohmann::json stats();
    [[nodiscard]] Status reset();

    struct Impl;

  private:
    SandboxStore(std::unique_ptr<Impl> impl, double timeScale);
    std::unique_ptr<Impl> impl_;
    double timeScale_;
};

}  // namespace lapor::sandbox
