// Clock: wall and monotonic time behind an interface, so tests never sleep (STYLE.md rule 5).
#pragma once

#include <atomic>
#include <cstdint>

namespace lapor {

class Clock {
  public:
    virtual ~Clock() = default;
    // Unix time in milliseconds, UTC (may jump when the kiosk's clock is set).
    [[nodiscard]] virtual std::int64_t wallMs() const = 0;
    // Monotonic milliseconds since an arbitrary start: for timeouts, leases within one boot, idle.
    [[nodiscard]] virtual std::int64_t monotonicMs() const = 0;
};

class SystemClock final : public Clock {
  public:
    [[nodiscard]] std::int64_t wallMs() const override;
    [[nodiscard]] std::int64_t monotonicMs() const override;
    // The process-wide instance.
    static SystemClock& instance();
};

// A clock that moves only when told to; safe to read from other threads.
class FakeClock final : public Clock {
  public:
    explicit FakeClock(std::int64_t wallMs = 1'767'225'600'000 /* 2026-01-01T00:00:00Z */)
        : wall_(wallMs) {}
    [[nodiscard]] std::int64_t wallMs() const override { return wall_.load(); }
    [[nodiscard]] std::int64_t monotonicMs() const override { return mono_.load(); }
    void advance(std::int64_t ms) {
        wall_ += ms;
        mono_ += ms;
    }
    void setWall(std::int64_t ms) { wall_ = ms; }

  private:
    std::atomic<std::int64_t> wall_;
    std::atomic<std::int64_t> mono_{0};
};

}  // namespace lapor
