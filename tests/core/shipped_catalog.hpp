// The catalog from the source tree's po/, loaded once per test program, for checking messages.
#pragma once

#include <doctest/doctest.h>

#include "core/i18n.hpp"

namespace lapor::testing {

inline const Catalog& shippedCatalog() {
    static const Catalog catalog = [] {
        auto loaded = Catalog::loadDir(std::filesystem::path(LAPOR_SOURCE_DIR) / "po");
        REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
        return *loaded;
    }();
    return catalog;
}

}  // namespace lapor::testing
