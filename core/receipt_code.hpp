// Receipt codes: short, read-aloud-friendly, self-checking, and not guessable from one another.
// Design, collision and guessing math: docs/report.md.
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
// Canonical code: 4 device symbols, 9 random symbols, 1 check symbol. The device part is the
// store's receipt prefix (Store::receiptPrefix, drawn once per store with the same alphabet); the
// random part comes from libsodium's CSPRNG, so one code says nothing about any other.
inline constexpr std::size_t kDeviceSymbols = 4;
inline constexpr std::size_t kRandomSymbols = 9;
inline constexpr std::size_t kCodeSymbols = kDeviceSymbols + kRandomSymbols + 1;
// Codes of kiosks before random codes: 4 device symbols, 5 sequence symbols, 1 check symbol.
// Still read (their slips are in people's hands), never made.
inline constexpr std::size_t kLegacyCodeSymbols = 10;
// Random parts one device part can take: 31^9 = 26,439,622,160,671 (about 2^44.6).
inline constexpr std::uint64_t kRandomSpace = 26'439'622'160'671ull;

// A random device part (kDeviceSymbols symbols from libsodium's CSPRNG), for a new store.
[[nodiscard]] std::string randomDevicePart();

// A new canonical code (14 symbols, no separators): devicePart + 9 random symbols + check symbol.
// Errc::invalidInput for a device part of the wrong length or with symbols outside kAlphabet.
// Unique only with high probability: the store draws again when a code is taken (Store::
// saveReports assigns codes inside the save's transaction).
[[nodiscard]] Result<std::string> generate(std::string_view devicePart);

// The check symbol for a payload: makes sum(i * value(symbol_i)) over all positions i = 1..n
// divisible by 31, which catches every single substitution and every swap of neighbours.
[[nodiscard]] char checkSymbol(std::string_view payload);

// "K7QM-4XTAP-Q2RMC": for screens, slips and reading aloud (groups of 4, 5, 5: device part, then
// the random part, the check symbol last). A legacy code prints as before ("K7QM-4XTAP-C"). Expects
// a canonical code; returns anything else unchanged.
[[nodiscard]] std::string format(std::string_view canonical);

// Lenient reading of what a person typed: case, spaces, dashes, dots and slashes do not matter.
// Look-alikes (0, O, 1, I, L) are refused, not guessed (docs/report.md). Returns the canonical
// code (a legacy one too); Errc::invalidInput with an English message otherwise.
[[nodiscard]] Result<std::string> parse(std::string_view input);
// The same check with a message for the visitor (keys receipt.* in po/core.*.po); nullopt if good.
[[nodiscard]] std::optional<Text> check(std::string_view input);

// True for a canonical code (or a legacy one) with a correct check symbol.
[[nodiscard]] bool isCanonical(std::string_view code);

}  // namespace lapor::receipt
