// The kiosk's systemd watchdog (see watchdog.hpp).
#include "kiosk/watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <string>

namespace lapor::kiosk {

FrameWatchdog FrameWatchdog::fromEnvironment() {
    std::uint64_t usec = 0;
    const std::int64_t intervalMs =
        sd_watchdog_enabled(0, &usec) > 0 ? static_cast<std::int64_t>(usec / 1000) : 0;
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
