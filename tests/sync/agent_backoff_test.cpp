// Backoff: decorrelated jitter within its bounds, reset on success, Retry-After honoured.
#include <doctest/doctest.h>

#include "sync/backoff.hpp"

using namespace lapor::sync;

TEST_CASE("backoff grows up to three times the previous delay and stops at the cap") {
    FakeRandom top({1.0});  // always the largest allowed delay
    Backoff b(BackoffPolicy{1000, 20000});
    CHECK(b.next(top) == 3000);
    CHECK(b.next(top) == 9000);
    CHECK(b.next(top) == 20000);  // 27000 capped
    CHECK(b.next(top) == 20000);
    b.reset();
    CHECK(b.next(top) == 3000);

    FakeRandom bottom({0.0});
    Backoff low(BackoffPolicy{1000, 20000});
    for (int i = 0; i < 5; ++i) {
        CHECK(low.next(bottom) == 1000);  // never below the base
    }
}

TEST_CASE("system random stays within its bounds") {
    SystemRandom r;
    Backoff b(BackoffPolicy{500, 60000});
    std::int64_t prev = 500;
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next(r);
        CHECK(d >= 500);
        CHECK(d <= std::min<std::int64_t>(60000, prev * 3));
        prev = d;
    }
}

TEST_CASE("the book keeps one sequence per report and gates the server") {
    FakeRandom half({0.5});
    BackoffBook book(BackoffPolicy{1000, 100000}, half);
    const auto a1 = book.failure("a", 0, std::nullopt, true);
    const auto a2 = book.failure("a", 0, std::nullopt, true);
    CHECK(a2 > a1);
    const auto b1 = book.failure("b", 0, std::nullopt, false);
    CHECK(b1 == a1);  // b has its own sequence
    CHECK(book.serverWaitMs(0) > 0);
    book.success("a");
    CHECK(book.serverWaitMs(0) == 0);
    CHECK(book.failure("a", 0, std::nullopt, false) == a1);  // a starts over

    // Retry-After is a floor on the report's delay and on the server gate.
    const auto c = book.failure("c", 1000, 50000, false);
    CHECK(c == 50000);
    CHECK(book.serverWaitMs(1000) == 50000);
    CHECK(book.serverWaitMs(51000) == 0);
}

TEST_CASE("Retry-After in seconds or as an HTTP date") {
    CHECK(parseRetryAfterMs("120", 0) == 120000);
    CHECK(parseRetryAfterMs(" 3 ", 0) == 3000);
    CHECK(parseRetryAfterMs("99999999999999999999999", 0) == 24LL * 3600 * 1000);
    CHECK_FALSE(parseRetryAfterMs("", 0).has_value());
    CHECK_FALSE(parseRetryAfterMs("soon", 0).has_value());
    // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 s
    const std::int64_t date = 1445412480LL * 1000;
    CHECK(parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", date - 5000) == 5000);
    CHECK(parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", date + 5000) == 0);  // past: now
}
