// What became of a report: its outbox state, the national system's status feed, the agency's
// follow-ups and the citizen's replies (docs/protocol.md 4.2-4.5). Plain data, shared by the store
// (core/store.hpp), the agent and the kiosk's status screens, which never include the store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/report.hpp"

namespace lapor {

// Where a report is in its life. Stored on disk: never renumber.
enum class OutboxState : std::uint8_t {
    queued = 1,     // saved, waiting for the agent
    sending = 2,    // claimed by an agent (a lease; a crashed agent's claim expires)
    failed = 3,     // last attempt failed; retried at nextAttemptAtMs
    parked = 4,     // refused for good by the server; waits for staff (unpark)
    delivered = 5,  // the national system holds it (tracking ID known)
    // Status updates from the national system, after delivery:
    received = 10,
    verified = 11,
    forwarded = 12,  // forwarded to the agency
    followedUp = 13,
    closed = 14,
};

// "queued", "sending", ..., "followed-up" (stable: used by lapor-ctl and the translations).
[[nodiscard]] const char* outboxStateName(OutboxState state) noexcept;
[[nodiscard]] std::optional<OutboxState> parseOutboxState(std::string_view name) noexcept;
// Every state, in order.
[[nodiscard]] std::span<const OutboxState> allOutboxStates() noexcept;
// True for delivered and every national status after it.
[[nodiscard]] constexpr bool isDelivered(OutboxState s) noexcept {
    return s == OutboxState::delivered || s >= OutboxState::received;
}

// --- what became of a delivered report (docs/protocol.md 4.2-4.5) ---

// The agency's follow-up (tanggapan), as the status feed gave it.
struct FollowUp {
    std::string text;      // up to 4000 characters
    std::string agencyId;  // the catalog's id
    std::string agency;    // the answering office's name
    std::int64_t atMs = 0;
    int utcOffsetMinutes = 0;  // of the feed's local_at: the report's own zone
    friend bool operator==(const FollowUp&, const FollowUp&) = default;
};

// One update of the status feed (4.3). The store keeps each once per report (by `id`) as the
// report's timeline, with its follow-up; no personal data is in it.
struct FeedUpdate {
    std::string id;  // the feed's id of the update
    std::string uuid;
    std::string trackingId;
    std::string event = "status";  // status, followup, reply; an unknown one is kept raw
    std::string status;            // the protocol's name after it, raw ("forwarded", ...)
    std::int64_t atMs = 0;         // UTC
    std::string note;
    bool closed = false;  // closed or rejected: the feed of this report ends
    std::optional<std::int64_t> closesAtMs;
    std::string agencyId;  // on forwarded: where it went
    std::string agency;
    std::optional<FollowUp> followUp;  // on event "followup"
    std::string replyId;               // on event "reply"
    // The outbox state `status` moves the report to (set by the agent, which knows the protocol's
    // names); nullopt: the timeline keeps it, the state stays.
    std::optional<OutboxState> state;
    friend bool operator==(const FeedUpdate&, const FeedUpdate&) = default;
};

// The citizen's answer to a follow-up. Stored on disk: never renumber.
enum class ReplyKind : std::uint8_t {
    information = 1,  // adds information (text and/or photos)
    notResolved = 2,  // the answer does not resolve it
};
// "information", "not_resolved" (the protocol's names).
[[nodiscard]] const char* replyKindName(ReplyKind kind) noexcept;
[[nodiscard]] std::optional<ReplyKind> parseReplyKind(std::string_view name) noexcept;

struct Reply {
    std::string id;  // its RFC 4122 UUID, made when the visitor confirms: the Idempotency-Key
    std::string reportUuid;
    ReplyKind kind = ReplyKind::information;
    std::string text;  // sealed at rest, like the reporter's identity
    std::int64_t createdAtMs = 0;
    int utcOffsetMinutes = 7 * 60;
    std::string language = "id";
};

// A reply's outbox record (no text). States: queued, sending, failed, parked, delivered.
struct ReplyEntry {
    std::string id;
    std::string reportUuid;
    ReplyKind kind = ReplyKind::information;
    OutboxState state = OutboxState::queued;
    std::int64_t createdAtMs = 0;
    int utcOffsetMinutes = 7 * 60;
    std::string language = "id";
    std::int64_t updatedAtMs = 0;
    std::int64_t nextAttemptAtMs = 0;
    std::int64_t leaseUntilMs = 0;
    std::string leaseOwner;
    std::uint32_t attempts = 0;
    std::string lastError;
    std::int64_t deliveredAtMs = 0;
    std::uint32_t photoCount = 0;
    std::uint64_t seq = 0;
    bool purged = false;  // text and photos removed by retention
    friend bool operator==(const ReplyEntry&, const ReplyEntry&) = default;
};

// What a status screen (or lapor-ctl show) needs of one report, found by its receipt code:
// never any identity, and readable without the store key.
struct ReportStatus {
    std::string uuid;
    std::string receiptCode;
    ReportKind kind = ReportKind::pengaduan;
    std::string title;
    std::int64_t filedAtMs = 0;
    int utcOffsetMinutes = 7 * 60;
    OutboxState state = OutboxState::queued;  // the kiosk's own part: queued, sending, ...
    std::string trackingId;                   // once delivered
    std::int64_t deliveredAtMs = 0;
    std::vector<FeedUpdate> timeline;  // the national system's part, oldest first
    std::vector<FollowUp> followUps;   // oldest first
    std::vector<ReplyEntry> replies;   // oldest first
    bool closed = false;
    std::optional<std::int64_t> closesAtMs;
    // The agency's follow-up is there and the report is not closed: the visitor may reply (4.5).
    bool canReply = false;
};

}  // namespace lapor
