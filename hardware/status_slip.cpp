// The status slip: office, heading, receipt code and QR, the report, tracking ID, status,
// timeline, the agency's latest answer and the time printed, as ESC/POS.
#include "hardware/status_slip.hpp"

#include <algorithm>
#include <iterator>

#include "hardware/escpos.hpp"
#include "hardware/receipt_slip.hpp"

namespace lapor::hw {

using escpos::Align;

StatusSlipLabels statusSlipLabelsFrom(const std::function<std::string(std::string_view)>& tr) {
    StatusSlipLabels l;
    std::string* fields[] = {&l.heading,       &l.codeLabel,     &l.kindLabel,   &l.titleLabel,
                             &l.filedLabel,    &l.trackingLabel, &l.statusLabel, &l.timelineLabel,
                             &l.followUpLabel, &l.followUpMore,  &l.printedLabel};
    static_assert(std::size(kStatusSlipLabelMsgids) == std::size(fields));
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        *fields[i] = tr(kStatusSlipLabelMsgids[i]);
    }
    return l;
}

namespace {

// Paragraphs (separated by '\n') word-wrapped one after the other.
std::vector<std::string> wrapParagraphs(std::string_view utf8, int cols) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= utf8.size()) {
        std::size_t nl = utf8.find('\n', start);
        if (nl == std::string_view::npos) {
            nl = utf8.size();
        }
        for (std::string& l : wrapText(toPrinterText(utf8.substr(start, nl - start)), cols)) {
            lines.push_back(std::move(l));
        }
        start = nl + 1;
    }
    return lines;
}

}  // namespace

Result<std::vector<std::uint8_t>> renderStatusSlip(const StatusSlipContent& slip,
                                                   PaperWidth paper) {
    const std::string code = toPrinterText(slip.receiptCode);
    if (code.empty()) {
        return makeError(Errc::invalidInput, "status slip without a receipt code");
    }
    const int cols = columnsFor(paper);
    const int dots = printableDots(paper);
    const std::string rule(static_cast<std::size_t>(cols), '-');
    const auto time = [&](std::int64_t ms) {
        return formatSlipTime(ms, slip.utcOffsetMinutes, slip.zoneName);
    };
    escpos::Writer w;
    w.init().align(Align::center).bold(true);
    for (const std::string& l : shortenToLines(toPrinterText(slip.office), cols, 3)) {
        w.line(l);
    }
    for (const std::string& l : wrapText(toPrinterText(slip.labels.heading), cols)) {
        w.line(l);
    }
    w.bold(false).line(rule).line(slip.labels.codeLabel);
    const int widthFactor = static_cast<int>(code.size()) * 2 <= cols ? 2 : 1;
    w.size(widthFactor, 2).bold(true).line(code).size(1, 1).bold(false).feed(1);
    // A smaller QR than the receipt's: this slip is read back at the kiosk, not across a counter.
    Result<Bitmap> qr = centredQr(slip.qrPayload.empty() ? slip.receiptCode : slip.qrPayload, dots,
                                  paper == PaperWidth::mm58 ? 5 : 6);
    if (!qr) {
        return qr.error();
    }
    w.raster(*qr).feed(1);

    w.align(Align::left);
    labelled(w, slip.labels.kindLabel, slip.kindName, cols, 2);
    labelled(w, slip.labels.titleLabel, slip.title, cols, 2);
    labelled(w, slip.labels.filedLabel, time(slip.filedAtMs), cols, 2);
    if (!slip.trackingId.empty()) {
        labelled(w, slip.labels.trackingLabel, slip.trackingId, cols, 2);
    }
    w.line(rule).bold(true);
    labelled(w, slip.labels.statusLabel, slip.currentStatus, cols, 4);
    w.bold(false);

    if (!slip.timeline.empty()) {
        w.line(rule).line(slip.labels.timelineLabel);
        const std::size_t rows = slip.timeline.size();
        const std::size_t first =
            rows > static_cast<std::size_t>(kStatusSlipMaxRows) ? rows - kStatusSlipMaxRows : 0;
        if (first > 0) {
            w.line("...");  // older rows left out; the kiosk screen has them all
        }
        for (std::size_t i = first; i < rows; ++i) {
            const StatusSlipRow& row = slip.timeline[i];
            w.line(time(row.atMs));
            for (const std::string& l : shortenToLines(toPrinterText(row.text), cols - 2, 3)) {
                w.line("  " + l);
            }
        }
    }

    if (!slip.followUp.empty()) {
        w.line(rule).line(slip.labels.followUpLabel);
        if (slip.followUpAtMs != 0) {
            w.line(time(slip.followUpAtMs));
        }
        std::vector<std::string> lines = wrapParagraphs(slip.followUp, cols);
        const bool cut = lines.size() > static_cast<std::size_t>(kStatusSlipFollowUpLines);
        if (cut) {
            lines.resize(static_cast<std::size_t>(kStatusSlipFollowUpLines));
            std::string& last = lines.back();
            if (last.size() + 3 > static_cast<std::size_t>(cols)) {
                last.resize(static_cast<std::size_t>(std::max(cols - 3, 0)));
            }
            last += "...";
        }
        for (const std::string& l : lines) {
            w.line(l);
        }
        if (cut) {
            // Never cut silently: the whole answer is on the kiosk's status screen.
            for (const std::string& l : wrapParagraphs(slip.labels.followUpMore, cols)) {
                w.line(l);
            }
        }
    }

    w.line(rule);
    labelled(w, slip.labels.printedLabel, time(slip.printedAtMs), cols, 2);
    w.feed(3).cut();
    return w.take();
}

}  // namespace lapor::hw
