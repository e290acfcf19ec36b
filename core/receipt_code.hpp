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
// Canonical code: 4 device symbols, 5 sequence symbols, 1 check symbol. The device part is the
// store's receipt prefix (Store::receiptPrefix, drawn once per store with the same alphabet).
inline constexpr std::size_t kDeviceSymbols = 4;
inline constexpr std::size_t kSequenceSymbols = 5;
inline constexpr std::size_t kCodeSymbols = kDeviceSymbols + kSequenceSymbols + 1;
// Codes one device part can issue: 31^5 = 28,629,151 (centuries at a busy office).
inline constexpr std::uint32_t kSequenceSpace = 31u * 31u * 31u * 31u * 31u;

// A random device part (kDeviceSymbols symbols from libsodium's CSPRNG), for a new store.
[[nodiscard]] std::string randomDevicePart();
// A random first sequence number in [0, kSequenceSpace), for callers that keep their own counter.
[[nodiscard]] std::uint32_t randomSequenceStart();
// The first sequence number of a device, derived from its device ID (BLAKE2b, mod
// kSequenceSpace): as good as a random start when device IDs differ, and needs no stored state.
[[nodiscard]] std::uint32_t sequenceStart(std::string_view deviceId);

// The canonical code (10 symbols, no separators): devicePart + base-31 sequence + check symbol.
// Errors: a device part of the wrong length or with symbols outside kAlphabet; a sequence
// >= kSequenceSpace.
[[nodiscard]] Result<std::string> generate(std::string_view devicePart, std::uint32_t sequence);

// The device's n-th code (n = 0, 1, ...): sequence (sequenceStart(deviceId) + n) mod
// kSequenceSpace. Why the start is not 0: docs/report.md (collision math). n counts codes the
// device has issued (e.g. receipts in its store); if the store refuses a code as already used,
// take n + 1. Errc::invalidInput when n >= kSequenceSpace (the device part is used up).
[[nodiscard]] Result<std::string> generateNth(std::string_view devicePart,
                                              std::string_view deviceId, std::uint64_t n);

// The check symbol for a payload: makes sum(i * value(symbol_i)) over all positions i = 1..n
// divisible by 31, which catches every single substitution and every swap of neighbours.
[[nodiscard]] char checkSymbol(std::string_view payload);

// "K7QM-4XTAP-C": for screens, slips and reading aloud (groups of 4, 5, 1: device part,
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
