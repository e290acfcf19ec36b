// Capped decorrelated-jitter backoff (delay = min(cap, random_between(base, delay * 3))) and
// Retry-After parsing, with the randomness injected so tests can pin it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lapor::sync {

// A source of uniform integers; the real one is seeded from the OS, the fake is scripted.
class Random {
  public:
    virtual ~Random() = default;
    // A value in [lo, hi], both included (hi < lo is treated as hi == lo).
    [[nodiscard]] virtual std::int64_t between(std::int64_t lo, std::int64_t hi) = 0;
};

class SystemRandom final : public Random {
  public:
    SystemRandom();
    [[nodiscard]] std::int64_t between(std::int64_t lo, std::int64_t hi) override;

  private:
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

// Answers lo + fraction * (hi - lo) for each fraction in turn, cycling.
class FakeRandom final : public Random {
  public:
    explicit FakeRandom(std::vector<double> fractions) : fractions_(std::move(fractions)) {}
    [[nodiscard]] std::int64_t between(std::int64_t lo, std::int64_t hi) override;

  private:
    std::vector<double> fractions_;
    std::size_t next_ = 0;
};

struct BackoffPolicy {
    std::int64_t baseMs = 2'000;
    std::int64_t capMs = 30 * 60'000;
};

// One backoff sequence (for one report, or for the server).
class Backoff {
  public:
    explicit Backoff(BackoffPolicy policy) : policy_(policy), previousMs_(policy.baseMs) {}
    // The next delay; grows by up to three times the previous one, never beyond the cap.
    [[nodiscard]] std::int64_t next(Random& random);
    void reset() { previousMs_ = policy_.baseMs; }
    [[nodiscard]] std::int64_t previousMs() const { return previousMs_; }

  private:
    BackoffPolicy policy_;
    std::int64_t previousMs_;
};

// Backoff for the server as a whole plus one sequence per report, and the earliest time (monotonic
// ms) at which the server may be asked again. Thread-safe: workers share it.
class BackoffBook {
  public:
    BackoffBook(BackoffPolicy policy, Random& random) : policy_(policy), random_(random) {}

    // A retryable failure of one report. `retryAfterMs` (from the server) is a floor on both
    // delays. Returns the report's delay.
    std::int64_t failure(const std::string& reportKey, std::int64_t nowMs,
                         std::optional<std::int64_t> retryAfterMs, bool serverFault);
    // The server answered well: its backoff starts over, and so does the report's.
    void success(const std::string& reportKey);
    // Forget a report (delivered or parked).
    void forget(const std::string& reportKey);
    // Milliseconds until the server may be asked again (0: now).
    [[nodiscard]] std::int64_t serverWaitMs(std::int64_t nowMs) const;
    // A probe found the server answering well: the hold ends now, unless a Retry-After it gave
    // still runs (then false). The backoff sequence is kept: only a real success resets it.
    bool release(std::int64_t nowMs);

  private:
    mutable std::mutex mutex_;
    BackoffPolicy policy_;
    Random& random_;
    Backoff server_{policy_};
    std::int64_t serverNotBeforeMs_ = 0;
    std::int64_t retryAfterUntilMs_ = 0;  // the server's own Retry-After, which no probe shortens
    std::unordered_map<std::string, Backoff> reports_;
};

// Retry-After as delta seconds ("120") or an HTTP date; milliseconds from `nowWallMs`, at least 0
// and at most a day. nullopt when absent or unreadable.
[[nodiscard]] std::optional<std::int64_t> parseRetryAfterMs(std::string_view value,
                                                            std::int64_t nowWallMs);

}  // namespace lapor::sync
