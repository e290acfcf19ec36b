// The office's time zone: Indonesia's three zones (no daylight saving), named the IANA way or the
// way people say them, and the local calendar date and clock time of a UTC instant in one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/report.hpp"
#include "core/result.hpp"

namespace lapor {

struct TimeZone {
    std::string iana = "Asia/Jakarta";  // the office's IANA zone
    std::string abbrev = "WIB";         // what slips and screens print after a time
    int utcOffsetMinutes = 7 * 60;      // WIB +420, WITA +480, WIT +540
    friend bool operator==(const TimeZone&, const TimeZone&) = default;
};

// The zone every report was filed in before reports carried their offset (the kiosk's "today"
// was always WIB then): what a stored report without an offset is read as.
inline constexpr int legacyUtcOffsetMinutes = 7 * 60;

// "Asia/Jakarta", "Asia/Pontianak" (WIB), "Asia/Makassar" (WITA), "Asia/Jayapura" (WIT), or the
// abbreviations "WIB", "WITA", "WIT" (any case). Errc::invalidInput for anything else.
[[nodiscard]] Result<TimeZone> parseTimeZone(std::string_view name);
// The zone for a fixed offset: WIB/WITA/WIT for Indonesia's, else "UTC+hh:mm".
[[nodiscard]] TimeZone zoneForOffset(int utcOffsetMinutes);
// True for an offset a clock can have (UTC-12:00 .. UTC+14:00).
[[nodiscard]] bool plausibleUtcOffset(int utcOffsetMinutes) noexcept;

// "29-11-2026 07:05 WIB": day-month-year and the 24-hour clock, as Indonesians write them.
[[nodiscard]] std::string formatLocalTime(std::int64_t unixMs, const TimeZone& zone);
// RFC 3339 with the local offset: "2026-11-29T07:05:22.123+07:00" (the protocol's created_at).
[[nodiscard]] std::string rfc3339Local(std::int64_t unixMs, int utcOffsetMinutes);

}  // namespace lapor
