// Layout helpers of the receipt slip (renderSlip itself is declared in hardware/printer.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "hardware/escpos.hpp"

namespace lapor::hw {

// Word-wraps printer text (ASCII, see toPrinterText) to `columns`; over-long words are split.
[[nodiscard]] std::vector<std::string> wrapText(std::string_view ascii, int columns);
// wrapText, at most `maxLines` lines; when cut, the last line ends in "...".
[[nodiscard]] std::vector<std::string> shortenToLines(std::string_view ascii, int columns,
                                                      int maxLines);
// "29/11/2026 20:30 WIB": day first, as Indonesian forms write it, in both languages.
[[nodiscard]] std::string formatSlipTime(std::int64_t unixMs, int utcOffsetMinutes,
                                         std::string_view zone);
// The QR code of `payload` centred in a bitmap `paperDots` wide (some printers ignore ESC a for
// raster images), `preferredModule` dots per module or fewer until it fits.
[[nodiscard]] Result<Bitmap> centredQr(std::string_view payload, int paperDots,
                                       int preferredModule);
// "Label: value" in printer text, wrapped to at most `maxLines` of `cols` (shortenToLines); the
// label stays bold-free so a slip reads evenly on cheap printers. Shared by both slips.
void labelled(escpos::Writer& w, std::string_view label, std::string_view value, int cols,
              int maxLines);

}  // namespace lapor::hw
