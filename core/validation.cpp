// Report validation: per-field rules (NIK, phone, email, lengths, dates) and the whole-report
// check.
#include "core/validation.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/text.hpp"
#include "core/time_zone.hpp"
#include "core/wipe.hpp"

namespace lapor {
namespace {

Text message(std::string key, std::vector<std::pair<std::string, std::string>> args = {}) {
    return Text{std::move(key), std::move(args)};
}

FieldCheck fail(Text text) {
    return FieldCheck{{}, std::move(text)};
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool allDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), isDigit);
}

int digitsToInt(std::string_view s) {
    int v = 0;
    for (const char c : s) {
        v = v * 10 + (c - '0');
    }
    return v;
}

// Normalizes free text and checks its length; `field` names the message keys
// ("validation.<field>.too_long").
FieldCheck checkText(std::string_view input, TextMode mode, std::string_view field, std::size_t min,
                     std::size_t max, bool required) {
    const std::string prefix = "validation." + std::string(field) + ".";
    NormalizedText n = normalizeText(input, mode);
    if (n.fault) {
        if (n.fault->kind == TextFaultKind::invalidUtf8) {
            return fail(message(prefix + "invalid_utf8"));
        }
        return fail(
            message(prefix + "control_char", {{"char", codePointLabel(n.fault->codePoint)},
                                              {"position", std::to_string(n.fault->position)}}));
    }
    const std::size_t count = codePointCount(n.text);
    if (count == 0) {
        if (required) {
            return fail(message(prefix + "required"));
        }
        return FieldCheck{};
    }
    if (count < min) {
        return fail(message(prefix + "too_short",
                            {{"min", std::to_string(min)}, {"count", std::to_string(count)}}));
    }
    if (count > max) {
        return fail(message(prefix + "too_long",
                            {{"max", std::to_string(max)}, {"count", std::to_string(count)}}));
    }
    return FieldCheck{std::move(n.text), std::nullopt};
}

// Characters a name on a KTP can hold besides letters: "Siti Nur'aini", "Abdul-Rahman",
// "Drs. H. Ahmad, S.H.".
bool isNamePunctuation(char32_t cp) {
    return cp == U' ' || cp == U'\'' || cp == 0x2019 || cp == U'-' || cp == U'.' || cp == U',';
}

int daysInMonth(int year, int month) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2) {
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
    }
    return days[month - 1];
}

// Indonesian numbering plan (national significant number, after +62 / leading 0):
// mobile numbers start with 8 (811..899) and have 9 to 12 digits; 80x are service numbers
// (0800 toll-free, 0809 premium), not a person's; landlines start with a 2..7 or 9 area code
// and have 8 to 11 digits with it (021 1234 5678 -> 10; 0651 12345 -> 8).
constexpr std::size_t kMobileMin = 9;
constexpr std::size_t kMobileMax = 12;
constexpr std::size_t kLandlineMin = 8;
constexpr std::size_t kLandlineMax = 11;

}  // namespace

bool isRealDate(const Date& date) noexcept {
    return date.year >= 1 && date.year <= 9999 && date.month >= 1 && date.month <= 12 &&
           date.day >= 1 && date.day <= daysInMonth(date.year, date.month);
}

bool dateBefore(const Date& a, const Date& b) noexcept {
    if (a.year != b.year) {
        return a.year < b.year;
    }
    if (a.month != b.month) {
        return a.month < b.month;
    }
    return a.day < b.day;
}

namespace {
Date fromTm(const std::tm& tm) {
    return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

// Floor division, so that times before 1970 land on the right second.
std::time_t toSeconds(std::int64_t unixMs) {
    return static_cast<std::time_t>(unixMs >= 0 ? unixMs / 1000 : -((-unixMs + 999) / 1000));
}
}  // namespace

Date dateAt(std::int64_t unixMs, int utcOffsetMinutes) noexcept {
    const std::time_t shifted = toSeconds(unixMs) + static_cast<std::time_t>(utcOffsetMinutes) * 60;
    std::tm tm{};
    if (gmtime_r(&shifted, &tm) == nullptr) {
        return Date{};
    }
    return fromTm(tm);
}

Date localDateAt(std::int64_t unixMs) noexcept {
    const std::time_t seconds = toSeconds(unixMs);
    std::tm tm{};
    if (localtime_r(&seconds, &tm) == nullptr) {
        return Date{};
    }
    return fromTm(tm);
}

std::string formatDate(const Date& date) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d-%02d-%04d", date.day, date.month, date.year);
    return buf;
}

FieldCheck validateTitle(std::string_view input) {
    return checkText(input, TextMode::singleLine, "title", ReportLimits::titleMin,
                     ReportLimits::titleMax, true);
}

FieldCheck validateBody(std::string_view input) {
    return checkText(input, TextMode::multiLine, "body", ReportLimits::bodyMin,
                     ReportLimits::bodyMax, true);
}

FieldCheck validatePlace(std::string_view input) {
    return checkText(input, TextMode::singleLine, "place", 0, ReportLimits::placeMax, false);
}

FieldCheck validateName(std::string_view input) {
    FieldCheck check = checkText(input, TextMode::singleLine, "name", ReportLimits::nameMin,
                                 ReportLimits::nameMax, false);
    if (!check.ok() || check.value.empty()) {
        return check;
    }
    bool anyLetter = false;
    for (const char32_t cp : toCodePoints(check.value)) {
        const auto c = static_cast<UChar32>(cp);
        if (u_isalpha(c) != 0) {
            anyLetter = true;
        } else if (u_isdigit(c) != 0) {
            return fail(message("validation.name.digits"));
        } else if ((U_GET_GC_MASK(c) & U_GC_M_MASK) == 0 && !isNamePunctuation(cp)) {
            return fail(message("validation.name.chars", {{"char", toUtf8(cp)}}));
        }
    }
    if (!anyLetter) {
        return fail(message("validation.name.no_letters"));
    }
    return check;
}

std::optional<NikParts> decodeNik(std::string_view digits, Date today) {
    if (digits.size() != 16 || !allDigits(digits)) {
        return std::nullopt;
    }
    NikParts parts;
    parts.district = std::string(digits.substr(0, 6));
    int day = digitsToInt(digits.substr(6, 2));
    const int month = digitsToInt(digits.substr(8, 2));
    const int yy = digitsToInt(digits.substr(10, 2));
    if (day > 40) {
        parts.female = true;
        day -= 40;
    }
    // Two-digit year: the most recent century that puts the birth date on or before today.
    const int century = today.year / 100 * 100;
    Date candidate{century + yy, month, day};
    if (!isRealDate(candidate) || dateBefore(today, candidate)) {
        candidate.year -= 100;
    }
    if (!isRealDate(candidate) || dateBefore(today, candidate)) {
        return std::nullopt;
    }
    parts.birthDate = candidate;
    parts.serial = std::string(digits.substr(12, 4));
    return parts;
}

FieldCheck validateNik(std::string_view input, const DistrictCheck& isDistrict, Date today) {
    std::string digits;
    for (std::size_t i = 0; i < input.size(); ++i) {
        const char c = input[i];
        if (c == ' ') {
            continue;  // "3201 0112 3456 0001": grouping typed for readability
        }
        if (!isDigit(c)) {
            // Show the offending character whole, even when it is multibyte.
            const auto cps = toCodePoints(input.substr(i, 4));
            return fail(message("validation.nik.not_digits",
                                {{"char", toUtf8(cps.empty() ? U'?' : cps.front())}}));
        }
        digits.push_back(c);
    }
    if (digits.empty()) {
        return FieldCheck{};
    }
    if (digits.size() != 16) {
        return fail(message("validation.nik.length", {{"count", std::to_string(digits.size())}}));
    }
    const std::string district = digits.substr(0, 6);
    if (isDistrict && !isDistrict(district)) {
        return fail(message("validation.nik.district", {{"code", district}}));
    }
    const auto parts = decodeNik(digits, today);
    if (!parts) {
        return fail(message("validation.nik.birth_date", {{"digits", digits.substr(6, 6)}}));
    }
    if (parts->serial == "0000") {
        return fail(message("validation.nik.serial"));
    }
    return FieldCheck{std::move(digits), std::nullopt};
}

namespace {
bool isPhoneSeparator(char c) {
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}
}  // namespace

std::string stripPhoneSeparators(std::string_view input) {
    std::string out;
    out.reserve(input.size());
    for (const char c : input) {
        if (!isPhoneSeparator(c)) {
            out.push_back(c);
        }
    }
    return out;
}

bool isValidPhone(std::string_view e164) {
    const FieldCheck check = normalizePhone(e164);
    return check.ok() && !check.value.empty() && check.value == e164;
}

FieldCheck normalizePhone(std::string_view typed) {
    const std::string input = stripPhoneSeparators(typed);
    std::string digits;
    bool plus = false;
    for (std::size_t i = 0; i < input.size(); ++i) {
        const char c = input[i];
        if (c == '+' && digits.empty() && !plus) {
            plus = true;
            continue;
        }
        if (!isDigit(c)) {
            return fail(message("validation.phone.chars"));
        }
        digits.push_back(c);
    }
    if (digits.empty()) {
        if (plus) {
            return fail(message("validation.phone.prefix"));
        }
        return FieldCheck{};
    }
    std::string national;  // national significant number: no country code, no leading 0
    if (digits.rfind("62", 0) == 0) {
        national = digits.substr(2);
        if (!national.empty() && national[0] == '0') {
            national.erase(0, 1);  // "+62 0812...": the trunk 0 kept out of habit
        }
    } else if (plus) {
        return fail(message("validation.phone.country"));
    } else if (digits[0] == '0') {
        national = digits.substr(1);
    } else if (digits[0] == '8') {
        national = digits;  // "812...": typed without the 0, as next to a printed +62 prefix
    } else {
        return fail(message("validation.phone.prefix"));
    }
    // Lengths in messages count the digits as written with a leading 0, the way people know them.
    const std::string count = std::to_string(national.size() + 1);
    if (national.empty() || national[0] == '0' || national[0] == '1') {
        return fail(message("validation.phone.prefix"));
    }
    if (national[0] == '8') {
        if (national.size() > 1 && national[1] == '0') {
            return fail(message("validation.phone.service"));
        }
        if (national.size() < kMobileMin || national.size() > kMobileMax) {
            return fail(
                message("validation.phone.mobile_length", {{"min", std::to_string(kMobileMin + 1)},
                                                           {"max", std::to_string(kMobileMax + 1)},
                                                           {"count", count}}));
        }
    } else if (national.size() < kLandlineMin || national.size() > kLandlineMax) {
        return fail(
            message("validation.phone.landline_length", {{"min", std::to_string(kLandlineMin + 1)},
                                                         {"max", std::to_string(kLandlineMax + 1)},
                                                         {"count", count}}));
    }
    return FieldCheck{"+62" + national, std::nullopt};
}

FieldCheck validateEmail(std::string_view input) {
    FieldCheck check =
        checkText(input, TextMode::singleLine, "email", 0, ReportLimits::emailMax, false);
    if (!check.ok() || check.value.empty()) {
        return check;
    }
    std::string& email = check.value;
    if (std::any_of(email.begin(), email.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        return fail(message("validation.email.non_ascii"));
    }
    const auto at = email.find('@');
    if (at == std::string::npos || email.find('@', at + 1) != std::string::npos ||
        email.find(' ') != std::string::npos) {
        return fail(message("validation.email.format"));
    }
    const std::string_view local = std::string_view(email).substr(0, at);
    static constexpr std::string_view atext = "!#$%&'*+/=?^_`{|}~-.";
    const bool localOk = !local.empty() && local.size() <= 64 && local.front() != '.' &&
                         local.back() != '.' && local.find("..") == std::string_view::npos &&
                         std::all_of(local.begin(), local.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                                    atext.find(c) != std::string_view::npos;
                         });
    if (!localOk) {
        return fail(message("validation.email.local"));
    }
    std::string domain = email.substr(at + 1);
    std::transform(domain.begin(), domain.end(), domain.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    // LDH labels (RFC 1035/5890), at least two, the last a real top-level domain shape.
    bool domainOk = domain.size() <= 253;
    std::size_t labels = 0;
    std::string_view last;
    std::size_t start = 0;
    while (domainOk) {
        const auto dot = domain.find('.', start);
        const std::string_view label = std::string_view(domain).substr(
            start, dot == std::string::npos ? std::string::npos : dot - start);
        domainOk = !label.empty() && label.size() <= 63 && label.front() != '-' &&
                   label.back() != '-' && std::all_of(label.begin(), label.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
                   });
        ++labels;
        last = label;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    const bool tldOk =
        last.size() >= 2 &&
        (last.rfind("xn--", 0) == 0 || std::all_of(last.begin(), last.end(), [](char c) {
             return std::isalpha(static_cast<unsigned char>(c)) != 0;
         }));
    if (!domainOk || labels < 2 || !tldOk) {
        return fail(message("validation.email.domain", {{"domain", domain}}));
    }
    email = std::string(local) + "@" + domain;
    return check;
}

std::optional<Text> validateIncidentDate(Date date, Date today) {
    if (date == Date{}) {
        return message("validation.date.required");
    }
    if (!isRealDate(date)) {
        return message("validation.date.invalid", {{"day", std::to_string(date.day)},
                                                   {"month", std::to_string(date.month)},
                                                   {"year", std::to_string(date.year)}});
    }
    if (dateBefore(today, date)) {
        return message("validation.date.future", {{"today", formatDate(today)}});
    }
    if (dateBefore(date, ReportLimits::earliestIncident)) {
        return message("validation.date.too_old",
                       {{"earliest", formatDate(ReportLimits::earliestIncident)}});
    }
    return std::nullopt;
}

std::optional<Text> validateRegionCode(std::string_view code, const RegionCheck& regionExists) {
    if (code.empty()) {
        return message("validation.region.required");
    }
    // "11", "11.01", "11.01.01" or "11.01.01.2001": digit groups of 2, 2, 2 and 4.
    static constexpr std::size_t groupSizes[] = {2, 2, 2, 4};
    std::size_t start = 0;
    std::size_t group = 0;
    bool formatOk = true;
    while (formatOk) {
        const auto dot = code.find('.', start);
        const std::string_view part = code.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        formatOk = group < 4 && part.size() == groupSizes[group] && allDigits(part);
        ++group;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    if (!formatOk) {
        return message("validation.region.format", {{"code", std::string(code)}});
    }
    if (regionExists && !regionExists(code)) {
        return message("validation.region.unknown", {{"code", std::string(code)}});
    }
    return std::nullopt;
}

std::optional<Text> validateKind(ReportKind kind) {
    switch (kind) {
        case ReportKind::pengaduan:
        case ReportKind::aspirasi:
        case ReportKind::permintaanInformasi: return std::nullopt;
    }
    return message("validation.kind.invalid");
}

Status checkReportDates(const Report& report) {
    if (!plausibleUtcOffset(report.utcOffsetMinutes)) {
        return makeError(Errc::invalidInput, "report's UTC offset " +
                                                 std::to_string(report.utcOffsetMinutes) +
                                                 " min is impossible");
    }
    if (report.createdAtMs != 0 && report.incidentDate != Date{}) {
        const Date filed = dateAt(report.createdAtMs, report.utcOffsetMinutes);
        if (dateBefore(filed, report.incidentDate)) {
            return makeError(Errc::invalidInput,
                             "incident date " + formatDate(report.incidentDate) +
                                 " is after the local date of filing " + formatDate(filed));
        }
    }
    return {};
}

std::vector<FieldError> validateReport(Report& report, const DistrictCheck& isDistrict, Date today,
                                       const RegionCheck& regionExists) {
    std::vector<FieldError> errors;
    const auto note = [&](std::string_view field, std::optional<Text> text) {
        if (text) {
            errors.push_back(FieldError{std::string(field), std::move(*text)});
        }
    };
    // Stores the normalized value on success; leaves the visitor's text as typed otherwise.
    const auto apply = [&](std::string_view field, std::string& value, FieldCheck check) {
        if (check.ok()) {
            value = std::move(check.value);
        } else {
            note(field, std::move(check.error));
        }
    };

    note(fields::kind, validateKind(report.kind));
    apply(fields::title, report.title, validateTitle(report.title));
    apply(fields::body, report.body, validateBody(report.body));
    // Both dates are local: "today" in the office's zone, and the day the report was filed in the
    // zone it carries (a report filed at 01:00 WIB is filed on the WIB day, not the UTC one).
    Date latest = today;
    if (report.createdAtMs != 0) {
        const Date filed = dateAt(report.createdAtMs, report.utcOffsetMinutes);
        if (dateBefore(filed, latest)) {
            latest = filed;
        }
    }
    note(fields::incidentDate, validateIncidentDate(report.incidentDate, latest));
    note(fields::regionCode, validateRegionCode(report.regionCode, regionExists));
    apply(fields::place, report.place, validatePlace(report.place));

    if (report.anonymous) {
        // Anonim: the identity must not travel, so whatever was typed before the switch goes.
        wipeIdentity(report.identity);
        return errors;
    }
    Identity& id = report.identity;
    apply(fields::name, id.name, validateName(id.name));
    if (id.name.empty()) {
        note(fields::name, message("validation.name.required"));
    }
    apply(fields::nik, id.nik, validateNik(id.nik, isDistrict, today));
    apply(fields::phone, id.phone, normalizePhone(id.phone));
    apply(fields::email, id.email, validateEmail(id.email));
    if (id.nik.empty() && id.phone.empty()) {
        note(fields::nik, message("validation.identity.nik_or_phone"));
    }
    return errors;
}

}  // namespace lapor
