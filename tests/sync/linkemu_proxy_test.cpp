// The link emulator over real loopback sockets: pass-through, bandwidth cap, latency, resets after
// N bytes, stalls, the network going down and coming back, half-close.
#include "sync/linkemu/link_emulator.hpp"
#include "tests/sync/link_test_support.hpp"
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::linkemu::test {

using lapor::sandbox::test::makeBytes;
using lapor::sandbox::test::secondsSince;
using lapor::sandbox::test::waitUntil;

namespace {

std::unique_ptr<LinkEmulator> startLink(const Upstream& up, LinkShape shape = {}) {
    auto link = LinkEmulator::start("127.0.0.1", 0, "127.0.0.1", up.port(), shape);
    REQUIRE(link.ok());
    return std::move(*link);
}

}  // namespace

TEST_CASE("linkemu: passes bytes through both ways and counts them") {
    Upstream echo;
    auto link = startLink(echo);
    const int fd = connectTo(link->port());
    const std::string bytes = makeBytes(1'000'000, 3);
    std::thread writer([&] { CHECK(sendAll(fd, bytes)); });
    const std::string back = recvUpTo(fd, bytes.size());
    writer.join();
    CHECK(back == bytes);
    close(fd);
    // The proxy counts a chunk after send() returns, which may be after the peer has read it.
    CHECK(waitUntil([&] {
        const auto now = link->counters();
        return now.bytesUp == bytes.size() && now.bytesDown == bytes.size();
    }));
    const auto c = link->counters();
    CHECK(c.bytesUp == bytes.size());
    CHECK(c.bytesDown == bytes.size());
    CHECK(c.connections == 1);
    CHECK(waitUntil([&] { return link->counters().open == 0; }));
}

TEST_CASE("linkemu: half-close passes through, the answer still comes back") {
    Upstream sink(true);
    auto link = startLink(sink);
    const int fd = connectTo(link->port());
    CHECK(sendAll(fd, makeBytes(50'000)));
    shutdown(fd, SHUT_WR);
    CHECK(recvUpTo(fd, 100) == "done 50000");
    close(fd);
}

TEST_CASE("linkemu: the bandwidth cap holds roughly") {
    Upstream sink(true);
    LinkShape shape;
    shape.upBytesPerSecond = 400'000;
    shape.downBytesPerSecond = 400'000;
    auto link = startLink(sink, shape);
    const int fd = connectTo(link->port());
    const std::string bytes = makeBytes(200'000);
    const auto start = std::chrono::steady_clock::now();
    CHECK(sendAll(fd, bytes));
    shutdown(fd, SHUT_WR);
    CHECK(recvUpTo(fd, 100) == "done 200000");
    const double took = secondsSince(start);
    close(fd);
    const double ideal = 200'000.0 / 400'000.0;
    CHECK(took >= ideal * 0.9);
    CHECK(took <= ideal * 2 + 0.3);  // loose: the machine is shared
    MESSAGE("200 KB at 400 KB/s took " << took << " s (ideal " << ideal << " s)");
}

TEST_CASE("linkemu: added latency delays each direction") {
    Upstream echo;
    LinkShape shape;
    shape.latency = std::chrono::milliseconds(100);
    auto link = startLink(echo, shape);
    const int fd = connectTo(link->port());
    const auto start = std::chrono::steady_clock::now();
    CHECK(sendAll(fd, "x"));
    CHECK(recvUpTo(fd, 1) == "x");
    const double rtt = secondsSince(start);
    close(fd);
    CHECK(rtt >= 0.19);
    CHECK(rtt < 1.0);  // loose: the machine is shared
}

TEST_CASE("linkemu: an armed reset cuts the next connection after exactly N bytes") {
    Upstream echo;
    auto link = startLink(echo);
    link->armReset(10'000, Direction::up, 1);
    const int fd = connectTo(link->port());
    std::thread writer([&] { (void)sendAll(fd, makeBytes(200'000)); });
    int err = 0;
    const std::string back = recvUpTo(fd, 200'000, &err);
    writer.join();
    close(fd);
    CHECK(back.size() <= 10'000);
    CHECK(err == ECONNRESET);
    CHECK(link->counters().bytesUp == 10'000);
    CHECK(link->counters().resets == 1);
    // Only one connection was armed: the next one goes through.
    const int again = connectTo(link->port());
    CHECK(sendAll(again, makeBytes(30'000)));
    CHECK(recvUpTo(again, 30'000).size() == 30'000);
    close(again);
}

TEST_CASE("linkemu: reset-every cuts every connection") {
    Upstream echo;
    LinkShape shape;
    shape.resetEveryBytes = 4096;
    auto link = startLink(echo, shape);
    for (int i = 0; i < 3; ++i) {
        const int fd = connectTo(link->port());
        std::thread writer([&] { (void)sendAll(fd, makeBytes(100'000)); });
        int err = 0;
        const std::string back = recvUpTo(fd, 100'000, &err);
        writer.join();
        close(fd);
        CHECK(back.size() < 4096);
        CHECK(err == ECONNRESET);
    }
    CHECK(link->counters().resets == 3);
}

TEST_CASE("linkemu: a stall holds bytes until it ends, connections stay open") {
    Upstream echo;
    auto link = startLink(echo);
    const int fd = connectTo(link->port());
    link->setStalled(true);
    CHECK(sendAll(fd, "ping"));
    CHECK_FALSE(readableWithin(fd, 200));
    link->setStalled(false);
    CHECK(recvUpTo(fd, 4) == "ping");

    link->stallFor(std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    CHECK(sendAll(fd, "pong"));
    CHECK(recvUpTo(fd, 4) == "pong");
    CHECK(secondsSince(start) >= 0.25);
    close(fd);
}

TEST_CASE("linkemu: the network goes down (open connections reset, new ones refused) and back") {
    Upstream echo;
    auto link = startLink(echo);
    const int open = connectTo(link->port());
    CHECK(sendAll(open, "a"));
    CHECK(recvUpTo(open, 1) == "a");
    link->setDown(true);
    int err = 0;
    CHECK(recvUpTo(open, 1, &err).empty());
    CHECK(err == ECONNRESET);
    close(open);

    const int refused = connectTo(link->port());  // accepted, then reset at once
    err = 0;
    CHECK(recvUpTo(refused, 1, &err).empty());
    CHECK(err == ECONNRESET);
    close(refused);

    link->setDown(false);
    const int back = connectTo(link->port());
    CHECK(sendAll(back, "b"));
    err = 0;
    CHECK(recvUpTo(back, 1, &err) == "b");
    CHECK(err == 0);
    MESSAGE("resets " << link->counters().resets << " connections "
                      << link->counters().connections);
    close(back);
}

}  // namespace lapor::linkemu::test
