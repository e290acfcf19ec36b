// Time formats of the protocol (RFC 3339 UTC, YYYY-MM-DD) and LAPOR!'s working-day arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lapor::sandbox {

constexpr std::int64_t kDayMs = 86'400'000;

// "2026-11-29T20:30:22.123Z"
[[nodiscard]] std::string formatTime(std::int64_t unixMs);
// Accepts RFC 3339 with 'Z' or a numeric offset, with or without fractional seconds.
[[nodiscard]] std::optional<std::int64_t> parseTime(std::string_view text);
// An instant with the offset it was written in ("...T01:30:00+07:00": +420).
struct LocalTime {
    std::int64_t unixMs = 0;
    int utcOffsetMinutes = 0;
};
[[nodiscard]] std::optional<LocalTime> parseLocalTime(std::string_view text);
// Days since 1970-01-01 of the calendar date the time was written on (in its own offset).
[[nodiscard]] std::int64_t localDay(const LocalTime& t);
// Days since 1970-01-01 of a valid "YYYY-MM-DD"; nullopt for a malformed or impossible date.
[[nodiscard]] std::optional<std::int64_t> parseDate(std::string_view text);
[[nodiscard]] std::int64_t daysFromCivil(int year, int month, int day);
[[nodiscard]] int yearOf(std::int64_t unixMs);
// `n` working days (Monday to Friday on the calendar of the given UTC offset) after `unixMs`,
// at the same time of day. Public holidays are not left out.
[[nodiscard]] std::int64_t addWorkingDays(std::int64_t unixMs, int n, int utcOffsetMinutes = 0);
// "2026-12-09T17:00:00.000+07:00": the instant as a clock at that UTC offset shows it.
[[nodiscard]] std::string formatLocalTime(std::int64_t unixMs, int utcOffsetMinutes);

}  // namespace lapor::sandbox
