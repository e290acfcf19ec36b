// Per-thread beats in atomics, and the calling thread's slot in a thread_local.
#include "sync/liveness.hpp"

#include <algorithm>

namespace lapor::sync {

namespace {

// The calling thread's slot: where its beats go, and how far ahead they reach.
struct Current {
    std::atomic<std::int64_t>* dueMs = nullptr;
    std::atomic<bool>* retired = nullptr;
    const Clock* clock = nullptr;
    std::int64_t graceMs = 0;
};
thread_local Current current;

void beatCurrent(std::int64_t extraMs) {
    if (current.dueMs != nullptr) {
        current.dueMs->store(current.clock->monotonicMs() + current.graceMs +
                             std::max<std::int64_t>(0, extraMs));
    }
}

}  // namespace

int Liveness::add(std::string name) {
    auto slot = std::make_unique<Slot>();
    slot->name = std::move(name);
    slot->dueMs = clock_.monotonicMs() + graceMs_;
    slots_.push_back(std::move(slot));
    return static_cast<int>(slots_.size()) - 1;
}

void Liveness::enter(int index) {
    Slot& slot = *slots_.at(static_cast<std::size_t>(index));
    current = Current{&slot.dueMs, &slot.retired, &clock_, graceMs_};
    slot.retired = false;
    beatCurrent(0);
}

void Liveness::leave() {
    if (current.retired != nullptr) {
        current.retired->store(true);
    }
    current = Current{};
}

void Liveness::retire(int index) {
    slots_.at(static_cast<std::size_t>(index))->retired = true;
}

std::optional<std::string> Liveness::stuck() const {
    const std::int64_t now = clock_.monotonicMs();
    for (const auto& s : slots_) {
        if (!s->retired.load() && now > s->dueMs.load()) {
            return s->name;
        }
    }
    return std::nullopt;
}

void Liveness::beat() {
    beatCurrent(0);
}

void Liveness::waiting(std::int64_t ms) {
    beatCurrent(ms);
}

}  // namespace lapor::sync
