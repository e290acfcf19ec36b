// The kiosk's limit on wrong receipt-code lookups: a few free misses, then a pause that grows
// (the staff lockout's rule, core/staff.hpp), so that guessing codes is hopeless (docs/report.md).
#pragma once

#include <cstdint>

#include "core/clock.hpp"
#include "core/staff.hpp"

namespace lapor {

struct LookupPolicy {
    // 3 free misses, then 30 s, doubling to at most an hour: at most about 24 guesses a day.
    staff::LockoutPolicy pause{3, 30'000, 3'600'000};
    // Misses are forgotten only after this long without one. A found code does not forget them:
    // otherwise one's own valid code, looked up between guesses, would lift every pause.
    std::int64_t forgetAfterMs = 24ll * 3'600'000;
};

// One per kiosk (not per visitor: a guesser simply walks away and comes back). Counts only
// lookups of well-formed codes that found nothing; a code whose check symbol is wrong is caught
// before the store is asked and cannot be a hit, so it costs nothing. Monotonic time, so that a
// wall clock set back cannot stretch a pause. Not thread-safe: the kiosk's main loop owns it.
class LookupGuard {
  public:
    explicit LookupGuard(const Clock& clock, LookupPolicy policy = {})
        : clock_(clock), policy_(policy) {}

    // 0 when a lookup may be tried now, else the milliseconds left of the pause.
    [[nodiscard]] std::int64_t waitMs() const;
    // A well-formed code found nothing. Returns the pause it starts (0 while misses are free) and
    // logs the count and the pause; the code itself is never given to it, so never logged.
    std::int64_t miss();
    // Misses in a row (after forgetting old ones).
    [[nodiscard]] int misses() const;

  private:
    const Clock& clock_;
    LookupPolicy policy_;
    int misses_ = 0;
    std::int64_t lastMissMs_ = 0;
    std::int64_t pausedUntilMs_ = 0;
};

}  // namespace lapor
