// Binds the flow's ports to core: the LMDB store (reports, catalog) and the region table.
// Kept in their own files so that the kiosk's screens never include the store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "kiosk/flow/ports.hpp"

namespace lapor {
class Store;
}

namespace lapor::kiosk {

struct StoreLinkOptions {
    std::string storePath;
    std::string keyFile;
    std::string keyCredential = "lapor-store-key";
    std::string dataDir;  // where data/catalog.json (the shipped catalog) is
    std::uint64_t mapSize = 64ull << 20;
    std::uint64_t maxMapSize = 8192ull << 20;
    std::uint64_t reserveBytes = 16ull << 20;  // Store::reserveSpace between saves; 0 = none
    const Clock* clock = nullptr;
};

struct StoreLink {
    std::shared_ptr<Store> store;  // for the slips owed (kiosk/slip_desk.hpp)
    std::shared_ptr<ReportSink> sink;
    std::shared_ptr<CatalogSource> catalog;
};

[[nodiscard]] Result<StoreLink> openStoreLink(const StoreLinkOptions& options);

// The region table (core/regions) as the flow's RegionSource.
[[nodiscard]] Result<std::unique_ptr<RegionSource>> openRegionSource(const std::string& path);

}  // namespace lapor::kiosk
