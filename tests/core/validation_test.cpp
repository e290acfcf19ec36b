// Report validation tables: NIK, phone, email, names, lengths, dates, regions, whole reports.
#include <doctest/doctest.h>

#include <set>

#include "core/i18n.hpp"
#include "core/regions.hpp"
#include "core/validation.hpp"
#include "tests/core/shipped_catalog.hpp"

using namespace lapor;

namespace {

constexpr Date kToday{2026, 11, 29};

// A few real district codes: Bakongan (Kab. Aceh Selatan), Cibinong (Kab. Bogor), Cengkareng
// (Kota Jakarta Barat).
const DistrictCheck kDistricts = [](std::string_view six) {
    static const std::set<std::string, std::less<>> known{"110101", "320101", "317301"};
    return known.count(six) == 1;
};

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

const Catalog& catalog() {
    return testing::shippedCatalog();
}

// Every produced message has text in both languages and no placeholder left unfilled.
void checkMessage(const Text& text) {
    for (const Lang lang : kAllLangs) {
        CAPTURE(text.key);
        CHECK(catalog().has(lang, text.key));
        const std::string rendered = catalog().render(lang, text);
        CHECK_MESSAGE(rendered.find('{') == std::string::npos, rendered);
    }
}

struct GoodRow {
    std::string input;
    std::string expected;
};

struct BadRow {
    std::string input;
    std::string key;
};

void runTable(const char* what, const std::vector<GoodRow>& good, const std::vector<BadRow>& bad,
              const std::function<FieldCheck(std::string_view)>& check) {
    CAPTURE(what);
    for (const GoodRow& row : good) {
        CAPTURE(row.input);
        const FieldCheck c = check(row.input);
        CHECK_MESSAGE(c.ok(), (c.ok() ? "" : c.error->key));
        CHECK(c.value == row.expected);
    }
    for (const BadRow& row : bad) {
        CAPTURE(row.input);
        const FieldCheck c = check(row.input);
        REQUIRE_FALSE(c.ok());
        CHECK(c.error->key == row.key);
        CHECK(c.value.empty());
        checkMessage(*c.error);
    }
}

Report goodReport() {
    Report r;
    r.kind = ReportKind::pengaduan;
    r.title = "  Jalan   berlubang di depan sekolah ";
    r.body =
        "Sudah tiga bulan jalan di depan SD Negeri 1 berlubang besar.\r\n\r\n\r\nMohon segera "
        "diperbaiki.";
    r.incidentDate = Date{2026, 11, 1};
    r.regionCode = "32.01.01.2001";
    r.place = "Depan SD Negeri 1";
    r.identity.name = "Siti  Nur'aini";
    r.identity.nik = "3201 0152 0190 0001";
    r.identity.phone = "0812-3456-7890";
    r.identity.email = "Siti@Contoh.CO.ID";
    return r;
}

}  // namespace

TEST_CASE("validation: NIK") {
    const auto nik = [](std::string_view in) { return validateNik(in, kDistricts, kToday); };
    runTable("nik",
             {
                 {"3201011201900001", "3201011201900001"},     // man, 12 Jan 1990
                 {"3201015201900001", "3201015201900001"},     // woman: day 12 + 40
                 {"3201 0112 0190 0001", "3201011201900001"},  // grouped with spaces
                 {" 1101013112850123 ", "1101013112850123"},   // 31 Dec 1985
                 {"1101017112850123", "1101017112850123"},     // woman, 31 Dec 1985 (71)
                 {"3173014101000001", "3173014101000001"},     // woman, 1 Jan 2000 (41)
                 {"3201012902960001", "3201012902960001"},     // 29 Feb 1996, leap year
                 {"3201012902000001", "3201012902000001"},     // 29 Feb 2000 (divisible by 400)
                 {"3201016902000001", "3201016902000001"},     // woman, 29 Feb 2000
                 {"3201012911269999", "3201012911269999"},     // born today: 29 Nov 2026
                 {"3201013011260001", "3201013011260001"},     // 30 Nov 26 -> 1926, not future
                 {"3201010101270001", "3201010101270001"},     // 1 Jan 27 -> 1927
                 {"", ""},                                     // empty: not required on its own
             },
             {
                 {"320101120190000", "validation.nik.length"},
                 {"32010112019000011", "validation.nik.length"},
                 {"3201", "validation.nik.length"},
                 {"3201011201900O01", "validation.nik.not_digits"},
                 {"3201-0112-0190-0001", "validation.nik.not_digits"},
                 {"\xEF\xBC\x93\xEF\xBC\x92", "validation.nik.not_digits"},  // full-width digits
                 {"320101120190000\xD9\xA1", "validation.nik.not_digits"},   // Arabic-Indic one
                 {"9901011201900001", "validation.nik.district"},
                 {"3201021201900001", "validation.nik.district"},
                 {"3201010001900001", "validation.nik.birth_date"},  // day 00
                 {"3201013201900001", "validation.nik.birth_date"},  // day 32
                 {"3201014001900001", "validation.nik.birth_date"},  // woman, day 0
                 {"3201017201900001", "validation.nik.birth_date"},  // woman, day 32
                 {"3201011213900001", "validation.nik.birth_date"},  // month 13
                 {"3201011200900001", "validation.nik.birth_date"},  // month 00
                 {"3201012902970001", "validation.nik.birth_date"},  // 29 Feb 1997
                 {"3201016902970001", "validation.nik.birth_date"},  // woman, 29 Feb 1997
                 {"3201012902260001", "validation.nik.birth_date"},  // 29 Feb 2026 / 1926
                 {"3201013102900001", "validation.nik.birth_date"},  // 31 Feb
                 {"3201013104900001", "validation.nik.birth_date"},  // 31 Apr
                 {"3201011201900000", "validation.nik.serial"},
             },
             nik);
    const auto bad = validateNik("320101120190000", kDistricts, kToday);
    CHECK(catalog().render(Lang::id, *bad.error) == "NIK harus 16 angka; Anda mengetik 15.");
    CHECK(catalog().render(Lang::en, *bad.error) == "A NIK has 16 digits; you typed 15.");
    CHECK(validateNik("3201-", kDistricts, kToday).error->args ==
          std::vector<std::pair<std::string, std::string>>{{"char", "-"}});
    CHECK(validateNik("32\xEF\xBC\x93", kDistricts, kToday).error->args.front().second ==
          "\xEF\xBC\x93");
    // Without a district table only the format and the birth date are checked.
    CHECK(validateNik("9901011201900001", DistrictCheck{}, kToday).ok());
}

TEST_CASE("validation: NIK decoding") {
    const auto man = decodeNik("3201011201900001", kToday);
    REQUIRE(man.has_value());
    CHECK(man->district == "320101");
    CHECK(man->birthDate == Date{1990, 1, 12});
    CHECK_FALSE(man->female);
    CHECK(man->serial == "0001");
    const auto woman = decodeNik("3201016902000001", kToday);
    REQUIRE(woman.has_value());
    CHECK(woman->female);
    CHECK(woman->birthDate == Date{2000, 2, 29});
    CHECK(decodeNik("3201013011260001", kToday)->birthDate == Date{1926, 11, 30});
    CHECK(decodeNik("3201012911260001", kToday)->birthDate == Date{2026, 11, 29});
    CHECK(decodeNik("3201010101050001", kToday)->birthDate == Date{2005, 1, 1});
    // The century follows today: on 1 Jan 2005, "06" is 1906.
    CHECK(decodeNik("3201010101060001", Date{2005, 1, 1})->birthDate == Date{1906, 1, 1});
    CHECK_FALSE(decodeNik("320101120190000", kToday).has_value());
    CHECK_FALSE(decodeNik("32010112019000x1", kToday).has_value());
}

TEST_CASE("validation: phone numbers") {
    runTable("phone",
             {
                 {"081234567890", "+6281234567890"},
                 {"0812-3456-7890", "+6281234567890"},
                 {"0812 3456 7890", "+6281234567890"},
                 {"0812.3456.7890", "+6281234567890"},
                 {"+62 812 3456 7890", "+6281234567890"},
                 {"+62-812-3456-7890", "+6281234567890"},
                 {"+6281234567890", "+6281234567890"},
                 {"6281234567890", "+6281234567890"},
                 {"62 812 3456 7890", "+6281234567890"},
                 {"+62 0812 3456 7890", "+6281234567890"},  // trunk 0 kept out of habit
                 {"(+62) 812-3456-7890", "+6281234567890"},
                 {"81234567890", "+6281234567890"},     // typed without the 0
                 {"0811123456", "+62811123456"},        // shortest mobile: 10 digits
                 {"0812345678901", "+62812345678901"},  // longest mobile: 13 digits
                 {"0895 1234 5678", "+6289512345678"},  // Tri
                 {"0881-2345-6789", "+6288123456789"},  // Smartfren
                 {"(021) 1234-5678", "+622112345678"},  // Jakarta landline
                 {"021 12345678", "+622112345678"},
                 {"+62 21 1234 5678", "+622112345678"},
                 {"0651 12345", "+6265112345"},    // Banda Aceh, short subscriber number
                 {"0361.123456", "+62361123456"},  // Denpasar
                 {"0967 123456", "+62967123456"},  // Jayapura
                 {"", ""},
                 {"  ", ""},
             },
             {
                 {"081234567", "validation.phone.mobile_length"},
                 {"08123456789012", "validation.phone.mobile_length"},
                 {"+62 812 345", "validation.phone.mobile_length"},
                 {"0800 1234 567", "validation.phone.service"},
                 {"0809 1234 5678", "validation.phone.service"},
                 {"+1 202 555 0123", "validation.phone.country"},
                 {"+44 20 7946 0958", "validation.phone.country"},
                 {"1234567", "validation.phone.prefix"},
                 {"0012345678", "validation.phone.prefix"},
                 {"62", "validation.phone.prefix"},
                 {"+", "validation.phone.prefix"},
                 {"+62 1234 5678", "validation.phone.prefix"},
                 {"021 1234", "validation.phone.landline_length"},
                 {"021 1234 5678 901", "validation.phone.landline_length"},
                 {"0812-ABC", "validation.phone.chars"},
                 {"+62+812", "validation.phone.chars"},
                 {"0812 3456 7890 ext", "validation.phone.chars"},
                 {"\xEF\xBC\x90\xEF\xBC\x98", "validation.phone.chars"},  // full-width digits
             },
             normalizePhone);
    const auto shortMobile = normalizePhone("081234567");
    CHECK(catalog().render(Lang::id, *shortMobile.error) ==
          "Nomor HP harus 10 sampai 13 angka (ditulis dengan 08 di depan); nomor Anda 9 angka.");
}

TEST_CASE("validation: phone separators go first, so limits count digits, stored form checked") {
    // "+62 812-3456-7890" is 17 characters but 13 digits: a field that counted characters cut
    // its last digit (issue 9).
    CHECK(stripPhoneSeparators("+62 812-3456-7890") == "+6281234567890");
    CHECK(stripPhoneSeparators("(021) 1234.5678") == "02112345678");
    CHECK(stripPhoneSeparators("0812 abc") == "0812abc");  // kept, for the message to name
    CHECK(stripPhoneSeparators("+62 812-3456-7890").size() - 1 <= ReportLimits::phoneDigitsMax);
    CHECK(stripPhoneSeparators("+62 0812 3456 7890 1").size() - 1 == ReportLimits::phoneDigitsMax);
    // The stored and sent form, as the sandbox checks it.
    CHECK(isValidPhone("+6281234567890"));
    CHECK(isValidPhone("+622112345678"));
    CHECK_FALSE(isValidPhone("+6281234567"));        // a mobile number too short
    CHECK_FALSE(isValidPhone("+62 812 3456 7890"));  // not normalized
    CHECK_FALSE(isValidPhone("081234567890"));       // not E.164
    CHECK_FALSE(isValidPhone("+12025550123"));
    CHECK_FALSE(isValidPhone(""));
}

TEST_CASE("validation: email") {
    const std::string local64 = repeat("a", 64);
    const std::string label63 = repeat("b", 63);
    runTable("email",
             {
                 {"budi@contoh.co.id", "budi@contoh.co.id"},
                 {" Budi.Santoso@Gmail.COM ", "Budi.Santoso@gmail.com"},
                 {"siti+lapor@yahoo.co.id", "siti+lapor@yahoo.co.id"},
                 {"a_b-c@sub.domain-x.id", "a_b-c@sub.domain-x.id"},
                 {"user@xn--80ak6aa92e.com", "user@xn--80ak6aa92e.com"},
                 {"user@contoh.xn--p1ai", "user@contoh.xn--p1ai"},
                 {"o'brien@example.org", "o'brien@example.org"},
                 {local64 + "@contoh.id", local64 + "@contoh.id"},
                 {"", ""},
             },
             {
                 {"budi", "validation.email.format"},
                 {"budi@@contoh.id", "validation.email.format"},
                 {"budi@contoh@id", "validation.email.format"},
                 {"bu di@contoh.id", "validation.email.format"},
                 {"@contoh.id", "validation.email.local"},
                 {".budi@contoh.id", "validation.email.local"},
                 {"budi.@contoh.id", "validation.email.local"},
                 {"bu..di@contoh.id", "validation.email.local"},
                 {"bu\"di@contoh.id", "validation.email.local"},
                 {"bu(di)@contoh.id", "validation.email.local"},
                 {local64 + "a@contoh.id", "validation.email.local"},
                 {"budi@", "validation.email.domain"},
                 {"budi@contoh", "validation.email.domain"},
                 {"budi@contoh.c", "validation.email.domain"},
                 {"budi@contoh.123", "validation.email.domain"},
                 {"budi@-contoh.id", "validation.email.domain"},
                 {"budi@contoh-.id", "validation.email.domain"},
                 {"budi@contoh..id", "validation.email.domain"},
                 {"budi@.contoh.id", "validation.email.domain"},
                 {"budi@contoh.id.", "validation.email.domain"},
                 {"budi@con_toh.id", "validation.email.domain"},
                 {"budi@" + repeat("b", 64) + ".id", "validation.email.domain"},
                 {"b\xC3\xBA"
                  "di@contoh.id",
                  "validation.email.non_ascii"},
                 {"budi@cont\xC3\xB3h.id", "validation.email.non_ascii"},
                 {local64 + "@" + label63 + "." + label63 + "." + label63 + ".com",
                  "validation.email.too_long"},
                 {"budi@contoh.id\n", "validation.email.control_char"},
                 {"budi\xC3@contoh.id", "validation.email.invalid_utf8"},
             },
             validateEmail);
}

TEST_CASE("validation: names") {
    runTable("name",
             {
                 {"Siti Nur'aini", "Siti Nur'aini"},
                 {"  Budi   Santoso ", "Budi Santoso"},
                 {"Budi\tSantoso", "Budi Santoso"},
                 {"Abdul-Rahman", "Abdul-Rahman"},
                 {"Drs. H. Ahmad Fauzi, S.H.", "Drs. H. Ahmad Fauzi, S.H."},
                 {"Sukarno", "Sukarno"},  // a single name is common
                 {"I Gusti Ngurah Rai", "I Gusti Ngurah Rai"},
                 {"Nur\xE2\x80\x99"
                  "aini",
                  "Nur\xE2\x80\x99"
                  "aini"},                         // curly apostrophe
                 {"Jose\xCC\x81", "Jos\xC3\xA9"},  // combining accent composed (NFC)
                 {"Al", "Al"},
                 {"\xE9\x99\x88\xE6\x98\x8E", "\xE9\x99\x88\xE6\x98\x8E"},  // Chinese-Indonesian
                 {repeat("a", 100), repeat("a", 100)},
                 {"", ""},
             },
             {
                 {"B", "validation.name.too_short"},
                 {repeat("a", 101), "validation.name.too_long"},
                 {"Budi 2", "validation.name.digits"},
                 {"Budi@Santoso", "validation.name.chars"},
                 {"Budi \xF0\x9F\x98\x80", "validation.name.chars"},  // emoji
                 {"...", "validation.name.no_letters"},
                 {"Budi\nSantoso", "validation.name.control_char"},
                 {"Budi\xFF", "validation.name.invalid_utf8"},
             },
             validateName);
    CHECK(validateName("Budi \xF0\x9F\x98\x80").error->args.front().second == "\xF0\x9F\x98\x80");
}

TEST_CASE("validation: title, body and place lengths count code points") {
    const std::string e = "\xC3\xA9";             // é: 2 bytes, 1 code point
    const std::string cone = "\xF0\x9F\x9A\xA7";  // 🚧: 4 bytes, 1 code point
    runTable("title",
             {
                 {"Jalan rusak parah", "Jalan rusak parah"},
                 {"Jalan rusa", "Jalan rusa"},                              // exactly 10
                 {"Jalan " + repeat(cone, 4), "Jalan " + repeat(cone, 4)},  // 10, 22 bytes
                 {repeat(e, 150), repeat(e, 150)},  // 150 code points, 300 bytes
                 {"  Lampu   jalan   mati  ", "Lampu jalan mati"},
                 {"Pungutan liar di kantor kelurahan", "Pungutan liar di kantor kelurahan"},
             },
             {
                 {"", "validation.title.required"},
                 {"   \t ", "validation.title.required"},
                 {"Jalan rus", "validation.title.too_short"},
                 {repeat(cone, 9), "validation.title.too_short"},
                 {"Jalan      ", "validation.title.too_short"},  // spaces trimmed first
                 {repeat(e, 151), "validation.title.too_long"},
                 {repeat(cone, 151), "validation.title.too_long"},
                 {"Judul laporan\a", "validation.title.control_char"},
                 {"Judul laporan\nbaris dua", "validation.title.control_char"},
                 {"Judul laporan \xC3", "validation.title.invalid_utf8"},
             },
             validateTitle);
    runTable("body",
             {
                 {repeat("a", 30), repeat("a", 30)},
                 {repeat(cone, 30), repeat(cone, 30)},
                 {repeat(e, 4000), repeat(e, 4000)},
                 {"Paragraf pertama yang panjang.\n\n\n\nParagraf kedua.",
                  "Paragraf pertama yang panjang.\n\nParagraf kedua."},
             },
             {
                 {"", "validation.body.required"},
                 {repeat("a", 29), "validation.body.too_short"},
                 {repeat(cone, 29), "validation.body.too_short"},
                 {repeat(e, 4001), "validation.body.too_long"},
                 {repeat("a", 40) + "\x1b", "validation.body.control_char"},
                 {repeat("a", 40) + "\xFF", "validation.body.invalid_utf8"},
             },
             validateBody);
    runTable("place",
             {
                 {"", ""},
                 {" Depan  pasar ", "Depan pasar"},
                 {repeat(e, 200), repeat(e, 200)},
             },
             {
                 {repeat(e, 201), "validation.place.too_long"},
                 {"Pasar\a", "validation.place.control_char"},
                 {"Pasar\xC0\xAF", "validation.place.invalid_utf8"},
             },
             validatePlace);
    const auto tooShort = validateTitle(repeat(cone, 9));
    CHECK(catalog().render(Lang::en, *tooShort.error) ==
          "The title is too short: at least 10 characters, you have 9. Add what happened and "
          "where.");
}

TEST_CASE("validation: incident date") {
    for (const Date good : {kToday, Date{2026, 11, 1}, Date{1945, 8, 17}, Date{2024, 2, 29},
                            Date{2000, 2, 29}, Date{2026, 1, 31}}) {
        CAPTURE(formatDate(good));
        CHECK_FALSE(validateIncidentDate(good, kToday).has_value());
    }
    const std::pair<Date, const char*> bad[] = {
        {Date{}, "validation.date.required"},
        {Date{2026, 11, 30}, "validation.date.future"},
        {Date{2027, 1, 1}, "validation.date.future"},
        {Date{2026, 12, 1}, "validation.date.future"},
        {Date{2025, 2, 29}, "validation.date.invalid"},
        {Date{1900, 2, 29}, "validation.date.invalid"},
        {Date{2026, 13, 1}, "validation.date.invalid"},
        {Date{2026, 4, 31}, "validation.date.invalid"},
        {Date{2026, 0, 10}, "validation.date.invalid"},
        {Date{2026, 1, 0}, "validation.date.invalid"},
        {Date{-5, 1, 1}, "validation.date.invalid"},
        {Date{1945, 8, 16}, "validation.date.too_old"},
        {Date{1900, 1, 1}, "validation.date.too_old"},
    };
    for (const auto& row : bad) {
        CAPTURE(formatDate(row.first));
        const auto error = validateIncidentDate(row.first, kToday);
        REQUIRE(error.has_value());
        CHECK(error->key == row.second);
        checkMessage(*error);
    }
    CHECK(catalog().render(Lang::id, *validateIncidentDate(Date{2026, 11, 30}, kToday)) ==
          "Tanggal kejadian tidak boleh setelah hari ini (29-11-2026).");
    CHECK(isRealDate(Date{2024, 2, 29}));
    CHECK_FALSE(isRealDate(Date{2100, 2, 29}));
    CHECK(dateBefore(Date{2026, 1, 31}, Date{2026, 2, 1}));
    CHECK_FALSE(dateBefore(kToday, kToday));
}

TEST_CASE("validation: region code and kind") {
    for (const char* good : {"11", "11.01", "11.01.01", "11.01.01.2001", "94.71.02.1005"}) {
        CAPTURE(good);
        CHECK_FALSE(validateRegionCode(good).has_value());
    }
    const std::pair<const char*, const char*> bad[] = {
        {"", "validation.region.required"},
        {"1", "validation.region.format"},
        {"11.1", "validation.region.format"},
        {"11.01.01.200", "validation.region.format"},
        {"11.01.01.20011", "validation.region.format"},
        {"11.01.01.2001.1", "validation.region.format"},
        {"1a.01", "validation.region.format"},
        {"11..01", "validation.region.format"},
        {"11.", "validation.region.format"},
        {".11", "validation.region.format"},
        {"11 01", "validation.region.format"},
    };
    for (const auto& row : bad) {  // (clang 14 cannot capture structured bindings in CAPTURE)
        CAPTURE(row.first);
        const auto error = validateRegionCode(row.first);
        REQUIRE(error.has_value());
        CHECK(error->key == row.second);
        checkMessage(*error);
    }
    const RegionCheck exists = [](std::string_view code) { return code == "11.01"; };
    CHECK_FALSE(validateRegionCode("11.01", exists).has_value());
    CHECK(validateRegionCode("11.02", exists)->key == "validation.region.unknown");
    checkMessage(*validateRegionCode("11.02", exists));

    CHECK_FALSE(validateKind(ReportKind::pengaduan).has_value());
    CHECK_FALSE(validateKind(ReportKind::aspirasi).has_value());
    CHECK_FALSE(validateKind(ReportKind::permintaanInformasi).has_value());
    CHECK(validateKind(static_cast<ReportKind>(0))->key == "validation.kind.invalid");
    CHECK(validateKind(static_cast<ReportKind>(4))->key == "validation.kind.invalid");
    checkMessage(*validateKind(static_cast<ReportKind>(4)));
}

TEST_CASE("validation: whole report normalizes in place") {
    Report r = goodReport();
    const auto errors = validateReport(r, kDistricts, kToday);
    for (const auto& e : errors) {
        INFO(e.field << ": " << e.message.key);
    }
    REQUIRE(errors.empty());
    CHECK(r.title == "Jalan berlubang di depan sekolah");
    CHECK(r.body ==
          "Sudah tiga bulan jalan di depan SD Negeri 1 berlubang besar.\n\nMohon segera "
          "diperbaiki.");
    CHECK(r.identity.name == "Siti Nur'aini");
    CHECK(r.identity.nik == "3201015201900001");
    CHECK(r.identity.phone == "+6281234567890");
    CHECK(r.identity.email == "Siti@contoh.co.id");

    // Validating a normalized report changes nothing.
    Report again = r;
    CHECK(validateReport(again, kDistricts, kToday).empty());
    CHECK(again == r);
}

TEST_CASE("validation: identity rules") {
    SUBCASE("anonymous: identity wiped and not checked") {
        Report r = goodReport();
        r.anonymous = true;
        r.identity.nik = "123";
        r.identity.email = "not an email";
        CHECK(validateReport(r, kDistricts, kToday).empty());
        CHECK(r.identity == Identity{});
    }
    SUBCASE("name and NIK only") {
        Report r = goodReport();
        r.identity.phone.clear();
        r.identity.email.clear();
        CHECK(validateReport(r, kDistricts, kToday).empty());
    }
    SUBCASE("name and phone only") {
        Report r = goodReport();
        r.identity.nik.clear();
        r.identity.email.clear();
        CHECK(validateReport(r, kDistricts, kToday).empty());
    }
    SUBCASE("no name, no NIK, no phone") {
        Report r = goodReport();
        r.identity = Identity{};
        r.identity.email = "budi@contoh.id";
        const auto errors = validateReport(r, kDistricts, kToday);
        REQUIRE(errors.size() == 2);
        CHECK(errors[0] == FieldError{"identity.name", Text{"validation.name.required", {}}});
        CHECK(errors[1] ==
              FieldError{"identity.nik", Text{"validation.identity.nik_or_phone", {}}});
        checkMessage(errors[1].message);
    }
    SUBCASE("a bad NIK is an error even with a good phone") {
        Report r = goodReport();
        r.identity.nik = "9901011201900001";
        const auto errors = validateReport(r, kDistricts, kToday);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].field == "identity.nik");
        CHECK(errors[0].message.key == "validation.nik.district");
        CHECK(r.identity.nik == "9901011201900001");  // left as typed, for the visitor to fix
    }
    SUBCASE("a bad optional email is an error") {
        Report r = goodReport();
        r.identity.email = "budi@contoh";
        const auto errors = validateReport(r, kDistricts, kToday);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].field == "identity.email");
    }
}

TEST_CASE("validation: every problem reported, in form order") {
    Report r;
    r.kind = static_cast<ReportKind>(9);
    r.title = "Pendek";
    r.body = "";
    r.incidentDate = Date{2026, 12, 25};
    r.regionCode = "11.1";
    r.place = "Pasar\a";
    r.identity.name = "B";
    r.identity.nik = "123";
    r.identity.phone = "+1 202 555 0123";
    r.identity.email = "x@y";
    const RegionCheck none = [](std::string_view) { return false; };
    const auto errors = validateReport(r, kDistricts, kToday, none);
    std::vector<std::string> fieldsSeen;
    for (const auto& e : errors) {
        fieldsSeen.push_back(e.field);
        checkMessage(e.message);
    }
    CHECK(fieldsSeen == std::vector<std::string>{
                            "kind", "title", "body", "incidentDate", "regionCode", "place",
                            "identity.name", "identity.nik", "identity.phone", "identity.email"});
    CHECK(r.title == "Pendek");  // failed fields keep what the visitor typed
}

TEST_CASE("validation: dates from the clock") {
    // 2026-11-29T16:59:59Z is still the 29th in WIB (UTC+7 -> 23:59:59), already the 30th in WITA.
    const std::int64_t ms = 1'795'971'599'000;
    CHECK(dateAt(ms, 0) == Date{2026, 11, 29});
    CHECK(dateAt(ms, 7 * 60) == Date{2026, 11, 29});
    CHECK(dateAt(ms + 1000, 7 * 60) == Date{2026, 11, 30});
    CHECK(dateAt(ms, 8 * 60) == Date{2026, 11, 30});
    CHECK(dateAt(0, 0) == Date{1970, 1, 1});
    CHECK(dateAt(-1, 0) == Date{1969, 12, 31});
    CHECK(isRealDate(localDateAt(ms)));
}

TEST_CASE("validation: NIK and region against the real region table") {
    auto table = RegionTable::load(RegionTable::defaultPath());
    REQUIRE_MESSAGE(table.ok(), (table.ok() ? "" : table.error().message));
    const RegionTable& regions = *table;
    const DistrictCheck isDistrict = [&](std::string_view six) {
        return regions.hasDistrictDigits(six);
    };
    const RegionCheck exists = [&](std::string_view code) {
        return regions.find(code).has_value();
    };
    // 11.01.01 Bakongan, 32.01.01 Cibinong, 31.73.01 Cengkareng exist; 11.01.99 and 99.01.01 not.
    CHECK(validateNik("1101011201900001", isDistrict, kToday).ok());
    CHECK(validateNik("3201015201900001", isDistrict, kToday).ok());
    CHECK(validateNik("3173014101000001", isDistrict, kToday).ok());
    CHECK(validateNik("1101991201900001", isDistrict, kToday).error->key ==
          "validation.nik.district");
    CHECK(validateNik("9901011201900001", isDistrict, kToday).error->key ==
          "validation.nik.district");
    CHECK(validateNik("1101001201900001", isDistrict, kToday).error->key ==
          "validation.nik.district");  // a regency code is not a district

    CHECK_FALSE(validateRegionCode("11.01.01", exists).has_value());
    CHECK_FALSE(validateRegionCode("11", exists).has_value());
    CHECK(validateRegionCode("11.01.99", exists)->key == "validation.region.unknown");

    Report r = goodReport();
    r.regionCode = "11.01.01";
    r.identity.nik = "1101015201900001";
    CHECK(validateReport(r, isDistrict, kToday, exists).empty());
}
