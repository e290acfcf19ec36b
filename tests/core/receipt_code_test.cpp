// Receipt codes: alphabet, check symbol (every single substitution and neighbour swap caught,
// exhaustively), formatting and lenient parsing, per-device uniqueness.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "core/i18n.hpp"
#include "core/receipt_code.hpp"
#include "core/store.hpp"
#include "tests/core/shipped_catalog.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;

namespace {

const Catalog& catalog() {
    return testing::shippedCatalog();
}

}  // namespace

TEST_CASE("receipt: alphabet has 31 symbols and no look-alikes") {
    CHECK(receipt::kAlphabet.size() == receipt::kRadix);
    CHECK(receipt::kRadix == 31);
    for (const char c : std::string_view("01OIL")) {
        CHECK(receipt::kAlphabet.find(c) == std::string_view::npos);
    }
    std::set<char> unique(receipt::kAlphabet.begin(), receipt::kAlphabet.end());
    CHECK(unique.size() == receipt::kAlphabet.size());
    CHECK(receipt::kSequenceSpace == 28629151);
    // At most 12 characters even as printed, with separators.
    CHECK(receipt::kCodeSymbols == 10);
    CHECK(receipt::format(*receipt::generate("K7QM", 0)).size() <= 12);
}

TEST_CASE("receipt: generate encodes device part and sequence") {
    const auto first = receipt::generate("K7QM", 0);
    REQUIRE(first.ok());
    CHECK(first->substr(0, 9) == "K7QM22222");
    CHECK(receipt::isCanonical(*first));
    const auto last = receipt::generate("K7QM", receipt::kSequenceSpace - 1);
    REQUIRE(last.ok());
    CHECK(last->substr(0, 9) == "K7QMZZZZZ");
    CHECK(receipt::generate("K7QM", 31)->substr(4, 5) == "22232");

    CHECK_FALSE(receipt::generate("K7QM", receipt::kSequenceSpace).ok());
    CHECK_FALSE(receipt::generate("K7Q", 1).ok());
    CHECK_FALSE(receipt::generate("K7QMP", 1).ok());
    CHECK_FALSE(receipt::generate("K7Q0", 1).ok());
    CHECK_FALSE(receipt::generate("k7qm", 1).ok());

    // One device part: every sequence gives a different code.
    std::set<std::string> seen;
    for (std::uint32_t s = 0; s < 20000; ++s) {
        seen.insert(*receipt::generate("AB2C", s));
    }
    CHECK(seen.size() == 20000);
}

TEST_CASE("receipt: check symbol catches every single substitution and neighbour swap") {
    // Exhaustive over every position and every other symbol, for many codes.
    std::mt19937 rng(20261129);
    std::uniform_int_distribution<std::uint32_t> seq(0, receipt::kSequenceSpace - 1);
    std::uniform_int_distribution<std::size_t> sym(0, receipt::kRadix - 1);
    std::size_t substitutions = 0;
    std::size_t swaps = 0;
    for (int n = 0; n < 2000; ++n) {
        std::string part;
        for (std::size_t i = 0; i < receipt::kDeviceSymbols; ++i) {
            part.push_back(receipt::kAlphabet[sym(rng)]);
        }
        const std::string code = *receipt::generate(part, seq(rng));
        REQUIRE(receipt::isCanonical(code));
        for (std::size_t pos = 0; pos < code.size(); ++pos) {
            for (const char c : receipt::kAlphabet) {
                if (c == code[pos]) {
                    continue;
                }
                std::string wrong = code;
                wrong[pos] = c;
                ++substitutions;
                if (receipt::isCanonical(wrong)) {
                    FAIL("substitution not caught: " << code << " -> " << wrong);
                }
            }
            if (pos + 1 < code.size() && code[pos] != code[pos + 1]) {
                std::string swapped = code;
                std::swap(swapped[pos], swapped[pos + 1]);
                ++swaps;
                if (receipt::isCanonical(swapped)) {
                    FAIL("swap not caught: " << code << " -> " << swapped);
                }
            }
        }
    }
    CHECK(substitutions == 2000u * 10u * 30u);
    CHECK(swaps > 2000u * 8u);
}

TEST_CASE("receipt: format and lenient parse") {
    const std::string code = *receipt::generate("K7QM", 12345);
    const std::string printed = receipt::format(code);
    CHECK(printed.size() == 12);
    CHECK(printed[4] == '-');
    CHECK(printed[10] == '-');
    CHECK(*receipt::parse(printed) == code);
    CHECK(*receipt::parse(code) == code);

    std::string lower;
    for (const char c : printed) {
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    CHECK(*receipt::parse(lower) == code);
    CHECK(*receipt::parse("  " + code.substr(0, 3) + " " + code.substr(3, 4) + ". " +
                          code.substr(7) + " ") == code);
    CHECK(*receipt::parse(code.substr(0, 5) + "/" + code.substr(5, 4) + "_" + code.substr(9)) ==
          code);
    CHECK_FALSE(receipt::check(printed).has_value());
    CHECK(receipt::format("short") == "short");
}

TEST_CASE("receipt: refused input says why") {
    const std::string code = *receipt::generate("K7QM", 12345);
    struct Row {
        std::string input;
        std::string key;
        std::string position;
    };
    std::string withO = code;
    withO[2] = 'O';
    std::string withZero = code;
    withZero[6] = '0';
    std::string withL = code;
    withL[0] = 'l';
    std::string swapped = code;
    std::swap(swapped[3], swapped[4]);
    const Row rows[] = {
        {"", "receipt.empty", ""},
        {" - ", "receipt.empty", ""},
        {withO, "receipt.lookalike", "3"},
        {withZero, "receipt.lookalike", "7"},
        {withL, "receipt.lookalike", "1"},
        {"K7QM-4X#AP-C", "receipt.invalid_char", "7"},
        {"K7QM-4X\xC3\x89"
         "AP-C",
         "receipt.invalid_char", "7"},
        {code.substr(0, 9), "receipt.length", ""},
        {code + "A", "receipt.length", ""},
        {swapped, "receipt.checksum", ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.input);
        CHECK_FALSE(receipt::parse(row.input).ok());
        CHECK(receipt::parse(row.input).error().code == Errc::invalidInput);
        const auto text = receipt::check(row.input);
        REQUIRE(text.has_value());
        CHECK(text->key == row.key);
        if (!row.position.empty()) {
            CHECK(text->args.front() ==
                  std::pair<std::string, std::string>{"position", row.position});
        }
        for (const Lang lang : kAllLangs) {
            CHECK(catalog().has(lang, text->key));
            CHECK(catalog().render(lang, *text).find('{') == std::string::npos);
        }
    }
    CHECK(catalog().render(Lang::en, *receipt::check("K7QM-4X\xC3\x89"
                                                     "AP-C")) ==
          "Character 7 (\"\xC3\x89\") cannot be in a receipt code. Codes contain only the digits 2 "
          "to 9 and the letters A to Z.");
}

TEST_CASE("receipt: random device parts and starts") {
    std::set<std::string> parts;
    for (int i = 0; i < 200; ++i) {
        const std::string part = receipt::randomDevicePart();
        REQUIRE(part.size() == receipt::kDeviceSymbols);
        for (const char c : part) {
            REQUIRE(receipt::kAlphabet.find(c) != std::string_view::npos);
        }
        parts.insert(part);
        CHECK(receipt::randomSequenceStart() < receipt::kSequenceSpace);
    }
    // 200 draws from 28.6 million: a repeat has probability about 0.07%.
    CHECK(parts.size() >= 199);
}

TEST_CASE("receipt: the store's prefix is a device part") {
    lapor::testing::TempDir dir;
    auto store = Store::open(lapor::testing::storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK(receipt::generate((*store)->receiptPrefix(), 0).ok());
}

TEST_CASE("receipt: n-th code of a device") {
    const std::string device = "6f1c2a4e-9b3d-4c8e-a1f0-123456789abc";
    const std::uint32_t start = receipt::sequenceStart(device);
    CHECK(start < receipt::kSequenceSpace);
    CHECK(receipt::sequenceStart(device) == start);  // derived, not stored: the same every time
    CHECK(receipt::sequenceStart("another-device") != start);
    CHECK(*receipt::generateNth("K7QM", device, 0) == *receipt::generate("K7QM", start));
    CHECK(*receipt::generateNth("K7QM", device, 5) == *receipt::generate("K7QM", start + 5));
    // Wraps around the sequence space, never repeating within it.
    const std::uint64_t toEnd = receipt::kSequenceSpace - start;
    CHECK(*receipt::generateNth("K7QM", device, toEnd) == *receipt::generate("K7QM", 0));
    CHECK(receipt::generateNth("K7QM", device, receipt::kSequenceSpace - 1).ok());
    CHECK_FALSE(receipt::generateNth("K7QM", device, receipt::kSequenceSpace).ok());

    // Starts spread over the whole space (a few thousand device IDs, 10 buckets).
    int buckets[10] = {};
    for (int i = 0; i < 5000; ++i) {
        ++buckets[receipt::sequenceStart("device-" + std::to_string(i)) * 10ull /
                  receipt::kSequenceSpace];
    }
    for (const int b : buckets) {
        CHECK(b > 400);
        CHECK(b < 600);
    }
}

TEST_CASE("receipt: two devices with the same part rarely meet (collision math, simulated)") {
    // docs/report.md: devices sharing a device part collide only when their runs of m codes
    // overlap, probability about 2m/S. Simulated here on the real space with 20,000 device pairs
    // of m = 50,000 codes: expected overlaps 20,000 * 2 * 50,000 / 28,629,151 = about 70.
    int overlaps = 0;
    const std::uint64_t m = 50000;
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t a = receipt::sequenceStart("a-" + std::to_string(i));
        const std::uint64_t b = receipt::sequenceStart("b-" + std::to_string(i));
        const std::uint64_t d = (b + receipt::kSequenceSpace - a) % receipt::kSequenceSpace;
        if (d < m || receipt::kSequenceSpace - d < m) {
            ++overlaps;
        }
    }
    CHECK(overlaps > 35);
    CHECK(overlaps < 110);
}
