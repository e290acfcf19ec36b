// Version 4 UUIDs from libsodium's randombytes, formatted and parsed by hand (16 bytes, 36 chars).
#include "core/uuid.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace lapor {
namespace {

constexpr std::size_t kUuidChars = 36;

bool isHyphenPosition(std::size_t i) {
    return i == 8 || i == 13 || i == 18 || i == 23;
}

bool isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

std::string newUuidV4() {
    [[maybe_unused]] static const int once = sodium_init();
    std::array<std::uint8_t, 16> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant (10xx)
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(kUuidChars);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        out.push_back(hex[bytes[i] >> 4]);
        out.push_back(hex[bytes[i] & 0x0F]);
    }
    return out;
}

Result<std::string> parseUuid(std::string_view text) {
    if (text.size() != kUuidChars) {
        return makeError(Errc::invalidInput,
                         "a UUID has 36 characters, got " + std::to_string(text.size()));
    }
    std::string out(text);
    for (std::size_t i = 0; i < out.size(); ++i) {
        char& c = out[i];
        if (isHyphenPosition(i)) {
            if (c != '-') {
                return makeError(Errc::invalidInput,
                                 "UUID needs a hyphen at position " + std::to_string(i + 1));
            }
            continue;
        }
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (!isLowerHex(c)) {
            return makeError(Errc::invalidInput,
                             "UUID has a non-hex character at position " + std::to_string(i + 1));
        }
    }
    return out;
}

bool isCanonicalUuidV4(std::string_view text) noexcept {
    if (text.size() != kUuidChars) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (isHyphenPosition(i) ? text[i] != '-' : !isLowerHex(text[i])) {
            return false;
        }
    }
    const char variant = text[19];
    return text[14] == '4' &&
           (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

}  // namespace lapor
