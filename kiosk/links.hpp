// Binds the flow's ports to core: the LMDB store (reports, catalog) and the region table.
// Kept in their own files so that the kiosk's screens never include the store.
#pragma once

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "kiosk/flow/ports.hpp"

namespace lapor {
class Store;
}

namespace lapor::kiosk {

struct StoreLink {
    std::shared_ptr<Store> store;  // for the slips owed (kiosk/slip_desk.hpp)
    std::shared_ptr<ReportSink> sink;
    std::shared_ptr<CatalogSource> catalog;
    std::shared_ptr<StatusSource> status;
};

// The store where `config` ([store], [paths]) puts it, read from the configuration itself.
[[nodiscard]] Result<StoreLink> openStoreLink(const Config& config, const Clock& clock);

// The region table (core/regions) as the flow's RegionSource.
[[nodiscard]] Result<std::unique_ptr<RegionSource>> openRegionSource(const std::string& path);

}  // namespace lapor::kiosk
