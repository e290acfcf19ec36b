// Raw camera buffers (YUYV, NV12, I420, RGB/BGR, XRGB, MJPEG) to the RGB888 frames the rest uses.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "hardware/camera.hpp"

namespace lapor {

// Byte order in memory, not the DRM/libcamera fourcc name (libcamera's RGB888 is B,G,R in memory).
enum class RawPixelFormat {
    rgb24,   // R,G,B
    bgr24,   // B,G,R
    bgrx32,  // B,G,R,X (libcamera XRGB8888)
    yuyv,    // Y0,U,Y1,V (4:2:2)
    nv12,    // Y plane, then interleaved U,V at half resolution
    yuv420,  // Y plane, then U plane, then V plane at half resolution (I420)
    mjpeg,   // one JPEG image
};

// A buffer as it came off the camera, planes copied one after another. `stride` is the first
// plane's bytes per row; chroma planes of planar formats follow libcamera's rules from it.
struct RawImage {
    RawPixelFormat format = RawPixelFormat::rgb24;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t stride = 0;
    std::vector<std::uint8_t> bytes;
    std::int64_t sequence = 0;
    std::int64_t timestampMs = 0;
};

// Converts to RGB888; a buffer shorter than its format needs is Errc::corrupt, never a read past
// it.
[[nodiscard]] Result<Frame> convertToRgb(const RawImage& raw);

}  // namespace lapor
