// Liveness: which of the agent's threads still make progress, so that the systemd watchdog is fed
// by a thread no request can block, yet stops being fed when a thread is truly stuck.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace lapor::sync {

class Liveness {
  public:
    // A thread that does not beat for `graceMs` (beyond a wait it announced) counts as stuck.
    Liveness(const Clock& clock, std::int64_t graceMs) : clock_(clock), graceMs_(graceMs) {}

    // Adds a slot for one thread (before the threads start); returns its index.
    int add(std::string name);
    // The calling thread is now the one of slot `index` (until it calls leave()); it beats.
    void enter(int index);
    void leave();
    // The thread of `index` is done (ended or never started): it is never stuck.
    void retire(int index);

    // The first stuck thread's name, nullopt when all make progress.
    [[nodiscard]] std::optional<std::string> stuck() const;
    [[nodiscard]] std::int64_t graceMs() const { return graceMs_; }

    // For the calling thread, whatever code it is in (HTTP transfers call it as bytes move or
    // as the transfer is polled): a beat, or a wait of `ms` announced. No-ops on threads that are
    // in no slot.
    static void beat();
    static void waiting(std::int64_t ms);

  private:
    struct Slot {
        std::string name;
        std::atomic<std::int64_t> dueMs{0};  // monotonic; the next beat is due by then
        std::atomic<bool> retired{false};
    };
    const Clock& clock_;
    std::int64_t graceMs_;
    std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace lapor::sync
