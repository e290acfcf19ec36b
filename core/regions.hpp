// Indonesia's administrative regions: lookup by code, drill-down, and ranked name search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor {

// The depth of a region code: "11" province, "11.01" regency or city (kabupaten/kota),
// "11.01.01" district (kecamatan), "11.01.01.2001" village (desa/kelurahan).
enum class RegionLevel : std::uint8_t { province = 1, regency = 2, district = 3, village = 4 };

// One region. The views point into the table's loaded file: valid while the RegionTable lives
// (moving the table keeps them valid).
struct Region {
    std::string_view code;  // "11.01.01.2001"
    std::string_view name;  // "Keude Bakongan", as in the decree
    RegionLevel level = RegionLevel::province;
    std::int32_t parent = -1;  // index of the parent region (see RegionTable::at), -1 for provinces
};

// The region table loaded from the compact binary file made at build time from data/wilayah.tsv
// (format in core/regions_format.hpp, design in docs/regions.md). Immutable after load; every
// const member is safe to call from several threads at once. Move-only (owns the loaded file).
class RegionTable {
  public:
    // Reads and validates the file (magic, version, checksum, every offset and index in bounds).
    // A missing file is Errc::notFound or ioError; a damaged or truncated one Errc::corrupt; a
    // file from a newer format version Errc::tooNew. Never crashes on bad input.
    [[nodiscard]] static Result<RegionTable> load(const std::filesystem::path& path);

    // Where the region file is: $LAPOR_DATA_DIR/regions.bin when that variable is set, else
    // /usr/share/lapor/regions.bin when it exists, else the file generated in the build tree.
    [[nodiscard]] static std::filesystem::path defaultPath();

    RegionTable(RegionTable&& other) noexcept;
    RegionTable& operator=(RegionTable&& other) noexcept;
    RegionTable(const RegionTable&) = delete;
    RegionTable& operator=(const RegionTable&) = delete;
    ~RegionTable();

    // Exact code lookup ("11.01.01.2001"); nullopt when the code does not exist or is malformed.
    [[nodiscard]] std::optional<Region> find(std::string_view code) const;

    // NIK check: "110101" is true when district 11.01.01 exists. False for anything that is not
    // exactly six ASCII digits.
    [[nodiscard]] bool hasDistrictDigits(std::string_view sixDigits) const;

    // Direct children in code order, for drill-down pickers. "" gives the provinces; an unknown
    // code or a village gives an empty list.
    [[nodiscard]] std::vector<Region> children(std::string_view code) const;

    // The region at an index (0 <= index < size(), in code order); parents are given as indices.
    [[nodiscard]] Region at(std::size_t index) const;
    [[nodiscard]] std::optional<Region> parentOf(const Region& region) const;

    // The region with its parents, nearest first: "Keude Bakongan, Bakongan, Kab. Aceh Selatan,
    // Aceh". "Kabupaten" is shortened to "Kab."; "Kota" stays whole (it is short, and it tells a
    // city from the regency of the same name: "Kota Bandung" vs "Kab. Bandung"); Jakarta's
    // "Administrasi" becomes "Adm." ("Kota Adm. Jakarta Pusat").
    [[nodiscard]] std::string displayName(const Region& region) const;

    struct Hit {
        Region region;
        int score;  // higher is better; only the order between hits of one search is meaningful
    };

    // Ranked name search, case- and accent-insensitive; apostrophes are ignored ("Regapu'u" ==
    // "regapuu"), hyphens and punctuation separate words. Every query word must match, in the
    // region's own name or (word or prefix) in one of its parents' names, and at least one in the
    // region's own name: "bakongan aceh" finds Bakongan in Aceh. Order: exact name, then every word
    // whole, then word prefixes, then partial (inside a word, queries of 3+ letters); fewer words
    // matched through parents first; then provinces and regencies before districts and villages;
    // then code order. Empty or junk queries give no hits. At most `limit` hits.
    [[nodiscard]] std::vector<Hit> search(std::string_view query, std::size_t limit) const;

    [[nodiscard]] std::size_t size() const noexcept;
    [[nodiscard]] std::size_t countAtLevel(RegionLevel level) const noexcept;

  private:
    struct Impl;
    explicit RegionTable(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor
