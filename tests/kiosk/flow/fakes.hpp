// Fakes for the flow's ports: a tiny region tree, a two-agency catalog, a store that can fail.
#pragma once

#include <string>
#include <vector>

#include "kiosk/flow/ports.hpp"

namespace lapor::kiosk::test {

class FakeRegions final : public RegionSource {
  public:
    std::vector<RegionChoice> all = {
        {"11", "Aceh", "Aceh", false},
        {"11.01", "Kab. Aceh Selatan", "Kab. Aceh Selatan, Aceh", false},
        {"11.01.01", "Bakongan", "Bakongan, Kab. Aceh Selatan, Aceh", false},
        {"11.01.01.2001", "Keude Bakongan", "Keude Bakongan, Bakongan, Kab. Aceh Selatan, Aceh",
         true},
        {"11.01.01.2002", "Ujong Mangki", "Ujong Mangki, Bakongan, Kab. Aceh Selatan, Aceh", true},
        {"31", "DKI Jakarta", "DKI Jakarta", false},
    };
    std::vector<RegionChoice> search(std::string_view q, std::size_t limit) const override {
        std::vector<RegionChoice> out;
        for (const auto& r : all) {
            if (r.name.find(q) != std::string::npos && out.size() < limit) {
                out.push_back(r);
            }
        }
        return out;
    }
    std::vector<RegionChoice> children(std::string_view code) const override {
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
    bool exists(std::string_view code) const override {
        for (const auto& r : all) {
            if (r.code == code) {
                return true;
            }
        }
        return false;
    }
    bool hasDistrict(std::string_view six) const override { return six == "110101"; }
};

class FakeCatalog final : public CatalogSource {
  public:
    std::vector<CatalogChoice> agencies(std::string_view lang) const override {
        return {{"kemenkes", lang == "en" ? "Ministry of Health" : "Kementerian Kesehatan"},
                {"pemda", "Pemerintah Daerah"}};
    }
    std::vector<CatalogChoice> topics(std::string_view agency, std::string_view) const override {
        if (agency == "kemenkes") {
            return {{"kesehatan.bpjs", "BPJS Kesehatan"}, {"kesehatan.rs", "Rumah Sakit"}};
        }
        return {};
    }
};

class FakeSink final : public ReportSink {
  public:
    std::vector<Report> saved;
    std::vector<std::vector<Photo>> savedPhotos;
    Status next;      // what the next save answers
    Status nextCode;  // what the next newReceiptCode answers when not ok
    int codes = 0;
    Status save(const Report& report, const std::vector<Photo>& photos) override {
        if (!next.ok()) {
            Status s = next;
            next = Status{};
            return s;
        }
        saved.push_back(report);
        savedPhotos.push_back(photos);
        return {};
    }
    std::string deviceId() const override { return "dev-test"; }
    Result<std::string> newReceiptCode() override {
        if (!nextCode.ok()) {
            Status s = nextCode;
            nextCode = Status{};
            return s.error();
        }
        ++codes;
        return std::string("K7QMP4XTA") + static_cast<char>('A' + codes);
    }
};

}  // namespace lapor::kiosk::test
