// The kiosk's systemd watchdog: READY=1 only once a frame is drawn, WATCHDOG=1 at half the
// interval, and an event wait never long enough to let a ping be late.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kiosk/watchdog.hpp"

namespace lapor::kiosk {

TEST_CASE("watchdog: ready after the first frame, pings at half the interval") {
    std::vector<std::string> sent;
    FrameWatchdog w([&](std::string_view s) { sent.emplace_back(s); }, 30'000);
    CHECK(w.capWait(3'600'000, 0) == 3'600'000);  // not running yet: no cap
    w.turn(100, false);
    CHECK(sent.empty());  // nothing drawn, not ready
    w.turn(200, true);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0] == "READY=1\nWATCHDOG=1");
    CHECK(w.capWait(3'600'000, 200) == 15'000);
    CHECK(w.capWait(50, 200) == 50);
    w.turn(14'000, false);
    CHECK(sent.size() == 1);
    w.turn(15'200, false);  // an idle turn pings too: the loop is alive
    REQUIRE(sent.size() == 2);
    CHECK(sent[1] == "WATCHDOG=1");
    CHECK(w.capWait(3'600'000, 40'000) == 0);  // late: do not wait at all
}

TEST_CASE("watchdog: without WatchdogSec only READY=1 and no cap on the wait") {
    std::vector<std::string> sent;
    FrameWatchdog w([&](std::string_view s) { sent.emplace_back(s); }, 0);
    w.turn(0, true);
    w.turn(100'000, true);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0] == "READY=1");
    CHECK(w.capWait(3'600'000, 100'000) == 3'600'000);
}

TEST_CASE("watchdog: the interval from systemd's environment, also when cage is the main process") {
    CHECK(watchdogIntervalMs("60000000", nullptr, 100, 1) == 60'000);
    CHECK(watchdogIntervalMs("60000000", "100", 100, 1) == 60'000);  // we are the main process
    // Under cage (the unit's main process, our parent): before the fix this was 0, the kiosk
    // never pinged and systemd killed it every minute.
    CHECK(watchdogIntervalMs("60000000", "42", 100, 42) == 60'000);
    CHECK(watchdogIntervalMs("60000000", "7", 100, 42) == 0);  // someone else's
    CHECK(watchdogIntervalMs(nullptr, nullptr, 100, 42) == 0);
    CHECK(watchdogIntervalMs("junk", nullptr, 100, 42) == 0);
    CHECK(watchdogIntervalMs("60000000", "junk", 100, 42) == 0);
}

}  // namespace lapor::kiosk
