// Raw camera buffers to RGB888: integer BT.601 (limited range) for YUV, byte shuffles for RGB.
#include "hardware/camera_convert.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include "hardware/photo.hpp"

namespace lapor {
namespace {

inline std::uint8_t clamp8(int v) {
    return static_cast<std::uint8_t>(std::clamp(v, 0, 255));
}

// BT.601 limited range, as UVC and most CSI pipelines deliver it.
inline void yuvToRgb(int y, int u, int v, std::uint8_t* out) {
    const int c = 298 * (y - 16) + 128;
    const int d = u - 128;
    const int e = v - 128;
    out[0] = clamp8((c + 409 * e) >> 8);
    out[1] = clamp8((c - 100 * d - 208 * e) >> 8);
    out[2] = clamp8((c + 516 * d) >> 8);
}

Error tooShort(const RawImage& raw, std::size_t need) {
    return makeError(Errc::corrupt, "camera buffer too short: " + std::to_string(raw.bytes.size()) +
                                        " bytes, need " + std::to_string(need) + " for " +
                                        std::to_string(raw.width) + "x" +
                                        std::to_string(raw.height));
}

// Packed formats: rows of `bpp` bytes per pixel; the last row needs no padding.
std::size_t packedStride(const RawImage& raw, std::size_t bpp) {
    return std::max<std::size_t>(raw.stride, bpp * raw.width);
}

std::size_t packedNeed(const RawImage& raw, std::size_t stride, std::size_t bpp) {
    return raw.height == 0 ? 0 : stride * (raw.height - 1) + bpp * raw.width;
}

Frame blankFrame(const RawImage& raw) {
    Frame f;
    f.width = raw.width;
    f.height = raw.height;
    f.rgb.resize(std::size_t{3} * raw.width * raw.height);
    f.sequence = raw.sequence;
    f.timestampMs = raw.timestampMs;
    return f;
}

// Packed formats: `bpp` bytes per pixel, channel offsets for R, G, B.
Result<Frame> convertPacked(const RawImage& raw, std::size_t bpp, int r, int g, int b) {
    const std::size_t stride = packedStride(raw, bpp);
    if (const std::size_t need = packedNeed(raw, stride, bpp); raw.bytes.size() < need) {
        return tooShort(raw, need);
    }
    Frame f = blankFrame(raw);
    for (std::uint32_t y = 0; y < raw.height; ++y) {
        const std::uint8_t* src = raw.bytes.data() + y * stride;
        std::uint8_t* dst = f.rgb.data() + std::size_t{3} * raw.width * y;
        for (std::uint32_t x = 0; x < raw.width; ++x, src += bpp, dst += 3) {
            dst[0] = src[r];
            dst[1] = src[g];
            dst[2] = src[b];
        }
    }
    return f;
}

Result<Frame> convertYuyv(const RawImage& raw) {
    const std::size_t stride = packedStride(raw, 2);
    if (const std::size_t need = packedNeed(raw, stride, 2); raw.bytes.size() < need) {
        return tooShort(raw, need);
    }
    Frame f = blankFrame(raw);
    for (std::uint32_t y = 0; y < raw.height; ++y) {
        const std::uint8_t* src = raw.bytes.data() + y * stride;
        std::uint8_t* dst = f.rgb.data() + std::size_t{3} * raw.width * y;
        for (std::uint32_t x = 0; x < raw.width; x += 2, src += 4) {
            yuvToRgb(src[0], src[1], src[3], dst + std::size_t{3} * x);
            if (x + 1 < raw.width) {
                yuvToRgb(src[2], src[1], src[3], dst + std::size_t{3} * (x + 1));
            }
        }
    }
    return f;
}

// NV12 (interleaved chroma) and I420 (separate U and V planes), both 4:2:0.
Result<Frame> convertPlanar420(const RawImage& raw, bool interleaved) {
    const std::size_t stride = std::max<std::size_t>(raw.stride, raw.width);
    const std::size_t cw = (raw.width + 1) / 2;
    const std::size_t ch = (raw.height + 1) / 2;
    const std::size_t ySize = stride * raw.height;
    // libcamera: NV12's UV plane has the luma stride; I420's chroma planes half of it.
    const std::size_t cStride = interleaved ? stride : (stride + 1) / 2;
    const std::size_t cSize = cStride * ch;
    const std::size_t need = ySize + (interleaved ? cSize : 2 * cSize);
    if (raw.bytes.size() < need || (interleaved && cStride < 2 * cw) || cStride < cw) {
        return tooShort(raw, need);
    }
    Frame f = blankFrame(raw);
    const std::uint8_t* yPlane = raw.bytes.data();
    const std::uint8_t* cPlane = yPlane + ySize;
    for (std::uint32_t y = 0; y < raw.height; ++y) {
        const std::uint8_t* yRow = yPlane + y * stride;
        const std::uint8_t* cRow = cPlane + (y / 2) * cStride;
        std::uint8_t* dst = f.rgb.data() + std::size_t{3} * raw.width * y;
        for (std::uint32_t x = 0; x < raw.width; ++x) {
            int u = 0;
            int v = 0;
            if (interleaved) {
                u = cRow[(x / 2) * 2];
                v = cRow[(x / 2) * 2 + 1];
            } else {
                u = cRow[x / 2];
                v = cRow[cSize + x / 2];
            }
            yuvToRgb(yRow[x], u, v, dst + std::size_t{3} * x);
        }
    }
    return f;
}

}  // namespace

Result<Frame> convertToRgb(const RawImage& raw) {
    switch (raw.format) {
        case RawPixelFormat::rgb24: return convertPacked(raw, 3, 0, 1, 2);
        case RawPixelFormat::bgr24: return convertPacked(raw, 3, 2, 1, 0);
        case RawPixelFormat::bgrx32: return convertPacked(raw, 4, 2, 1, 0);
        case RawPixelFormat::yuyv: return convertYuyv(raw);
        case RawPixelFormat::nv12: return convertPlanar420(raw, true);
        case RawPixelFormat::yuv420: return convertPlanar420(raw, false);
        case RawPixelFormat::mjpeg: {
            auto decoded = decodeJpeg(raw.bytes);
            if (!decoded) {
                return decoded.error();
            }
            decoded->sequence = raw.sequence;
            decoded->timestampMs = raw.timestampMs;
            return decoded;
        }
    }
    return makeError(Errc::internal, "unknown raw pixel format");
}

}  // namespace lapor
