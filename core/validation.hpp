// Validation of a report and of each field as the visitor types it: normalizes in place and
// explains every problem with a catalog message (po/core.*.po). Rules and limits: docs/report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/report.hpp"
#include "core/result.hpp"

namespace lapor {

// True when "110101" (the NIK's first six digits) is a district (kecamatan) that exists; bind
// RegionTable::hasDistrictDigits.
using DistrictCheck = std::function<bool(std::string_view sixDigits)>;
// True when a region code ("11.01.01.2001") exists; bind RegionTable::find(code).has_value().
using RegionCheck = std::function<bool(std::string_view code)>;

// Limits in code points (see docs/report.md for why these numbers).
struct ReportLimits {
    static constexpr std::size_t titleMin = 10;
    static constexpr std::size_t titleMax = 150;
    static constexpr std::size_t bodyMin = 30;
    static constexpr std::size_t bodyMax = 4000;
    static constexpr std::size_t nameMin = 2;
    static constexpr std::size_t nameMax = 100;
    static constexpr std::size_t placeMax = 200;
    static constexpr std::size_t emailMax = 254;  // RFC 5321 path limit
    static constexpr std::size_t nikDigits = 16;
    // Digits of a phone number as typed, with its country or trunk prefix: E.164 allows 15, and
    // the longest Indonesian mobile number written +62 0812... has 15 too.
    static constexpr std::size_t phoneDigitsMax = 15;
    static constexpr Date earliestIncident{1945, 8, 17};
};

// The field names used in FieldError::field, stable for the kiosk to map onto its widgets.
namespace fields {
inline constexpr std::string_view kind = "kind";
inline constexpr std::string_view title = "title";
inline constexpr std::string_view body = "body";
inline constexpr std::string_view incidentDate = "incidentDate";
inline constexpr std::string_view regionCode = "regionCode";
inline constexpr std::string_view place = "place";
inline constexpr std::string_view name = "identity.name";
inline constexpr std::string_view nik = "identity.nik";
inline constexpr std::string_view phone = "identity.phone";
inline constexpr std::string_view email = "identity.email";
}  // namespace fields

struct FieldError {
    std::string field;  // one of fields::*
    Text message;       // render with Catalog::render in the visitor's language
    friend bool operator==(const FieldError&, const FieldError&) = default;
};

// One field's verdict: the normalized value when it is good, else the message why not.
struct FieldCheck {
    std::string value;
    std::optional<Text> error;
    [[nodiscard]] bool ok() const noexcept { return !error.has_value(); }
};

// Checks the whole report and normalizes it in place (text tidied, NIK digits only, phone in
// E.164, email domain in lower case). An anonymous report's identity is wiped and not checked.
// regionExists may be empty: then only the code's format is checked (the caller may not have the
// table, e.g. in the agent). Returns every problem found, in form order; empty means valid.
[[nodiscard]] std::vector<FieldError> validateReport(Report& report,
                                                     const DistrictCheck& isDistrict, Date today,
                                                     const RegionCheck& regionExists = {});

// The date rules the store holds every saved report to (whatever program saved it): a plausible
// UTC offset, and an incident date not after the local date of filing in that offset.
// Errc::invalidInput, in English for the log, otherwise.
[[nodiscard]] Status checkReportDates(const Report& report);

// Per field, for checking as the visitor types. An empty input is an error only where the field
// is required on its own (title, body); for identity fields validateReport decides what is needed.
[[nodiscard]] FieldCheck validateTitle(std::string_view input);
[[nodiscard]] FieldCheck validateBody(std::string_view input);
[[nodiscard]] FieldCheck validatePlace(std::string_view input);
[[nodiscard]] FieldCheck validateName(std::string_view input);
// Spaces between digit groups are accepted and removed. An empty isDistrict skips the district
// check (format, birth date and serial are still checked).
[[nodiscard]] FieldCheck validateNik(std::string_view input, const DistrictCheck& isDistrict,
                                     Date today);
// 08..., +62..., 62..., or a landline with its area code (021...); spaces, dashes, dots and
// parentheses are ignored (stripPhoneSeparators). The value is E.164: "+6281234567890".
[[nodiscard]] FieldCheck normalizePhone(std::string_view input);
// The separators people write in phone numbers ("+62 812-3456.7890", "(021) 555 1234") removed;
// every other character kept, for normalizePhone to judge. What the kiosk's phone field keeps,
// so that its limit counts digits and never cuts a number written with spaces.
[[nodiscard]] std::string stripPhoneSeparators(std::string_view input);
// True when `e164` is a phone number as it is stored and sent: what normalizePhone makes of a
// valid Indonesian number ("+6281234567890"). The sandbox's rules use it, like the kiosk.
[[nodiscard]] bool isValidPhone(std::string_view e164);
[[nodiscard]] FieldCheck validateEmail(std::string_view input);
[[nodiscard]] std::optional<Text> validateIncidentDate(Date date, Date today);
[[nodiscard]] std::optional<Text> validateRegionCode(std::string_view code,
                                                     const RegionCheck& regionExists = {});
[[nodiscard]] std::optional<Text> validateKind(ReportKind kind);

// What a valid NIK says about its holder (used by the checks; handy for tests and staff views).
struct NikParts {
    std::string district;  // first six digits
    Date birthDate;
    bool female = false;
    std::string serial;  // last four digits
};
// Decodes a 16-digit NIK; nullopt when the format or the birth date is wrong (district not
// checked).
[[nodiscard]] std::optional<NikParts> decodeNik(std::string_view digits, Date today);

// Calendar helpers on lapor::Date.
[[nodiscard]] bool isRealDate(const Date& date) noexcept;
[[nodiscard]] bool dateBefore(const Date& a, const Date& b) noexcept;
// The calendar date at a Unix time (ms) in a fixed zone: WIB is +420 minutes, WITA +480, WIT +540.
[[nodiscard]] Date dateAt(std::int64_t unixMs, int utcOffsetMinutes) noexcept;
// The calendar date at a Unix time (ms) in the system's local time zone (the kiosk's "today").
[[nodiscard]] Date localDateAt(std::int64_t unixMs) noexcept;
// "29-11-2026": the day-month-year order Indonesians write, used in messages.
[[nodiscard]] std::string formatDate(const Date& date);

}  // namespace lapor
