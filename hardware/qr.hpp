// QR codes for the receipt slip (libqrencode), as 1-bit bitmaps the printer prints as raster
// images.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "hardware/escpos.hpp"

namespace lapor::hw {

// A QR code (error correction M, 8-bit mode) with `moduleDots` dots per module and the 4-module
// quiet zone the standard asks for.
[[nodiscard]] Result<Bitmap> qrBitmap(std::string_view payload, int moduleDots);

}  // namespace lapor::hw
