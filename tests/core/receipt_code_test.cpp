// Receipt codes: alphabet, check symbol (every single substitution and neighbour swap caught,
// exhaustively), formatting and lenient parsing, random parts, legacy codes still read.
#include <doctest/doctest.h>

#include <map>
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
    CHECK(receipt::kRandomSpace == 31ull * 31 * 31 * 31 * 31 * 31 * 31 * 31 * 31);
    // 14 symbols, 16 characters as printed with separators.
    CHECK(receipt::kCodeSymbols == 14);
    CHECK(receipt::format(*receipt::generate("K7QM")).size() == 16);
}

TEST_CASE("receipt: a code is the device part and a random part, unrelated to the last one") {
    const auto code = receipt::generate("K7QM");
    REQUIRE(code.ok());
    CHECK(code->size() == receipt::kCodeSymbols);
    CHECK(code->substr(0, 4) == "K7QM");
    CHECK(receipt::isCanonical(*code));

    CHECK_FALSE(receipt::generate("K7Q").ok());
    CHECK_FALSE(receipt::generate("K7QMP").ok());
    CHECK_FALSE(receipt::generate("K7Q0").ok());
    CHECK_FALSE(receipt::generate("k7qm").ok());

    // 20,000 codes of one device: all different (a repeat has probability about 8 * 10^-6), and
    // every symbol equally likely at every random position (31 symbols, 9 positions: 180,000
    // draws, about 645 of each symbol; a sequence would fill the first positions with one symbol).
    std::set<std::string> seen;
    std::map<char, int> counts[receipt::kRandomSymbols];
    for (int i = 0; i < 20000; ++i) {
        const std::string c = *receipt::generate("AB2C");
        seen.insert(c);
        for (std::size_t k = 0; k < receipt::kRandomSymbols; ++k) {
            ++counts[k][c[receipt::kDeviceSymbols + k]];
        }
    }
    CHECK(seen.size() == 20000);
    for (const auto& position : counts) {
        CHECK(position.size() == receipt::kRadix);
        for (const auto& entry : position) {
            const char symbol = entry.first;  // (no structured binding: clang 14's CAPTURE)
            const int n = entry.second;
            CAPTURE(symbol);
            CHECK(n > 500);  // 645 expected, standard deviation about 25
            CHECK(n < 800);
        }
    }
}

TEST_CASE("receipt: check symbol catches every single substitution and neighbour swap") {
    // Exhaustive over every position and every other symbol, for many codes.
    std::mt19937 rng(20261129);
    std::uniform_int_distribution<std::size_t> sym(0, receipt::kRadix - 1);
    std::size_t substitutions = 0;
    std::size_t swaps = 0;
    for (int n = 0; n < 2000; ++n) {
        std::string part;
        for (std::size_t i = 0; i < receipt::kDeviceSymbols; ++i) {
            part.push_back(receipt::kAlphabet[sym(rng)]);
        }
        const std::string code = *receipt::generate(part);
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
    CHECK(substitutions == 2000u * 14u * 30u);
    CHECK(swaps > 2000u * 11u);
}

TEST_CASE("receipt: format and lenient parse") {
    const std::string code = *receipt::generate("K7QM");
    const std::string printed = receipt::format(code);
    CHECK(printed.size() == 16);
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
    const std::string code = *receipt::generate("K7QM");
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
    // Two different neighbours swapped (equal ones would leave the code as it was).
    std::string swapped = code;
    std::size_t at = 3;
    while (swapped[at] == swapped[at + 1]) {
        ++at;
    }
    std::swap(swapped[at], swapped[at + 1]);
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

TEST_CASE("receipt: random device parts") {
    std::set<std::string> parts;
    for (int i = 0; i < 200; ++i) {
        const std::string part = receipt::randomDevicePart();
        REQUIRE(part.size() == receipt::kDeviceSymbols);
        for (const char c : part) {
            REQUIRE(receipt::kAlphabet.find(c) != std::string_view::npos);
        }
        parts.insert(part);
    }
    // 200 draws from 923,521: a repeat has probability about 2%.
    CHECK(parts.size() >= 198);
}

TEST_CASE("receipt: the store's prefix is a device part") {
    lapor::testing::TempDir dir;
    auto store = Store::open(lapor::testing::storeOptions(dir.path()));
    REQUIRE(store.ok());
    CHECK(receipt::generate((*store)->receiptPrefix()).ok());
}

TEST_CASE("receipt: codes of older kiosks (4 device, 5 sequence symbols) are still read") {
    // ZQ6X24RJC6, as an older kiosk printed it: its check symbol follows the same rule.
    std::string legacy = "ZQ6X24RJC";
    legacy.push_back(receipt::checkSymbol(legacy));
    CHECK(receipt::isCanonical(legacy));
    CHECK(receipt::format(legacy) == "ZQ6X-24RJC-" + legacy.substr(9));
    CHECK(*receipt::parse("zq6x 24rjc " + legacy.substr(9)) == legacy);
    CHECK_FALSE(receipt::check(receipt::format(legacy)).has_value());
    std::string wrong = legacy;
    std::swap(wrong[5], wrong[6]);
    CHECK(receipt::check(wrong)->key == "receipt.checksum");
    // Lengths between the two are neither.
    CHECK(receipt::check(legacy + "22")->key == "receipt.length");
}
