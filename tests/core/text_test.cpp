// Visitor text normalization: UTF-8 validity, NFC, whitespace, control characters, code points.
#include <doctest/doctest.h>

#include "core/text.hpp"

using namespace lapor;

namespace {

struct Row {
    const char* name;
    std::string input;
    TextMode mode;
    std::string expected;  // when accepted
};

struct BadRow {
    const char* name;
    std::string input;
    TextMode mode;
    TextFaultKind kind;
    std::size_t position;
};

}  // namespace

TEST_CASE("text normalization: accepted inputs") {
    const auto S = TextMode::singleLine;
    const auto M = TextMode::multiLine;
    const Row rows[] = {
        {"plain", "Jalan rusak", S, "Jalan rusak"},
        {"trim", "   Jalan rusak \t ", S, "Jalan rusak"},
        {"collapse spaces", "Jalan   rusak    parah", S, "Jalan rusak parah"},
        {"tab to space", "Jalan\trusak", S, "Jalan rusak"},
        {"nbsp and ideographic space", "Jalan\u00A0\u00A0rusak\u3000parah", S, "Jalan rusak parah"},
        {"narrow nbsp", "Rp\u202F10.000", S, "Rp 10.000"},
        {"zero-width space dropped", "Ja\u200Blan", S, "Jalan"},
        {"bom dropped", "\uFEFFJalan", S, "Jalan"},
        {"zwj kept in emoji", "\U0001F468\u200D\U0001F469\u200D\U0001F467", S,
         "\U0001F468\u200D\U0001F469\u200D\U0001F467"},
        {"nfc composes", "Cafe\u0301 Jl. Sudirman", S, "Caf\u00E9 Jl. Sudirman"},
        {"already nfc", "Caf\u00E9", S, "Caf\u00E9"},
        {"empty", "", S, ""},
        {"only spaces", "  \t  ", S, ""},
        {"line separator in single line becomes space", "satu\u2028dua", S, "satu dua"},
        {"body keeps newline", "Baris satu\nBaris dua", M, "Baris satu\nBaris dua"},
        {"body keeps one blank line", "Paragraf satu\n\nParagraf dua", M,
         "Paragraf satu\n\nParagraf dua"},
        {"body caps blank lines at one", "A\n\n\n\n\nB", M, "A\n\nB"},
        {"body crlf", "A\r\nB\r\n\r\nC", M, "A\nB\n\nC"},
        {"body lone cr", "A\rB", M, "A\nB"},
        {"body trims lines", "  A  \n   B   ", M, "A\nB"},
        {"body blank line of spaces", "A\n   \nB", M, "A\n\nB"},
        {"body trailing newlines", "A\n\n\n", M, "A"},
        {"body leading newlines", "\n\nA", M, "A"},
        {"body paragraph separator", "A\u2029B", M, "A\nB"},
        {"indonesian text", "Pelayanan di Puskesmas sangat lambat", S,
         "Pelayanan di Puskesmas sangat lambat"},
        {"arabic script", "\u0633\u0644\u0627\u0645", S, "\u0633\u0644\u0627\u0645"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        const NormalizedText n = normalizeText(row.input, row.mode);
        REQUIRE(n.ok());
        CHECK(n.text == row.expected);
        // Normalizing twice changes nothing.
        CHECK(normalizeText(n.text, row.mode).text == n.text);
    }
}

TEST_CASE("text normalization: refused inputs") {
    const auto S = TextMode::singleLine;
    const auto M = TextMode::multiLine;
    const auto U = TextFaultKind::invalidUtf8;
    const auto C = TextFaultKind::controlCharacter;
    const BadRow rows[] = {
        {"bell", "Ja\alan", S, C, 3},
        {"nul", std::string("ab\0cd", 5), S, C, 3},
        {"escape", "\x1b[31mred", S, C, 1},
        {"del", "abc\x7f", S, C, 4},
        {"c1 control", "a\u0085b", S, C, 2},
        {"newline in single line", "Judul\nkedua", S, C, 6},
        {"cr in single line", "Judul\rkedua", S, C, 6},
        {"vertical tab in body", "a\vb", M, C, 2},
        {"form feed in body", "a\fb", M, C, 2},
        {"bidi override", "abc\u202Edcba", S, C, 4},
        {"bidi isolate", "\u2066x\u2069", M, C, 1},
        {"position counts code points", "\u00E9\u00E9\u00E9\a", S, C, 4},
        {"lone continuation byte", "ab\x80", S, U, 3},
        {"truncated sequence", "ab\xC3", S, U, 3},
        {"overlong slash", "\xC0\xAF", S, U, 1},
        {"overlong three byte", "\xE0\x80\xAF", S, U, 1},
        {"encoded surrogate", "x\xED\xA0\x80", S, U, 2},
        {"beyond U+10FFFF", "\xF4\x90\x80\x80", S, U, 1},
        {"f5 byte", "\xF5\x80\x80\x80", S, U, 1},
        {"truncated four byte", "\xF0\x9F\x98", M, U, 1},
    };
    for (const BadRow& row : rows) {
        CAPTURE(row.name);
        const NormalizedText n = normalizeText(row.input, row.mode);
        REQUIRE_FALSE(n.ok());
        CHECK(n.fault->kind == row.kind);
        CHECK(n.fault->position == row.position);
        CHECK(n.text.empty());
    }
    CHECK(normalizeText("a\ab", S).fault->codePoint == 0x07);
    CHECK(codePointLabel(0x07) == "U+0007");
    CHECK(codePointLabel(0x202E) == "U+202E");
}

TEST_CASE("utf-8 validity and code point counting") {
    CHECK(isValidUtf8(""));
    CHECK(isValidUtf8("Jalan"));
    CHECK(isValidUtf8("\u00E9\u4E2D\U0001F600"));
    CHECK(isValidUtf8("\xEF\xBF\xBF"));  // U+FFFF is a noncharacter but well-formed
    CHECK_FALSE(isValidUtf8("\xFF"));
    CHECK_FALSE(isValidUtf8("\xC3"));
    CHECK(codePointCount("Jalan") == 5);
    CHECK(codePointCount("Caf\u00E9") == 4);
    CHECK(codePointCount("\U0001F6A7\U0001F6A7") == 2);  // two emoji, 8 bytes
    CHECK(codePointCount("\U0001F44D\U0001F3FD") == 2);  // thumbs up + skin tone
    CHECK(toCodePoints("a\u00E9\U0001F600") == std::u32string{U'a', 0xE9, 0x1F600});
    CHECK(toUtf8(0x1F600) == "\U0001F600");
    CHECK(toUtf8(U'a') == "a");
    CHECK(toUtf8(0xE9) == "\u00E9");
    CHECK(toUtf8(0x4E2D) == "\u4E2D");
}

TEST_CASE("text normalization: properties over random input") {
    // Random mixes of the interesting pieces: ASCII, spaces of all kinds, line breaks, controls,
    // combining marks, multibyte characters and stray invalid bytes.
    const std::string pieces[] = {"a",          "Z",      " ",      "  ",     "\t",     "\n",
                                  "\r\n",       "\r",     "\a",     "\x7f",   "\u00A0", "\u3000",
                                  "\u200B",     "\uFEFF", "\u200D", "\u0301", "\u00E9", "\u4E2D",
                                  "\U0001F600", "\u2028", "\u202E", "\xC3",   "\x80",   "."};
    std::uint32_t state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;  // a fixed LCG: reproducible runs
        return state >> 8;
    };
    int accepted = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string input;
        const std::uint32_t len = next() % 12;
        for (std::uint32_t i = 0; i < len; ++i) {
            input += pieces[next() % std::size(pieces)];
        }
        for (const TextMode mode : {TextMode::singleLine, TextMode::multiLine}) {
            const NormalizedText out = normalizeText(input, mode);
            if (!out.ok()) {
                CHECK(out.text.empty());
                continue;
            }
            ++accepted;
            const std::string& t = out.text;
            CAPTURE(input);
            REQUIRE(isValidUtf8(t));
            REQUIRE(normalizeText(t, mode).text == t);  // idempotent
            REQUIRE(t.find("  ") == std::string::npos);
            REQUIRE(t.find("\n\n\n") == std::string::npos);
            REQUIRE(t.find(" \n") == std::string::npos);
            REQUIRE(t.find("\n ") == std::string::npos);
            if (!t.empty()) {
                REQUIRE(t.front() != ' ');
                REQUIRE(t.back() != ' ');
                REQUIRE(t.front() != '\n');
                REQUIRE(t.back() != '\n');
            }
            for (const char32_t cp : toCodePoints(t)) {
                REQUIRE((cp >= 0x20 || (cp == U'\n' && mode == TextMode::multiLine)));
                REQUIRE(cp != 0x7F);
                REQUIRE(cp != 0x200B);
                REQUIRE(cp != 0xFEFF);
            }
        }
    }
    CHECK(accepted > 5000);  // the generator does reach the interesting paths
}
