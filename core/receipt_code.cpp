// Receipt codes: base-31 device part and random part with a position-weighted check symbol mod 31.
#include "core/receipt_code.hpp"

#include <sodium.h>

#include "core/text.hpp"

namespace lapor::receipt {
namespace {

// Value of a symbol in kAlphabet, or -1.
int valueOf(char c) {
    const auto pos = kAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

void ensureSodium() {
    // sodium_init is idempotent and thread-safe; it picks the best random source once.
    [[maybe_unused]] static const int once = sodium_init();
}

enum class Problem { none, empty, lookalike, invalidChar, length, checksum };

struct Reading {
    std::string canonical;
    Problem problem = Problem::none;
    std::size_t position = 0;  // 1-based among the symbols typed (separators not counted)
    std::string offending;     // the character as typed
};

bool isSeparator(char c) {
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == '_';
}

Reading read(std::string_view input) {
    Reading r;
    std::size_t position = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
        const char raw = input[i];
        if (isSeparator(raw)) {
            continue;
        }
        ++position;
        const char c = (raw >= 'a' && raw <= 'z') ? static_cast<char>(raw - 'a' + 'A') : raw;
        if (c == '0' || c == '1' || c == 'O' || c == 'I' || c == 'L') {
            return Reading{{}, Problem::lookalike, position, std::string(1, raw)};
        }
        if (valueOf(c) < 0) {
            // Name the whole character even when it is multibyte UTF-8.
            const auto cps = toCodePoints(input.substr(i, 4));
            return Reading{{},
                           Problem::invalidChar,
                           position,
                           cps.empty() ? std::string(1, raw) : toUtf8(cps.front())};
        }
        r.canonical.push_back(c);
    }
    if (r.canonical.empty()) {
        r.problem = Problem::empty;
    } else if (r.canonical.size() != kCodeSymbols && r.canonical.size() != kLegacyCodeSymbols) {
        r.problem = Problem::length;
    } else if (checkSymbol(std::string_view(r.canonical).substr(0, r.canonical.size() - 1)) !=
               r.canonical.back()) {
        r.problem = Problem::checksum;
    }
    return r;
}

}  // namespace

std::string randomDevicePart() {
    ensureSodium();
    std::string part;
    for (std::size_t i = 0; i < kDeviceSymbols; ++i) {
        part.push_back(kAlphabet[randombytes_uniform(kRadix)]);
    }
    return part;
}

char checkSymbol(std::string_view payload) {
    // Weights 1..n for the payload and n+1 for the check symbol, all below 31 (n + 1 <= 30).
    unsigned sum = 0;
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const int v = valueOf(payload[i]);
        sum += static_cast<unsigned>(i + 1) * static_cast<unsigned>(v < 0 ? 0 : v);
    }
    const unsigned weight = static_cast<unsigned>(payload.size() + 1) % kRadix;
    // Solve weight * c == -sum (mod 31); the inverse by Fermat: weight^(31-2).
    unsigned inverse = 1;
    for (std::size_t k = 0; k < kRadix - 2; ++k) {
        inverse = inverse * weight % kRadix;
    }
    const unsigned need = (kRadix - sum % kRadix) % kRadix;
    return kAlphabet[need * inverse % kRadix];
}

Result<std::string> generate(std::string_view devicePart) {
    if (devicePart.size() != kDeviceSymbols) {
        return makeError(Errc::invalidInput, "receipt device part must have " +
                                                 std::to_string(kDeviceSymbols) + " symbols");
    }
    for (const char c : devicePart) {
        if (valueOf(c) < 0) {
            return makeError(Errc::invalidInput,
                             "receipt device part has a symbol outside the alphabet");
        }
    }
    ensureSodium();
    std::string code(devicePart);
    for (std::size_t i = 0; i < kRandomSymbols; ++i) {
        code.push_back(kAlphabet[randombytes_uniform(kRadix)]);  // uniform: no modulo bias
    }
    code.push_back(checkSymbol(code));
    return code;
}

std::string format(std::string_view canonical) {
    std::string out;
    if (canonical.size() == kCodeSymbols) {
        out.append(canonical.substr(0, 4)).push_back('-');
        out.append(canonical.substr(4, 5)).push_back('-');
        out.append(canonical.substr(9));
    } else if (canonical.size() == kLegacyCodeSymbols) {
        out.append(canonical.substr(0, 4)).push_back('-');
        out.append(canonical.substr(4, 5)).push_back('-');
        out.append(canonical.substr(9));
    } else {
        out = canonical;
    }
    return out;
}

bool isCanonical(std::string_view code) {
    if (code.size() != kCodeSymbols && code.size() != kLegacyCodeSymbols) {
        return false;
    }
    for (const char c : code) {
        if (valueOf(c) < 0) {
            return false;
        }
    }
    return checkSymbol(code.substr(0, code.size() - 1)) == code.back();
}

Result<std::string> parse(std::string_view input) {
    Reading r = read(input);
    switch (r.problem) {
        case Problem::none: return std::move(r.canonical);
        case Problem::empty: return makeError(Errc::invalidInput, "no receipt code given");
        case Problem::lookalike:
        case Problem::invalidChar:
            return makeError(Errc::invalidInput,
                             "receipt code symbol " + std::to_string(r.position) +
                                 " is not in the alphabet " + std::string(kAlphabet));
        case Problem::length:
            return makeError(Errc::invalidInput,
                             "a receipt code has " + std::to_string(kCodeSymbols) +
                                 " symbols, got " + std::to_string(r.canonical.size()));
        case Problem::checksum:
            return makeError(Errc::invalidInput, "receipt code check symbol does not match");
    }
    return makeError(Errc::internal, "unreachable");
}

std::optional<Text> check(std::string_view input) {
    const Reading r = read(input);
    switch (r.problem) {
        case Problem::none: return std::nullopt;
        case Problem::empty: return Text{"receipt.empty", {}};
        case Problem::lookalike:
            return Text{"receipt.lookalike",
                        {{"position", std::to_string(r.position)}, {"char", r.offending}}};
        case Problem::invalidChar:
            return Text{"receipt.invalid_char",
                        {{"position", std::to_string(r.position)}, {"char", r.offending}}};
        case Problem::length:
            return Text{"receipt.length",
                        {{"want", std::to_string(kCodeSymbols)},
                         {"count", std::to_string(r.canonical.size())}}};
        case Problem::checksum: return Text{"receipt.checksum", {}};
    }
    return Text{"receipt.checksum", {}};
}

}  // namespace lapor::receipt
