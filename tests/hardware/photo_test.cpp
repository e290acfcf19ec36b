// Photo pipeline: downscale, metadata-free encode at the configured quality, thumbnails, SHA-256,
// and decoding that refuses damaged or oversized input.
#include <doctest/doctest.h>

#include <cstdlib>

#include "hardware/camera_scene.hpp"
#include "hardware/photo.hpp"

using namespace lapor;

namespace {

struct Segment {
    std::uint8_t marker;
    std::vector<std::uint8_t> payload;
};

// Markers up to the start of scan: that is where metadata would be.
std::vector<Segment> headerSegments(const std::vector<std::uint8_t>& jpeg) {
    std::vector<Segment> out;
    std::size_t i = 2;  // after SOI
    while (i + 4 <= jpeg.size() && jpeg[i] == 0xFF) {
        const std::uint8_t marker = jpeg[i + 1];
        const std::size_t len = std::size_t{jpeg[i + 2]} << 8 | jpeg[i + 3];
        out.push_back({marker,
                       {jpeg.begin() + static_cast<std::ptrdiff_t>(i + 4),
                        jpeg.begin() + static_cast<std::ptrdiff_t>(i + 2 + len)}});
        if (marker == 0xDA) {
            break;
        }
        i += 2 + len;
    }
    return out;
}

Frame scene(std::uint32_t w, std::uint32_t h) {
    return renderTestScene({w, h}, 1234, 1'767'225'600'000, 99);
}

}  // namespace

TEST_CASE("downscale: long side, aspect ratio, never upscale") {
    const Frame big = scene(4056, 3040);
    const Frame s = downscale(big, 1600);
    CHECK(s.width == 1600);
    CHECK(s.height == 1199);  // 3040 * 1600 / 4056 = 1199.2
    CHECK(s.rgb.size() == std::size_t{3} * s.width * s.height);

    const Frame portrait = downscale(scene(300, 400), 200);
    CHECK(portrait.width == 150);
    CHECK(portrait.height == 200);

    const Frame small = scene(320, 240);
    CHECK(downscale(small, 1600).rgb == small.rgb);
}

TEST_CASE("downscale: area averaging keeps flat colours and averages fine detail") {
    Frame flat;
    flat.width = 999;
    flat.height = 333;
    flat.rgb.resize(std::size_t{3} * 999 * 333);
    for (std::size_t i = 0; i < flat.rgb.size(); i += 3) {
        flat.rgb[i] = 10;
        flat.rgb[i + 1] = 128;
        flat.rgb[i + 2] = 250;
    }
    const Frame f = downscale(flat, 250);
    for (std::size_t i = 0; i < f.rgb.size(); i += 3) {
        REQUIRE(f.rgb[i] == 10);
        REQUIRE(f.rgb[i + 1] == 128);
        REQUIRE(f.rgb[i + 2] == 250);
    }
    // A one-pixel checkerboard turns grey instead of aliasing into stripes.
    Frame checker;
    checker.width = 400;
    checker.height = 400;
    checker.rgb.resize(400u * 400u * 3u);
    for (std::uint32_t y = 0; y < 400; ++y) {
        for (std::uint32_t x = 0; x < 400; ++x) {
            const std::uint8_t v = (x + y) % 2 ? 255 : 0;
            for (int c = 0; c < 3; ++c) {
                checker.rgb[(std::size_t{y} * 400 + x) * 3 + static_cast<std::size_t>(c)] = v;
            }
        }
    }
    const Frame g = downscale(checker, 100);
    for (auto v : g.rgb) {
        REQUIRE(std::abs(int{v} - 128) <= 2);
    }
}

TEST_CASE("processPhoto: 1600 px photo and 256 px thumbnail, JFIF only, hashes match") {
    const Frame capture = scene(4056, 3040);
    auto processed = processPhoto(capture);
    REQUIRE(processed);
    const Photo& photo = processed->photo;
    CHECK(photo.width == 1600);
    CHECK(photo.height == 1199);
    CHECK(photo.sha256Hex == sha256Hex(photo.jpeg));
    CHECK(photo.sha256Hex.size() == 64);
    CHECK(processed->thumbnail.width == 256);
    CHECK(processed->thumbnail.height == 192);
    CHECK(processed->thumbnail.sha256Hex == sha256Hex(processed->thumbnail.jpeg));
    CHECK(photo.jpeg.size() <= 400u * 1024u);

    auto decoded = decodeJpeg(photo.jpeg);
    REQUIRE(decoded);
    CHECK(decoded->width == 1600);
    CHECK(decoded->height == 1199);

    for (const std::vector<std::uint8_t>* jpeg :
         {&photo.jpeg, static_cast<const std::vector<std::uint8_t>*>(&processed->thumbnail.jpeg)}) {
        int app0 = 0;
        for (const Segment& s : headerSegments(*jpeg)) {
            CHECK_FALSE((s.marker >= 0xE1 && s.marker <= 0xEF));  // no EXIF, XMP, ICC, ...
            CHECK(s.marker != 0xFE);                              // no comment
            if (s.marker == 0xE0) {
                ++app0;
                CHECK(std::string(s.payload.begin(), s.payload.begin() + 4) == "JFIF");
            }
        }
        CHECK(app0 == 1);
        CHECK(jpeg->back() == 0xD9);
        CHECK((*jpeg)[jpeg->size() - 2] == 0xFF);
    }
}

TEST_CASE("processPhoto: the configured quality is the one in the file") {
    const Frame capture = scene(1600, 1200);
    // libjpeg scales the standard tables: quality 80 -> factor 40, so the luminance DC step
    // 16 becomes 16 * 40 / 100 = 6; quality 50 keeps 16.
    const auto dcStep = [](const std::vector<std::uint8_t>& jpeg) {
        for (const Segment& s : headerSegments(jpeg)) {
            if (s.marker == 0xDB) {
                return int{s.payload.at(1)};  // table 0 (luminance), 8-bit, first entry
            }
        }
        return -1;
    };
    auto q80 = processPhoto(capture);
    REQUIRE(q80);
    CHECK(dcStep(q80->photo.jpeg) == 6);
    PhotoOptions options;
    options.quality = 50;
    auto q50 = processPhoto(capture, options);
    REQUIRE(q50);
    CHECK(dcStep(q50->photo.jpeg) == 16);
    CHECK(q50->photo.jpeg.size() < q80->photo.jpeg.size());
    options.quality = 0;
    CHECK_FALSE(processPhoto(capture, options));
}

TEST_CASE("sha256Hex: known answer") {
    const std::vector<std::uint8_t> abc{'a', 'b', 'c'};
    CHECK(sha256Hex(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("decodeJpeg: damaged, truncated and oversized input are errors") {
    auto good = encodeJpeg(scene(320, 240), 85);
    REQUIRE(good);
    CHECK(decodeJpeg(*good));

    CHECK_FALSE(decodeJpeg({}));
    CHECK_FALSE(decodeJpeg(std::vector<std::uint8_t>{0xFF, 0xD8}));
    const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o', ' ', 'j', 'p', 'e', 'g'};
    CHECK(decodeJpeg(text).error().code == Errc::invalidInput);

    for (std::size_t cut :
         {std::size_t{20}, good->size() / 3, good->size() / 2, good->size() - 40}) {
        std::vector<std::uint8_t> truncated(good->begin(),
                                            good->begin() + static_cast<std::ptrdiff_t>(cut));
        auto r = decodeJpeg(truncated);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::corrupt);
    }

    // Bomb: the frame header claims 60000 x 60000; refused before anything is allocated.
    std::vector<std::uint8_t> bomb = *good;
    for (std::size_t i = 2; i + 9 < bomb.size(); ++i) {
        if (bomb[i] == 0xFF && bomb[i + 1] == 0xC0) {
            bomb[i + 5] = 0xEA;  // height 0xEA60 = 60000
            bomb[i + 6] = 0x60;
            bomb[i + 7] = 0xEA;  // width
            bomb[i + 8] = 0x60;
            break;
        }
    }
    auto r = decodeJpeg(bomb);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalidInput);
    CHECK(r.error().message.find("too large") != std::string::npos);
    // Within the default limits but above caller's own.
    auto limited = decodeJpeg(*good, DecodeLimits{100, 100, 10'000});
    CHECK_FALSE(limited);
}

TEST_CASE("encodeJpeg: refuses frames whose buffer does not match their size") {
    Frame f;
    f.width = 10;
    f.height = 10;
    f.rgb.resize(10);
    CHECK_FALSE(encodeJpeg(f, 80));
    CHECK_FALSE(encodeJpeg(Frame{}, 80));
}
