// Wrong receipt-code lookups: free misses, a pause that grows and is capped, forgotten after a
// quiet day and not by a found code; the log line names the count, never the code.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/lookup_guard.hpp"
#include "core/receipt_code.hpp"

using namespace lapor;

namespace {

// What the code under test writes to stderr (the operator log) while `fn` runs.
template <class F>
std::string stderrOf(F&& fn) {
    char path[] = "/tmp/lapor-lookup-log-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    std::fflush(stderr);
    const int saved = ::dup(2);
    ::dup2(fd, 2);
    fn();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    ::close(fd);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    ::unlink(path);
    return text.str();
}

}  // namespace

TEST_CASE("lookup guard: three free misses, then 30 s doubling up to an hour") {
    FakeClock clock;
    LookupGuard guard(clock);
    CHECK(guard.waitMs() == 0);
    CHECK(guard.miss() == 0);
    CHECK(guard.miss() == 0);
    CHECK(guard.waitMs() == 0);
    CHECK(guard.miss() == 30'000);  // the third miss starts the first pause
    CHECK(guard.waitMs() == 30'000);
    clock.advance(10'000);
    CHECK(guard.waitMs() == 20'000);
    clock.advance(20'000);
    CHECK(guard.waitMs() == 0);
    CHECK(guard.miss() == 60'000);
    clock.advance(60'000);
    CHECK(guard.miss() == 120'000);
    std::int64_t pause = 0;
    for (int i = 0; i < 20; ++i) {
        clock.advance(guard.waitMs());
        pause = guard.miss();
    }
    CHECK(pause == 3'600'000);  // capped
    CHECK(guard.misses() == 25);
}

TEST_CASE("lookup guard: misses are forgotten only after a quiet day") {
    FakeClock clock;
    LookupGuard guard(clock);
    for (int i = 0; i < 5; ++i) {
        clock.advance(guard.waitMs());
        (void)guard.miss();
    }
    CHECK(guard.misses() == 5);
    clock.advance(guard.waitMs() + 23ll * 3'600'000);
    CHECK(guard.misses() == 5);  // an hour's pause and a wait of 23 hours: still counted
    CHECK(guard.miss() > 30'000);
    clock.advance(24ll * 3'600'000);
    CHECK(guard.misses() == 0);
    CHECK(guard.waitMs() == 0);
    CHECK(guard.miss() == 0);  // free again
}

TEST_CASE("lookup guard: a wall clock set back does not stretch a pause") {
    FakeClock clock;
    LookupGuard guard(clock);
    for (int i = 0; i < 3; ++i) {
        (void)guard.miss();
    }
    clock.setWall(clock.wallMs() - 7 * 24ll * 3'600'000);
    CHECK(guard.waitMs() == 30'000);
}

TEST_CASE("lookup guard: the log line counts misses and never holds the code") {
    FakeClock clock;
    LookupGuard guard(clock);
    const std::string code = *receipt::generate("K7QM");
    std::string log = stderrOf([&] {
        for (int i = 0; i < 3; ++i) {
            (void)guard.miss();
        }
    });
    CHECK(log.find("1 in a row") != std::string::npos);
    CHECK(log.find("3 in a row; lookups paused for 30 s") != std::string::npos);
    CHECK(log.find(code) == std::string::npos);
    CHECK(log.find(code.substr(4, 8)) == std::string::npos);
}
