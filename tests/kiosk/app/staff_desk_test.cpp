// The staff desk over a real store: the PIN check and its audit rows, the panel's state (outbox,
// refused reports, the agent's record, the clock), retry one and retry all of one reason (audited),
// and a reprint by receipt code.
#include <doctest/doctest.h>

#include <fstream>

#include "core/config.hpp"
#include "core/device_key.hpp"
#include "core/receipt_code.hpp"
#include "core/store.hpp"
#include "core/store_slips.hpp"
#include "kiosk/staff_desk.hpp"
#include "sync/http_client.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;
using namespace lapor::kiosk;

namespace {

constexpr staff::HashCost kCheap{1, 8192};  // the rules are under test, not the cost

struct Desk {
    testing::TempDir dir;
    FakeClock clock{1'767'225'600'000 + 3'600'000};  // 2026-01-01 08:00 WIB
    std::unique_ptr<Store> store;
    std::unique_ptr<StaffDesk> desk;
    Desk() {
        auto s = Store::open(testing::storeOptions(dir.sub("store"), &clock));
        REQUIRE(s.ok());
        store = std::move(s.value());
        desk = std::make_unique<StaffDesk>(*store, clock, kCheap);
        staff::StoreStaffRecords records(*store);
        staff::StaffBook book(records, clock, kCheap);
        REQUIRE(book.add("4711", "Sri", "246810", "lapor-ctl").ok());
    }
    Report save(std::uint64_t n) {
        Report r = testing::sampleReport(n);
        auto code = receipt::generate(store->receiptPrefix());
        REQUIRE(code.ok());
        r.receiptCode = *code;
        r.createdAtMs = clock.wallMs();
        REQUIRE(store->saveReport(r, {}).ok());
        return r;
    }
    std::vector<staff::AuditEntry> audit() {
        auto log = store->auditLog(100);
        REQUIRE(log.ok());
        return *log;
    }
};

}  // namespace

TEST_CASE("sign-in at the kiosk: audited, the PIN wiped from the job whatever the outcome") {
    Desk d;
    SignInJob wrong{"4711", "135792"};
    auto r = d.desk->signIn(wrong);
    CHECK(r.error == staff::SignInError::unknownOrWrong);
    CHECK(wrong.pin.find_first_not_of('\0') == std::string::npos);
    SignInJob right{"4711", "246810"};
    r = d.desk->signIn(right);
    CHECK(r.error == staff::SignInError::none);
    REQUIRE(r.account);
    CHECK(r.account->displayName == "Sri");
    CHECK(right.pin.find_first_not_of('\0') == std::string::npos);
    d.desk->note({"4711", "sign-out", "idle"});
    const auto log = d.audit();
    REQUIRE(log.size() == 4);  // add, failed, sign-in, sign-out
    CHECK(log[1].action == "sign-in-failed");
    CHECK_FALSE(log[1].ok);
    CHECK(log[2].action == "sign-in");
    CHECK(log[3].action == "sign-out");
    CHECK(log[3].detail == "idle");
    for (const auto& e : log) {
        CHECK(e.detail.find("246810") == std::string::npos);
        CHECK(e.detail.find("135792") == std::string::npos);
    }
}

TEST_CASE("the panel's state: outbox counts, refused reports grouped, the agent's word") {
    Desk d;
    PanelSnapshot empty = d.desk->readPanel(7 * 60);
    CHECK(empty.read);
    CHECK(empty.waiting == 0);
    CHECK_FALSE(empty.link.known);
    CHECK(empty.diskFreeBytes.has_value());
    CHECK(empty.storeMaxBytes > 0);

    const Report a = d.save(1), b = d.save(2), c = d.save(3), e = d.save(4), f = d.save(5);
    d.clock.advance(60'000);
    REQUIRE(d.store->park(a.uuid, "submit: HTTP 422 (validation_failed: title)").ok());
    REQUIRE(d.store->park(b.uuid, "submit: HTTP 422 (validation_failed: title)").ok());
    REQUIRE(d.store->park(c.uuid, "submit: HTTP 413").ok());
    REQUIRE(d.store->recordDelivered(e.uuid, "LAPOR-1").ok());
    REQUIRE(d.store
                ->putStatus("syncd", R"({"online":true,"last_success_at_ms":)" +
                                         std::to_string(d.clock.wallMs()) +
                                         R"(,"last_error":"","updated_at_ms":1})")
                .ok());
    d.clock.advance(120'000);
    const PanelSnapshot p = d.desk->readPanel(7 * 60);
    CHECK(p.link.known);
    CHECK(p.link.online);
    CHECK(p.waiting == 1);  // f
    REQUIRE(p.oldestWaitingAgeMs);
    CHECK(*p.oldestWaitingAgeMs == 180'000);
    CHECK(p.deliveredToday == 1);
    CHECK(p.lastDeliveredMs == d.store->outboxEntry(e.uuid)->deliveredAtMs);
    CHECK(p.parkedCount == 3);
    REQUIRE(p.parked.size() == 2);
    CHECK(p.parked[0].reports.size() == 2);
    CHECK(p.parked[0].reports[0].receiptCode == a.receiptCode);
    CHECK(p.parked[1].reason == "submit: HTTP 413");
    CHECK_FALSE(clockBehind(d.clock.wallMs(), p.newestKnownMs));
    (void)f;

    // The kiosk's clock set back a day (a flat clock battery): flagged.
    d.clock.setWall(d.clock.wallMs() - 86'400'000);
    CHECK(clockBehind(d.clock.wallMs(), d.desk->readPanel(7 * 60).newestKnownMs));
}

TEST_CASE("retry one, and all of one reason: unparked in the store and audited") {
    Desk d;
    const Report a = d.save(1), b = d.save(2), c = d.save(3);
    const std::string invalid = "submit: HTTP 422 (validation_failed: title)";
    REQUIRE(d.store->park(a.uuid, invalid).ok());
    REQUIRE(d.store->park(b.uuid, invalid).ok());
    REQUIRE(d.store->park(c.uuid, "submit: HTTP 413").ok());

    auto one = d.desk->retry("4711", c.uuid);
    REQUIRE(one.ok());
    CHECK(*one == c.receiptCode);
    CHECK(d.store->outboxEntry(c.uuid)->state == OutboxState::queued);
    CHECK_FALSE(d.desk->retry("4711", c.uuid).ok());  // not parked any more

    auto all = d.desk->retryReason("4711", invalid);
    REQUIRE(all.ok());
    CHECK(*all == 2);
    CHECK(d.store->outboxEntry(a.uuid)->state == OutboxState::queued);
    CHECK(d.store->outboxEntry(b.uuid)->state == OutboxState::queued);
    auto again = d.desk->retryReason("4711", invalid);
    REQUIRE(again.ok());
    CHECK(*again == 0);
    auto history = d.store->history(a.uuid);
    REQUIRE(history.ok());
    CHECK(history->back().reason == "unparked by staff 4711");

    const auto log = d.audit();
    int unparks = 0;
    for (const auto& e : log) {
        unparks += e.action == "unpark" || e.action == "unpark-all" ? 1 : 0;
    }
    CHECK(unparks == 4);  // one, one refused, all, all again
    CHECK(log.back().action == "unpark-all");
    CHECK(log.back().detail.rfind("0 report(s)", 0) == 0);
}

TEST_CASE("reprint by the code a visitor shows: any spelling of it, an unknown one says so") {
    Desk d;
    const Report a = d.save(1);
    const std::string typed = receipt::format(a.receiptCode);
    std::string lower;
    for (char ch : typed) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    auto r = d.desk->reprint("4711", lower);
    REQUIRE(r.ok());
    CHECK(*r == a.receiptCode);
    auto slips = listSlips(*d.store);
    REQUIRE(slips.ok());
    REQUIRE(slips->size() == 1);
    CHECK(slips->at(0).state == slipReprintValue);

    const auto other = receipt::generate(d.store->receiptPrefix());
    REQUIRE(other.ok());
    auto unknown = d.desk->reprint("4711", *other);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == Errc::notFound);
    auto bad = d.desk->reprint("4711", "HELLO");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code != Errc::notFound);
    CHECK(d.audit().back().action == "reprint");
}

TEST_CASE("a PIN reset by an operator: the staff member's own new PIN clears the flag, audited") {
    Desk d;
    {
        staff::StoreStaffRecords records(*d.store);
        staff::StaffBook book(records, d.clock, kCheap);
        REQUIRE(book.resetPin("4711", "135790", "lapor-ctl").ok());
    }
    SignInJob in{"4711", "135790"};
    auto r = d.desk->signIn(in);
    REQUIRE(r.account);
    CHECK(r.account->pinMustChange);
    PinChangeJob weak{"4711", "111111"};
    CHECK(d.desk->changePin(weak) == PinChangeResult::weak);
    CHECK(weak.pin.find_first_not_of('\0') == std::string::npos);
    PinChangeJob job{"4711", "271828"};
    CHECK(d.desk->changePin(job) == PinChangeResult::changed);
    CHECK(job.pin.find_first_not_of('\0') == std::string::npos);
    SignInJob again{"4711", "271828"};
    r = d.desk->signIn(again);
    REQUIRE(r.account);
    CHECK_FALSE(r.account->pinMustChange);
    const auto log = d.audit();
    bool changed = false;
    for (const auto& e : log) {
        changed = changed || (e.action == "reset-pin" && e.detail == "by 4711");
        CHECK(e.detail.find("271828") == std::string::npos);
    }
    CHECK(changed);
}

TEST_CASE(
    "enrolment from the panel: the same steps as lapor-ctl enroll, audited without the code") {
    Desk d;
    const std::string tokenFile = d.dir.sub("device.token");
    auto parsed = parseConfig(
        "[store]\npath = \"" + d.dir.sub("store") + "\"\nkey_file = \"" + d.dir.sub("store.key") +
            "\"\n[sync]\nserver_url = \"http://uplink.test\"\ntoken_file = \"" + tokenFile + "\"\n",
        "test.toml");
    REQUIRE(parsed.ok());
    // No device key yet: the technician's part (lapor-ctl init-secrets).
    d.desk->setEnrolment(*parsed, "dev-1");
    EnrolJob noKey{"4711", "GOOD-CODE"};
    CHECK(d.desk->enrol(noKey) == EnrolState::notSetUp);
    CHECK(noKey.code.find_first_not_of('\0') == std::string::npos);
    REQUIRE(crypto::loadDeviceKey(d.dir.sub("device.key"), true).ok());
    REQUIRE(d.store->putStatus(Store::enrolmentStatusKey, "waiting").ok());

    sync::FakeHttpClient http(
        [](const sync::FakeHttpClient::Recorded& rec) -> Result<sync::HttpResponse> {
            const sync::Headers proto{{"Lapor-Protocol", "1"}};
            if (rec.body.find("GOODCODE") != std::string::npos) {
                return sync::makeResponse(201, proto, R"({"device_token":"tok-123"})");
            }
            if (rec.body.find("DOWN") != std::string::npos) {
                return makeError(Errc::network, "could not connect");
            }
            return sync::makeResponse(409, proto,
                                      R"({"code":"code_used","message":"already used"})");
        });
    EnrolJob used{"4711", "USED-CODE"};
    CHECK(d.desk->enrol(used, &http) == EnrolState::refused);
    EnrolJob down{"4711", "DOWN"};
    CHECK(d.desk->enrol(down, &http) == EnrolState::unreachable);
    CHECK(d.store->getStatus(Store::enrolmentStatusKey)->has_value());
    EnrolJob good{"4711", "good-code"};
    CHECK(d.desk->enrol(good, &http) == EnrolState::enrolled);
    CHECK(good.code.find_first_not_of('\0') == std::string::npos);
    std::ifstream in(tokenFile);
    std::string token;
    std::getline(in, token);
    CHECK(token == "tok-123");
    CHECK_FALSE(d.store->getStatus(Store::enrolmentStatusKey)->has_value());
    int enrolRows = 0;
    for (const auto& e : d.audit()) {
        if (e.action == "enrol") {
            ++enrolRows;
        }
        CHECK(e.detail.find("CODE") == std::string::npos);
        CHECK(e.detail.find("tok-123") == std::string::npos);
    }
    CHECK(enrolRows == 4);
}
