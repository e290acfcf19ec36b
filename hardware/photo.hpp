// Photos: JPEG decode (safe on hostile input), downscale, metadata-free encode, thumbnails,
// SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "core/result.hpp"
#include "hardware/camera.hpp"

namespace lapor {

// Refuse images larger than this before decoding anything (decompression bombs).
struct DecodeLimits {
    std::uint32_t maxWidth = 8192;
    std::uint32_t maxHeight = 8192;
    std::uint64_t maxPixels = 40'000'000;
};

struct PhotoOptions {
    std::uint32_t longSide = 1600;  // stored photo: longer side in pixels (never upscaled)
    int quality = 80;               // stored photo JPEG quality, 1..100
    std::uint32_t thumbnailLongSide = 256;
    int thumbnailQuality = 75;
};

// A capture ready to store: the photo (goes into the report) and a thumbnail for the screen.
struct ProcessedPhoto {
    Photo photo;
    Photo thumbnail;
};

// JPEG bytes -> RGB frame. Corrupt, truncated or oversized input is an Errc::corrupt or
// Errc::invalidInput error, never a crash.
[[nodiscard]] Result<Frame> decodeJpeg(std::span<const std::uint8_t> jpeg,
                                       const DecodeLimits& limits = {});
// RGB frame -> baseline JPEG (4:2:0, JFIF header only: no EXIF, no comments).
[[nodiscard]] Result<std::vector<std::uint8_t>> encodeJpeg(const Frame& image, int quality);
// Area-averaging downscale so that the longer side is at most `longSide`; keeps aspect ratio.
// Returns a copy when the image is already small enough.
[[nodiscard]] Frame downscale(const Frame& image, std::uint32_t longSide);
// Lowercase hex SHA-256.
[[nodiscard]] std::string sha256Hex(std::span<const std::uint8_t> bytes);
// Frame -> stored photo + thumbnail, each with the SHA-256 of its bytes.
[[nodiscard]] Result<ProcessedPhoto> processPhoto(const Frame& capture,
                                                  const PhotoOptions& options = {});

}  // namespace lapor
