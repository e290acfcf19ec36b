// Staff accounts (sealed with the store key) and the audit of sign-ins and staff actions.
//
//   staff   staff id                      sealed account JSON ("lapor/staff/v1/<id>")
//   audit   u64 BE at-ms + u64 BE n       audit row JSON (clear: no PIN, no citizen's data)
#include "core/store_impl.hpp"

#include <sodium.h>

#include <algorithm>

namespace lapor {

using namespace storage;

namespace {

std::string staffAd(std::string_view id) {
    return "lapor/staff/v1/" + std::string(id);
}

std::string_view bytesView(const std::vector<std::uint8_t>& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Result<staff::Account> openAccount(const crypto::Key& key, std::string_view id, const MDB_val& v) {
    auto plain = crypto::open(key, bytesOf(v), staffAd(id));
    if (!plain.ok()) {
        return makeError(Errc::corrupt,
                         "staff account " + std::string(id) + ": " + plain.error().message);
    }
    auto account = staff::decodeAccount(bytesView(*plain));
    sodium_memzero(plain->data(), plain->size());
    return account;
}

// Appends one audit row and drops the oldest beyond what is kept.
Status appendAuditRow(Writer& w, MDB_dbi audit, std::size_t kept, const staff::AuditEntry& entry) {
    MDB_stat st{};
    if (int rc = mdb_stat(w.txn(), audit, &st); rc != 0) {
        return lmdbError(rc, "audit table");
    }
    // The row number after the last one's keeps keys unique even when the clock stands still.
    std::uint64_t n = 0;
    {
        auto c = Cursor::open(w.txn(), audit);
        if (!c.ok()) {
            return c.error();
        }
        MDB_val k{}, v{};
        if (c->get(k, v, MDB_LAST) == 0 && k.mv_size == 16) {
            n = readBE(sv(k), 8, 8) + 1;
        }
    }
    std::string key;
    appendBE(key, static_cast<std::uint64_t>(std::max<std::int64_t>(entry.atMs, 0)), 8);
    appendBE(key, n, 8);
    if (Status s = w.put(audit, key, staff::encodeAudit(entry)); !s.ok()) {
        return s;
    }
    if (st.ms_entries + 1 > kept) {
        auto c = Cursor::open(w.txn(), audit);
        if (!c.ok()) {
            return c.error();
        }
        MDB_val k{}, v{};
        if (c->get(k, v, MDB_FIRST) == 0) {
            if (int rc = mdb_cursor_del(*c, 0); rc != 0) {
                return w.check(rc, "trim audit");
            }
        }
    }
    return {};
}

}  // namespace

Result<std::optional<staff::Account>> Store::staffAccount(std::string_view id) const {
    using Out = std::optional<staff::Account>;
    if (Status s = impl_->requireKey(); !s.ok()) {
        return s.error();
    }
    if (!impl_->staffTables || id.empty()) {
        return Out();
    }
    return impl_->read<Out>([&](const Reader& r) -> Result<Out> {
        auto v = r.view(impl_->staff, id);
        if (!v.ok()) {
            return v.error();
        }
        if (!*v) {
            return Out();
        }
        auto a = openAccount(*impl_->opts.key, id, **v);
        if (!a.ok()) {
            return a.error();
        }
        return Out(std::move(*a));
    });
}

Result<std::vector<staff::Account>> Store::staffAccounts() const {
    using List = std::vector<staff::Account>;
    if (Status s = impl_->requireKey(); !s.ok()) {
        return s.error();
    }
    if (!impl_->staffTables) {
        return List();
    }
    return impl_->read<List>([&](const Reader& r) -> Result<List> {
        List out;
        Error failed;
        bool ok = true;
        Status s = forPrefix(r.txn(), impl_->staff, "", [&](std::string_view k, const MDB_val& v) {
            auto a = openAccount(*impl_->opts.key, k, v);
            if (!a.ok()) {
                failed = a.error();
                ok = false;
                return false;
            }
            out.push_back(std::move(*a));
            return true;
        });
        if (!s.ok()) {
            return s.error();
        }
        if (!ok) {
            return failed;
        }
        return out;
    });
}

Status Store::putStaffAccount(const staff::Account& account, const staff::AuditEntry& entry) {
    if (Status s = impl_->requireKey(); !s.ok()) {
        return s;
    }
    if (Status s = staff::checkStaffId(account.id); !s.ok()) {
        return s;
    }
    std::string plain = staff::encodeAccount(account);
    const std::vector<std::uint8_t> sealed =
        crypto::seal(*impl_->opts.key,
                     std::span(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()),
                     staffAd(account.id));
    sodium_memzero(plain.data(), plain.size());
    return impl_->write<void>([&](Writer& w) -> Status {
        if (Status s = w.put(impl_->staff, account.id, bytesView(sealed)); !s.ok()) {
            return s;
        }
        return appendAuditRow(w, impl_->audit, impl_->opts.auditRowsKept, entry);
    });
}

Status Store::appendAudit(const staff::AuditEntry& entry) {
    return impl_->write<void>([&](Writer& w) -> Status {
        return appendAuditRow(w, impl_->audit, impl_->opts.auditRowsKept, entry);
    });
}

Result<std::vector<staff::AuditEntry>> Store::auditLog(std::size_t limit) const {
    using List = std::vector<staff::AuditEntry>;
    if (!impl_->staffTables || limit == 0) {
        return List();
    }
    return impl_->read<List>([&](const Reader& r) -> Result<List> {
        List out;
        auto c = Cursor::open(r.txn(), impl_->audit);
        if (!c.ok()) {
            return c.error();
        }
        MDB_val k{}, v{};
        for (int rc = c->get(k, v, MDB_LAST); rc == 0 && out.size() < limit;
             rc = c->get(k, v, MDB_PREV)) {
            auto e = staff::decodeAudit(sv(v));
            if (!e.ok()) {
                return e.error();
            }
            out.push_back(std::move(*e));
        }
        std::reverse(out.begin(), out.end());
        return out;
    });
}

}  // namespace lapor
