// Normalization of text a visitor types: valid UTF-8, Unicode NFC, tidy whitespace, no control
// characters; lengths counted in code points. The rules and why: docs/report.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lapor {

// Single-line fields (title, name, place) or multi-line ones (the report's body).
enum class TextMode { singleLine, multiLine };

// Why a text was refused.
enum class TextFaultKind {
    invalidUtf8,       // bytes that are not UTF-8 (overlong, surrogate, truncated, > U+10FFFF)
    controlCharacter,  // C0/C1 controls, DEL, bidi overrides; a line break in a single-line field
};

struct TextFault {
    TextFaultKind kind = TextFaultKind::invalidUtf8;
    std::size_t position = 0;  // 1-based code point position in the input where it was found
    char32_t codePoint = 0;    // the refused character (controlCharacter only)
};

struct NormalizedText {
    std::string text;                // normalized (empty when fault is set)
    std::optional<TextFault> fault;  // set when the input is refused
    [[nodiscard]] bool ok() const noexcept { return !fault.has_value(); }
};

// NFC, then: tab and Unicode spaces become a space; runs of spaces collapse to one; leading and
// trailing whitespace is trimmed (each line's, in multiLine mode); CR LF and lone CR become LF;
// at most two line breaks in a row (one blank line) in multiLine mode; zero-width space and BOM
// are dropped. Any other control character refuses the text.
[[nodiscard]] NormalizedText normalizeText(std::string_view input, TextMode mode);

// True when bytes are well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
[[nodiscard]] bool isValidUtf8(std::string_view bytes) noexcept;

// Code points in valid UTF-8 (what a person counts as characters, near enough: an emoji with a
// skin tone counts 2). Undefined for invalid input; check isValidUtf8 first.
[[nodiscard]] std::size_t codePointCount(std::string_view utf8) noexcept;

// The code points of valid UTF-8 (invalid sequences come out as U+FFFD).
[[nodiscard]] std::u32string toCodePoints(std::string_view utf8);

// One code point as UTF-8.
[[nodiscard]] std::string toUtf8(char32_t cp);

// "U+0007": how a refused character is named in messages.
[[nodiscard]] std::string codePointLabel(char32_t cp);

}  // namespace lapor
