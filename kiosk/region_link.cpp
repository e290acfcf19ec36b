// The flow's RegionSource over the region table (core/regions).
#include "core/regions.hpp"
#include "kiosk/links.hpp"

namespace lapor::kiosk {

namespace {

class TableRegions final : public RegionSource {
  public:
    explicit TableRegions(RegionTable table) : table_(std::move(table)) {}

    std::vector<RegionChoice> search(std::string_view query, std::size_t limit) const override {
        std::vector<RegionChoice> out;
        for (const auto& hit : table_.search(query, limit)) {
            out.push_back(choice(hit.region));
        }
        return out;
    }
    std::vector<RegionChoice> children(std::string_view code) const override {
        std::vector<RegionChoice> out;
        for (const auto& r : table_.children(code)) {
            out.push_back(choice(r));
        }
        return out;
    }
    bool exists(std::string_view code) const override { return table_.find(code).has_value(); }
    bool hasDistrict(std::string_view six) const override { return table_.hasDistrictDigits(six); }

  private:
    RegionChoice choice(const Region& r) const {
        return RegionChoice{std::string(r.code), std::string(r.name), table_.displayName(r),
                            r.level == RegionLevel::village};
    }
    RegionTable table_;
};

}  // namespace

Result<std::unique_ptr<RegionSource>> openRegionSource(const std::string& path) {
    auto table =
        RegionTable::load(path.empty() ? RegionTable::defaultPath() : std::filesystem::path(path));
    if (!table) {
        return table.error();
    }
    return std::unique_ptr<RegionSource>(std::make_unique<TableRegions>(std::move(table.value())));
}

}  // namespace lapor::kiosk
