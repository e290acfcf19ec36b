// The link emulator's poll loop: each connection is two queues of timestamped chunks, released
// when their time has come and the shared link has capacity, so latency and bandwidth compose
// the way they do on a real link.
#include "sync/linkemu/link_emulator.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lapor::linkemu {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

Result<Direction> parseDirection(const std::string& text) {
    if (text == "up") {
        return Direction::up;
    }
    if (text == "down") {
        return Direction::down;
    }
    if (text == "any" || text.empty()) {
        return Direction::any;
    }
    return makeError(Errc::invalidInput, "direction must be up, down or any: " + text);
}

namespace {

constexpr std::size_t kUnshapedChunk = 64 * 1024;
constexpr std::size_t kUnshapedQueue = 1024 * 1024;
// How far ahead a direction may book the shared link: keeps one busy connection from starving the
// others and bounds what sits in the emulator's queues.
constexpr auto kBookingHorizon = std::chrono::milliseconds(20);

struct Chunk {
    TimePoint due;
    std::vector<char> bytes;
    std::size_t sent = 0;
};

// One direction of one connection.
struct Pipe {
    std::deque<Chunk> queue;
    std::size_t queued = 0;
    bool eof = false;           // the source has closed its sending side
    bool shutdownSent = false;  // and we have passed that on after draining
};

struct Conn {
    int client = -1;
    int server = -1;
    bool connecting = true;
    Pipe up;                              // client -> server
    Pipe down;                            // server -> client
    std::optional<std::uint64_t> budget;  // bytes left before a reset
    Direction budgetDirection = Direction::any;
    bool tookArmed = false;
    bool dead = false;
};

struct Armed {
    std::uint64_t afterBytes = 0;
    Direction direction = Direction::any;
    int count = 0;
};

void setNonBlocking(int fd) {
    const int flags = fcntl(fd, F_GETFL, 0);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void closeWithReset(int fd) {
    if (fd < 0) {
        return;
    }
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN: a broken link.
    linger lg{1, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    (void)close(fd);
}

Result<sockaddr_in> makeAddress(const std::string& host, std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
        return makeError(Errc::invalidInput, "not an IPv4 address: " + host);
    }
    return addr;
}

}  // namespace

struct LinkEmulator::Impl {
    int listenFd = -1;
    int wakeFd = -1;
    std::uint16_t port = 0;
    sockaddr_in upstream{};
    std::thread loop;
    std::atomic<bool> running{true};

    mutable std::mutex mutex;  // guards the settings below
    LinkShape shape;
    double throttle = 0;
    std::optional<TimePoint> throttleUntil;
    bool stalled = false;
    std::optional<TimePoint> stallUntil;
    bool down = false;
    std::optional<TimePoint> downUntil;
    Armed armed;
    bool dropAll = false;  // set when the network goes down: reset what is open

    std::atomic<std::uint64_t> bytesUp{0};
    std::atomic<std::uint64_t> bytesDown{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> resets{0};
    std::atomic<std::uint64_t> open{0};

    // Loop-thread state.
    std::list<Conn> conns;
    TimePoint linkFreeUp{};
    TimePoint linkFreeDown{};

    // A settings snapshot taken once per loop turn.
    struct View {
        double upRate = 0;
        double downRate = 0;
        std::chrono::milliseconds latency{0};
        std::uint64_t resetEvery = 0;
        bool stalled = false;
        bool down = false;
    };

    void wake() const {
        const std::uint64_t one = 1;
        (void)!write(wakeFd, &one, sizeof one);
    }

    View snapshot(TimePoint now) {
        std::lock_guard lock(mutex);
        if (stallUntil && now >= *stallUntil) {
            stalled = false;
            stallUntil.reset();
        }
        if (downUntil && now >= *downUntil) {
            down = false;
            downUntil.reset();
        }
        if (throttleUntil && now >= *throttleUntil) {
            throttle = 0;
            throttleUntil.reset();
        }
        View v;
        auto capped = [&](double rate) {
            if (throttle <= 0) {
                return rate;
            }
            return rate <= 0 ? throttle : std::min(rate, throttle);
        };
        v.upRate = capped(shape.upBytesPerSecond);
        v.downRate = capped(shape.downBytesPerSecond);
        v.latency = shape.latency;
        v.resetEvery = shape.resetEveryBytes;
        v.stalled = stalled;
        v.down = down;
        return v;
    }

    std::optional<TimePoint> nextDeadline() {
        std::lock_guard lock(mutex);
        std::optional<TimePoint> next;
        for (const auto& t : {stallUntil, downUntil, throttleUntil}) {
            if (t && (!next || *t < *next)) {
                next = t;
            }
        }
        return next;
    }

    void resetConn(Conn& c) {
        if (c.dead) {
            return;
        }
        closeWithReset(c.client);
        closeWithReset(c.server);
        c.client = c.server = -1;
        c.dead = true;
        --open;
    }

    void closeConn(Conn& c) {
        if (c.dead) {
            return;
        }
        (void)close(c.client);
        (void)close(c.server);
        c.client = c.server = -1;
        c.dead = true;
        --open;
    }

    void acceptAll(const View& v) {
        for (;;) {
            const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                return;
            }
            ++connections;
            bool downNow = false;
            {
                // Read afresh for each connection: the snapshot may predate a setDown(false)
                // that this very client waited for before connecting.
                std::lock_guard lock(mutex);
                downNow = down;
            }
            if (downNow) {
                closeWithReset(fd);
                ++resets;
                continue;
            }
            const int up = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (up < 0) {
                closeWithReset(fd);
                continue;
            }
            const int one = 1;
            (void)setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            const int rc =
                connect(up, reinterpret_cast<const sockaddr*>(&upstream), sizeof upstream);
            if (rc < 0 && errno != EINPROGRESS) {
                closeWithReset(fd);
                (void)close(up);
                continue;
            }
            Conn& c = conns.emplace_back();
            c.client = fd;
            c.server = up;
            c.connecting = rc < 0;
            if (v.resetEvery > 0) {
                c.budget = v.resetEvery;
                c.budgetDirection = Direction::any;
            }
            ++open;
        }
    }

    [[nodiscard]] static std::size_t chunkSize(double rate) {
        if (rate <= 0) {
            return kUnshapedChunk;
        }
        // About 10 ms of link time per chunk: fine-grained enough that rates hold over short spans.
        return std::clamp<std::size_t>(static_cast<std::size_t>(rate / 100), 512, kUnshapedChunk);
    }

    [[nodiscard]] static std::size_t queueLimit(double rate, std::chrono::milliseconds latency) {
        if (rate <= 0) {
            return kUnshapedQueue;
        }
        const double seconds = std::chrono::duration<double>(latency + kBookingHorizon).count();
        return std::max<std::size_t>(64 * 1024, static_cast<std::size_t>(rate * seconds * 2));
    }

    [[nodiscard]] bool canRead(const Pipe& p, double rate, TimePoint linkFree, TimePoint now,
                               const View& v) const {
        if (v.stalled || p.eof || p.queued >= queueLimit(rate, v.latency)) {
            return false;
        }
        return rate <= 0 || linkFree < now + kBookingHorizon;
    }

    // Reads what the source has into the pipe's queue, booking link time for it. False: broken.
    bool readInto(int from, Pipe& p, double rate, TimePoint& linkFree, TimePoint now,
                  const View& v) {
        std::vector<char> buf(chunkSize(rate));
        const ssize_t n = read(from, buf.data(), buf.size());
        if (n == 0) {
            p.eof = true;
            return true;
        }
        if (n < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        }
        buf.resize(static_cast<std::size_t>(n));
        TimePoint due = now;
        if (rate > 0) {
            const auto start = std::max(linkFree, now);
            linkFree = start + std::chrono::duration_cast<SteadyClock::duration>(
                                   std::chrono::duration<double>(static_cast<double>(n) / rate));
            due = linkFree;
        }
        due += v.latency;
        p.queued += buf.size();
        p.queue.push_back(Chunk{due, std::move(buf), 0});
        return true;
    }

    void takeArmed(Conn& c) {
        if (c.budget || c.tookArmed) {
            return;
        }
        std::lock_guard lock(mutex);
        if (armed.count > 0) {
            --armed.count;
            c.budget = armed.afterBytes;
            c.budgetDirection = armed.direction;
            c.tookArmed = true;
        }
    }

    // Writes due chunks to `to`. False: the connection broke or was reset on purpose.
    bool deliver(Conn& c, Pipe& p, int to, bool isUp, TimePoint now) {
        while (!p.queue.empty() && p.queue.front().due <= now) {
            takeArmed(c);
            Chunk& ch = p.queue.front();
            std::size_t len = ch.bytes.size() - ch.sent;
            const bool counts = c.budget && (c.budgetDirection == Direction::any ||
                                             (c.budgetDirection == Direction::up) == isUp);
            if (counts) {
                len = std::min<std::uint64_t>(len, *c.budget);
                if (len == 0) {
                    ++resets;
                    resetConn(c);
                    return false;
                }
            }
            const ssize_t n = send(to, ch.bytes.data() + ch.sent, len, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    return true;
                }
                resetConn(c);
                return false;
            }
            const auto sent = static_cast<std::size_t>(n);
            ch.sent += sent;
            p.queued -= sent;
            (isUp ? bytesUp : bytesDown) += sent;
            if (counts) {
                *c.budget -= sent;
                if (*c.budget == 0) {
                    ++resets;
                    resetConn(c);
                    return false;
                }
            }
            if (ch.sent == ch.bytes.size()) {
                p.queue.pop_front();
            }
        }
        if (p.queue.empty() && p.eof && !p.shutdownSent) {
            (void)shutdown(to, SHUT_WR);
            p.shutdownSent = true;
        }
        return true;
    }

    void run() {
        std::vector<pollfd> fds;
        std::vector<Conn*> owners;
        while (running) {
            auto now = SteadyClock::now();
            View v = snapshot(now);
            bool drop = false;
            {
                std::lock_guard lock(mutex);
                drop = dropAll;
                dropAll = false;
            }
            if (drop) {
                for (auto& c : conns) {
                    ++resets;
                    resetConn(c);
                }
            }
            conns.remove_if([](const Conn& c) { return c.dead; });

            fds.clear();
            owners.clear();
            fds.push_back({wakeFd, POLLIN, 0});
            fds.push_back({listenFd, POLLIN, 0});
            std::optional<TimePoint> wakeAt = nextDeadline();
            auto wakeNoLaterThan = [&](TimePoint t) {
                if (!wakeAt || t < *wakeAt) {
                    wakeAt = t;
                }
            };
            for (auto& c : conns) {
                short clientEv = 0;
                short serverEv = 0;
                if (c.connecting) {
                    serverEv |= POLLOUT;
                } else {
                    if (canRead(c.up, v.upRate, linkFreeUp, now, v)) {
                        clientEv |= POLLIN;
                    }
                    if (canRead(c.down, v.downRate, linkFreeDown, now, v)) {
                        serverEv |= POLLIN;
                    }
                    if (!v.stalled) {
                        for (auto* pair : {&c.up, &c.down}) {
                            const bool isUp = pair == &c.up;
                            if (pair->queue.empty()) {
                                continue;
                            }
                            if (pair->queue.front().due <= now) {
                                (isUp ? serverEv : clientEv) |= POLLOUT;
                            } else {
                                wakeNoLaterThan(pair->queue.front().due);
                            }
                        }
                    }
                    // A direction held back only by its booking horizon needs a timed wake-up.
                    if (!v.stalled && !c.up.eof && v.upRate > 0 &&
                        linkFreeUp >= now + kBookingHorizon) {
                        wakeNoLaterThan(linkFreeUp - kBookingHorizon);
                    }
                    if (!v.stalled && !c.down.eof && v.downRate > 0 &&
                        linkFreeDown >= now + kBookingHorizon) {
                        wakeNoLaterThan(linkFreeDown - kBookingHorizon);
                    }
                }
                fds.push_back({c.client, clientEv, 0});
                owners.push_back(&c);
                fds.push_back({c.server, serverEv, 0});
                owners.push_back(&c);
            }
            int timeoutMs = -1;
            if (wakeAt) {
                const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*wakeAt - now);
                timeoutMs = static_cast<int>(std::max<std::int64_t>(0, wait.count()));
            }
            const int rc = poll(fds.data(), fds.size(), timeoutMs);
            if (rc < 0 && errno != EINTR) {
                break;
            }
            if (fds[0].revents & POLLIN) {
                std::uint64_t junk = 0;
                (void)!read(wakeFd, &junk, sizeof junk);
            }
            now = SteadyClock::now();
            v = snapshot(now);
            if (fds[1].revents & POLLIN) {
                acceptAll(v);
            }
            for (std::size_t i = 2; i < fds.size(); i += 2) {
                Conn& c = *owners[i - 2];
                if (c.dead) {
                    continue;
                }
                const short cre = fds[i].revents;
                const short sre = fds[i + 1].revents;
                if (c.connecting) {
                    if (sre & (POLLOUT | POLLERR | POLLHUP)) {
                        int err = 0;
                        socklen_t len = sizeof err;
                        (void)getsockopt(c.server, SOL_SOCKET, SO_ERROR, &err, &len);
                        if (err != 0) {
                            resetConn(c);
                            continue;
                        }
                        c.connecting = false;
                    }
                    continue;
                }
                if ((cre & POLLIN) ||
                    ((cre & (POLLHUP | POLLERR)) && !c.up.eof && (fds[i].events & POLLIN))) {
                    if (!readInto(c.client, c.up, v.upRate, linkFreeUp, now, v)) {
                        resetConn(c);
                        continue;
                    }
                }
                if ((sre & POLLIN) ||
                    ((sre & (POLLHUP | POLLERR)) && !c.down.eof && (fds[i + 1].events & POLLIN))) {
                    if (!readInto(c.server, c.down, v.downRate, linkFreeDown, now, v)) {
                        resetConn(c);
                        continue;
                    }
                }
                if ((cre & POLLERR) || (sre & POLLERR)) {
                    // An error with nothing left to read: the peer reset; pass it on.
                    int err = 0;
                    socklen_t len = sizeof err;
                    (void)getsockopt((cre & POLLERR) ? c.client : c.server, SOL_SOCKET, SO_ERROR,
                                     &err, &len);
                    if (err != 0) {
                        resetConn(c);
                        continue;
                    }
                }
                if (!v.stalled) {
                    if (!deliver(c, c.up, c.server, true, now)) {
                        continue;
                    }
                    if (!deliver(c, c.down, c.client, false, now)) {
                        continue;
                    }
                }
                if (c.up.shutdownSent && c.down.shutdownSent) {
                    closeConn(c);
                }
            }
        }
        for (auto& c : conns) {
            resetConn(c);
        }
        conns.clear();
    }
};

LinkEmulator::LinkEmulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LinkEmulator::~LinkEmulator() {
    impl_->running = false;
    impl_->wake();
    if (impl_->loop.joinable()) {
        impl_->loop.join();
    }
    (void)close(impl_->listenFd);
    (void)close(impl_->wakeFd);
}

Result<std::unique_ptr<LinkEmulator>> LinkEmulator::start(const std::string& listenHost,
                                                          std::uint16_t listenPort,
                                                          const std::string& upstreamHost,
                                                          std::uint16_t upstreamPort,
                                                          LinkShape shape) {
    auto listenAddr = makeAddress(listenHost, listenPort);
    if (!listenAddr) {
        return listenAddr.error();
    }
    auto upstreamAddr = makeAddress(upstreamHost, upstreamPort);
    if (!upstreamAddr) {
        return upstreamAddr.error();
    }
    auto impl = std::make_unique<Impl>();
    impl->upstream = *upstreamAddr;
    impl->shape = shape;
    impl->listenFd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (impl->listenFd < 0) {
        return makeError(Errc::ioError, std::string("socket: ") + std::strerror(errno));
    }
    const int one = 1;
    (void)setsockopt(impl->listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(impl->listenFd, reinterpret_cast<const sockaddr*>(&*listenAddr), sizeof *listenAddr) <
            0 ||
        listen(impl->listenFd, 128) < 0) {
        const std::string why = std::strerror(errno);
        (void)close(impl->listenFd);
        return makeError(Errc::ioError, "cannot listen on " + listenHost + ":" +
                                            std::to_string(listenPort) + ": " + why);
    }
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    (void)getsockname(impl->listenFd, reinterpret_cast<sockaddr*>(&bound), &len);
    impl->port = ntohs(bound.sin_port);
    impl->wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    setNonBlocking(impl->listenFd);
    Impl* raw = impl.get();
    impl->loop = std::thread([raw] { raw->run(); });
    return std::unique_ptr<LinkEmulator>(new LinkEmulator(std::move(impl)));
}

std::uint16_t LinkEmulator::port() const {
    return impl_->port;
}

void LinkEmulator::setShape(const LinkShape& shape) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->shape = shape;
    }
    impl_->wake();
}

LinkShape LinkEmulator::shape() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->shape;
}

void LinkEmulator::throttleFor(double bytesPerSecond, std::chrono::milliseconds duration) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->throttle = std::max(0.0, bytesPerSecond);
        impl_->throttleUntil.reset();
        if (bytesPerSecond > 0 && duration.count() > 0) {
            impl_->throttleUntil = SteadyClock::now() + duration;
        }
    }
    impl_->wake();
}

void LinkEmulator::armReset(std::uint64_t afterBytes, Direction direction, int connections) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->armed = Armed{afterBytes, direction, connections};
    }
    impl_->wake();
}

void LinkEmulator::stallFor(std::chrono::milliseconds duration) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stalled = duration.count() > 0;
        impl_->stallUntil.reset();
        if (impl_->stalled) {
            impl_->stallUntil = SteadyClock::now() + duration;
        }
    }
    impl_->wake();
}

void LinkEmulator::setStalled(bool stalled) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stalled = stalled;
        impl_->stallUntil.reset();
    }
    impl_->wake();
}

void LinkEmulator::downFor(std::chrono::milliseconds duration) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->down = duration.count() > 0;
        impl_->downUntil.reset();
        if (impl_->down) {
            impl_->downUntil = SteadyClock::now() + duration;
            impl_->dropAll = true;
        }
    }
    impl_->wake();
}

void LinkEmulator::setDown(bool down) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->down = down;
        impl_->downUntil.reset();
        impl_->dropAll = down;
    }
    impl_->wake();
}

LinkCounters LinkEmulator::counters() const {
    LinkCounters c;
    c.bytesUp = impl_->bytesUp;
    c.bytesDown = impl_->bytesDown;
    c.connections = impl_->connections;
    c.resets = impl_->resets;
    c.open = impl_->open;
    return c;
}

void LinkEmulator::resetCounters() {
    impl_->bytesUp = 0;
    impl_->bytesDown = 0;
    impl_->connections = 0;
    impl_->resets = 0;
}

}  // namespace lapor::linkemu
