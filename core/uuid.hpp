// UUIDs: random (version 4) identifiers for reports, the idempotency key forever (RFC 4122).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lapor {

// A fresh version 4 UUID from libsodium's CSPRNG in canonical form:
// "xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx", lowercase hex, Y one of 8, 9, a, b.
[[nodiscard]] std::string newUuidV4();

// Any RFC 4122 UUID in 8-4-4-4-12 hex form, either case; returns it in lowercase canonical form.
// Errc::invalidInput for anything else (braces, "urn:uuid:" and missing hyphens are refused).
[[nodiscard]] Result<std::string> parseUuid(std::string_view text);

// Exactly what newUuidV4 makes: lowercase canonical, version 4, RFC 4122 variant.
[[nodiscard]] bool isCanonicalUuidV4(std::string_view text) noexcept;

}  // namespace lapor
