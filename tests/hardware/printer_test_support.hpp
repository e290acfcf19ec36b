// Test helpers for the printer and speech tests: temp dirs, zbarimg, a fake ESC/POS printer peer.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hardware/escpos.hpp"

namespace lapor::hw::test {

// A fresh directory under the build tree, removed at the end of the test.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = std::string(LAPOR_BINARY_DIR) + "/test-tmp-XXXXXX";
        char* made = ::mkdtemp(tmpl.data());
        if (made == nullptr) {
            std::abort();
        }
        path = made;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// What `zbarimg --raw -q` reads from an image ("" when nothing), trailing newline removed.
inline std::string zbarRead(const std::filesystem::path& image) {
    const std::string cmd = "zbarimg --raw -q '" + image.string() + "' 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return {};
    }
    std::string out;
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) {
        out += buf.data();
    }
    ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
        out.pop_back();
    }
    return out;
}

// Waits (bounded) for a condition another thread makes true.
inline bool waitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds bound = std::chrono::seconds(30)) {
    const auto end = std::chrono::steady_clock::now() + bound;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

// The printer end of a byte pipe (a TCP connection, a pty master): answers DLE EOT as a printer in
// `condition` would and keeps every other byte it receives.
class FakePrinterPeer {
  public:
    std::atomic<PrinterCondition> condition{PrinterCondition::ready};
    std::atomic<bool> nearEnd{false};
    std::atomic<bool> answerStatus{true};

    // Serves one already-open fd until stop().
    void serveFd(int fd) {
        thread_ = std::thread([this, fd] { loop([fd] { return fd; }, false); });
    }
    // Accepts connections on a listening socket, one after the other, until stop().
    void serveListener(int listenFd) {
        thread_ = std::thread([this, listenFd] { loop([listenFd] { return listenFd; }, true); });
    }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    ~FakePrinterPeer() { stop(); }

    // Job bytes received so far (status queries removed).
    std::vector<std::uint8_t> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }
    int statusQueries() const { return queries_.load(); }

  private:
    void loop(const std::function<int()>& source, bool listening) {
        int conn = listening ? -1 : source();
        while (!stop_) {
            if (listening && conn < 0) {
                pollfd p{source(), POLLIN, 0};
                if (::poll(&p, 1, 20) > 0) {
                    conn = ::accept(source(), nullptr, nullptr);
                }
                continue;
            }
            pollfd p{conn, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            std::array<std::uint8_t, 4096> buf{};
            const ssize_t n = ::read(conn, buf.data(), buf.size());
            if (n <= 0) {
                if (listening) {
                    ::close(conn);
                    conn = -1;
                }
                continue;
            }
            handle(conn, std::span(buf.data(), static_cast<std::size_t>(n)));
        }
        if (listening && conn >= 0) {
            ::close(conn);
        }
    }

    void handle(int conn, std::span<const std::uint8_t> bytes) {
        // A status query arrives alone: the printer waits for each answer before sending more.
        if (bytes.size() == 3 && bytes[0] == escpos::DLE && bytes[1] == escpos::EOT) {
            ++queries_;
            if (answerStatus) {
                const std::uint8_t reply = escpos::statusReply(bytes[2], condition, nearEnd);
                [[maybe_unused]] const ssize_t w = ::write(conn, &reply, 1);
            }
            return;
        }
        std::lock_guard lock(mutex_);
        received_.insert(received_.end(), bytes.begin(), bytes.end());
    }

    std::atomic<bool> stop_{false};
    std::atomic<int> queries_{0};
    mutable std::mutex mutex_;
    std::vector<std::uint8_t> received_;
    std::thread thread_;
};

}  // namespace lapor::hw::test
