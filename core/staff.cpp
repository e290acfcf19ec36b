// Staff accounts: PIN rules, Argon2id hashes (libsodium), lockout and audit rows.
#include "core/staff.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace lapor::staff {

using nlohmann::json;

Status checkPin(std::string_view pin) {
    if (pin.size() < 6 || pin.size() > 12) {
        return makeError(Errc::invalidInput, "a PIN has 6 to 12 digits");
    }
    if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return makeError(Errc::invalidInput, "a PIN has digits only");
    }
    bool same = true, up = true, down = true;
    for (std::size_t i = 1; i < pin.size(); ++i) {
        same = same && pin[i] == pin[i - 1];
        up = up && pin[i] == pin[i - 1] + 1;
        down = down && pin[i] == pin[i - 1] - 1;
    }
    if (same || up || down) {
        return makeError(Errc::invalidInput,
                         "a PIN may not be one digit repeated or a run such as 123456");
    }
    return {};
}

Status checkStaffId(std::string_view id) {
    if (id.empty() || id.size() > 16) {
        return makeError(Errc::invalidInput, "a staff id has 1 to 16 characters");
    }
    for (char c : id) {
        const bool fine = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
        if (!fine) {
            return makeError(Errc::invalidInput,
                             "a staff id has letters, digits, '-' and '.' only");
        }
    }
    return {};
}

Result<std::string> hashPin(std::string_view pin, const HashCost& cost) {
    if (Status s = crypto::init(); !s) {
        return s.error();
    }
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), cost.opsLimit, cost.memLimitBytes,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return makeError(Errc::internal, "Argon2id hashing failed (out of memory?)");
    }
    std::string hash(out);
    sodium_memzero(out, sizeof out);
    return hash;
}

bool pinMatches(const std::string& hash, std::string_view pin) {
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) {
        return false;
    }
    return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

std::int64_t pauseAfter(int failures, const LockoutPolicy& policy) {
    if (failures < policy.freeFailures) {
        return 0;
    }
    std::int64_t pause = policy.firstPauseMs;
    for (int n = policy.freeFailures; n < failures && pause < policy.maxPauseMs; ++n) {
        pause *= 2;
    }
    return std::min(pause, policy.maxPauseMs);
}

AuditEntry StaffBook::entry(std::string_view staffId, std::string_view action, std::string detail,
                            bool ok) const {
    return AuditEntry{clock_.wallMs(), std::string(staffId), std::string(action), std::move(detail),
                      ok};
}

Status StaffBook::add(std::string_view id, std::string_view displayName, std::string_view pin,
                      std::string_view by) {
    if (Status s = checkStaffId(id); !s) {
        return s;
    }
    if (displayName.empty() || displayName.size() > 40) {
        return makeError(Errc::invalidInput, "a display name has 1 to 40 characters");
    }
    if (Status s = checkPin(pin); !s) {
        return s;
    }
    auto existing = records_.account(id);
    if (!existing) {
        return existing.error();
    }
    if (*existing) {
        return makeError(Errc::invalidInput, "staff id " + std::string(id) + " exists already");
    }
    auto hash = hashPin(pin, cost_);
    if (!hash) {
        return hash.error();
    }
    Account a;
    a.id = std::string(id);
    a.displayName = std::string(displayName);
    a.pinHash = std::move(*hash);
    a.createdAtMs = a.pinSetAtMs = clock_.wallMs();
    return records_.put(a, entry(id, "add", "by " + std::string(by), true));
}

namespace {

Result<Account> mustExist(const StaffRecords& records, std::string_view id) {
    auto a = records.account(id);
    if (!a) {
        return a.error();
    }
    if (!*a) {
        return makeError(Errc::notFound, "no staff account " + std::string(id));
    }
    return std::move(**a);
}

}  // namespace

Status StaffBook::setDisabled(std::string_view id, bool disabled, std::string_view by) {
    auto a = mustExist(records_, id);
    if (!a) {
        return a.error();
    }
    a->disabled = disabled;
    return records_.put(*a,
                        entry(id, disabled ? "disable" : "enable", "by " + std::string(by), true));
}

Status StaffBook::resetPin(std::string_view id, std::string_view pin, std::string_view by) {
    if (Status s = checkPin(pin); !s) {
        return s;
    }
    auto a = mustExist(records_, id);
    if (!a) {
        return a.error();
    }
    auto hash = hashPin(pin, cost_);
    if (!hash) {
        return hash.error();
    }
    a->pinHash = std::move(*hash);
    a->failures = 0;
    a->lockedUntilMs = 0;
    a->pinSetAtMs = clock_.wallMs();
    a->pinMustChange = by != id;
    return records_.put(*a, entry(id, "reset-pin", "by " + std::string(by), true));
}

SignInResult StaffBook::signIn(std::string_view id, std::string_view pin) {
    SignInResult r;
    const std::int64_t now = clock_.wallMs();
    auto found = records_.account(id);
    if (!found) {
        r.error = SignInError::storage;
        r.message = found.error().message;
        return r;
    }
    if (!*found) {
        // Spend the same time as a real check, so that timing does not tell which ids exist.
        static std::once_flag once;
        static std::string dummy;
        std::call_once(once, [this] { dummy = hashPin("1357924680", cost_).value(); });
        (void)pinMatches(dummy, pin);
        const std::string who = checkStaffId(id) ? std::string(id) : std::string("-");
        (void)records_.audit(entry(who, "sign-in-failed", "no such account", false));
        r.error = SignInError::unknownOrWrong;
        r.message = "sign-in failed: no such account";
        return r;
    }
    Account a = std::move(**found);
    // A wall clock set back must not stretch a pause beyond the longest one.
    const std::int64_t until = std::min(a.lockedUntilMs, now + lockout_.maxPauseMs);
    if (until > now) {
        (void)records_.audit(entry(a.id, "sign-in-refused", "locked", false));
        r.error = SignInError::locked;
        r.lockedUntilMs = until;
        r.message = "sign-in refused: the account is locked after wrong PINs";
        return r;
    }
    if (a.disabled) {
        (void)records_.audit(entry(a.id, "sign-in-refused", "disabled", false));
        r.error = SignInError::disabled;
        r.message = "sign-in refused: the account is disabled";
        return r;
    }
    if (!pinMatches(a.pinHash, pin)) {
        a.failures += 1;
        const std::int64_t pause = pauseAfter(a.failures, lockout_);
        a.lockedUntilMs = pause > 0 ? now + pause : 0;
        std::string detail = "wrong PIN, " + std::to_string(a.failures) + " in a row";
        if (pause > 0) {
            detail += ", locked for " + std::to_string(pause / 1000) + " s";
        }
        if (Status s = records_.put(a, entry(a.id, "sign-in-failed", detail, false)); !s) {
            r.error = SignInError::storage;
            r.message = s.error().message;
            return r;
        }
        r.error = pause > 0 ? SignInError::locked : SignInError::unknownOrWrong;
        r.lockedUntilMs = a.lockedUntilMs;
        r.message = "sign-in failed: " + detail;
        return r;
    }
    a.failures = 0;
    a.lockedUntilMs = 0;
    if (Status s = records_.put(a, entry(a.id, "sign-in", "", true)); !s) {
        r.error = SignInError::storage;
        r.message = s.error().message;
        return r;
    }
    r.account = std::move(a);
    r.message = "signed in";
    return r;
}

Status StaffBook::record(std::string_view staffId, std::string_view action, std::string_view detail,
                         bool ok) {
    return records_.audit(entry(staffId, action, std::string(detail), ok));
}

Result<std::optional<Account>> MemoryStaffRecords::account(std::string_view id) const {
    for (const Account& a : accounts_) {
        if (a.id == id) {
            return std::optional<Account>(a);
        }
    }
    return std::optional<Account>();
}

Result<std::vector<Account>> MemoryStaffRecords::accounts() const {
    return accounts_;
}

Status MemoryStaffRecords::put(const Account& account, const AuditEntry& entry) {
    if (failWrites) {
        return makeError(Errc::diskFull, "no room (test)");
    }
    auto it = std::find_if(accounts_.begin(), accounts_.end(),
                           [&](const Account& a) { return a.id == account.id; });
    if (it == accounts_.end()) {
        accounts_.push_back(account);
    } else {
        *it = account;
    }
    audit_.push_back(entry);
    return {};
}

Status MemoryStaffRecords::audit(const AuditEntry& entry) {
    if (failWrites) {
        return makeError(Errc::diskFull, "no room (test)");
    }
    audit_.push_back(entry);
    return {};
}

Result<std::vector<AuditEntry>> MemoryStaffRecords::auditLog(std::size_t limit) const {
    const std::size_t from = audit_.size() > limit ? audit_.size() - limit : 0;
    return std::vector<AuditEntry>(audit_.begin() + static_cast<std::ptrdiff_t>(from),
                                   audit_.end());
}

std::string encodeAccount(const Account& a) {
    return json{{"id", a.id},
                {"name", a.displayName},
                {"hash", a.pinHash},
                {"disabled", a.disabled},
                {"failures", a.failures},
                {"locked_until", a.lockedUntilMs},
                {"created_at", a.createdAtMs},
                {"pin_set_at", a.pinSetAtMs},
                {"pin_must_change", a.pinMustChange}}
        .dump();
}

Result<Account> decodeAccount(std::string_view text) {
    try {
        const json j = json::parse(text);
        Account a;
        a.id = j.at("id").get<std::string>();
        a.displayName = j.at("name").get<std::string>();
        a.pinHash = j.at("hash").get<std::string>();
        a.disabled = j.at("disabled").get<bool>();
        a.failures = j.at("failures").get<int>();
        a.lockedUntilMs = j.at("locked_until").get<std::int64_t>();
        a.createdAtMs = j.at("created_at").get<std::int64_t>();
        a.pinSetAtMs = j.at("pin_set_at").get<std::int64_t>();
        a.pinMustChange = j.value("pin_must_change", false);
        return a;
    } catch (const json::exception& e) {
        return makeError(Errc::corrupt, std::string("staff account record: ") + e.what());
    }
}

std::string encodeAudit(const AuditEntry& e) {
    return json{{"t", e.atMs}, {"who", e.staffId}, {"a", e.action}, {"d", e.detail}, {"ok", e.ok}}
        .dump();
}

Result<AuditEntry> decodeAudit(std::string_view text) {
    try {
        const json j = json::parse(text);
        return AuditEntry{j.at("t").get<std::int64_t>(), j.at("who").get<std::string>(),
                          j.at("a").get<std::string>(), j.at("d").get<std::string>(),
                          j.at("ok").get<bool>()};
    } catch (const json::exception& e) {
        return makeError(Errc::corrupt, std::string("audit record: ") + e.what());
    }
}

}  // namespace lapor::staff
