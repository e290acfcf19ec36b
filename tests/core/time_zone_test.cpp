// Time zones: Indonesia's three zones by name, local times with their offset, date rules that
// compare local dates across the day boundary, and stored reports without an offset.
#include <doctest/doctest.h>

#include "core/report_codec.hpp"
#include "core/time_zone.hpp"
#include "core/validation.hpp"

using namespace lapor;

namespace {
constexpr std::int64_t kMidnightUtc30Nov = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
constexpr std::int64_t kMinute = 60'000;
}  // namespace

TEST_CASE("time zone: IANA names and WIB/WITA/WIT, anything else refused") {
    CHECK(parseTimeZone("Asia/Jakarta")->utcOffsetMinutes == 420);
    CHECK(parseTimeZone("Asia/Pontianak")->abbrev == "WIB");
    CHECK(parseTimeZone("Asia/Makassar")->utcOffsetMinutes == 480);
    CHECK(parseTimeZone("wita")->iana == "Asia/Makassar");
    CHECK(parseTimeZone("Asia/Jayapura")->abbrev == "WIT");
    CHECK(parseTimeZone("WIT")->utcOffsetMinutes == 540);
    CHECK(parseTimeZone("Europe/Berlin").error().code == Errc::invalidInput);
    CHECK(parseTimeZone("").error().code == Errc::invalidInput);
    CHECK(zoneForOffset(480).abbrev == "WITA");
    CHECK(zoneForOffset(-90).abbrev == "UTC-01:30");
}

TEST_CASE("time zone: local times carry their offset") {
    const std::int64_t t = kMidnightUtc30Nov - 7 * 60 * kMinute + 30 * kMinute + 123;
    CHECK(rfc3339Local(t, 420) == "2026-11-30T00:30:00.123+07:00");
    CHECK(rfc3339Local(t, 0) == "2026-11-29T17:30:00.123Z");
    CHECK(rfc3339Local(t, -150) == "2026-11-29T15:00:00.123-02:30");
    CHECK(formatLocalTime(t, *parseTimeZone("WIB")) == "30-11-2026 00:30 WIB");
    CHECK(formatLocalTime(t, *parseTimeZone("WIT")) == "30-11-2026 02:30 WIT");
}

TEST_CASE("time zone: across the day boundary in each zone the incident date is the local day") {
    for (const int offset : {420, 480, 540}) {
        CAPTURE(offset);
        const std::int64_t localMidnight = kMidnightUtc30Nov - offset * kMinute;
        Report r;
        r.utcOffsetMinutes = offset;
        r.incidentDate = Date{2026, 11, 30};
        // One minute after local midnight: still 29 November in UTC, 30 November here.
        r.createdAtMs = localMidnight + kMinute;
        CHECK(dateAt(r.createdAtMs, 0) == Date{2026, 11, 29});
        CHECK(checkReportDates(r).ok());
        // One minute before local midnight: 30 November has not begun here.
        r.createdAtMs = localMidnight - kMinute;
        CHECK(checkReportDates(r).error().code == Errc::invalidInput);
        r.incidentDate = Date{2026, 11, 29};
        CHECK(checkReportDates(r).ok());
    }
    Report bad;
    bad.utcOffsetMinutes = 20 * 60;
    CHECK(checkReportDates(bad).error().code == Errc::invalidInput);
}

TEST_CASE("time zone: validateReport takes the local day of filing, not a later today") {
    Report r;
    r.kind = ReportKind::aspirasi;
    r.title = "Taman bermain untuk anak";
    r.body = "Mohon dibangun taman bermain yang aman untuk anak-anak di dekat balai warga.";
    r.regionCode = "11.01.01.2001";
    r.anonymous = true;
    r.utcOffsetMinutes = 540;
    r.createdAtMs = kMidnightUtc30Nov - 540 * kMinute - kMinute;  // 23:59 WIT, 29 November
    r.incidentDate = Date{2026, 11, 30};
    const auto errors = validateReport(r, {}, Date{2026, 12, 5});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == fields::incidentDate);
}

TEST_CASE("time zone: stored reports keep their offset, records from before it read as WIB") {
    Report r;
    r.uuid = "0d9f4a8e-3c61-4f7b-9a52-6b0e1c2d3f40";
    r.receiptCode = "K7Q-4MX-92A";
    r.utcOffsetMinutes = 480;
    auto back = codec::decodeReportPublic(codec::encodeReportPublic(r));
    REQUIRE(back.ok());
    CHECK(back->utcOffsetMinutes == 480);

    const char* before =
        R"({"v":1,"uuid":"0d9f4a8e-3c61-4f7b-9a52-6b0e1c2d3f40","receipt":"K7Q-4MX-92A","kind":1,)"
        R"("title":"t","body":"b","incident":[2026,11,30],"region":"11","place":"","agency":"a",)"
        R"("topic":"","anonymous":true,"confidential":false,"assistedBy":"","device":"d",)"
        R"("office":"o","lang":"id","createdAt":1795973400000,"replaces":""})";
    auto old = codec::decodeReportPublic(before);
    REQUIRE(old.ok());
    CHECK(old->utcOffsetMinutes == legacyUtcOffsetMinutes);
    CHECK(checkReportDates(*old).ok());  // 00:30 WIB on 30 November

    auto wrong = codec::decodeReportPublic(std::string(before).replace(
        std::string(before).find("\"replaces\""), 0, "\"utcOffset\":99999,"));
    CHECK(wrong.error().code == Errc::corrupt);
}
