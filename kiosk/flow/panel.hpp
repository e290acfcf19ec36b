// What the staff panel shows: the link as lapor-syncd last wrote it, the outbox, the reports the
// server refused, the devices and the clock; read by the app off the frame loop
// (kiosk/staff_desk.hpp) and drawn by kiosk/views/staff_panel_view.cpp. Plain data plus the
// choices of plain words, tested without a store or a screen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"

namespace lapor::kiosk {

// The agent's status record ("syncd" in the store's status table, sync/agent.cpp).
struct LinkInfo {
    bool known = false;  // the agent has written its record at least once
    bool online = false;
    std::int64_t lastSuccessMs = 0;  // wall ms, 0: never
    std::string lastError;           // "<errc>: <message>", English, as the agent wrote it
    std::int64_t lastErrorMs = 0;
    std::int64_t updatedAtMs = 0;    // when the agent last wrote the record
    bool waitsForEnrolment = false;  // no device token yet: nothing is sent
};

// The key of that record in the store's status table (sync/agent.hpp agentStatusKey; the kiosk
// does not link the agent).
inline constexpr std::string_view kAgentStatusKey = "syncd";

// Reads the agent's record; an unreadable one is "not known" (the panel says the agent is silent).
[[nodiscard]] LinkInfo parseAgentRecord(std::string_view json);

struct ParkedReport {
    std::string uuid;
    std::string receiptCode;
    std::string reason;  // the server's words, as the agent stored them
    std::int64_t parkedAtMs = 0;
};

// Reports the server refused, grouped by the same reason (for "retry all of one reason").
struct ParkedGroup {
    std::string reason;
    std::vector<ParkedReport> reports;
};

struct PanelSnapshot {
    bool read = false;          // false until the first reading came back
    std::string readError;      // the store could not be read (English, for the log)
    std::int64_t readAtMs = 0;  // wall ms
    LinkInfo link;
    std::uint64_t waiting = 0;  // queued and failed (retried later)
    std::uint64_t sending = 0;
    std::uint64_t deliveredToday = 0;  // delivered since local midnight
    std::int64_t lastDeliveredMs = 0;  // the newest delivery the store holds (0: none)
    std::optional<std::int64_t> oldestWaitingAgeMs;
    std::vector<ParkedGroup> parked;  // biggest group first
    std::uint64_t parkedCount = 0;
    std::optional<std::uint64_t> diskFreeBytes;  // of the store's file system
    std::uint64_t storeUsedBytes = 0;
    std::uint64_t storeMaxBytes = 0;
    std::int64_t newestKnownMs = 0;  // the latest time the store or the agent recorded
};

// Groups parked reports by reason, the biggest group first (then oldest first inside).
[[nodiscard]] std::vector<ParkedGroup> groupParked(std::vector<ParkedReport> reports);

// The plain words of the agent's last error ("kiosk.staffPanel.error.unreachable", ...).
[[nodiscard]] const char* linkErrorMsgid(std::string_view lastError);
// The plain words of a park reason, from the server's HTTP status in it.
[[nodiscard]] const char* parkReasonMsgid(std::string_view reason);

// A clock far behind the latest time the kiosk has seen (a dead clock battery after a power cut)
// dates reports wrongly: flagged beyond this.
inline constexpr std::int64_t kClockBehindMs = 10 * 60 * 1000;
[[nodiscard]] bool clockBehind(std::int64_t nowWallMs, std::int64_t newestKnownMs);

// Free room below this (disk, or the store's map) is shown as a warning.
inline constexpr std::uint64_t kLowRoomBytes = 200ull << 20;

// "3 min", "2 h 5 min", "4 d 3 h": an age in whole units, language-neutral.
[[nodiscard]] std::string ageText(std::int64_t ms);

// What read-aloud says on the panel, after its title: the link, the outbox, refused reports.
[[nodiscard]] std::vector<Text> panelSpeech(const PanelSnapshot& p, std::int64_t nowWallMs);

}  // namespace lapor::kiosk
