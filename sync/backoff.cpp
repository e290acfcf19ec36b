// Decorrelated-jitter backoff and Retry-After parsing (libcurl's date parser reads HTTP dates).
#include "sync/backoff.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lapor::sync {

SystemRandom::SystemRandom() {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    engine_.seed(seq);
}

std::int64_t SystemRandom::between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) {
        return lo;
    }
    std::lock_guard lock(mutex_);
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine_);
}

std::int64_t FakeRandom::between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo || fractions_.empty()) {
        return lo;
    }
    const double f = std::clamp(fractions_[next_++ % fractions_.size()], 0.0, 1.0);
    return lo + static_cast<std::int64_t>(f * static_cast<double>(hi - lo));
}

std::int64_t Backoff::next(Random& random) {
    const std::int64_t upper = std::max(policy_.baseMs, previousMs_ * 3);
    previousMs_ = std::min(policy_.capMs, random.between(policy_.baseMs, upper));
    return previousMs_;
}

std::int64_t BackoffBook::failure(const std::string& reportKey, std::int64_t nowMs,
                                  std::optional<std::int64_t> retryAfterMs, bool serverFault) {
    std::lock_guard lock(mutex_);
    auto it = reports_.try_emplace(reportKey, policy_).first;
    std::int64_t delay = it->second.next(random_);
    if (retryAfterMs) {
        delay = std::max(delay, *retryAfterMs);
    }
    if (serverFault || retryAfterMs) {
        std::int64_t serverDelay = serverFault ? server_.next(random_) : 0;
        if (retryAfterMs) {
            serverDelay = std::max(serverDelay, *retryAfterMs);
            retryAfterUntilMs_ = std::max(retryAfterUntilMs_, nowMs + *retryAfterMs);
        }
        serverNotBeforeMs_ = std::max(serverNotBeforeMs_, nowMs + serverDelay);
    }
    return delay;
}

void BackoffBook::success(const std::string& reportKey) {
    std::lock_guard lock(mutex_);
    server_.reset();
    serverNotBeforeMs_ = 0;
    reports_.erase(reportKey);
}

bool BackoffBook::release(std::int64_t nowMs) {
    std::lock_guard lock(mutex_);
    if (nowMs < retryAfterUntilMs_) {
        return false;
    }
    serverNotBeforeMs_ = 0;
    return true;
}

void BackoffBook::forget(const std::string& reportKey) {
    std::lock_guard lock(mutex_);
    reports_.erase(reportKey);
}

std::int64_t BackoffBook::serverWaitMs(std::int64_t nowMs) const {
    std::lock_guard lock(mutex_);
    return std::max<std::int64_t>(0, serverNotBeforeMs_ - nowMs);
}

std::optional<std::int64_t> parseRetryAfterMs(std::string_view value, std::int64_t nowWallMs) {
    constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
        value.remove_prefix(1);
    }
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        std::int64_t seconds = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc{}) {
            return kDayMs;  // too many digits to count: as long as we ever wait
        }
        return std::min(kDayMs, seconds * 1000);
    }
    const std::string copy(value);
    const time_t when = curl_getdate(copy.c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(when) * 1000 - nowWallMs, 0, kDayMs);
}

}  // namespace lapor::sync
