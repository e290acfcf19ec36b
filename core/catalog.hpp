// The catalog of agencies (instansi) and their topic trees the visitor chooses from; the agent
// refreshes it from the uplink (docs/protocol.md section 5), data/catalog.json is the default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor {

// A name in both of the kiosk's languages. The protocol carries "name" (Bahasa Indonesia); the
// optional "name_en" is an extension used by the shipped catalog. Data, not code.
struct LocalizedName {
    std::string id;
    std::string en;
    [[nodiscard]] const std::string& in(std::string_view language) const {
        return language == "en" && !en.empty() ? en : id;
    }
    friend bool operator==(const LocalizedName&, const LocalizedName&) = default;
};

struct Topic {
    std::string id;  // unique within its agency, e.g. "jalan-rusak"
    LocalizedName name;
    std::string parentId;  // empty for a top-level topic; else a topic ID of the same agency
    friend bool operator==(const Topic&, const Topic&) = default;
};

struct Agency {
    std::string id;  // stable, e.g. "kemenkes"
    LocalizedName name;
    std::vector<Topic> topics;

    [[nodiscard]] const Topic* findTopic(std::string_view topicId) const;
    // Direct children of `parentId` ("" for the top level), in catalog order.
    [[nodiscard]] std::vector<const Topic*> childrenOf(std::string_view parentId) const;
    friend bool operator==(const Agency&, const Agency&) = default;
};

struct AgencyCatalog {
    std::string etag;     // the server's ETag (opaque, without quotes); "default-<version>" shipped
    std::string version;  // the catalog's own version, e.g. "2026-11-01"
    std::vector<Agency> agencies;

    [[nodiscard]] const Agency* findAgency(std::string_view id) const;
    [[nodiscard]] const Topic* findTopic(std::string_view agencyId, std::string_view topicId) const;
    friend bool operator==(const AgencyCatalog&, const AgencyCatalog&) = default;
};

// Parses the protocol's JSON (docs/protocol.md section 5):
// {"version": "...", "agencies": [{"id", "name", ["name_en"], "topics": [{"id", "name",
//  ["name_en"], "parent": null | topic ID}]}]}
// Refuses empty or duplicate IDs, unknown parents and parent cycles (Errc::invalidInput, naming
// the offending ID).
[[nodiscard]] Result<AgencyCatalog> parseCatalogJson(std::string_view json, std::string etag);
// The same JSON form (the ETag is not part of it).
[[nodiscard]] std::string catalogToJson(const AgencyCatalog& catalog);
// Reads <dataDir>/data/catalog.json, the catalog shipped with the program.
[[nodiscard]] Result<AgencyCatalog> loadDefaultCatalog(const std::string& dataDir);

}  // namespace lapor
