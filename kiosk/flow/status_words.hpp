// What the status screen, its read-aloud and the status slip say of a report: its timeline as rows
// of plain words with dates, where it is now, and how long the kiosk has been offline. Plain data
// over core/report_status.hpp, tested without a store or a screen.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/i18n.hpp"
#include "core/report_status.hpp"

namespace lapor::kiosk {

struct StatusRow {
    std::int64_t atMs = 0;  // UTC; 0: no date
    Text text;
};

// Oldest first: stored at the kiosk, sent, then each step the national system reported, the
// agency's follow-ups and the citizen's replies.
[[nodiscard]] std::vector<StatusRow> statusTimeline(const ReportStatus& s);
// Where the report is now, in one line ("kiosk.status.now.forwarded", ...).
[[nodiscard]] Text statusNow(const ReportStatus& s);
// For a report still on the kiosk: how long the kiosk has been without the national system
// (lastContactMs 0: never reached it), in the largest whole unit ("3 days"). nullopt once the
// report has left the kiosk.
[[nodiscard]] std::optional<Text> offlineWords(const ReportStatus& s, std::int64_t lastContactMs,
                                               std::int64_t nowWallMs);

}  // namespace lapor::kiosk
