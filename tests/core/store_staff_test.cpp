// Staff accounts and audit rows in the store: sealed accounts, one transaction per change, the
// audit kept in order and bounded, and a store from before the tables opened read-only.
#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <initializer_list>
#include <iterator>

#include "core/staff_store.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

constexpr staff::HashCost cheap{1, 8192};

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Opens the store in `dir`, adds accounts through the staff rules, then tries `wrongPins` wrong
// PINs for the first account.
void addAccounts(const TempDir& dir, const Clock& clock,
                 std::initializer_list<std::array<const char*, 3>> accounts, int wrongPins = 0) {
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    staff::StoreStaffRecords records(**store);
    staff::StaffBook book(records, clock, cheap);
    for (const auto& [id, name, pin] : accounts) {
        REQUIRE(book.add(id, name, pin, "lapor-ctl").ok());
    }
    for (int i = 0; i < wrongPins; ++i) {
        CHECK(book.signIn((*accounts.begin())[0], "111112").error ==
              staff::SignInError::unknownOrWrong);
    }
}

}  // namespace

TEST_CASE("store staff: accounts survive a reopen, sealed, sign-in works through the store") {
    TempDir dir;
    FakeClock clock;
    addAccounts(dir, clock, {{"sri", "Sri Wahyuni Sealed", "240517"}, {"budi", "Budi", "902114"}},
                1);
    // Neither the name nor the hash lies in the clear in the file.
    const std::string raw = fileBytes(dir.path() + "/data.mdb");
    CHECK(raw.find("Sri Wahyuni Sealed") == std::string::npos);
    CHECK(raw.find("$argon2id$") == std::string::npos);

    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    staff::StoreStaffRecords records(**store);
    staff::StaffBook book(records, clock, cheap);
    auto all = records.accounts();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].id == "budi");
    auto sri = records.account("sri");
    REQUIRE(sri.ok());
    REQUIRE(sri->has_value());
    CHECK((*sri)->failures == 1);  // the wrong PIN before the reopen counts
    CHECK(book.signIn("sri", "240517").error == staff::SignInError::none);
    CHECK_FALSE(records.account("nobody").value().has_value());
}

TEST_CASE("store staff: the audit keeps every row in order, the newest last") {
    TempDir dir;
    FakeClock clock;
    auto store = Store::open(storeOptions(dir.path(), &clock));
    REQUIRE(store.ok());
    // Rows in the same millisecond keep their order.
    for (int i = 0; i < 5; ++i) {
        REQUIRE((*store)
                    ->appendAudit({clock.wallMs(), "sri", "act-" + std::to_string(i), "", true})
                    .ok());
    }
    clock.advance(1000);
    REQUIRE((*store)->appendAudit({clock.wallMs(), "sri", "last", "", true}).ok());
    auto log = (*store)->auditLog(3);
    REQUIRE(log.ok());
    REQUIRE(log->size() == 3);
    CHECK((*log)[0].action == "act-3");
    CHECK((*log)[1].action == "act-4");
    CHECK((*log)[2].action == "last");
    CHECK((*store)->auditLog(100)->size() == 6);
}

TEST_CASE("store staff: the audit keeps only its newest rows") {
    TempDir dir;
    FakeClock clock;
    StoreOptions o = storeOptions(dir.path(), &clock);
    o.auditRowsKept = 4;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    for (int i = 0; i < 10; ++i) {
        clock.advance(1);
        REQUIRE(
            (*store)->appendAudit({clock.wallMs(), "sri", "a" + std::to_string(i), "", true}).ok());
    }
    auto log = (*store)->auditLog(100);
    REQUIRE(log.ok());
    REQUIRE(log->size() == 4);
    CHECK(log->front().action == "a6");
    CHECK(log->back().action == "a9");
}

TEST_CASE("store staff: without the key, accounts are refused, not read") {
    TempDir dir;
    FakeClock clock;
    addAccounts(dir, clock, {{"sri", "Sri", "240517"}});
    StoreOptions o = storeOptions(dir.path(), &clock);
    o.key.reset();
    o.readOnly = true;
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    CHECK((*store)->staffAccount("sri").error().code == Errc::permission);
    // The audit is clear and readable without the key (lapor-ctl audit).
    CHECK((*store)->auditLog(10)->size() == 1);
}
