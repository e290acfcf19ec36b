// The project's one PNG writer (libpng's simplified API), writing through core/durable_file:
// printer slips (grey) and the kiosk's screenshots (RGBA).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "core/result.hpp"

namespace lapor::hw {

enum class PngPixels : std::uint8_t {
    grey,  // one byte per pixel
    rgba,  // four bytes per pixel, in that order
};

// Encodes width x height pixels (rows top to bottom, no padding) and writes them durably to
// `path`. Errc::invalidInput when the size and the pixels disagree.
[[nodiscard]] Status writePngFile(const std::filesystem::path& path, int width, int height,
                                  PngPixels format, std::span<const std::uint8_t> pixels);

}  // namespace lapor::hw
