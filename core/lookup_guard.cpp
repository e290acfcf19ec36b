// Wrong receipt-code lookups: the staff lockout's growing pause, forgotten after a quiet day.
#include "core/lookup_guard.hpp"

#include <string>

#include "core/log.hpp"

namespace lapor {

int LookupGuard::misses() const {
    if (misses_ > 0 && clock_.monotonicMs() - lastMissMs_ >= policy_.forgetAfterMs) {
        return 0;
    }
    return misses_;
}

std::int64_t LookupGuard::waitMs() const {
    const std::int64_t left = pausedUntilMs_ - clock_.monotonicMs();
    return left > 0 ? left : 0;
}

std::int64_t LookupGuard::miss() {
    const std::int64_t now = clock_.monotonicMs();
    misses_ = misses() + 1;
    lastMissMs_ = now;
    const std::int64_t pause = staff::pauseAfter(misses_, policy_.pause);
    pausedUntilMs_ = pause > 0 ? now + pause : 0;
    std::string line =
        "status lookup: no report for the code typed, " + std::to_string(misses_) + " in a row";
    if (pause > 0) {
        line += "; lookups paused for " + std::to_string(pause / 1000) + " s";
    }
    log::warn("kiosk", line);
    return pause;
}

}  // namespace lapor
