// The JPEG decode path over arbitrary bytes (see jpeg_decode_target.hpp).
#include "tests/fuzz/jpeg_decode_target.hpp"

#include <cstdlib>

#include "hardware/photo.hpp"

namespace lapor::fuzz {

bool jpegDecodeOne(const std::uint8_t* data, std::size_t size) {
    // Tight limits keep each run small; the limit check itself is part of what is tested.
    const DecodeLimits limits{2048, 2048, 2'000'000};
    auto decoded = decodeJpeg({data, size}, limits);
    if (!decoded) {
        return false;
    }
    const Frame& f = *decoded;
    if (f.width == 0 || f.height == 0 || f.width > limits.maxWidth || f.height > limits.maxHeight ||
        f.rgb.size() != std::size_t{3} * f.width * f.height) {
        std::abort();  // a decode that "succeeds" with an impossible frame is a bug
    }
    const Frame small = downscale(f, 64);
    auto encoded = encodeJpeg(small, 80);
    if (!encoded) {
        std::abort();
    }
    return true;
}

}  // namespace lapor::fuzz
