// Visitor text normalization: UTF-8 check, ICU's NFC, whitespace and control-character rules.
#include "core/text.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <cstdint>
#include <cstdio>

namespace lapor {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point at bytes[i], advancing i; kInvalid (and i past the bad byte) when the
// sequence is not well-formed per RFC 3629 / Unicode table 3-7.
char32_t decodeOne(std::string_view bytes, std::size_t& i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(bytes[k]); };
    const std::uint8_t b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int extra = 0;
    char32_t cp = 0;
    std::uint8_t lo = 0x80;  // allowed range of the second byte (excludes overlongs, surrogates)
    std::uint8_t hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        extra = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        extra = 2;
        cp = b0 & 0x0F;
        lo = b0 == 0xE0 ? 0xA0 : 0x80;
        hi = b0 == 0xED ? 0x9F : 0xBF;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        extra = 3;
        cp = b0 & 0x07;
        lo = b0 == 0xF0 ? 0x90 : 0x80;
        hi = b0 == 0xF4 ? 0x8F : 0xBF;
    } else {
        ++i;
        return kInvalid;
    }
    if (i + static_cast<std::size_t>(extra) >= bytes.size()) {  // truncated at the end
        ++i;
        return kInvalid;
    }
    for (int k = 1; k <= extra; ++k) {
        const std::uint8_t b = byte(i + static_cast<std::size_t>(k));
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
            ++i;
            return kInvalid;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Space separators (Unicode Zs) and tab: all shown as one ordinary space.
bool isSpace(char32_t cp) {
    return cp == U' ' || cp == U'\t' || cp == 0x00A0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Line breaks as they arrive from keyboards and pasted text (CR LF is one break, handled by the
// caller). VT, FF and NEL are refused as controls: no keyboard makes them.
bool isLineBreak(char32_t cp) {
    return cp == U'\n' || cp == U'\r' || cp == 0x2028 || cp == 0x2029;
}

// Invisible characters with no meaning in a report: dropped rather than refused, because they
// arrive unseen with pasted text and on-screen keyboards (ZWJ and ZWNJ stay: emoji and scripts
// need them).
bool isDropped(char32_t cp) {
    return cp == 0x200B || cp == 0xFEFF;
}

// C0 and C1 controls, DEL, and the bidirectional embedding/override/isolate controls, which can
// make text read differently to the officer than it was typed.
bool isControl(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

bool isValidUtf8(std::string_view bytes) noexcept {
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (decodeOne(bytes, i) == kInvalid) {
            return false;
        }
    }
    return true;
}

std::size_t codePointCount(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (const char c : utf8) {
        n += (static_cast<std::uint8_t>(c) & 0xC0) != 0x80 ? 1 : 0;  // count non-continuation bytes
    }
    return n;
}

std::string toUtf8(char32_t cp) {
    std::string out;
    appendUtf8(out, cp);
    return out;
}

std::u32string toCodePoints(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    std::size_t i = 0;
    while (i < utf8.size()) {
        const char32_t cp = decodeOne(utf8, i);
        out.push_back(cp == kInvalid ? char32_t{0xFFFD} : cp);
    }
    return out;
}

std::string codePointLabel(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

NormalizedText normalizeText(std::string_view input, TextMode mode) {
    NormalizedText result;
    // 1. Well-formed UTF-8, else refuse with the code point position of the first bad byte.
    {
        std::size_t i = 0;
        std::size_t position = 0;
        while (i < input.size()) {
            ++position;
            if (decodeOne(input, i) == kInvalid) {
                result.fault = TextFault{TextFaultKind::invalidUtf8, position, 0};
                return result;
            }
        }
    }
    // 2. Refuse control characters before anything is changed, so positions match the input.
    {
        std::size_t i = 0;
        std::size_t position = 0;
        while (i < input.size()) {
            ++position;
            const char32_t cp = decodeOne(input, i);
            const bool allowed = cp == U'\t' || (mode == TextMode::multiLine && isLineBreak(cp));
            if (isControl(cp) && !allowed) {
                result.fault = TextFault{TextFaultKind::controlCharacter, position, cp};
                return result;
            }
        }
    }
    // 3. Whitespace and invisible characters: one pass that emits words, pending spaces and
    //    pending line breaks. Before NFC, because a dropped BOM between a letter and its accent
    //    would otherwise leave an uncomposed pair behind (and normalizing twice would differ).
    std::string spaced;
    std::string& out = spaced;
    out.reserve(input.size());
    bool pendingSpace = false;
    int pendingBreaks = 0;
    bool afterCr = false;
    std::size_t i = 0;
    while (i < input.size()) {
        const char32_t cp = decodeOne(input, i);
        if (cp == U'\n' && afterCr) {
            afterCr = false;  // CR LF is one break
            continue;
        }
        afterCr = cp == U'\r';
        if (isDropped(cp)) {
            continue;
        }
        if (isSpace(cp) || (mode == TextMode::singleLine && isLineBreak(cp))) {
            pendingSpace = true;
            continue;
        }
        if (isLineBreak(cp)) {
            ++pendingBreaks;
            pendingSpace = false;  // trailing spaces of a line go
            continue;
        }
        if (!out.empty()) {
            if (pendingBreaks > 0) {
                out.append(static_cast<std::size_t>(pendingBreaks > 2 ? 2 : pendingBreaks), '\n');
            } else if (pendingSpace) {
                out.push_back(' ');
            }
        }
        pendingSpace = false;
        pendingBreaks = 0;
        appendUtf8(out, cp);
    }
    // 4. NFC, so that "é" typed as e + combining accent and as one character compare and count
    //    the same. NFC adds no spaces, line breaks or controls, so step 3's result stands.
    {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
        if (U_SUCCESS(status)) {
            icu::StringByteSink<std::string> sink(&result.text,
                                                  static_cast<int32_t>(spaced.size()));
            normalizer->normalizeUTF8(
                0, icu::StringPiece(spaced.data(), static_cast<int32_t>(spaced.size())), sink,
                nullptr, status);
        }
        if (U_FAILURE(status)) {
            result.text = std::move(spaced);  // ICU data missing: keep the (valid) text as typed
        }
    }
    return result;
}

}  // namespace lapor
