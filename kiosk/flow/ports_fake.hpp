// Fakes of the flow's ports (ports.hpp), shipped beside them: a tiny region tree, a two-agency
// catalog, a store that can be told to fail, and a voice that records what it was asked to say.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/flow/ports.hpp"

namespace lapor::kiosk {

// Aceh down to two villages of Bakongan, and DKI Jakarta; NIK district 11.01.01 only.
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
    [[nodiscard]] std::vector<RegionChoice> search(std::string_view query,
                                                   std::size_t limit) const override;
    [[nodiscard]] std::vector<RegionChoice> children(std::string_view code) const override;
    [[nodiscard]] bool exists(std::string_view code) const override;
    [[nodiscard]] bool hasDistrict(std::string_view sixDigits) const override {
        return sixDigits == "110101";
    }
};

// Two agencies; only "kemenkes" has topics.
class FakeCatalog final : public CatalogSource {
  public:
    [[nodiscard]] std::vector<CatalogChoice> agencies(std::string_view language) const override;
    [[nodiscard]] std::vector<CatalogChoice> topics(std::string_view agencyId,
                                                    std::string_view language) const override;
};

// Keeps what it saved; `next` makes the next save fail once. Codes are K7QMP4XTA2AB, ...AC, ...
class FakeSink final : public ReportSink {
  public:
    std::vector<Report> saved;
    std::vector<std::vector<Photo>> savedPhotos;
    std::vector<std::vector<Clip>> savedClips;
    Status next;  // what the next save answers
    int codes = 0;
    [[nodiscard]] Result<std::string> save(const Report& report, const std::vector<Photo>& photos,
                                           const std::vector<Clip>& clips) override;
    [[nodiscard]] std::string deviceId() const override { return "dev-test"; }
};

// Records every utterance.
class FakeVoice final : public Voice {
  public:
    struct Said {
        std::string text;
        Lang lang;
    };
    std::vector<Said> said;
    void say(std::string text, Lang lang) override { said.push_back({std::move(text), lang}); }
};

}  // namespace lapor::kiosk
