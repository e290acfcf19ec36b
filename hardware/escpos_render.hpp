// Renders an ESC/POS stream (the subset escpos::Writer emits) to an image of the printed slip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "core/result.hpp"
#include "hardware/escpos.hpp"
#include "hardware/printer.hpp"

namespace lapor::hw {

// Interprets the stream as a printer with font A (12x24 dots) would print it on `paper`: text with
// alignment, bold and size (drawn with DejaVu Sans Mono through stb_truetype, or as boxes if the
// font is missing), raster images dot for dot, feeds and cuts (drawn as a dashed line). Commands
// outside the subset are Errc::corrupt, so the simulator catches what a real printer would choke
// on.
[[nodiscard]] Result<Bitmap> renderEscPos(std::span<const std::uint8_t> stream, PaperWidth paper);

// Writes a 1-bit bitmap as an 8-bit greyscale PNG (black dots on white), durably (hardware/png).
[[nodiscard]] Status writePng(const Bitmap& image, const std::filesystem::path& path);

}  // namespace lapor::hw
