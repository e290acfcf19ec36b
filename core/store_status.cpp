// Status records in the store: small keyed values such as the agent's "syncd" record and
// per-report bookkeeping (receipt slips owed: core/store_slips.hpp).
#include "core/store_impl.hpp"

namespace lapor {

using namespace storage;

Status Store::putStatus(std::string_view key, std::string_view value) {
    if (key.empty() || key.size() > 256)
        return makeError(Errc::invalidInput, "status key must be 1..256 bytes");
    return impl_->write<void>([&](Writer& w) { return w.put(impl_->status, key, value); });
}

Status Store::eraseStatus(std::string_view key) {
    if (key.empty())
        return makeError(Errc::invalidInput, "empty status key");
    return impl_->write<void>([&](Writer& w) { return w.del(impl_->status, key); });
}

Result<std::optional<std::string>> Store::getStatus(std::string_view key) const {
    if (key.empty())
        return makeError(Errc::invalidInput, "empty status key");
    return impl_->read<std::optional<std::string>>(
        [&](const Reader& r) { return r.get(impl_->status, key); });
}

Result<std::vector<std::pair<std::string, std::string>>> Store::listStatus() const {
    using List = std::vector<std::pair<std::string, std::string>>;
    return impl_->read<List>([&](const Reader& r) -> Result<List> {
        List out;
        Status s = forPrefix(r.txn(), impl_->status, "", [&](std::string_view k, const MDB_val& v) {
            out.emplace_back(std::string(k), std::string(sv(v)));
            return true;
        });
        if (!s.ok())
            return s.error();
        return out;
    });
}

}  // namespace lapor
