// On-disk forms of a report: the clear-text part (JSON, versioned) and the identity (sealed).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/report.hpp"
#include "core/result.hpp"

namespace lapor::codec {

inline constexpr int reportFormatVersion = 1;

// Every field of the report except its identity, as JSON {"v":1,...}.
[[nodiscard]] std::string encodeReportPublic(const Report& report);
// The same with `receiptCode` in place of report.receiptCode (the store assigns codes inside the
// save's transaction, after the report was prepared).
[[nodiscard]] std::string encodeReportPublic(const Report& report, std::string_view receiptCode);
// The inverse; identity stays empty. Errc::corrupt on malformed input, Errc::tooNew on a newer "v".
[[nodiscard]] Result<Report> decodeReportPublic(std::string_view json);

// The identity's plaintext (encrypted by the store before it touches the disk).
[[nodiscard]] std::vector<std::uint8_t> encodeIdentity(const Identity& identity);
[[nodiscard]] Result<Identity> decodeIdentity(std::span<const std::uint8_t> bytes);

}  // namespace lapor::codec
