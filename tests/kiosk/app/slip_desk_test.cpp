// Print exactly once: a kiosk process killed (SIGKILL) at every step between the save and the
// cleared spool, then started again, prints each slip once; a print cut off is never repeated by
// itself but recorded for staff, whose reprint (lapor-ctl reprint) prints it once more.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "core/store.hpp"
#include "core/store_slips.hpp"
#include "hardware/printer.hpp"
#include "kiosk/slip_desk.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;
namespace fs = std::filesystem;

namespace {

struct Kiosk {
    std::unique_ptr<Store> store;
    std::unique_ptr<hw::PrintQueue> queue;
    std::unique_ptr<kiosk::SlipDesk> desk;
};

// One kiosk "process": the store, the spool with the simulated printer, the slip desk. `dieAt`
// names the step at which it is killed (SIGKILL: nothing runs after it).
Kiosk startKiosk(const testing::TempDir& dir, const crypto::Key& key, std::string_view dieAt) {
    const std::string die(dieAt);
    const auto maybeDie = [die](std::string_view step) {
        if (step == die) {
            ::raise(SIGKILL);
        }
    };
    Kiosk k;
    StoreOptions so;
    so.path = dir.sub("store");
    so.key = key.clone();
    auto store = Store::open(std::move(so));
    REQUIRE(store.ok());
    k.store = std::move(store.value());
    hw::PrinterConfig pc;
    pc.simulatedDir = dir.sub("printed");
    auto printer = hw::openPrinter(pc);
    REQUIRE(printer.ok());
    hw::PrintQueue::Options qo;
    qo.onStep = maybeDie;
    auto queue = hw::PrintQueue::open(dir.sub("spool"), std::move(printer.value()), qo);
    REQUIRE(queue.ok());
    k.queue = std::move(queue.value());
    k.desk = std::make_unique<kiosk::SlipDesk>(
        *k.store, *k.queue,
        [](const Report& r) {
            hw::SlipContent s;
            s.office = r.office;
            s.receiptCode = r.receiptCode;
            s.title = r.title;
            s.filedAtMs = r.createdAtMs;
            return s;
        },
        maybeDie);
    return k;
}

// What the kiosk does for one visitor: save with the slip owed, spool it, print.
void fileOne(Kiosk& k, const Report& r, std::string_view dieAt) {
    const std::vector<Photo> none;
    const Store::ReportToSave one{&r, none, nullptr, true};
    REQUIRE(k.store->saveReports(std::span<const Store::ReportToSave>(&one, 1)).ok());
    if (dieAt == "saved") {
        ::raise(SIGKILL);
    }
    REQUIRE(k.desk->queue(r).ok());
    (void)k.queue->pumpOnce();
}

std::size_t slipsPrinted(const testing::TempDir& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir.sub("printed"), ec)) {
        n += e.path().extension() == ".bin" ? 1 : 0;
    }
    return n;
}

// Runs the first life in a child process killed at `dieAt` ("" to live through it).
void firstLife(const testing::TempDir& dir, const crypto::Key& key, const Report& r,
               std::string_view dieAt) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            Kiosk k = startKiosk(dir, key, dieAt);
            (void)k.desk->recover();
            fileOne(k, r, dieAt);
        } catch (...) {
            ::_exit(2);  // a failed REQUIRE in the child: never run the rest of the suite here
        }
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (dieAt.empty()) {
        REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    } else {
        REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    }
}

// The next start: recover, then print what waits.
std::size_t restart(const testing::TempDir& dir, const crypto::Key& key) {
    Kiosk k = startKiosk(dir, key, "");
    const std::size_t spooled = k.desk->recover();
    (void)k.queue->pumpOnce();
    return spooled;
}

}  // namespace

TEST_CASE("slips: killed at each step from the save to the cleared spool, each prints once") {
    // saved: report stored, slip not spooled; spooled: slip durable, store record not cleared;
    // and a kill after the whole print is done.
    for (const char* dieAt : {"saved", "spooled", ""}) {
        CAPTURE(dieAt);
        testing::TempDir dir;
        const crypto::Key key = crypto::Key::generate();
        const Report r = testing::sampleReport(1);
        firstLife(dir, key, r, dieAt);
        (void)restart(dir, key);
        (void)restart(dir, key);  // and once more: nothing is owed any more
        CHECK(slipsPrinted(dir) == 1);
        Kiosk k = startKiosk(dir, key, "");
        auto owed = listSlips(*k.store);
        REQUIRE(owed.ok());
        CHECK(owed->empty());
        CHECK_FALSE(k.queue->holds(r.uuid));
    }
}

TEST_CASE(
    "slips: a kill while printing never prints again by itself, a staff reprint prints once") {
    // printing: marked, bytes not sent; printed: sent, mark not cleared. Either way the paper may
    // or may not have come out: at most once, and staff are told.
    for (const char* dieAt : {"printing", "printed"}) {
        CAPTURE(dieAt);
        testing::TempDir dir;
        const crypto::Key key = crypto::Key::generate();
        const Report r = testing::sampleReport(2);
        firstLife(dir, key, r, dieAt);
        const std::size_t before = slipsPrinted(dir);
        CHECK(before == (std::string_view(dieAt) == "printed" ? 1 : 0));
        CHECK(restart(dir, key) == 0);
        CHECK(restart(dir, key) == 0);
        CHECK(slipsPrinted(dir) == before);  // not printed a second time
        {
            Kiosk k = startKiosk(dir, key, "");
            auto owed = listSlips(*k.store);
            REQUIRE(owed.ok());
            REQUIRE(owed->size() == 1);
            CHECK(owed->front().uuid == r.uuid);
            CHECK(owed->front().state == slipUnconfirmedValue);
            // Staff: lapor-ctl reprint.
            REQUIRE(requestReprint(*k.store, r.uuid).ok());
        }
        CHECK(restart(dir, key) == 1);
        CHECK(restart(dir, key) == 0);
        CHECK(slipsPrinted(dir) == before + 1);
    }
}

TEST_CASE("slips: reports saved before slips were owed are not printed again on upgrade") {
    testing::TempDir dir;
    const crypto::Key key = crypto::Key::generate();
    {
        Kiosk k = startKiosk(dir, key, "");
        REQUIRE(k.store->saveReport(testing::sampleReport(3), {}).ok());  // no slip record
    }
    CHECK(restart(dir, key) == 0);
    CHECK(slipsPrinted(dir) == 0);
    Kiosk k = startKiosk(dir, key, "");
    CHECK(requestReprint(*k.store, testing::testUuid(99)).error().code == Errc::notFound);
}
