// The kiosk's systemd watchdog: the frame loop reports each turn; READY=1 after the first frame
// (the welcome screen is drawn), WATCHDOG=1 at half the unit's WatchdogSec. A loop that hangs stops
// the pings and systemd restarts the kiosk.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string_view>

namespace lapor::kiosk {

// The unit's watchdog interval in ms from $WATCHDOG_USEC and $WATCHDOG_PID (null when unset), or
// 0. systemd names the unit's main process in WATCHDOG_PID; under cage that is cage, our parent,
// so sd_watchdog_enabled() says "not for you" and the kiosk never pinged (the unit's
// NotifyAccess=all accepts pings from the whole service): the parent counts as ours.
[[nodiscard]] std::int64_t watchdogIntervalMs(const char* usec, const char* pid, pid_t self,
                                              pid_t parent);

class FrameWatchdog {
  public:
    using Notify = std::function<void(std::string_view)>;
    // `intervalMs` is the unit's WatchdogSec; 0 turns the pings off (READY=1 is still sent).
    FrameWatchdog(Notify notify, std::int64_t intervalMs)
        : notify_(std::move(notify)), intervalMs_(intervalMs) {}
    // From $WATCHDOG_USEC / $NOTIFY_SOCKET (sd_watchdog_enabled, sd_notify); silent outside
    // systemd.
    [[nodiscard]] static FrameWatchdog fromEnvironment();

    // The loop's event wait, shortened so that the next ping is not late.
    [[nodiscard]] std::int64_t capWait(std::int64_t waitMs, std::int64_t nowMs) const;
    // One turn of the loop ended (`drewFrame`: it drew a frame).
    void turn(std::int64_t nowMs, bool drewFrame);

  private:
    Notify notify_;
    std::int64_t intervalMs_;
    bool ready_ = false;
    std::int64_t lastPingMs_ = 0;
};

}  // namespace lapor::kiosk
