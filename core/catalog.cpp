// AgencyCatalog JSON parsing and checks; the shipped default in data/catalog.json.
#include "core/catalog.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace lapor {

using nlohmann::json;

const Topic* Agency::findTopic(std::string_view topicId) const {
    for (const auto& t : topics) {
        if (t.id == topicId)
            return &t;
    }
    return nullptr;
}

std::vector<const Topic*> Agency::childrenOf(std::string_view parentId) const {
    std::vector<const Topic*> out;
    for (const auto& t : topics) {
        if (t.parentId == parentId)
            out.push_back(&t);
    }
    return out;
}

const Agency* AgencyCatalog::findAgency(std::string_view id) const {
    for (const auto& a : agencies) {
        if (a.id == id)
            return &a;
    }
    return nullptr;
}

const Topic* AgencyCatalog::findTopic(std::string_view agencyId, std::string_view topicId) const {
    const Agency* a = findAgency(agencyId);
    return a ? a->findTopic(topicId) : nullptr;
}

namespace {

LocalizedName nameFrom(const json& j) {
    return {j.at("name").get<std::string>(), j.value("name_en", std::string())};
}

void nameTo(json& j, const LocalizedName& n) {
    j["name"] = n.id;
    if (!n.en.empty())
        j["name_en"] = n.en;
}

Status checkAgency(const Agency& a) {
    std::set<std::string, std::less<>> ids;
    for (const auto& t : a.topics) {
        if (t.id.empty() || t.name.id.empty()) {
            return makeError(Errc::invalidInput,
                             "catalog agency " + a.id + ": topic without id or name");
        }
        if (!ids.insert(t.id).second) {
            return makeError(Errc::invalidInput,
                             "catalog agency " + a.id + ": topic " + t.id + " twice");
        }
    }
    for (const auto& t : a.topics) {
        if (!t.parentId.empty() && !ids.contains(t.parentId)) {
            return makeError(Errc::invalidInput, "catalog agency " + a.id + ": topic " + t.id +
                                                     " has unknown parent " + t.parentId);
        }
        // Walking up more steps than there are topics means a cycle.
        const Topic* cur = &t;
        for (std::size_t steps = 0; !cur->parentId.empty(); ++steps) {
            if (steps > a.topics.size()) {
                return makeError(Errc::invalidInput, "catalog agency " + a.id + ": topic " + t.id +
                                                         " is in a parent cycle");
            }
            cur = a.findTopic(cur->parentId);
        }
    }
    return {};
}

}  // namespace

Result<AgencyCatalog> parseCatalogJson(std::string_view text, std::string etag) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return makeError(Errc::invalidInput, "catalog is not a JSON object");
    }
    AgencyCatalog c;
    c.etag = std::move(etag);
    try {
        const json& v = j.at("version");
        c.version = v.is_string() ? v.get<std::string>() : v.dump();
        for (const json& a : j.at("agencies")) {
            Agency agency{a.at("id").get<std::string>(), nameFrom(a), {}};
            if (a.contains("topics")) {
                for (const json& t : a.at("topics")) {
                    const json& parent = t.contains("parent") ? t.at("parent") : json();
                    agency.topics.push_back(
                        {t.at("id").get<std::string>(), nameFrom(t),
                         parent.is_null() ? std::string() : parent.get<std::string>()});
                }
            }
            c.agencies.push_back(std::move(agency));
        }
    } catch (const json::exception& e) {
        return makeError(Errc::invalidInput, std::string("catalog malformed: ") + e.what());
    }
    std::set<std::string, std::less<>> agencyIds;
    for (const auto& a : c.agencies) {
        if (a.id.empty() || a.name.id.empty()) {
            return makeError(Errc::invalidInput, "catalog agency without id or name");
        }
        if (!agencyIds.insert(a.id).second) {
            return makeError(Errc::invalidInput, "catalog agency " + a.id + " twice");
        }
        if (Status s = checkAgency(a); !s.ok())
            return s.error();
    }
    return c;
}

std::string catalogToJson(const AgencyCatalog& c) {
    json agencies = json::array();
    for (const auto& a : c.agencies) {
        json aj = {{"id", a.id}};
        nameTo(aj, a.name);
        json topics = json::array();
        for (const auto& t : a.topics) {
            json tj = {{"id", t.id}};
            nameTo(tj, t.name);
            tj["parent"] = t.parentId.empty() ? json() : json(t.parentId);
            topics.push_back(std::move(tj));
        }
        aj["topics"] = std::move(topics);
        agencies.push_back(std::move(aj));
    }
    return json{{"version", c.version}, {"agencies", std::move(agencies)}}.dump();
}

Result<AgencyCatalog> loadDefaultCatalog(const std::string& dataDir) {
    std::string path = dataDir + "/data/catalog.json";
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(Errc::notFound, "cannot read default catalog " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parseCatalogJson(text.str(), {});
    if (!parsed.ok())
        return makeError(parsed.error().code, path + ": " + parsed.error().message);
    parsed->etag = "default-" + parsed->version;
    return parsed;
}

}  // namespace lapor
