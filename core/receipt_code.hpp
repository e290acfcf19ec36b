// Receipt codes: short, read-aloud-friendly, self-checking, unique across kiosks without
// coordination. Design and collision math: docs/report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/i18n.hpp"
#include "core/result.hpp"

namespace lapor::receipt {

// 31 symbols (a prime): digits 2-9 and A-Z without I, L and O, so nothing looks like 0 or 1.
inline constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kRadix = 31;
// Canonical code: 5 device symbols, 4 sequence symbols, 1 check symbol.
inline constexpr std::size_t kDeviceSymbols = 5;
inline constexpr std::size_t kSequenceSymbols = 4;
inline constexpr std::size_t kCodeSymbols = kDeviceSymbols + kSequenceSymbols + 1;
// Codes one device part can issue: 31^4 = 923,521. The store then draws a new device part.
inline constexpr std::uint32_t kSequenceSpace = 31u * 31u * 31u * 31u;

// A random device part (kDeviceSymbols symbols from libsodium's CSPRNG), drawn once when a store
// is created and again whenever its sequence space is used up.
[[nodiscard]] std::string randomDevicePart();
// A random first sequence number in [0, kSequenceSpace): the store counts on from it (mod
// kSequenceSpace), which keeps devices that drew the same part apart (docs/report.md).
[[nodiscard]] std::uint32_t randomSequenceStart();

// The canonical code (10 symbols, no separators): devicePart + base-31 sequence + check symbol.
// Errors: a device part of the wrong length or with symbols outside kAlphabet; a sequence
// >= kSequenceSpace.
[[nodiscard]] Result<std::string> generate(std::string_view devicePart, std::uint32_t sequence);

// The check symbol for a payload: makes sum(i * value(symbol_i)) over all positions i = 1..n
// divisible by 31, which catches every single substitution and every swap of neighbours.
[[nodiscard]] char checkSymbol(std::string_view payload);

// "K7QMP-4XTA-C": for screens, slips and reading aloud (groups of 5, 4, 1: device part,
// sequence, check). Expects a canonical code; returns anything else unchanged.
[[nodiscard]] std::string format(std::string_view canonical);

// Lenient reading of what a person typed: case, spaces, dashes, dots and slashes do not matter.
// Look-alikes (0, O, 1, I, L) are refused, not guessed (docs/report.md). Returns the canonical
// code; Errc::invalidInput with an English message otherwise.
[[nodiscard]] Result<std::string> parse(std::string_view input);
// The same check with a message for the visitor (keys receipt.* in po/core.*.po); nullopt if good.
[[nodiscard]] std::optional<Text> check(std::string_view input);

// True for a canonical code with a correct check symbol.
[[nodiscard]] bool isCanonical(std::string_view code);

}  // namespace lapor::receipt
