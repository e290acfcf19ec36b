// Runs the JPEG fuzz target over a corpus of valid, mutated and truncated files in every build,
// so the decode path is covered even where libFuzzer is not built.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "hardware/camera_scene.hpp"
#include "hardware/photo.hpp"
#include "tests/fuzz/jpeg_decode_target.hpp"

using namespace lapor;

TEST_CASE("JPEG fuzz target: mutated and truncated inputs never crash") {
    std::vector<std::vector<std::uint8_t>> seeds;
    for (int q : {30, 90}) {
        auto jpeg = encodeJpeg(renderTestScene({96, 64}, q * 10, 0, q), q);
        REQUIRE(jpeg);
        seeds.push_back(std::move(jpeg).value());
    }
    // The libFuzzer seed corpus: 4:2:0, 4:2:2, 4:4:4, greyscale and progressive files.
    const auto corpus = std::filesystem::path(LAPOR_SOURCE_DIR) / "tests/fuzz/corpus/jpeg";
    for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
        std::ifstream in(entry.path(), std::ios::binary);
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    REQUIRE(seeds.size() >= 7);
    for (const auto& seed : seeds) {
        CHECK(fuzz::jpegDecodeOne(seed.data(), seed.size()));
    }

    std::mt19937 rng(20260101);  // fixed: the same corpus every run
    int decoded = 0;
    int refused = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::uint8_t> input = seeds[static_cast<std::size_t>(round) % seeds.size()];
        switch (round % 5) {
            case 0:  // truncate anywhere
                input.resize(rng() % input.size());
                break;
            case 1:  // flip a few bits, headers included
                for (int k = 0; k < 4; ++k) {
                    input[rng() % input.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                }
                break;
            case 2:  // overwrite a byte in the header area with an extreme value
                input[2 + rng() % 160] = (rng() % 2) ? 0xFF : 0x00;
                break;
            case 3:  // insert random bytes
                input.insert(input.begin() + static_cast<std::ptrdiff_t>(rng() % input.size()),
                             rng() % 16 + 1, static_cast<std::uint8_t>(rng()));
                break;
            default:  // random garbage behind a JPEG start marker
                input.assign(rng() % 512 + 2, 0);
                for (auto& b : input) {
                    b = static_cast<std::uint8_t>(rng());
                }
                input[0] = 0xFF;
                input[1] = 0xD8;
                break;
        }
        (fuzz::jpegDecodeOne(input.data(), input.size()) ? decoded : refused)++;
    }
    CHECK(refused > 0);
    CHECK(decoded + refused == 3000);
}
