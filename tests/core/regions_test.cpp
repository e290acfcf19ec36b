// Tests of the region table: counts, lookups, drill-down, display names, search ranking, and
// rejection of damaged files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/regions.hpp"
#include "core/regions_fold.hpp"
#include "core/regions_format.hpp"

using lapor::Errc;
using lapor::Region;
using lapor::RegionLevel;
using lapor::RegionTable;

namespace {

const std::filesystem::path kBuiltTable =
    std::filesystem::path(LAPOR_BINARY_DIR) / "data/regions.bin";

const RegionTable& table() {
    static const RegionTable loaded = [] {
        auto result = RegionTable::load(kBuiltTable);
        REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
        return std::move(result).value();
    }();
    return loaded;
}

std::vector<std::string> codesOf(const std::vector<RegionTable::Hit>& hits) {
    std::vector<std::string> codes;
    for (const auto& hit : hits) {
        codes.emplace_back(hit.region.code);
    }
    return codes;
}

std::string firstCode(std::string_view query) {
    const auto hits = table().search(query, 10);
    return hits.empty() ? std::string() : std::string(hits.front().region.code);
}

std::ptrdiff_t rankOf(const std::vector<RegionTable::Hit>& hits, std::string_view code) {
    const auto it = std::find_if(hits.begin(), hits.end(),
                                 [&](const RegionTable::Hit& h) { return h.region.code == code; });
    return it == hits.end() ? -1 : it - hits.begin();
}

std::vector<unsigned char> readBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scratch file for one damaged copy of the table.
struct ScratchFile {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("lapor_regions_test_" + std::to_string(::getpid()) + ".bin");
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    void write(const std::vector<unsigned char>& bytes) const {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }
};

namespace fmt = lapor::regions_format;

fmt::FileHeader headerOf(const std::vector<unsigned char>& bytes) {
    fmt::FileHeader header;
    std::memcpy(&header, bytes.data(), sizeof header);
    return header;
}

// Writes `header` back and recomputes the checksum, as a forger would, so that only the
// structural checks stand between the file and the lookups.
void reseal(std::vector<unsigned char>& bytes, fmt::FileHeader header) {
    std::memcpy(bytes.data(), &header, sizeof header);
    header.checksum = fmt::computeChecksum(bytes.data(), bytes.size());
    std::memcpy(bytes.data(), &header, sizeof header);
}

template <class T>
void poke(std::vector<unsigned char>& bytes, std::size_t offset, T value) {
    REQUIRE(offset + sizeof value <= bytes.size());
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

}  // namespace

TEST_CASE("regions: counts per level match the decree") {
    const RegionTable& t = table();
    CHECK(t.size() == 91599);
    CHECK(t.countAtLevel(RegionLevel::province) == 38);
    CHECK(t.countAtLevel(RegionLevel::regency) == 514);
    CHECK(t.countAtLevel(RegionLevel::district) == 7285);
    CHECK(t.countAtLevel(RegionLevel::village) == 83762);
}

TEST_CASE("regions: lookup by code and parents") {
    const RegionTable& t = table();
    const auto village = t.find("11.01.01.2001");
    REQUIRE(village);
    CHECK(village->name == "Keude Bakongan");
    CHECK(village->level == RegionLevel::village);
    const auto district = t.parentOf(*village);
    REQUIRE(district);
    CHECK(district->code == "11.01.01");
    CHECK(district->name == "Bakongan");
    const auto regency = t.parentOf(*district);
    REQUIRE(regency);
    CHECK(regency->name == "Kabupaten Aceh Selatan");
    const auto province = t.parentOf(*regency);
    REQUIRE(province);
    CHECK(province->code == "11");
    CHECK(province->name == "Aceh");
    CHECK(province->parent == -1);
    CHECK_FALSE(t.parentOf(*province));
    CHECK(t.at(static_cast<std::size_t>(village->parent)).code == "11.01.01");
    CHECK_THROWS_AS((void)t.at(t.size()), std::out_of_range);

    CHECK(t.find("94")->level == RegionLevel::province);  // the last codes exist too
    const Region last = t.at(t.size() - 1);
    CHECK(t.find(last.code)->name == last.name);
    CHECK(t.find("53.07.01.2021")->name == "Regapu’u");
    CHECK(t.find("31.72")->name == "Kota Administrasi Jakarta Utara");  // trailing space trimmed

    for (const char* bad : {"", "1", "11.", "11.01.01.9999", "99", "11.01.01.2001.1", "xx.yy",
                            "11.01.01.20011", "11 01"}) {
        CAPTURE(bad);
        CHECK_FALSE(t.find(bad));
    }
}

TEST_CASE("regions: NIK district digits") {
    const RegionTable& t = table();
    CHECK(t.hasDistrictDigits("110101"));
    CHECK(t.hasDistrictDigits("317101"));  // Jakarta Pusat, Gambir
    CHECK_FALSE(t.hasDistrictDigits("110199"));
    CHECK_FALSE(t.hasDistrictDigits("990101"));
    CHECK_FALSE(t.hasDistrictDigits("11010"));
    CHECK_FALSE(t.hasDistrictDigits("1101011"));
    CHECK_FALSE(t.hasDistrictDigits("11010a"));
    CHECK_FALSE(t.hasDistrictDigits("11.01."));
    CHECK_FALSE(t.hasDistrictDigits(""));
}

TEST_CASE("regions: children for drill-down pickers") {
    const RegionTable& t = table();
    const auto provinces = t.children("");
    REQUIRE(provinces.size() == 38);
    CHECK(provinces.front().code == "11");
    CHECK(std::is_sorted(provinces.begin(), provinces.end(),
                         [](const Region& a, const Region& b) { return a.code < b.code; }));
    std::size_t regencies = 0;
    for (const Region& p : provinces) {
        CHECK(p.level == RegionLevel::province);
        for (const Region& r : t.children(p.code)) {
            CHECK(r.level == RegionLevel::regency);
            CHECK(t.at(static_cast<std::size_t>(r.parent)).code == p.code);
            ++regencies;
        }
    }
    CHECK(regencies == 514);
    const auto villages = t.children("11.01.01");
    REQUIRE(villages.size() == 7);
    CHECK(villages.front().name == "Keude Bakongan");
    CHECK(villages.back().code == "11.01.01.2017");
    CHECK(t.children("11.01.01.2001").empty());
    CHECK(t.children("11.99").empty());
    CHECK(t.children("junk").empty());
}

TEST_CASE("regions: display names carry the parents") {
    const RegionTable& t = table();
    CHECK(t.displayName(*t.find("11.01.01.2001")) ==
          "Keude Bakongan, Bakongan, Kab. Aceh Selatan, Aceh");
    CHECK(t.displayName(*t.find("11")) == "Aceh");
    CHECK(t.displayName(*t.find("11.71")) == "Kota Banda Aceh, Aceh");
    CHECK(t.displayName(*t.find("31.72")) ==
          "Kota Adm. Jakarta Utara, Daerah Khusus Ibukota Jakarta");
    CHECK(t.displayName(*t.find("31.01")) ==
          "Kab. Adm. Kepulauan Seribu, Daerah Khusus Ibukota Jakarta");
}

TEST_CASE("regions: folding for search") {
    CHECK(lapor::foldForSearch("  Keude   BAKONGAN ") == "keude bakongan");
    CHECK(lapor::foldForSearch("Regapu’u") == "regapuu");
    CHECK(lapor::foldForSearch("Regapu'u") == "regapuu");
    CHECK(lapor::foldForSearch("Bäkóngan-Çity") == "bakongan city");
    CHECK(lapor::foldForSearch("Kab. Aceh (Selatan)/2") == "kab aceh selatan 2");
    CHECK(lapor::foldForSearch("e\xCC\x81"
                               "cole") == "ecole");  // combining acute accent
    CHECK(lapor::foldForSearch("\xFF\xFE"
                               "ab\xC3"
                               "cd") == "ab cd");   // invalid UTF-8 separates, never fails
    CHECK(lapor::foldForSearch("\xE2\x82") == "");  // truncated sequence
    CHECK(lapor::foldForSearch("东京 Ōsaka ŁÓDŹ") == "osaka lodz");
    CHECK(lapor::foldForSearch("") == "");
}

TEST_CASE("regions: search ranks exact names first, provinces and regencies before the rest") {
    const RegionTable& t = table();
    CHECK(firstCode("Aceh") == "11");
    CHECK(firstCode("keude bakongan") == "11.01.01.2001");
    CHECK(firstCode("Jakarta Utara") == "31.72");
    CHECK(firstCode("kota jakarta utara") == "31.72");
    CHECK(firstCode("Regapu'u") == "53.07.01.2021");

    // "Pidie" is a regency (Kabupaten Pidie) and one of its districts: both exact, regency first.
    const auto pidie = t.search("pidie", 20);
    REQUIRE(pidie.size() >= 2);
    CHECK(pidie[0].region.code == "11.07");
    CHECK(pidie[1].region.code == "11.07.16");

    // Kabupaten Bandung and Kota Bandung are exact (the type word may be left out); "Bandung ..."
    // villages are only whole-word matches.
    const auto bandung = t.search("bandung", 10);
    REQUIRE(bandung.size() >= 3);
    CHECK(bandung[0].region.name == "Kabupaten Bandung");
    CHECK(bandung[1].region.name == "Kota Bandung");
    CHECK(bandung[0].score > bandung[2].score);

    // exact > whole word > prefix > partial
    const auto exact = t.search("bakongan", 50);
    REQUIRE(!exact.empty());
    CHECK(exact[0].region.code == "11.01.01");
    const auto whole = rankOf(exact, "11.01.01.2001");  // Keude Bakongan
    CHECK(whole > 0);
    const auto prefix = t.search("bakonga", 50);  // ("Bakong" is a village)
    REQUIRE(!prefix.empty());
    CHECK(prefix[0].region.code == "11.01.01");
    CHECK(prefix[0].score < exact[0].score);
    const auto partial = t.search("kongan", 200);
    CHECK(rankOf(partial, "11.01.01") >= 0);
    for (const auto& hit : partial) {
        CHECK(hit.score < prefix[0].score);
    }

    // Order is by score, then level, then code, whatever the query.
    for (const char* query : {"baru", "sungai", "su", "kota", "tanjung", "jaya makmur", "ab"}) {
        CAPTURE(query);
        const auto hits = t.search(query, 100);
        CHECK(!hits.empty());
        for (std::size_t i = 1; i < hits.size(); ++i) {
            const auto& a = hits[i - 1];
            const auto& b = hits[i];
            const bool ordered =
                a.score > b.score ||
                (a.score == b.score &&
                 (a.region.level < b.region.level ||
                  (a.region.level == b.region.level && a.region.code < b.region.code)));
            CHECK(ordered);
        }
    }
}

TEST_CASE("regions: multi-word queries match every word, parents included") {
    const RegionTable& t = table();
    // "aceh" is in the parents' names: the district Bakongan (exact own name) comes first, then
    // the villages whose names hold "bakongan".
    const auto hits = t.search("bakongan aceh", 20);
    REQUIRE(hits.size() >= 2);
    CHECK(hits[0].region.code == "11.01.01");
    CHECK(rankOf(hits, "11.01.01.2001") > 0);
    for (const auto& hit : hits) {
        CHECK(t.displayName(hit.region).find("Aceh") != std::string::npos);
    }
    // Word order does not matter; the same results with the words swapped.
    CHECK(codesOf(t.search("aceh bakongan", 20)) == codesOf(hits));
    // A word that matches nothing empties the result.
    CHECK(t.search("bakongan zzqx", 20).empty());
    // Matching only through parents is not enough: one word must be in the region's own name.
    for (const auto& hit : t.search("aceh selatan", 50)) {
        const std::string own = lapor::foldForSearch(hit.region.name);
        CHECK((own.find("aceh") != std::string::npos || own.find("selatan") != std::string::npos));
    }
    CHECK(firstCode("aceh selatan") == "11.01");
}

TEST_CASE("regions: search ignores case, accents, apostrophes and hyphens") {
    const RegionTable& t = table();
    const auto plain = codesOf(t.search("keude bakongan", 10));
    REQUIRE(!plain.empty());
    CHECK(codesOf(t.search("KEUDE BAKONGAN", 10)) == plain);
    CHECK(codesOf(t.search("Kéudé Bäkongan", 10)) == plain);
    CHECK(codesOf(t.search("keude-bakongan", 10)) == plain);
    CHECK(codesOf(t.search("  keude,  bakongan. ", 10)) == plain);
    CHECK(codesOf(t.search("regapu’u", 10)) == codesOf(t.search("REGAPUU", 10)));
}

TEST_CASE("regions: empty and junk queries") {
    const RegionTable& t = table();
    for (const char* query :
         {"", "   ", "!!!", "-'’", "\xFF\xFE\xFD", "东京", "zzqxv", "qqqq wwww"}) {
        CAPTURE(query);
        CHECK(t.search(query, 10).empty());
    }
    CHECK(t.search("aceh", 0).empty());
    CHECK(t.search("a", 5).size() == 5);
    CHECK(t.search("sungai", 3).size() == 3);
    const std::string huge(100000, 'a');
    CHECK(t.search(huge, 10).empty());
    const auto many = t.search("a b c d e f g h i j k l m n o p", 10);  // only 8 words are used
    CHECK(many.size() <= 10);
}

TEST_CASE("regions: default path honours LAPOR_DATA_DIR") {
    const char* saved = std::getenv("LAPOR_DATA_DIR");
    const std::string savedValue = saved ? saved : "";
    ::setenv("LAPOR_DATA_DIR", "/srv/lapor-data", 1);
    CHECK(RegionTable::defaultPath() == "/srv/lapor-data/regions.bin");
    ::unsetenv("LAPOR_DATA_DIR");
    const auto fallback = RegionTable::defaultPath();
    CHECK((fallback == "/usr/share/lapor/regions.bin" || fallback == kBuiltTable));
    CHECK(RegionTable::load(fallback).ok());
    if (saved) {
        ::setenv("LAPOR_DATA_DIR", savedValue.c_str(), 1);
    }
}

TEST_CASE("regions: missing, truncated and damaged files are refused") {
    const auto original = readBytes(kBuiltTable);
    REQUIRE(original.size() > 100000);
    ScratchFile scratch;

    auto expectRefused = [&](const std::vector<unsigned char>& bytes, Errc expected) {
        scratch.write(bytes);
        const auto result = RegionTable::load(scratch.path);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == expected);
        CHECK(!result.error().message.empty());
    };

    SUBCASE("missing") {
        const auto result = RegionTable::load("/nonexistent/regions.bin");
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == Errc::notFound);
    }
    SUBCASE("a directory") {
        CHECK_FALSE(RegionTable::load(std::filesystem::temp_directory_path()).ok());
    }
    SUBCASE("the intact copy loads") {
        scratch.write(original);
        CHECK(RegionTable::load(scratch.path).ok());
    }
    SUBCASE("truncated") {
        for (const std::size_t length :
             {std::size_t{0}, std::size_t{1}, std::size_t{64}, std::size_t{127}, std::size_t{128},
              std::size_t{129}, std::size_t{4096}, original.size() / 3, original.size() / 2,
              original.size() - 8, original.size() - 1}) {
            CAPTURE(length);
            expectRefused(
                {original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length)},
                Errc::corrupt);
        }
    }
    SUBCASE("extended") {
        auto longer = original;
        longer.push_back(0);
        expectRefused(longer, Errc::corrupt);
    }
    SUBCASE("one byte flipped, at many points") {
        const std::size_t points = 150;
        for (std::size_t k = 0; k < points; ++k) {
            // Every header byte region early on, then spread over the whole file.
            const std::size_t at = k < 40 ? k * 3 : (k * 7919 * 131) % original.size();
            if (at >= 8 && at < 12) {
                continue;  // the version field: checked below, gives tooNew or corrupt
            }
            CAPTURE(at);
            auto damaged = original;
            damaged[at] ^= 0x5A;
            expectRefused(damaged, Errc::corrupt);
        }
    }
    SUBCASE("a newer format version") {
        auto newer = original;
        poke<std::uint32_t>(newer, offsetof(fmt::FileHeader, version), fmt::kVersion + 1);
        expectRefused(newer, Errc::tooNew);
        poke<std::uint32_t>(newer, offsetof(fmt::FileHeader, version), 0);
        expectRefused(newer, Errc::corrupt);
    }
    SUBCASE("forged with a valid checksum but bad offsets") {
        const fmt::FileHeader header = headerOf(original);
        const std::size_t firstRecord = header.records.offset;
        const std::size_t lastRecord =
            firstRecord + (header.records.count - 1) * sizeof(fmt::RecordEntry);
        struct Forgery {
            const char* what;
            std::size_t offset;
            std::uint32_t value;
        };
        const Forgery forgeries[] = {
            {"name offset", lastRecord + offsetof(fmt::RecordEntry, nameOffset), 0xFFFFFFF0u},
            {"code offset", firstRecord + offsetof(fmt::RecordEntry, codeOffset),
             header.strings.count},
            {"parent", lastRecord + offsetof(fmt::RecordEntry, parent), header.records.count},
            {"child range", firstRecord + offsetof(fmt::RecordEntry, childCount), 0x7FFFFFFFu},
            {"child index", header.children.offset, header.records.count + 5},
            {"posting", header.postings.offset + 4 * 1000, 0xFFFFFFFFu},
            {"token text", header.tokens.offset + offsetof(fmt::TokenEntry, textLength), 1000000},
            {"suffix token", header.suffixes.offset + 40, fmt::makeSuffix(header.tokens.count, 1)},
            {"suffix offset", header.suffixes.offset + 44, fmt::makeSuffix(3, 0)},
            {"token postings", header.tokens.offset + offsetof(fmt::TokenEntry, postingCount),
             0xFFFFFFFFu},
        };
        for (const Forgery& forgery : forgeries) {
            CAPTURE(forgery.what);
            auto forged = original;
            poke(forged, forgery.offset, forgery.value);
            reseal(forged, header);
            expectRefused(forged, Errc::corrupt);
        }
        for (const auto section :
             {&fmt::FileHeader::records, &fmt::FileHeader::strings, &fmt::FileHeader::postings}) {
            auto forged = original;
            fmt::FileHeader bad = header;
            (bad.*section).count += 1000000;
            reseal(forged, bad);
            expectRefused(forged, Errc::corrupt);
            bad = header;
            (bad.*section).offset = 4;
            reseal(forged, bad);
            expectRefused(forged, Errc::corrupt);
        }
        auto forged = original;
        fmt::FileHeader bad = header;
        bad.levelCounts[3] -= 1;
        reseal(forged, bad);
        expectRefused(forged, Errc::corrupt);
    }
}

TEST_CASE("regions: a forged file that passes validation never makes a lookup misbehave") {
    // Random words of the structured sections overwritten, checksum recomputed: the loader must
    // refuse the file or, if the change happens to be consistent, every call must stay in bounds
    // (the sanitizer build runs this).
    const auto original = readBytes(kBuiltTable);
    const fmt::FileHeader header = headerOf(original);
    ScratchFile scratch;
    std::mt19937 rng(7);
    const std::size_t structuredEnd = header.strings.offset;
    std::size_t loaded = 0;
    for (int round = 0; round < 120; ++round) {
        auto forged = original;
        const int changes = 1 + static_cast<int>(rng() % 3);
        for (int c = 0; c < changes; ++c) {
            // In the records, children, words and postings, or in the suffix array.
            const std::size_t at =
                rng() % 4 == 0 ? header.suffixes.offset + rng() % header.suffixes.count * 4
                               : sizeof(fmt::FileHeader) +
                                     (rng() % (structuredEnd - sizeof(fmt::FileHeader))) / 4 * 4;
            const std::uint32_t value = rng() % 4 == 0 ? rng() : rng() % 64;
            poke(forged, at, value);
        }
        reseal(forged, header);
        scratch.write(forged);
        const auto result = RegionTable::load(scratch.path);
        if (!result.ok()) {
            CHECK(result.error().code == Errc::corrupt);
            continue;
        }
        ++loaded;
        const RegionTable& t = result.value();
        for (const char* query : {"bakongan aceh", "kabupaten aceh selatan", "a", "kota bandung",
                                  "jakarta", "ngan", "pulau"}) {
            for (const auto& hit : t.search(query, 30)) {
                CHECK(!t.displayName(hit.region).empty());
                (void)t.children(hit.region.code);
            }
        }
        for (const Region& p : t.children("")) {
            (void)t.displayName(p);
        }
        (void)t.find("11.01.01.2001");
        (void)t.hasDistrictDigits("110101");
    }
    MESSAGE(loaded << " of 120 forged files were consistent enough to load");
}

TEST_CASE("regions: concurrent searches give the same answers") {
    const RegionTable& t = table();
    const char* queries[] = {"bakongan aceh", "sungai", "ba", "kota bandung", "regapuu", "zzqx"};
    std::vector<std::vector<std::string>> expected;
    for (const char* q : queries) {
        expected.push_back(codesOf(t.search(q, 25)));
    }
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t th = 0; th < mismatches.size(); ++th) {
        threads.emplace_back([&, th] {
            for (int round = 0; round < 20; ++round) {
                for (std::size_t q = 0; q < std::size(queries); ++q) {
                    mismatches[th] +=
                        codesOf(t.search(queries[(q + th) % std::size(queries)], 25)) !=
                        expected[(q + th) % std::size(queries)];
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const int m : mismatches) {
        CHECK(m == 0);
    }
}
