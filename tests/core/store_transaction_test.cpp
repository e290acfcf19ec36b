// Transactions end whatever happens inside them: an exception thrown from code the store calls
// within a transaction (here the injected clock) leaves no writer lock and no reader slot behind.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/store.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

// A FakeClock that throws from its next reads when told to. The store reads the clock inside its
// transactions (claims, state changes, counts), so this throws in the middle of one.
class ThrowingClock final : public Clock {
  public:
    [[nodiscard]] std::int64_t wallMs() const override {
        if (throws_ > 0) {
            --throws_;
            throw std::runtime_error("clock failed");
        }
        return clock_.wallMs();
    }
    [[nodiscard]] std::int64_t monotonicMs() const override { return clock_.monotonicMs(); }
    void throwNext(int times = 1) { throws_ = times; }

  private:
    FakeClock clock_;
    mutable std::atomic<int> throws_{0};
};

struct Fixture {
    TempDir dir;
    ThrowingClock clock;
    std::shared_ptr<Store> store;
    Fixture() {
        auto s = Store::open(storeOptions(dir.path(), &clock));
        REQUIRE(s.ok());
        store = std::move(*s);
    }
};

// Runs fn(store) on another thread and waits for it at most `bound`. nullopt when it has not
// finished: a leaked write transaction holds LMDB's writer lock, so the next write blocks forever;
// the blocked thread is then left behind, holding its own reference to the store.
template <class F>
std::optional<bool> finishesWithin(std::chrono::seconds bound, std::shared_ptr<Store> store, F fn) {
    std::promise<bool> done;
    auto answer = done.get_future();
    std::thread worker(
        [store, fn, done = std::move(done)]() mutable { done.set_value(fn(*store)); });
    if (answer.wait_for(bound) != std::future_status::ready) {
        worker.detach();
        return std::nullopt;
    }
    worker.join();
    return answer.get();
}

}  // namespace

TEST_CASE("store: an exception inside a write transaction does not keep the writer lock") {
    Fixture f;
    Report a = sampleReport(1), b = sampleReport(2);
    REQUIRE(f.store->saveReport(a, {}).ok());
    REQUIRE(f.store->saveReport(b, {}).ok());

    // Inside claimNext's transaction (the due-index cursor is open in it).
    f.clock.throwNext();
    CHECK_THROWS_AS((void)f.store->claimNext("agent", 60'000), std::runtime_error);
    auto claimed = finishesWithin(std::chrono::seconds(20), f.store, [](Store& s) {
        auto c = s.claimNext("agent", 60'000);
        return c.ok() && c->has_value();
    });
    REQUIRE(claimed.has_value());  // else the next write hung on the leaked writer lock
    CHECK(*claimed);

    // Inside a state change (Impl::transition: load, change, store).
    f.clock.throwNext();
    CHECK_THROWS_AS((void)f.store->recordFailure(a.uuid, "timeout", 0), std::runtime_error);
    auto failed = finishesWithin(std::chrono::seconds(20), f.store, [&](Store& s) {
        return s.recordFailure(a.uuid, "timeout", 0).ok();
    });
    REQUIRE(failed.has_value());
    CHECK(*failed);

    // Nothing of the transactions that threw was kept.
    auto history = f.store->history(a.uuid);
    REQUIRE(history.ok());
    REQUIRE(history->size() == 3);  // saved, claimed, failed: once each
    CHECK(history->back().state == OutboxState::failed);
    CHECK(f.store->outboxEntry(a.uuid)->attempts == 1);
    auto last = finishesWithin(std::chrono::seconds(20), f.store,
                               [](Store& s) { return s.saveReport(sampleReport(3), {}).ok(); });
    REQUIRE(last.has_value());
    CHECK(*last);
}

TEST_CASE("store: an exception inside a read transaction gives its reader slot back") {
    Fixture f;
    REQUIRE(f.store->saveReport(sampleReport(1), {}).ok());
    // counts() reads the clock for the oldest report's age, with its cursor open. LMDB has 126
    // reader slots: had each throw kept one, the store could not be read after them.
    for (int i = 0; i < 300; ++i) {
        f.clock.throwNext();
        CHECK_THROWS_AS((void)f.store->counts(), std::runtime_error);
    }
    auto counts = f.store->counts();
    REQUIRE(counts.ok());
    CHECK(counts->count(OutboxState::queued) == 1);
    auto claimed = finishesWithin(std::chrono::seconds(20), f.store, [](Store& s) {
        auto c = s.claimNext("agent", 60'000);
        return c.ok() && c->has_value();
    });
    REQUIRE(claimed.has_value());
    CHECK(*claimed);
}
