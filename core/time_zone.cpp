// Indonesia's time zones and local dates, with std::chrono's civil calendar (no tz database
// needed: none of the three zones has daylight saving).
#include "core/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace lapor {

namespace {

struct Known {
    std::string_view name;
    std::string_view iana;
    std::string_view abbrev;
    int offset;
};
constexpr Known kZones[] = {
    {"asia/jakarta", "Asia/Jakarta", "WIB", 7 * 60},
    {"asia/pontianak", "Asia/Pontianak", "WIB", 7 * 60},
    {"wib", "Asia/Jakarta", "WIB", 7 * 60},
    {"asia/makassar", "Asia/Makassar", "WITA", 8 * 60},
    {"wita", "Asia/Makassar", "WITA", 8 * 60},
    {"asia/jayapura", "Asia/Jayapura", "WIT", 9 * 60},
    {"wit", "Asia/Jayapura", "WIT", 9 * 60},
};

struct Civil {
    int year, month, day, hour, minute, second, millis;
};

Civil civilAt(std::int64_t unixMs, int utcOffsetMinutes) {
    using namespace std::chrono;
    const sys_time<milliseconds> t{milliseconds(unixMs) + minutes(utcOffsetMinutes)};
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<milliseconds> hms{t - day};
    return Civil{static_cast<int>(ymd.year()),
                 static_cast<int>(unsigned(ymd.month())),
                 static_cast<int>(unsigned(ymd.day())),
                 static_cast<int>(hms.hours().count()),
                 static_cast<int>(hms.minutes().count()),
                 static_cast<int>(hms.seconds().count()),
                 static_cast<int>(hms.subseconds().count())};
}

}  // namespace

Result<TimeZone> parseTimeZone(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const Known& k : kZones) {
        if (k.name == lower) {
            return TimeZone{std::string(k.iana), std::string(k.abbrev), k.offset};
        }
    }
    return makeError(Errc::invalidInput,
                     "unknown time zone \"" + std::string(name) +
                         "\" (Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura, or WIB, "
                         "WITA, WIT)");
}

TimeZone zoneForOffset(int utcOffsetMinutes) {
    for (const Known& k : kZones) {
        if (k.offset == utcOffsetMinutes) {
            return TimeZone{std::string(k.iana), std::string(k.abbrev), k.offset};
        }
    }
    const int a = std::abs(utcOffsetMinutes);
    char buf[16];
    std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", utcOffsetMinutes < 0 ? '-' : '+', a / 60,
                  a % 60);
    return TimeZone{buf, buf, utcOffsetMinutes};
}

bool plausibleUtcOffset(int utcOffsetMinutes) noexcept {
    return utcOffsetMinutes >= -12 * 60 && utcOffsetMinutes <= 14 * 60;
}

std::string formatLocalTime(std::int64_t unixMs, const TimeZone& zone) {
    const Civil c = civilAt(unixMs, zone.utcOffsetMinutes);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02d-%02d-%04d %02d:%02d", c.day, c.month, c.year, c.hour,
                  c.minute);
    std::string out(buf);
    if (!zone.abbrev.empty()) {
        out += ' ';
        out += zone.abbrev;
    }
    return out;
}

std::string rfc3339Local(std::int64_t unixMs, int utcOffsetMinutes) {
    const Civil c = civilAt(unixMs, utcOffsetMinutes);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", c.year, c.month,
                          c.day, c.hour, c.minute, c.second, c.millis);
    if (utcOffsetMinutes == 0) {
        std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "Z");
    } else {
        const int a = std::abs(utcOffsetMinutes);
        std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "%c%02d:%02d",
                      utcOffsetMinutes < 0 ? '-' : '+', a / 60, a % 60);
    }
    return buf;
}

}  // namespace lapor
