// StaffRecords kept in the store (its "staff" and "audit" tables): what the kiosk and lapor-ctl
// use; MemoryStaffRecords (core/staff.hpp) is the fake beside the interface.
#pragma once

#include "core/staff.hpp"
#include "core/store.hpp"

namespace lapor::staff {

class StoreStaffRecords final : public StaffRecords {
  public:
    explicit StoreStaffRecords(Store& store) : store_(store) {}
    [[nodiscard]] Result<std::optional<Account>> account(std::string_view id) const override {
        return store_.staffAccount(id);
    }
    [[nodiscard]] Result<std::vector<Account>> accounts() const override {
        return store_.staffAccounts();
    }
    [[nodiscard]] Status put(const Account& account, const AuditEntry& entry) override {
        return store_.putStaffAccount(account, entry);
    }
    [[nodiscard]] Status audit(const AuditEntry& entry) override {
        return store_.appendAudit(entry);
    }
    [[nodiscard]] Result<std::vector<AuditEntry>> auditLog(std::size_t limit) const override {
        return store_.auditLog(limit);
    }

  private:
    Store& store_;
};

}  // namespace lapor::staff
