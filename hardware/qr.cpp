// QR codes for the receipt slip through libqrencode.
#include "hardware/qr.hpp"

#include <qrencode.h>

#include <memory>
#include <string>

namespace lapor::hw {

Result<Bitmap> qrBitmap(std::string_view payload, int moduleDots) {
    if (payload.empty() || moduleDots < 1 || moduleDots > 32) {
        return makeError(Errc::invalidInput, "QR payload empty or module size out of range");
    }
    const std::string data(payload);
    // 8-bit mode keeps the payload exactly as given (libqrencode's string mode would upcase nothing
    // but may pick kanji mode for some bytes).
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M),
        &QRcode_free);
    if (!code) {
        return makeError(Errc::invalidInput, "QR payload too long to encode");
    }
    constexpr int quiet = 4;
    const int modules = code->width + 2 * quiet;
    Bitmap bmp;
    bmp.width = modules * moduleDots;
    bmp.height = bmp.width;
    bmp.pixels.assign(static_cast<std::size_t>(bmp.width) * static_cast<std::size_t>(bmp.height),
                      0);
    for (int my = 0; my < code->width; ++my) {
        for (int mx = 0; mx < code->width; ++mx) {
            // libqrencode: bit 0 of each byte is the module's colour (1 = dark).
            if ((code->data[my * code->width + mx] & 1) == 0) {
                continue;
            }
            for (int dy = 0; dy < moduleDots; ++dy) {
                const int y = (my + quiet) * moduleDots + dy;
                for (int dx = 0; dx < moduleDots; ++dx) {
                    const int x = (mx + quiet) * moduleDots + dx;
                    bmp.pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(bmp.width) +
                               static_cast<std::size_t>(x)] = 1;
                }
            }
        }
    }
    return bmp;
}

}  // namespace lapor::hw
