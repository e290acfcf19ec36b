// Staff at the kiosk, end to end under Xvfb with real xdotool input, with lapor-sandbox and
// lapor-syncd beside the kiosk: the corner held for two seconds, a wrong PIN and then the right
// one, a report filed for a citizen who confirms it after the hand-over, the sandbox refusing it
// (a fault), the refused report in the staff panel with the simulated printer's paper-out, and a
// retry after the fault is lifted, seen delivered. Screenshots of each staff screen in both
// languages go to <build>/kiosk-e2e/staff/guide (docs/staff-guide/ keeps a copy).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "core/crypto.hpp"
#include "core/device_key.hpp"
#include "core/receipt_code.hpp"
#include "core/staff.hpp"
#include "core/staff_store.hpp"
#include "core/store.hpp"
#include "tests/kiosk/e2e/e2e_support.hpp"
#include "tests/kiosk/e2e/x_driver.hpp"

namespace fs = std::filesystem;
using namespace lapor;
using lapor::testing::x::Driver;
using lapor::testing::x::fillAnonymousReport;
using lapor::testing::x::run;

using namespace lapor::testing::e2e;

namespace {

const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e" / "staff";
const fs::path kSandbox = fs::path(LAPOR_BINARY_DIR) / "sync" / "sandbox" / "lapor-sandbox";
const fs::path kSyncd = fs::path(LAPOR_BINARY_DIR) / "sync" / "syncd" / "lapor-syncd";
constexpr const char* kToken = "staff-e2e-token";

std::optional<OutboxEntry> onlyReport(const fs::path& state) {
    auto store = openStore(state, false);
    auto all = store->listAll();
    if (!all.ok() || all->size() != 1) {
        return std::nullopt;
    }
    return all->front();
}

// What the panel's "delivered today" must say for a report delivered at `deliveredAtMs`: 1 while
// the office's (WIB's) day it was delivered in lasts, 0 once local midnight has passed (a run near
// 00:00 WIB delivers before midnight and reads the panel after it).
std::string deliveredTodayWidget(std::int64_t deliveredAtMs) {
    constexpr std::int64_t kDayMs = 86'400'000, kWibMs = 7 * 3'600'000;
    const std::int64_t now = SystemClock::instance().wallMs();
    const bool sameDay = (deliveredAtMs + kWibMs) / kDayMs == (now + kWibMs) / kDayMs;
    return std::string("panel.delivered_today.") + (sameDay ? "1" : "0");
}

}  // namespace

TEST_CASE("staff: sign in with a PIN, assist a citizen, see a refused report, retry it") {
    REQUIRE(run("command -v xdotool >/dev/null && command -v Xvfb >/dev/null && "
                "command -v import >/dev/null && command -v curl >/dev/null") == 0);
    REQUIRE(fs::exists(kSandbox));
    REQUIRE(fs::exists(kSyncd));
    const fs::path sbxDir = fs::path(kOut.string() + "-sandbox");
    fs::remove_all(sbxDir);
    fs::create_directories(sbxDir);
    const fs::path guide = kOut.string() + "-guide";
    fs::remove_all(guide);

    const SandboxProcess sandbox = startSandbox(kSandbox, sbxDir, {"--token", kToken});
    const std::string& api = sandbox.api;
    const std::string& admin = sandbox.admin;
    // The server refuses every report for now (a rule it says is broken): parked for staff.
    REQUIRE(run("curl -sf -X POST " + admin +
                "/admin/faults -H 'Content-Type: application/json' -d "
                "'{\"kind\":\"status\",\"status\":422,\"code\":\"validation_failed\","
                "\"method\":\"POST\",\"path\":\"/v1/reports\",\"count\":100}' >/dev/null") == 0);

    const std::string config = "[device]\noffice = \"Kantor Uji e2e\"\n\n[store]\npath = \"" +
                               (kOut / "state" / "store").string() + "\"\nkey_file = \"" +
                               (kOut / "state" / "keys" / "store.key").string() +
                               "\"\n\n[sync]\nserver_url = \"" + api + "\"\ntoken = \"" + kToken +
                               "\"\nstore_poll_ms = 300\nbackoff_base_ms = 200\n"
                               "backoff_cap_ms = 1000\nprobe_interval_ms = 500\n";
    const auto addStaff = [](const fs::path& state) {
        auto store = openStore(state, true);
        staff::StoreStaffRecords records(*store);
        staff::StaffBook book(records, SystemClock::instance());
        REQUIRE(book.add("4711", "Sri Wahyuni", "246810", "e2e").ok());
        // The simulated printer: out of paper (staff see it on the panel).
        fs::create_directories(state / "printer");
        std::ofstream(state / "printer" / "simulate") << "paper-out\n";
    };
    Driver d(kOut, config, addStaff);
    Process syncd({kSyncd.string(), "--config", (kOut / "lapor.toml").string()},
                  kOut / "syncd.log");
    const auto both = [&](const std::string& name) {
        d.keep(guide / (name + "-id.png"));
        d.tap("bar.lang", d.last().screen);
        d.keep(guide / (name + "-en.png"));
        d.tap("bar.lang", d.last().screen);
    };
    const auto press = [&](const std::string& digits) {
        for (char c : digits) {
            d.tap(std::string("pad.") + c, "staffSignIn");
        }
    };

    d.settle("welcome", "start");
    // Nothing for staff shows on the welcome screen until the corner is held.
    CHECK_FALSE(d.last().visible("welcome.assist"));
    CHECK(d.last().widgets.count("welcome.staff_corner"));
    // A short touch of the corner does nothing.
    d.slowTap("welcome.staff_corner", 400, "welcome");
    d.slowTap("welcome.staff_corner", 2600, "staffSignIn");
    press("4711");
    both("sign-in-number");
    d.tap("pad.ok", "staffSignIn");
    press("135790");  // wrong
    both("sign-in-pin");
    d.tap("pad.ok", "staffSignIn");
    d.waitUntil([](const auto& s) { return s.visible("pad.message").has_value(); },
                "wrong PIN said");
    both("sign-in-wrong-pin");
    press("246810");
    d.tap("pad.ok", "");
    d.waitUntil([](const auto& s) { return s.screen == "welcome" && s.visible("welcome.assist"); },
                "signed in");
    d.keep(guide / "welcome-staff-id.png");
    d.tap("welcome.lang_en", "welcome");
    d.keep(guide / "welcome-staff-en.png");
    d.tap("welcome.lang_id", "welcome");

    // Assisted filing: staff type, the citizen reviews and consents.
    d.tap("welcome.assist", "kind");
    CHECK(d.last().visible("bar.staff"));
    fillAnonymousReport(d, "Lampu jalan mati", "Lampu jalan di depan pasar mati sejak seminggu");
    d.tap("nav.next", "handOver");
    CHECK_FALSE(d.last().visible("bar.staff"));  // signed out: the kiosk is the citizen's now
    both("hand-over");
    d.tap("handOver.continue", "review");
    d.tap("review.consent", "review");
    d.tap("review.send", "");
    d.settle("receipt", "saved");
    d.tap("receipt.done", "welcome");

    // The sandbox refuses it: parked, with the server's reason.
    std::optional<OutboxEntry> parked;
    REQUIRE(waitFor(
        [&] {
            parked = onlyReport(d.state());
            return parked && parked->state == OutboxState::parked;
        },
        60));
    CHECK(parked->lastError.find("422") != std::string::npos);
    {
        auto store = openStore(d.state(), false);
        auto r = store->loadReportPublic(parked->uuid);
        REQUIRE(r.ok());
        CHECK(r->assistedBy == "4711");
    }

    // Staff sign in again and open the panel: the refused report and the printer out of paper.
    d.slowTap("welcome.staff_corner", 2600, "staffSignIn");
    press("4711");
    d.tap("pad.ok", "staffSignIn");
    press("246810");
    d.tap("pad.ok", "");
    d.waitUntil([](const auto& s) { return s.screen == "welcome" && s.visible("welcome.panel"); },
                "signed in again");
    d.tap("welcome.panel", "staffPanel");
    const std::string retry = "panel.retry." + parked->receiptCode;
    d.waitUntil(
        [&](const auto& s) {
            return s.widgets.count(retry) && s.widgets.count("panel.printer.state.paper_out");
        },
        "panel shows the refused report and the paper-out");
    both("panel-refused");

    // The fault lifted, a retry: delivered, and the panel counts it.
    REQUIRE(run("curl -sf -X DELETE " + admin + "/admin/faults >/dev/null") == 0);
    d.tap(retry, "staffPanel");
    std::optional<OutboxEntry> delivered;
    REQUIRE(waitFor(
        [&] {
            delivered = onlyReport(d.state());
            return delivered && isDelivered(delivered->state);
        },
        60));
    d.waitUntil(
        [&](const auto& s) {
            return s.widgets.count(deliveredTodayWidget(delivered->deliveredAtMs));
        },
        "delivered today shows 1 (0 after local midnight)");
    CHECK_FALSE(d.last().widgets.count(retry));
    d.waitUntil([](const auto& s) { return s.visible("panel.notice").has_value(); },
                "the retry's notice at the top");
    both("panel-delivered");
    (void)d.find("panel.printer.state.paper_out");  // scrolled into view
    both("panel-devices");
    auto store = openStore(d.state(), false);
    auto audit = store->auditLog(100);
    REQUIRE(audit.ok());
    bool failed = false, unparked = false;
    for (const auto& e : *audit) {
        failed = failed || e.action == "sign-in-failed";
        unparked = unparked || (e.action == "unpark" && e.staffId == "4711");
        CHECK(e.detail.find("246810") == std::string::npos);
    }
    CHECK(failed);
    CHECK(unparked);
    CHECK(readFile(kOut / "kiosk.log").find("246810") == std::string::npos);
}

TEST_CASE("staff: enrol the kiosk on the panel, a refused code first, then the agent delivers") {
    REQUIRE(run("command -v xdotool >/dev/null && command -v Xvfb >/dev/null && "
                "command -v import >/dev/null && command -v curl >/dev/null") == 0);
    const fs::path out = kOut.string() + "-enrol";
    const fs::path sbxDir = fs::path(out.string() + "-sandbox");
    fs::remove_all(sbxDir);
    fs::create_directories(sbxDir);
    const fs::path guide = kOut.string() + "-guide";

    // A sandbox that takes only tokens minted by enrolment.
    const SandboxProcess sandbox = startSandbox(kSandbox, sbxDir, {"--require-enrolment"});
    const std::string& api = sandbox.api;
    const std::string& admin = sandbox.admin;
    // The national side issues a one-time code.
    const fs::path codeFile = sbxDir / "code.json";
    REQUIRE(run("curl -sf -X POST " + admin +
                "/admin/enrolment-codes -H 'Content-Type: application/json' -d "
                "'{\"ttl_seconds\":600}' -o " +
                codeFile.string()) == 0);
    std::smatch issued;
    const std::string answer = readFile(codeFile);
    REQUIRE(std::regex_search(answer, issued, std::regex(R"re("code"\s*:\s*"([A-Z0-9-]+)")re")));
    std::string code = issued[1].str();
    // Typed on the on-screen keyboard: small letters and no dashes (neither matters).
    std::string typed;
    for (char c : code) {
        if (c != '-') {
            typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }

    const fs::path tokenFile = out / "state" / "device-token";
    const std::string config = "[device]\noffice = \"Kantor Uji e2e\"\n\n[store]\npath = \"" +
                               (out / "state" / "store").string() + "\"\nkey_file = \"" +
                               (out / "state" / "keys" / "store.key").string() +
                               "\"\n\n[sync]\nserver_url = \"" + api + "\"\ntoken_file = \"" +
                               tokenFile.string() +
                               "\"\nstore_poll_ms = 300\nbackoff_base_ms = 200\n"
                               "backoff_cap_ms = 1000\nprobe_interval_ms = 500\n";
    const auto prepare = [](const fs::path& state) {
        auto store = openStore(state, true);
        staff::StoreStaffRecords records(*store);
        staff::StaffBook book(records, SystemClock::instance());
        REQUIRE(book.add("4711", "Sri Wahyuni", "246810", "e2e").ok());
        // What lapor-ctl init-secrets makes beside the store key.
        REQUIRE(crypto::loadDeviceKey((state / "keys" / "device.key").string(), true).ok());
    };
    Driver d(out, config, prepare);
    Process syncd({kSyncd.string(), "--config", (out / "lapor.toml").string()}, out / "syncd.log");
    const auto press = [&](const std::string& digits) {
        for (char c : digits) {
            d.tap(std::string("pad.") + c, "staffSignIn");
        }
    };

    d.settle("welcome", "start");
    // The agent waits for a token: staff read "not enrolled yet" on the welcome screen.
    d.waitUntil([](const auto& s) { return s.visible("welcome.notice").has_value(); },
                "not enrolled yet");
    // A citizen files meanwhile: the report waits in the store.
    d.tap("welcome.start", "kind");
    fillAnonymousReport(d, "Lampu jalan mati", "Lampu jalan di depan pasar mati sejak seminggu");
    d.tap("nav.next", "review");
    d.tap("review.consent", "review");
    d.tap("review.send", "");
    d.settle("receipt", "saved");
    d.tap("receipt.done", "welcome");
    auto waiting = onlyReport(d.state());
    REQUIRE(waiting);
    CHECK_FALSE(isDelivered(waiting->state));

    d.slowTap("welcome.staff_corner", 2600, "staffSignIn");
    press("4711");
    d.tap("pad.ok", "staffSignIn");
    press("246810");
    d.tap("pad.ok", "");
    d.waitUntil([](const auto& s) { return s.screen == "welcome" && s.visible("welcome.panel"); },
                "signed in");
    d.tap("welcome.panel", "staffPanel");
    d.waitUntil([](const auto& s) { return s.widgets.count("panel.enrol_code") > 0; },
                "the panel offers enrolment");

    // A code the sandbox never issued: refused, in plain words.
    d.tap("panel.enrol_code", "staffPanel");
    d.typeOnScreen("zzzz9999zzzz", "staffPanel");
    d.tap("kb.done", "staffPanel");
    d.tap("panel.enrol", "staffPanel");
    d.waitUntil([](const auto& s) { return s.widgets.count("panel.enrol.refused") > 0; },
                "the wrong code refused");
    d.keep(guide / "panel-enrol-refused-id.png");

    // The code the national side issued: enrolled, and the agent sends the waiting report.
    d.tap("panel.enrol_code", "staffPanel");
    d.typeOnScreen(typed, "staffPanel");
    d.tap("kb.done", "staffPanel");
    d.tap("panel.enrol", "staffPanel");
    d.waitUntil([](const auto& s) { return s.widgets.count("panel.enrol.enrolled") > 0; },
                "enrolled");
    d.keep(guide / "panel-enrolled-id.png");
    CHECK(fs::exists(tokenFile));
    REQUIRE(waitFor(
        [&] {
            auto e = onlyReport(d.state());
            return e && isDelivered(e->state);
        },
        60));
    CHECK_FALSE(d.last().widgets.count("panel.link.not_enrolled"));
    d.tap("nav.back", "welcome");
    d.waitUntil([](const auto& s) { return !s.widgets.count("welcome.notice"); },
                "the not-enrolled notice gone");

    // Audited by the staff id; the code and the token in no log and no audit row.
    const std::string token = readFile(tokenFile);
    REQUIRE(token.size() > 1);
    auto store = openStore(d.state(), false);
    auto audit = store->auditLog(100);
    REQUIRE(audit.ok());
    int enrolRows = 0;
    for (const auto& e : *audit) {
        if (e.action == "enrol" && e.staffId == "4711") {
            ++enrolRows;
        }
        CHECK(e.detail.find(typed) == std::string::npos);
        CHECK(e.detail.find(code) == std::string::npos);
    }
    CHECK(enrolRows == 2);
    for (const fs::path& f : {out / "kiosk.log", out / "syncd.log"}) {
        const std::string text = readFile(f);
        CHECK(text.find(code) == std::string::npos);
        CHECK(text.find(typed) == std::string::npos);
        CHECK(text.find(token.substr(0, token.size() - 1)) == std::string::npos);
    }
}
