// The status slip: what a returning visitor takes home after checking a report at the kiosk
// (code and QR, the report, its national tracking ID, status, timeline and the agency's answer).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "hardware/printer.hpp"

namespace lapor::hw {

// The translated labels, in the visitor's language; the msgids (po/hardware.<lang>.po) below.
struct StatusSlipLabels {
    std::string heading;        // status_slip.heading          "STATUS LAPORAN"
    std::string codeLabel;      // status_slip.code_label       "Kode tanda terima"
    std::string kindLabel;      // status_slip.kind_label       "Jenis"
    std::string titleLabel;     // status_slip.title_label      "Judul"
    std::string filedLabel;     // status_slip.filed_label      "Dikirim"
    std::string trackingLabel;  // status_slip.tracking_label   "No. lacak SP4N-LAPOR!"
    std::string statusLabel;    // status_slip.status_label     "Status"
    std::string timelineLabel;  // status_slip.timeline_label   "Riwayat"
    std::string followUpLabel;  // status_slip.followup_label   "Tindak lanjut instansi"
    std::string followUpMore;   // status_slip.followup_more    printed when the answer was cut
    std::string printedLabel;   // status_slip.printed_label    "Dicetak"
};
inline constexpr const char* kStatusSlipLabelMsgids[] = {
    "status_slip.heading",       "status_slip.code_label",     "status_slip.kind_label",
    "status_slip.title_label",   "status_slip.filed_label",    "status_slip.tracking_label",
    "status_slip.status_label",  "status_slip.timeline_label", "status_slip.followup_label",
    "status_slip.followup_more", "status_slip.printed_label"};
[[nodiscard]] StatusSlipLabels statusSlipLabelsFrom(
    const std::function<std::string(std::string_view)>& tr);

// One line of the timeline: when, and what happened, already translated by the caller.
struct StatusSlipRow {
    std::int64_t atMs = 0;  // Unix ms, UTC
    std::string text;
};

// Everything printed on a status slip. Plain data: the kiosk fills it from its ReportStatus.
struct StatusSlipContent {
    std::string office;
    std::string receiptCode;  // printed large; the QR encodes it unless qrPayload is set
    std::string qrPayload;
    std::string kindName;
    std::string title;           // shortened to two lines
    std::int64_t filedAtMs = 0;  // Unix ms, UTC
    std::string trackingId;      // the national tracking ID; empty: not yet delivered, no line
    std::string currentStatus;   // translated, e.g. "Diteruskan ke instansi"
    std::vector<StatusSlipRow> timeline;  // oldest first; the newest kStatusSlipMaxRows print
    std::string followUp;                 // the agency's latest answer; empty: no section
    std::int64_t followUpAtMs = 0;        // when it came; 0: no time printed
    std::int64_t printedAtMs = 0;
    int utcOffsetMinutes = 7 * 60;
    std::string zoneName = "WIB";
    StatusSlipLabels labels;
};

// Longest timeline printed (the newest rows; a line "..." says older ones were left out) and the
// most lines of the follow-up answer before it is cut with "..." and labels.followUpMore.
inline constexpr int kStatusSlipMaxRows = 12;
inline constexpr int kStatusSlipFollowUpLines = 12;

// The ESC/POS bytes of the slip for `paper`; fails without a receipt code.
[[nodiscard]] Result<std::vector<std::uint8_t>> renderStatusSlip(const StatusSlipContent& slip,
                                                                 PaperWidth paper);

}  // namespace lapor::hw
