// Plain-socket helpers for the link emulator's tests and benchmarks: connect, send and receive
// whole buffers, and a small upstream server (echo, or sink that reports what it swallowed).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace lapor::linkemu::test {

inline void must(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("socket setup failed: ") + what);
    }
}

inline int connectTo(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    must(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "connect");
    return fd;
}

inline bool sendAll(int fd, const std::string& bytes) {
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
inline std::string recvUpTo(int fd, std::size_t n, int* error = nullptr) {
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

inline bool readableWithin(int fd, int ms) {
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
        must(bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "bind");
        must(::listen(listen_, 16) == 0, "listen");
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

}  // namespace lapor::linkemu::test
