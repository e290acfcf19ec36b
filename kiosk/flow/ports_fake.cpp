// The flow's port fakes (ports_fake.hpp).
#include "kiosk/flow/ports_fake.hpp"

#include <algorithm>
#include <utility>

namespace lapor::kiosk {

std::vector<RegionChoice> FakeRegions::search(std::string_view query, std::size_t limit) const {
    std::vector<RegionChoice> out;
    for (const auto& r : all) {
        if (r.name.find(query) != std::string::npos && out.size() < limit) {
            out.push_back(r);
        }
    }
    return out;
}

std::vector<RegionChoice> FakeRegions::children(std::string_view code) const {
    std::vector<RegionChoice> out;
    for (const auto& r : all) {
        const auto dot = r.code.rfind('.');
        const std::string parent = dot == std::string::npos ? "" : r.code.substr(0, dot);
        if (parent == code) {
            out.push_back(r);
        }
    }
    return out;
}

bool FakeRegions::exists(std::string_view code) const {
    return std::any_of(all.begin(), all.end(), [code](const auto& r) { return r.code == code; });
}

std::vector<CatalogChoice> FakeCatalog::agencies(std::string_view language) const {
    return {{"kemenkes", language == "en" ? "Ministry of Health" : "Kementerian Kesehatan"},
            {"pemda", "Pemerintah Daerah"}};
}

std::vector<CatalogChoice> FakeCatalog::topics(std::string_view agencyId,
                                               std::string_view /*language*/) const {
    if (agencyId == "kemenkes") {
        return {{"kesehatan.bpjs", "BPJS Kesehatan"}, {"kesehatan.rs", "Rumah Sakit"}};
    }
    return {};
}

Result<std::string> FakeSink::save(const Report& report, const std::vector<Photo>& photos,
                                   const std::vector<Clip>& clips) {
    if (!next.ok()) {
        return std::exchange(next, Status{}).error();
    }
    ++codes;
    saved.push_back(report);
    saved.back().receiptCode = std::string("K7QMP4XTA2A") + static_cast<char>('A' + codes);
    savedPhotos.push_back(photos);
    savedClips.push_back(clips);
    return saved.back().receiptCode;
}

}  // namespace lapor::kiosk
