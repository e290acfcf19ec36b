// The rules a report body must follow (docs/protocol.md section 4.1), checked by the sandbox the
// way the national system would, so that the agent's handling of 422 can be tested.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lapor::sandbox {

struct FieldError {
    std::string field;   // e.g. "reporter.nik"
    std::string reason;  // short machine word: "missing", "empty", "format", "unknown", ...
};

// Everything wrong with `body` (empty when it is acceptable). `catalog` is the served catalog
// (section 5); photos are only checked for shape here (their uploads are the store's business).
[[nodiscard]] std::vector<FieldError> checkReport(const nlohmann::json& body,
                                                  const nlohmann::json& catalog);

// The body with optional fields at their defaults, so that replays compare equal however the
// client spelt the defaults.
[[nodiscard]] nlohmann::json normalizeReport(const nlohmann::json& body);

// Everything wrong with the body of a citizen's reply (docs/protocol.md section 4.5).
[[nodiscard]] std::vector<FieldError> checkReply(const nlohmann::json& body);
// The reply body with `language` at its default, for comparing replays.
[[nodiscard]] nlohmann::json normalizeReply(const nlohmann::json& body);
constexpr std::size_t kReplyTextMax = 4000;

// "title: empty; reporter.nik: format"
[[nodiscard]] std::string describe(const std::vector<FieldError>& errors);

// Lowercase RFC 4122 text form (any version); also accepts uppercase hex.
[[nodiscard]] bool isUuid(const std::string& text);

}  // namespace lapor::sandbox
