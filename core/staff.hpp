// Staff accounts: PIN rules, Argon2id PIN hashes, the lockout after wrong PINs, and the audit rows
// every sign-in, failure and staff action leaves. Storage is behind StaffRecords.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace lapor::staff {

struct Account {
    std::string id;           // what staff type at the kiosk: 1-16 letters, digits, '-' or '.'
    std::string displayName;  // shown while signed in ("Petugas: Sri")
    std::string pinHash;      // libsodium's crypto_pwhash_str (Argon2id), never the PIN
    bool disabled = false;
    int failures = 0;                // wrong PINs in a row since the last good one
    std::int64_t lockedUntilMs = 0;  // UTC ms; 0 when not locked
    std::int64_t createdAtMs = 0;
    std::int64_t pinSetAtMs = 0;
    bool pinMustChange = false;  // set by reset-pin: the next sign-in asks for a new PIN
};

// One audit row. `detail` is English for operators and never holds a PIN, a hash or a citizen's
// data (a receipt code at most).
struct AuditEntry {
    std::int64_t atMs = 0;
    std::string staffId;  // "-" when no account matched
    std::string action;   // "sign-in", "sign-in-failed", "sign-out", "add", "disable", ...
    std::string detail;
    bool ok = true;
};

// Where accounts and audit rows live. put() writes an account change and its audit row together
// (one transaction), so an action never happens without its trace.
class StaffRecords {
  public:
    virtual ~StaffRecords() = default;
    [[nodiscard]] virtual Result<std::optional<Account>> account(std::string_view id) const = 0;
    [[nodiscard]] virtual Result<std::vector<Account>> accounts() const = 0;
    [[nodiscard]] virtual Status put(const Account& account, const AuditEntry& entry) = 0;
    [[nodiscard]] virtual Status audit(const AuditEntry& entry) = 0;
    // The newest `limit` rows, oldest first.
    [[nodiscard]] virtual Result<std::vector<AuditEntry>> auditLog(std::size_t limit) const = 0;
};

// Argon2id cost, measured on the kiosk's class of CPU (tests/bench/staff, docs/performance.md):
// about 0.2 s per sign-in, more work than libsodium's "interactive" cost, and 24 MiB rather than
// its 64, so that a sign-in keeps the kiosk inside its 80 MB memory target (46 MiB at its peak).
struct HashCost {
    unsigned long long opsLimit = 12;
    std::size_t memLimitBytes = std::size_t{24} << 20;
};

// The lockout: after `freeFailures` wrong PINs in a row the account pauses for `firstPauseMs`,
// doubling with each further wrong PIN up to `maxPauseMs`.
struct LockoutPolicy {
    int freeFailures = 3;
    std::int64_t firstPauseMs = 30'000;
    std::int64_t maxPauseMs = 3'600'000;
};

// PIN rules: 6 to 12 digits, not one digit repeated, not a run up or down ("123456", "987654").
// The message says which rule failed (for the operator; the kiosk shows its catalog text).
[[nodiscard]] Status checkPin(std::string_view pin);
[[nodiscard]] Status checkStaffId(std::string_view id);

[[nodiscard]] Result<std::string> hashPin(std::string_view pin, const HashCost& cost);
[[nodiscard]] bool pinMatches(const std::string& hash, std::string_view pin);

// The pause after `failures` wrong PINs in a row (0 while still within the free failures).
[[nodiscard]] std::int64_t pauseAfter(int failures, const LockoutPolicy& policy);

enum class SignInError {
    none,
    unknownOrWrong,  // no such account, or a wrong PIN: the kiosk says the same for both
    locked,          // too many wrong PINs: wait until `lockedUntilMs`
    disabled,
    storage,  // the records could not be read or written
};

struct SignInResult {
    SignInError error = SignInError::none;
    std::optional<Account> account;  // on success
    std::int64_t lockedUntilMs = 0;  // when locked
    std::string message;             // for the operator's log (never the PIN)
};

// The staff book: the account rules over some StaffRecords, with an injected clock.
class StaffBook {
  public:
    StaffBook(StaffRecords& records, const Clock& clock, HashCost cost = {},
              LockoutPolicy lockout = {})
        : records_(records), clock_(clock), cost_(cost), lockout_(lockout) {}

    // `by` is who did it ("lapor-ctl" from the command line, a staff id from the panel).
    [[nodiscard]] Status add(std::string_view id, std::string_view displayName,
                             std::string_view pin, std::string_view by);
    [[nodiscard]] Status setDisabled(std::string_view id, bool disabled, std::string_view by);
    [[nodiscard]] Status disable(std::string_view id, std::string_view by) {
        return setDisabled(id, true, by);
    }
    [[nodiscard]] Status enable(std::string_view id, std::string_view by) {
        return setDisabled(id, false, by);
    }
    // Sets a new PIN, lifts a lockout, and asks for a new PIN at the next sign-in when `by` is not
    // the account itself.
    [[nodiscard]] Status resetPin(std::string_view id, std::string_view pin, std::string_view by);
    [[nodiscard]] SignInResult signIn(std::string_view id, std::string_view pin);
    // Audit rows for what a signed-in staff member does (sign-out, unpark, reprint...).
    [[nodiscard]] Status record(std::string_view staffId, std::string_view action,
                                std::string_view detail, bool ok = true);

  private:
    [[nodiscard]] AuditEntry entry(std::string_view staffId, std::string_view action,
                                   std::string detail, bool ok) const;
    StaffRecords& records_;
    const Clock& clock_;
    HashCost cost_;
    LockoutPolicy lockout_;
};

// StaffRecords in memory: for tests, and the shape the store's tables follow.
class MemoryStaffRecords final : public StaffRecords {
  public:
    [[nodiscard]] Result<std::optional<Account>> account(std::string_view id) const override;
    [[nodiscard]] Result<std::vector<Account>> accounts() const override;
    [[nodiscard]] Status put(const Account& account, const AuditEntry& entry) override;
    [[nodiscard]] Status audit(const AuditEntry& entry) override;
    [[nodiscard]] Result<std::vector<AuditEntry>> auditLog(std::size_t limit) const override;
    bool failWrites = false;  // a full disk, for tests

  private:
    std::vector<Account> accounts_;
    std::vector<AuditEntry> audit_;
};

// JSON forms for the store's tables and lapor-ctl.
[[nodiscard]] std::string encodeAccount(const Account& account);
[[nodiscard]] Result<Account> decodeAccount(std::string_view json);
[[nodiscard]] std::string encodeAudit(const AuditEntry& entry);
[[nodiscard]] Result<AuditEntry> decodeAudit(std::string_view json);

}  // namespace lapor::staff
