// Receipt slips owed by the kiosk, as status records of the store.
#include "core/store_slips.hpp"

#include "core/store.hpp"

namespace lapor {

std::string slipStatusKey(std::string_view uuid) {
    return std::string(slipStatusPrefix) + std::string(uuid);
}

Result<std::vector<SlipOwed>> listSlips(const Store& store) {
    auto all = store.listStatus();
    if (!all) {
        return all.error();
    }
    std::vector<SlipOwed> out;
    for (auto& [key, value] : *all) {
        if (key.compare(0, slipStatusPrefix.size(), slipStatusPrefix) == 0) {
            out.push_back(SlipOwed{key.substr(slipStatusPrefix.size()), std::move(value)});
        }
    }
    return out;
}

Status markSlipSpooled(Store& store, std::string_view uuid) {
    return store.eraseStatus(slipStatusKey(uuid));
}

Status markSlipUnconfirmed(Store& store, std::string_view uuid) {
    return store.putStatus(slipStatusKey(uuid), slipUnconfirmedValue);
}

Status requestReprint(Store& store, std::string_view uuid) {
    if (auto entry = store.outboxEntry(uuid); !entry) {
        return entry.error();
    }
    return store.putStatus(slipStatusKey(uuid), slipReprintValue);
}

}  // namespace lapor
