// Civil-date arithmetic after Howard Hinnant's days_from_civil algorithm (public domain).
#include "sync/sandbox/times.hpp"

#include <cstdio>

namespace lapor::sandbox {

namespace {

struct Civil {
    int year;
    int month;
    int day;
};

Civil civilFromDays(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return Civil{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

int daysInMonth(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::int64_t daysFromCivil(int year, int month, int day) {
    const int y = year - (month <= 2);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(month > 2 ? month - 3 : month + 9) + 2) / 5 +
                         static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string formatTime(std::int64_t unixMs) {
    const std::int64_t days = floorDiv(unixMs, kDayMs);
    const std::int64_t msOfDay = unixMs - days * kDayMs;
    const Civil c = civilFromDays(days);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
                  static_cast<int>(msOfDay / 3'600'000), static_cast<int>(msOfDay / 60'000 % 60),
                  static_cast<int>(msOfDay / 1000 % 60), static_cast<int>(msOfDay % 1000));
    return buf;
}

std::optional<std::int64_t> parseDate(std::string_view text) {
    int y = 0;
    int m = 0;
    int d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) ||
        !digits(text, 5, 2, m) || !digits(text, 8, 2, d)) {
        return std::nullopt;
    }
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
        return std::nullopt;
    }
    return daysFromCivil(y, m, d);
}

std::optional<std::int64_t> parseTime(std::string_view text) {
    auto t = parseLocalTime(text);
    return t ? std::optional<std::int64_t>(t->unixMs) : std::nullopt;
}

std::optional<LocalTime> parseLocalTime(std::string_view text) {
    if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) {
        return std::nullopt;
    }
    auto days = parseDate(text.substr(0, 10));
    int hh = 0;
    int mm = 0;
    int ss = 0;
    if (!days || !digits(text, 11, 2, hh) || text[13] != ':' || !digits(text, 14, 2, mm) ||
        text[16] != ':' || !digits(text, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::int64_t ms = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int scale = 100;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ms += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;
        }
    }
    std::int64_t offsetMin = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
        offsetMin = 0;
    } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
               text[pos + 3] == ':') {
        int oh = 0;
        int om = 0;
        if (!digits(text, pos + 1, 2, oh) || !digits(text, pos + 4, 2, om)) {
            return std::nullopt;
        }
        offsetMin = (oh * 60 + om) * (text[pos] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    return LocalTime{*days * kDayMs + ((hh * 60 + mm) * 60 + ss) * 1000LL + ms - offsetMin * 60'000,
                     static_cast<int>(offsetMin)};
}

std::int64_t localDay(const LocalTime& t) {
    return floorDiv(t.unixMs + t.utcOffsetMinutes * 60'000LL, kDayMs);
}

int yearOf(std::int64_t unixMs) {
    return civilFromDays(floorDiv(unixMs, kDayMs)).year;
}

std::int64_t addWorkingDays(std::int64_t unixMs, int n, int utcOffsetMinutes) {
    // Counted on the local calendar, so that a Saturday in Jakarta is a Saturday.
    const std::int64_t shift = utcOffsetMinutes * 60'000LL;
    std::int64_t t = unixMs + shift;
    while (n > 0) {
        t += kDayMs;
        // 1970-01-01 was a Thursday: with this offset 0 is Sunday and 6 is Saturday.
        const std::int64_t weekday = ((floorDiv(t, kDayMs) + 4) % 7 + 7) % 7;
        if (weekday != 0 && weekday != 6) {
            --n;
        }
    }
    return t - shift;
}

std::string formatLocalTime(std::int64_t unixMs, int utcOffsetMinutes) {
    std::string text = formatTime(unixMs + utcOffsetMinutes * 60'000LL);
    const int magnitude = utcOffsetMinutes < 0 ? -utcOffsetMinutes : utcOffsetMinutes;
    char offset[8];
    std::snprintf(offset, sizeof offset, "%c%02d:%02d", utcOffsetMinutes < 0 ? '-' : '+',
                  magnitude / 60 % 100, magnitude % 60);
    text.pop_back();  // the 'Z'
    return text + offset;
}

}  // namespace lapor::sandbox
