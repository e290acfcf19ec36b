// Raw camera buffer conversion: YUV maths, byte orders, strides, short buffers, MJPEG.
#include <doctest/doctest.h>

#include <cstdlib>

#include "hardware/camera_convert.hpp"
#include "hardware/photo.hpp"

using namespace lapor;

namespace {

RawImage raw(RawPixelFormat f, std::uint32_t w, std::uint32_t h, std::uint32_t stride,
             std::vector<std::uint8_t> bytes) {
    RawImage r;
    r.format = f;
    r.width = w;
    r.height = h;
    r.stride = stride;
    r.bytes = std::move(bytes);
    r.sequence = 42;
    r.timestampMs = 1234;
    return r;
}

bool near(int a, int b, int tolerance = 3) {
    return std::abs(a - b) <= tolerance;
}

}  // namespace

TEST_CASE("convert: packed RGB byte orders with row padding") {
    // 2x2, stride 8 (two bytes of padding per row for 3-byte pixels).
    const std::vector<std::uint8_t> bytes{1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0};
    auto rgb = convertToRgb(raw(RawPixelFormat::rgb24, 2, 2, 8, bytes));
    REQUIRE(rgb);
    CHECK(rgb->rgb == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    CHECK(rgb->sequence == 42);
    CHECK(rgb->timestampMs == 1234);
    auto bgr = convertToRgb(raw(RawPixelFormat::bgr24, 2, 2, 8, bytes));
    REQUIRE(bgr);
    CHECK(bgr->rgb == std::vector<std::uint8_t>{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10});
    auto bgrx = convertToRgb(raw(RawPixelFormat::bgrx32, 2, 1, 8, {1, 2, 3, 0, 4, 5, 6, 0}));
    REQUIRE(bgrx);
    CHECK(bgrx->rgb == std::vector<std::uint8_t>{3, 2, 1, 6, 5, 4});
}

TEST_CASE("convert: YUYV, NV12 and I420 give the right colours") {
    // BT.601 limited range: grey Y=126 -> 128, red is Y=81 U=90 V=240.
    auto grey = convertToRgb(raw(RawPixelFormat::yuyv, 2, 1, 4, {126, 128, 126, 128}));
    REQUIRE(grey);
    for (auto v : grey->rgb) {
        CHECK(near(v, 128));
    }
    auto red = convertToRgb(raw(RawPixelFormat::yuyv, 2, 1, 4, {81, 90, 81, 240}));
    REQUIRE(red);
    CHECK(near(red->rgb[0], 255));
    CHECK(near(red->rgb[1], 0));
    CHECK(near(red->rgb[2], 0));

    // 2x2 NV12: Y plane (stride 2), then one U,V pair.
    auto nv12 = convertToRgb(raw(RawPixelFormat::nv12, 2, 2, 2, {81, 81, 81, 81, 90, 240}));
    REQUIRE(nv12);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(near(nv12->rgb[3 * i], 255));
        CHECK(near(nv12->rgb[3 * i + 1], 0));
    }
    // 2x2 I420, blue: Y=41 U=240 V=110.
    auto i420 = convertToRgb(raw(RawPixelFormat::yuv420, 2, 2, 2, {41, 41, 41, 41, 240, 110}));
    REQUIRE(i420);
    CHECK(near(i420->rgb[0], 0));
    CHECK(near(i420->rgb[2], 255));
}

TEST_CASE("convert: a buffer shorter than its format needs is an error, not a crash") {
    for (auto f : {RawPixelFormat::rgb24, RawPixelFormat::bgr24, RawPixelFormat::bgrx32,
                   RawPixelFormat::yuyv, RawPixelFormat::nv12, RawPixelFormat::yuv420}) {
        auto r = convertToRgb(raw(f, 640, 480, 0, std::vector<std::uint8_t>(1000)));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::corrupt);
    }
    auto bad = convertToRgb(raw(RawPixelFormat::mjpeg, 640, 480, 0, {0xFF, 0xD8, 0xFF}));
    CHECK_FALSE(bad);
}

TEST_CASE("convert: MJPEG frames are decoded") {
    Frame f;
    f.width = 64;
    f.height = 48;
    f.rgb.assign(64u * 48u * 3u, 200);
    auto jpeg = encodeJpeg(f, 90);
    REQUIRE(jpeg);
    auto out = convertToRgb(raw(RawPixelFormat::mjpeg, 64, 48, 0, *jpeg));
    REQUIRE(out);
    CHECK(out->width == 64);
    CHECK(out->height == 48);
    CHECK(out->sequence == 42);
    CHECK(near(out->rgb[100], 200));
}
