// The kiosk flow's narrow view of the outside world (store, regions, catalog, speech), so that the
// state machine is tested without LMDB, data files or a sound device; kiosk/links.hpp binds them
// to core, the app to hardware/speech, and ports_fake.hpp holds their fakes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/report.hpp"
#include "core/report_status.hpp"
#include "core/result.hpp"

namespace lapor::kiosk {

// One place the visitor can pick: a region code with its name and parents for display.
struct RegionChoice {
    std::string code;
    std::string name;      // "Keude Bakongan"
    std::string label;     // with its parents: "Keude Bakongan, Bakongan, Kab. Aceh Selatan, Aceh"
    bool village = false;  // the level a report needs
    friend bool operator==(const RegionChoice&, const RegionChoice&) = default;
};

class RegionSource {
  public:
    virtual ~RegionSource() = default;
    [[nodiscard]] virtual std::vector<RegionChoice> search(std::string_view query,
                                                           std::size_t limit) const = 0;
    // The regions one level below `code` ("" for the provinces).
    [[nodiscard]] virtual std::vector<RegionChoice> children(std::string_view code) const = 0;
    // For validation: a region code exists; the six digits of a NIK name a district.
    [[nodiscard]] virtual bool exists(std::string_view code) const = 0;
    [[nodiscard]] virtual bool hasDistrict(std::string_view sixDigits) const = 0;
};

// An agency (instansi) or a topic, as the visitor picks it.
struct CatalogChoice {
    std::string id;
    std::string name;
    friend bool operator==(const CatalogChoice&, const CatalogChoice&) = default;
};

class CatalogSource {
  public:
    virtual ~CatalogSource() = default;
    // Names in `language` ("id" or "en"), falling back to Bahasa Indonesia.
    [[nodiscard]] virtual std::vector<CatalogChoice> agencies(std::string_view language) const = 0;
    [[nodiscard]] virtual std::vector<CatalogChoice> topics(std::string_view agencyId,
                                                            std::string_view language) const = 0;
};

// Durable save of one report with all its photos, video clip and spoken note in one transaction:
// either all of it is stored or nothing is.
class ReportSink {
  public:
    virtual ~ReportSink() = default;
    // Saves a report whose receiptCode is empty and answers the receipt code the store assigned
    // inside the same transaction (core/receipt_code.hpp, canonical form): a failed save issues
    // no code.
    [[nodiscard]] virtual Result<std::string> save(const Report& report,
                                                   const std::vector<Photo>& photos,
                                                   const std::vector<Clip>& clips) = 0;
    // The device's id, as the store drew it when it was created.
    [[nodiscard]] virtual std::string deviceId() const = 0;
    // Readies the storage for the next save (Store::reserveSpace); slow, so the app calls it off
    // the visitor's path: at start and after each save. A failure only costs the next save time.
    virtual void prepareForNextSave() {}
    // Encrypts the photos of report `uuid` ahead of its save (Store::sealPhotos), while the
    // visitor reviews it; save() then uses them when the photos are still the same. Off the
    // visitor's path, like prepareForNextSave.
    virtual void sealAhead(const std::string& uuid, const std::vector<Photo>& photos) {
        (void)uuid;
        (void)photos;
    }
    // The agent said in the store that it has no device token yet: reports wait, none is sent.
    [[nodiscard]] virtual bool agentWaitsForEnrolment() const { return false; }
};

// What became of the reports this kiosk filed, for a returning visitor (and staff): found by
// receipt code, never with any identity; and the citizen's reply to the agency's follow-up.
class StatusSource {
  public:
    virtual ~StatusSource() = default;
    // The report with this canonical receipt code (core/receipt_code.hpp); Errc::notFound when
    // this kiosk holds none with it.
    [[nodiscard]] virtual Result<ReportStatus> lookup(std::string_view code) const = 0;
    // Stores the reply with all its photos in one transaction (Store::saveReply): all or nothing.
    [[nodiscard]] virtual Status saveReply(const Reply& reply,
                                           const std::vector<Photo>& photos) = 0;
    // When the agent last reached the national system (wall ms; 0: never, or not known), for
    // "the kiosk has been offline for 3 days" on a report still waiting here.
    [[nodiscard]] virtual std::int64_t lastContactMs() const = 0;
};

// Reads text aloud (hardware/speech.hpp's espeak-ng in the app). Returns at once.
class Voice {
  public:
    virtual ~Voice() = default;
    virtual void say(std::string text, Lang lang) = 0;
};

}  // namespace lapor::kiosk
