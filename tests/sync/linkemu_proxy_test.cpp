// The link emulator over real loopback sockets: pass-through, bandwidth cap, latency, resets after
// N bytes, stalls, the network going down and coming back, half-close.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>

#include "sync/linkemu/link_emulator.hpp"
#include "tests/sync/sandbox_fixture.hpp"

namespace lapor::linkemu::test {

using lapor::sandbox::test::makeBytes;
using lapor::sandbox::test::secondsSince;
using lapor::sandbox::test::waitUntil;

namespace {

int connectTo(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

bool sendAll(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

// Reads until `n` bytes, EOF or an error; `error` gets errno of a failed read.
std::string recvUpTo(int fd, std::size_t n, int* error = nullptr) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
        const ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
        if (got < 0 && error != nullptr) {
            *error = errno;
        }
        if (got <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

bool readableWithin(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

// An upstream TCP server for the tests: echoes, or (sink mode) swallows everything and answers
// "done" with the byte count once the client half-closes.
class Upstream {
  public:
    explicit Upstream(bool sink = false) : sink_(sink) {
        listen_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listen_, 16) == 0);
        socklen_t len = sizeof a;
        getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        acceptor_ = std::thread([this] { acceptLoop(); });
    }
    ~Upstream() {
        shutdown(listen_, SHUT_RDWR);
        close(listen_);
        acceptor_.join();
        std::lock_guard lock(mutex_);
        for (auto& t : workers_) {
            t.join();
        }
    }
    std::uint16_t port() const { return port_; }
    std::uint64_t received() const { return received_; }

  private:
    void acceptLoop() {
        for (;;) {
            const int fd = accept(listen_, nullptr, nullptr);
            if (fd < 0) {
                return;
            }
            std::lock_guard lock(mutex_);
            workers_.emplace_back([this, fd] { serve(fd); });
        }
    }
    void serve(int fd) {
        char buf[65536];
        std::uint64_t total = 0;
        for (;;) {
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            total += static_cast<std::uint64_t>(n);
            received_ += static_cast<std::uint64_t>(n);
            if (!sink_ && !sendAll(fd, std::string(buf, static_cast<std::size_t>(n)))) {
                break;
            }
        }
        if (sink_) {
            (void)sendAll(fd, "done " + std::to_string(total));
        }
        close(fd);
    }

    bool sink_;
    int listen_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<std::uint64_t> received_{0};
    std::thread acceptor_;
    std::mutex mutex_;
    std::list<std::thread> workers_;
};

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
    CHECK(took <= ideal * 1.5 + 0.2);
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
    CHECK(rtt < 0.6);
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
