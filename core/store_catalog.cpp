// The agency catalog in the store: the one the agent last fetched, checked before it replaces the
// stored one, with the shipped catalog as the fallback.
#include <nlohmann/json.hpp>

#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;
using nlohmann::json;

Result<AgencyCatalog> Store::getCatalog() const {
    return impl_->read<AgencyCatalog>([&](const Reader& r) -> Result<AgencyCatalog> {
        auto v = r.get(impl_->catalog, "current");
        if (!v.ok())
            return v.error();
        if (!*v)
            return makeError(Errc::notFound, "no catalog stored yet");
        json j = json::parse(**v, nullptr, false);
        if (j.is_discarded() || !j.contains("etag") || !j.contains("catalog")) {
            return makeError(Errc::corrupt, "stored catalog malformed");
        }
        auto c = parseCatalogJson(j["catalog"].get<std::string>(), j["etag"].get<std::string>());
        if (!c.ok())
            return makeError(Errc::corrupt, "stored catalog: " + c.error().message);
        return c;
    });
}

Result<AgencyCatalog> Store::getCatalogOrDefault(const std::string& dataDir) const {
    auto stored = getCatalog();
    if (stored.ok() || stored.error().code != Errc::notFound)
        return stored;
    return loadDefaultCatalog(dataDir);
}

Status Store::putCatalog(const AgencyCatalog& catalog) {
    // Round-trip through the checks so that a bad catalog never replaces a good one.
    std::string text = catalogToJson(catalog);
    auto checked = parseCatalogJson(text, catalog.etag);
    if (!checked.ok())
        return checked.error();
    json j = {{"etag", catalog.etag}, {"catalog", text}};
    return impl_->write<void>(
        [&](Writer& w) { return w.put(impl_->catalog, "current", j.dump()); });
}

}  // namespace lapor
