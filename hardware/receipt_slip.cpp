// The receipt slip: lays out office, receipt code, QR code, time, kind, title and status help as
// ESC/POS.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>

#include "hardware/escpos.hpp"
#include "hardware/printer.hpp"
#include "hardware/qr.hpp"
#include "hardware/receipt_slip.hpp"

namespace lapor::hw {

using escpos::Align;

std::vector<std::string> wrapText(std::string_view ascii, int columns) {
    std::vector<std::string> lines;
    const auto cols = static_cast<std::size_t>(std::max(columns, 1));
    std::string current;
    std::size_t i = 0;
    while (i < ascii.size()) {
        while (i < ascii.size() && ascii[i] == ' ') {
            ++i;
        }
        std::size_t end = ascii.find(' ', i);
        if (end == std::string_view::npos) {
            end = ascii.size();
        }
        std::string_view word = ascii.substr(i, end - i);
        i = end;
        if (word.empty()) {
            break;
        }
        const std::size_t need = current.empty() ? word.size() : current.size() + 1 + word.size();
        if (need <= cols) {
            if (!current.empty()) {
                current += ' ';
            }
            current += word;
            continue;
        }
        if (!current.empty()) {
            lines.push_back(std::move(current));
            current.clear();
        }
        // A word longer than the line (a URL) is split hard.
        while (word.size() > cols) {
            lines.emplace_back(word.substr(0, cols));
            word.remove_prefix(cols);
        }
        current = word;
    }
    if (!current.empty()) {
        lines.push_back(std::move(current));
    }
    return lines;
}

std::vector<std::string> shortenToLines(std::string_view ascii, int columns, int maxLines) {
    std::vector<std::string> lines = wrapText(ascii, columns);
    if (lines.size() <= static_cast<std::size_t>(maxLines)) {
        return lines;
    }
    lines.resize(static_cast<std::size_t>(maxLines));
    std::string& last = lines.back();
    const auto cols = static_cast<std::size_t>(columns);
    // Room for the ellipsis, cut back to a word boundary when one is near.
    if (last.size() + 3 > cols) {
        last.resize(cols > 3 ? cols - 3 : 0);
        const std::size_t space = last.rfind(' ');
        if (space != std::string::npos && space + 10 >= last.size()) {
            last.resize(space);
        }
    }
    last += "...";
    return lines;
}

std::string formatSlipTime(std::int64_t unixMs, int utcOffsetMinutes, std::string_view zone) {
    const std::time_t t =
        static_cast<std::time_t>(unixMs / 1000) + static_cast<std::time_t>(utcOffsetMinutes) * 60;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %02d:%02d", tm.tm_mday,
                                tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
    std::string out(buf, static_cast<std::size_t>(std::max(n, 0)));
    if (!zone.empty()) {
        out += ' ';
        out += zone;
    }
    return out;
}

// The QR code centred in a bitmap as wide as the paper, so it comes out centred on every printer
// (some ignore ESC a for raster images).
Result<Bitmap> centredQr(std::string_view payload, int paperDots, int preferredModule) {
    for (int module = preferredModule; module >= 2; --module) {
        Result<Bitmap> qr = qrBitmap(payload, module);
        if (!qr) {
            return qr.error();
        }
        if (qr->width > paperDots) {
            continue;
        }
        Bitmap out;
        out.width = paperDots;
        out.height = qr->height;
        out.pixels.assign(
            static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height), 0);
        const int x0 = (paperDots - qr->width) / 2;
        for (int y = 0; y < qr->height; ++y) {
            std::copy_n(qr->pixels.begin() + static_cast<std::ptrdiff_t>(y) * qr->width, qr->width,
                        out.pixels.begin() + static_cast<std::ptrdiff_t>(y) * out.width + x0);
        }
        return out;
    }
    return makeError(Errc::invalidInput, "QR payload too long for the paper width");
}

SlipLabels slipLabelsFrom(const std::function<std::string(std::string_view)>& tr) {
    SlipLabels l;
    std::string* fields[] = {&l.heading,    &l.codeLabel,  &l.timeLabel, &l.kindLabel,
                             &l.titleLabel, &l.howToCheck, &l.footer};
    static_assert(std::size(kSlipLabelMsgids) == std::size(fields));
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        *fields[i] = tr(kSlipLabelMsgids[i]);
    }
    return l;
}

void labelled(escpos::Writer& w, std::string_view label, std::string_view value, int cols,
              int maxLines) {
    std::string text = toPrinterText(label);
    if (!text.empty()) {
        text += ": ";
    }
    text += toPrinterText(value);
    for (const std::string& l : shortenToLines(text, cols, maxLines)) {
        w.line(l);
    }
}

namespace {

std::string replaceAll(std::string text, std::string_view what, std::string_view with) {
    std::size_t pos = 0;
    while ((pos = text.find(what, pos)) != std::string::npos) {
        text.replace(pos, what.size(), with);
        pos += with.size();
    }
    return text;
}

}  // namespace

Result<std::vector<std::uint8_t>> renderSlip(const SlipContent& slip, PaperWidth paper) {
    const std::string code = toPrinterText(slip.receiptCode);
    if (code.empty()) {
        return makeError(Errc::invalidInput, "slip without a receipt code");
    }
    const int cols = columnsFor(paper);
    const int dots = printableDots(paper);
    const std::string rule(static_cast<std::size_t>(cols), '-');
    escpos::Writer w;
    w.init().align(Align::center).bold(true);
    for (const std::string& l : shortenToLines(toPrinterText(slip.office), cols, 3)) {
        w.line(l);
    }
    w.bold(false);
    for (const std::string& l : wrapText(toPrinterText(slip.labels.heading), cols)) {
        w.line(l);
    }
    w.line(rule).line(slip.labels.codeLabel);
    // The code in double width where it fits, always double height: read aloud across a counter.
    const int widthFactor = static_cast<int>(code.size()) * 2 <= cols ? 2 : 1;
    w.size(widthFactor, 2).bold(true).line(code).size(1, 1).bold(false);
    w.feed(1);

    const std::string payload = slip.qrPayload.empty() ? slip.receiptCode : slip.qrPayload;
    Result<Bitmap> qr = centredQr(payload, dots, paper == PaperWidth::mm58 ? 6 : 8);
    if (!qr) {
        return qr.error();
    }
    w.raster(*qr).feed(1);

    w.align(Align::left);
    labelled(w, slip.labels.timeLabel,
             formatSlipTime(slip.filedAtMs, slip.utcOffsetMinutes, slip.zoneName), cols, 2);
    labelled(w, slip.labels.kindLabel, slip.kindName, cols, 2);
    labelled(w, slip.labels.titleLabel, slip.title, cols, 2);
    w.line(rule);
    const std::string help = replaceAll(slip.labels.howToCheck, "{code}", slip.receiptCode);
    std::size_t start = 0;
    while (start <= help.size()) {
        std::size_t nl = help.find('\n', start);
        if (nl == std::string::npos) {
            nl = help.size();
        }
        for (const std::string& l :
             wrapText(toPrinterText(std::string_view(help).substr(start, nl - start)), cols)) {
            w.line(l);
        }
        start = nl + 1;
    }
    if (!slip.labels.footer.empty()) {
        w.align(Align::center).feed(1);
        for (const std::string& l : wrapText(toPrinterText(slip.labels.footer), cols)) {
            w.line(l);
        }
    }
    w.feed(3).cut();
    return w.take();
}

}  // namespace lapor::hw
