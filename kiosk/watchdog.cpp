// The kiosk's systemd watchdog (see watchdog.hpp).
#include "kiosk/watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

namespace lapor::kiosk {

namespace {

// A whole positive decimal number, or 0 for anything else.
std::int64_t positive(const char* text) {
    std::int64_t v = 0;
    if (text == nullptr) {
        return 0;
    }
    const char* end = text + std::strlen(text);
    const auto [p, ec] = std::from_chars(text, end, v);
    return ec == std::errc() && p == end && v > 0 ? v : 0;
}

}  // namespace

std::int64_t watchdogIntervalMs(const char* usec, const char* pid, pid_t self, pid_t parent) {
    if (pid != nullptr) {
        const std::int64_t owner = positive(pid);
        if (owner != self && owner != parent) {
            return 0;  // meant for another process (e.g. one we started)
        }
    }
    return positive(usec) / 1000;
}

FrameWatchdog FrameWatchdog::fromEnvironment() {
    const std::int64_t intervalMs = watchdogIntervalMs(
        std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid(), getppid());
    return FrameWatchdog([](std::string_view state) { sd_notify(0, std::string(state).c_str()); },
                         intervalMs);
}

std::int64_t FrameWatchdog::capWait(std::int64_t waitMs, std::int64_t nowMs) const {
    if (intervalMs_ <= 0 || !ready_) {
        return waitMs;
    }
    const std::int64_t due = lastPingMs_ + intervalMs_ / 2 - nowMs;
    return std::clamp<std::int64_t>(due, 0, waitMs);
}

void FrameWatchdog::turn(std::int64_t nowMs, bool drewFrame) {
    if (!ready_) {
        if (!drewFrame) {
            return;
        }
        ready_ = true;
        lastPingMs_ = nowMs;
        notify_(intervalMs_ > 0 ? "READY=1\nWATCHDOG=1" : "READY=1");
        return;
    }
    if (intervalMs_ > 0 && nowMs - lastPingMs_ >= intervalMs_ / 2) {
        lastPingMs_ = nowMs;
        notify_("WATCHDOG=1");
    }
}

}  // namespace lapor::kiosk
