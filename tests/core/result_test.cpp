// Result<T> carries a value or an error, never both.
#include <doctest/doctest.h>

#include "core/result.hpp"

using namespace lapor;

TEST_CASE("result carries a value or an error") {
    Result<int> good = 42;
    REQUIRE(good.ok());
    CHECK(*good == 42);

    Result<int> bad = makeError(Errc::diskFull, "no space left");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::diskFull);
    CHECK(std::string(errcName(bad.error().code)) == "disk-full");

    Status fine;
    CHECK(fine.ok());
    Status failed = makeError(Errc::notFound, "nothing");
    CHECK_FALSE(failed.ok());
}
