// Staff accounts: PIN rules, hashing, lockout with an injected clock, and the audit rows.
#include <doctest/doctest.h>

#include "core/staff.hpp"

using namespace lapor;
using namespace lapor::staff;

namespace {

// The cheapest Argon2id libsodium allows: the rules are under test here, not the cost.
constexpr HashCost cheap{1, 8192};

bool anyAuditMentions(const MemoryStaffRecords& records, std::string_view needle) {
    const std::vector<AuditEntry> log = records.auditLog(1000).value();
    for (const AuditEntry& e : log) {
        if (e.detail.find(needle) != std::string::npos ||
            e.action.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// A staff book over memory with one account, "sri" with PIN 240517.
struct OneAccount {
    FakeClock clock;
    MemoryStaffRecords records;
    StaffBook book{records, clock, cheap};
    OneAccount() { REQUIRE(book.add("sri", "Sri Wahyuni", "240517", "lapor-ctl").ok()); }
};

}  // namespace

TEST_CASE("PIN rules: 6 to 12 digits, no repeated digit, no runs") {
    CHECK(checkPin("240517").ok());
    CHECK(checkPin("902114738261").ok());
    CHECK_FALSE(checkPin("24051").ok());
    CHECK_FALSE(checkPin("9021147382610").ok());
    CHECK_FALSE(checkPin("24a517").ok());
    CHECK_FALSE(checkPin("000000").ok());
    CHECK_FALSE(checkPin("123456").ok());
    CHECK_FALSE(checkPin("876543").ok());
    CHECK(checkStaffId("sri.w-01").ok());
    CHECK_FALSE(checkStaffId("").ok());
    CHECK_FALSE(checkStaffId("a b").ok());
    CHECK_FALSE(checkStaffId("abcdefghijklmnopq").ok());
}

TEST_CASE("a PIN is kept only as an Argon2id hash that verifies") {
    auto h = hashPin("240517", cheap);
    REQUIRE(h.ok());
    CHECK(h->rfind("$argon2id$", 0) == 0);
    CHECK(h->find("240517") == std::string::npos);
    CHECK(pinMatches(*h, "240517"));
    CHECK_FALSE(pinMatches(*h, "240518"));
    CHECK_FALSE(pinMatches("", "240517"));
    CHECK_FALSE(pinMatches("$argon2id$garbage", "240517"));
    // Two hashes of one PIN differ (a salt each).
    CHECK(hashPin("240517", cheap).value() != *h);
}

TEST_CASE("the pause grows after the free failures and stops at its longest") {
    const LockoutPolicy p;
    CHECK(pauseAfter(0, p) == 0);
    CHECK(pauseAfter(2, p) == 0);
    CHECK(pauseAfter(3, p) == 30'000);
    CHECK(pauseAfter(4, p) == 60'000);
    CHECK(pauseAfter(5, p) == 120'000);
    CHECK(pauseAfter(12, p) == 3'600'000);
    CHECK(pauseAfter(1000, p) == 3'600'000);
}

TEST_CASE("sign-in: wrong PINs lock the account for a growing pause, the clock lifts it") {
    OneAccount f;
    auto& [clock, records, book] = f;

    CHECK(book.signIn("sri", "111112").error == SignInError::unknownOrWrong);
    CHECK(book.signIn("sri", "111113").error == SignInError::unknownOrWrong);
    SignInResult third = book.signIn("sri", "111114");
    CHECK(third.error == SignInError::locked);
    CHECK(third.lockedUntilMs == clock.wallMs() + 30'000);

    // While locked even the right PIN is refused.
    clock.advance(29'000);
    CHECK(book.signIn("sri", "240517").error == SignInError::locked);
    clock.advance(1'000);
    // A fourth wrong one doubles the pause.
    SignInResult fourth = book.signIn("sri", "111115");
    CHECK(fourth.error == SignInError::locked);
    CHECK(fourth.lockedUntilMs == clock.wallMs() + 60'000);
    clock.advance(60'000);
    SignInResult good = book.signIn("sri", "240517");
    REQUIRE(good.error == SignInError::none);
    CHECK(good.account->displayName == "Sri Wahyuni");
    CHECK(good.account->failures == 0);
    // After a good one the count starts again.
    CHECK(book.signIn("sri", "111112").error == SignInError::unknownOrWrong);
}

TEST_CASE("a clock set back does not stretch a lockout past the longest pause") {
    OneAccount f;
    auto& [clock, records, book] = f;
    for (int i = 0; i < 3; ++i) {
        (void)book.signIn("sri", "111112");
    }
    clock.setWall(clock.wallMs() - 10LL * 24 * 3600 * 1000);  // ten days back
    SignInResult r = book.signIn("sri", "240517");
    CHECK(r.error == SignInError::locked);
    CHECK(r.lockedUntilMs <= clock.wallMs() + LockoutPolicy{}.maxPauseMs);
}

TEST_CASE("unknown ids and wrong PINs look the same, disabled accounts cannot sign in") {
    OneAccount f;
    auto& [clock, records, book] = f;
    CHECK(book.signIn("nobody", "240517").error == SignInError::unknownOrWrong);
    REQUIRE(book.disable("sri", "lapor-ctl").ok());
    CHECK(book.signIn("sri", "240517").error == SignInError::disabled);
    REQUIRE(book.enable("sri", "lapor-ctl").ok());
    CHECK(book.signIn("sri", "240517").error == SignInError::none);
    CHECK_FALSE(book.add("sri", "Sri again", "902114", "lapor-ctl").ok());
    CHECK(book.disable("nobody", "lapor-ctl").error().code == Errc::notFound);
}

TEST_CASE("reset-pin sets a new PIN, lifts the lockout and asks for a change") {
    OneAccount f;
    auto& [clock, records, book] = f;
    for (int i = 0; i < 5; ++i) {
        (void)book.signIn("sri", "111112");
    }
    CHECK_FALSE(book.resetPin("sri", "123456", "lapor-ctl").ok());  // the rules still hold
    REQUIRE(book.resetPin("sri", "902114", "lapor-ctl").ok());
    SignInResult r = book.signIn("sri", "902114");
    REQUIRE(r.error == SignInError::none);
    CHECK(r.account->pinMustChange);
    CHECK(book.signIn("sri", "240517").error == SignInError::unknownOrWrong);
}

TEST_CASE("every sign-in, failure and action leaves an audit row without the PIN") {
    OneAccount f;
    auto& [clock, records, book] = f;
    (void)book.signIn("sri", "111112");
    clock.advance(1000);
    (void)book.signIn("sri", "240517");
    (void)book.signIn("ghost", "240517");
    REQUIRE(book.record("sri", "unpark", "receipt ZQ6X24RJC6").ok());
    auto log = records.auditLog(100).value();
    REQUIRE(log.size() == 5);
    CHECK(log[0].action == "add");
    CHECK(log[1].action == "sign-in-failed");
    CHECK_FALSE(log[1].ok);
    CHECK(log[2].action == "sign-in");
    CHECK(log[2].atMs == log[1].atMs + 1000);
    CHECK(log[3].staffId == "ghost");
    CHECK(log[4].action == "unpark");
    CHECK_FALSE(anyAuditMentions(records, "240517"));
    CHECK_FALSE(anyAuditMentions(records, "111112"));
    CHECK_FALSE(anyAuditMentions(records, "argon2"));
    // The newest rows, oldest first.
    auto last2 = records.auditLog(2).value();
    REQUIRE(last2.size() == 2);
    CHECK(last2[1].action == "unpark");
}

TEST_CASE("a failed write refuses the sign-in instead of forgetting its failure count") {
    OneAccount f;
    auto& [clock, records, book] = f;
    records.failWrites = true;
    CHECK(book.signIn("sri", "111112").error == SignInError::storage);
    CHECK(book.signIn("sri", "240517").error == SignInError::storage);
}

TEST_CASE("account and audit records round-trip through their JSON forms") {
    Account a{"sri", "Sri", "$argon2id$v=19$x", true, 4, 123, 5, 6, true};
    auto back = decodeAccount(encodeAccount(a));
    REQUIRE(back.ok());
    CHECK(back->id == "sri");
    CHECK(back->disabled);
    CHECK(back->failures == 4);
    CHECK(back->lockedUntilMs == 123);
    CHECK(back->pinMustChange);
    CHECK(decodeAccount("{").error().code == Errc::corrupt);
    AuditEntry e{7, "sri", "sign-in", "", true};
    auto eb = decodeAudit(encodeAudit(e));
    REQUIRE(eb.ok());
    CHECK(eb->atMs == 7);
    CHECK(eb->action == "sign-in");
    CHECK(decodeAudit("[]").error().code == Errc::corrupt);
}
