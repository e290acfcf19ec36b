// Folding of region names and queries into search words (see regions_fold.hpp).
#include "core/regions_fold.hpp"

#include <cstdint>

namespace lapor {
namespace {

// Base letters of U+00C0..U+00FF and U+0100..U+017F, in code point order; ' ' separates (x, ÷).
constexpr std::string_view kLatin1Letters =
    "aaaaaaaceeeeiiiidnooooo ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo ouuuuyty";
constexpr std::string_view kLatinExtendedA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
    "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

constexpr char kSeparator = ' ';
constexpr char kDrop = '\0';

// Decodes one UTF-8 sequence at text[i]; returns the code point, or -1 for an invalid sequence
// (then `length` is 1, so decoding resynchronises on the next byte).
std::int32_t decodeUtf8(std::string_view text, std::size_t i, std::size_t& length) {
    const auto lead = static_cast<unsigned char>(text[i]);
    length = 1;
    if (lead < 0x80) {
        return lead;
    }
    std::size_t extra = 0;
    std::int32_t cp = 0;
    std::int32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        extra = 1, cp = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, cp = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, cp = lead & 0x07, minimum = 0x10000;
    } else {
        return -1;
    }
    if (i + extra >= text.size()) {
        return -1;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
        const auto c = static_cast<unsigned char>(text[i + k]);
        if ((c & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    length = extra + 1;
    return cp;
}

// What one code point becomes: a lower-case letter or digit, kDrop, or kSeparator.
char foldCodePoint(std::int32_t cp) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
        return static_cast<char>(cp);
    }
    if (cp >= 'A' && cp <= 'Z') {
        return static_cast<char>(cp - 'A' + 'a');
    }
    switch (cp) {
        case '\'':
        case '`':
        case 0x00B4:  // acute accent
        case 0x02BC:  // modifier letter apostrophe
        case 0x2018:  // left single quotation mark
        case 0x2019:  // right single quotation mark (the decree's "Regapu’u")
            return kDrop;
        default: break;
    }
    if (cp >= 0x0300 && cp <= 0x036F) {  // combining accents of decomposed text
        return kDrop;
    }
    if (cp >= 0x00C0 && cp <= 0x00FF) {
        return kLatin1Letters[static_cast<std::size_t>(cp - 0x00C0)];
    }
    if (cp >= 0x0100 && cp <= 0x017F) {
        return kLatinExtendedA[static_cast<std::size_t>(cp - 0x0100)];
    }
    return kSeparator;
}

}  // namespace

std::string foldForSearch(std::string_view text) {
    static_assert(kLatin1Letters.size() == 64);
    static_assert(kLatinExtendedA.size() == 128);
    std::string out;
    out.reserve(text.size());
    bool pendingSeparator = false;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const std::int32_t cp = decodeUtf8(text, i, length);
        i += length;
        const char folded = cp < 0 ? kSeparator : foldCodePoint(cp);
        if (folded == kDrop) {
            continue;
        }
        if (folded == kSeparator) {
            pendingSeparator = true;
            continue;
        }
        if (pendingSeparator && !out.empty()) {
            out.push_back(' ');
        }
        pendingSeparator = false;
        out.push_back(folded);
    }
    return out;
}

std::vector<std::string_view> splitFoldedWords(std::string_view folded) {
    std::vector<std::string_view> words;
    std::size_t start = 0;
    while (start < folded.size()) {
        std::size_t end = folded.find(' ', start);
        if (end == std::string_view::npos) {
            end = folded.size();
        }
        if (end > start) {
            words.push_back(folded.substr(start, end - start));
        }
        start = end + 1;
    }
    return words;
}

}  // namespace lapor
