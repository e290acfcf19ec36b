// For the agent's integration tests and benchmarks: lapor-sandbox as a child process on an
// ephemeral loopback port, its admin API, a store filled with reports, and bounded waits.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../core/store_test_support.hpp"
#include "core/crypto.hpp"
#include "sync/http_client.hpp"

extern char** environ;

namespace lapor::testing {

inline const std::string kSandboxToken = "kiosk-test-token";

// Waits until `done` holds, checking often, for at most `limit`. True when it held.
inline bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling interval, not a wait
    }
    return true;
}

// A child process with its stdout on a pipe.
class ChildProcess {
  public:
    explicit ChildProcess(const std::vector<std::string>& argv, bool captureStdout = true) {
        int fds[2] = {-1, -1};
        if (captureStdout) {
            REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (captureStdout) {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        }
        std::vector<char*> args;
        for (const auto& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));
        }
        args.push_back(nullptr);
        // The test runner may have signals blocked; the child starts with a clean mask.
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
        REQUIRE(::posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ) == 0);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
        if (captureStdout) {
            ::close(fds[1]);
            out_ = fds[0];
        }
    }
    ~ChildProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) {
            ::close(out_);
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The first line the child prints, waiting at most `limit`.
    std::string readLine(std::chrono::milliseconds limit) {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return line;
            }
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return line;
            }
            char c = 0;
            if (::read(out_, &c, 1) != 1 || c == '\n') {
                return line;
            }
            line.push_back(c);
        }
    }
    void signal(int sig) { ::kill(pid_, sig); }
    // Waits for the child to end (at most `limit`); its exit status, or -1 on timeout or signal.
    int wait(std::chrono::milliseconds limit) {
        int status = 0;
        const bool ended = waitUntil(
            [&] {
                const pid_t r = ::waitpid(pid_, &status, WNOHANG);
                return r == pid_;
            },
            limit);
        if (!ended) {
            return -1;
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    [[nodiscard]] pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    int out_ = -1;
};

// lapor-sandbox on 127.0.0.1 with an ephemeral port; admin calls through libcurl.
class SandboxProcess {
  public:
    explicit SandboxProcess(const std::string& dataDir, std::vector<std::string> extra = {})
        : admin_(sync::HttpOptions{}) {
        std::vector<std::string> argv{std::string(LAPOR_BINARY_DIR) + "/sync/sandbox/lapor-sandbox",
                                      "--data-dir",
                                      dataDir,
                                      "--port",
                                      "0",
                                      "--token",
                                      kSandboxToken};
        argv.insert(argv.end(), extra.begin(), extra.end());
        child_ = std::make_unique<ChildProcess>(argv);
        const std::string line = child_->readLine(std::chrono::seconds(20));
        // "lapor-sandbox listening on 127.0.0.1:<port> admin 127.0.0.1:<port>"
        const auto first = line.find("127.0.0.1:");
        const auto second = line.find("127.0.0.1:", first + 1);
        REQUIRE_MESSAGE(second != std::string::npos, "sandbox said: " << line);
        port_ = std::stoi(line.substr(first + 10));
        adminPort_ = std::stoi(line.substr(second + 10));
        if (const auto cert = line.find(" cert "); cert != std::string::npos) {
            certFile_ = line.substr(cert + 6);  // --tls-self-signed: the API speaks HTTPS
        }
    }
    [[nodiscard]] std::string url() const {
        return (certFile_.empty() ? "http://" : "https://") + std::string("127.0.0.1:") +
               std::to_string(port_);
    }
    // The self-signed certificate (also its own CA), when started with --tls-self-signed.
    [[nodiscard]] const std::string& certFile() const { return certFile_; }
    [[nodiscard]] int port() const { return port_; }

    nlohmann::json admin(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr) {
        sync::HttpRequest req;
        req.method = method;
        req.url = "http://127.0.0.1:" + std::to_string(adminPort_) + path;
        if (!body.is_null()) {
            req.body = body.dump();
            req.headers = {{"Content-Type", "application/json"}};
        }
        req.timeoutMs = 10'000;
        req.maxBodyBytes = 256u << 20;  // stats of large runs; the agent's caps are not tested here
        auto res = admin_.send(req);
        REQUIRE_MESSAGE(res.ok(),
                        "admin " << path << ": " << (res.ok() ? "" : res.error().message));
        REQUIRE_MESSAGE(res->status < 300,
                        "admin " << path << ": HTTP " << res->status << " " << res->body);
        return nlohmann::json::parse(res->body, nullptr, false);
    }
    nlohmann::json stats() { return admin("GET", "/admin/stats"); }
    void fault(const nlohmann::json& f) { (void)admin("POST", "/admin/faults", f); }
    void stop() {
        child_->signal(SIGTERM);
        CHECK(child_->wait(std::chrono::seconds(10)) == 0);
    }

  private:
    std::unique_ptr<ChildProcess> child_;
    sync::CurlHttpClient admin_;
    int port_ = 0;
    int adminPort_ = 0;
    std::string certFile_;
};

// The configuration of a lapor-syncd child whose store and key live in `dir` ("store",
// "keys/store.key") and whose server is `sandbox`; `syncExtra` is appended to its [sync] section.
inline void writeSyncdConfig(const std::string& path, const TempDir& dir,
                             const std::string& serverUrl, const std::string& syncExtra = {}) {
    std::ofstream(path) << "[store]\npath = \"" << dir.sub("store") << "\"\n"
                        << "key_file = \"" << dir.sub("keys/store.key") << "\"\n"
                        << "[sync]\nserver_url = \"" << serverUrl << "\"\n"
                        << "token = \"" << kSandboxToken << "\"\n"
                        << syncExtra;
}
inline void writeSyncdConfig(const std::string& path, const TempDir& dir,
                             const SandboxProcess& sandbox, const std::string& syncExtra = {}) {
    writeSyncdConfig(path, dir, sandbox.url(), syncExtra);
}

// The store of that configuration, opened by the test beside the child (the key is created on
// first use, as the daemon would).
inline std::unique_ptr<Store> openSyncdStore(const TempDir& dir) {
    auto key = crypto::loadKey(crypto::KeySource{dir.sub("keys/store.key"), "x", true}, "");
    REQUIRE(key.ok());
    StoreOptions o;
    o.path = dir.sub("store");
    o.key = std::move(*key);
    o.mapSize = 64ull << 20;
    auto s = Store::open(std::move(o));
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
    return std::move(*s);
}

// A report the sandbox accepts (its catalog has this agency and topic).
inline Report sandboxReport(std::uint64_t n, std::uint32_t salt) {
    Report r = sampleReport(n, salt);
    r.agencyId = "kemen-pupr";
    r.topicId = "jalan-rusak";
    r.createdAtMs = 1'767'225'600'000 + static_cast<std::int64_t>(n) * 1000;  // 2026-01-01
    r.incidentDate = Date{2025, 12, 30};
    r.anonymous = n % 5 == 0;
    if (r.anonymous) {
        r.identity = Identity{};
    }
    return r;
}

// Fills the store with `count` reports of `photos` photos of `photoBytes` each.
inline std::vector<std::string> fillStore(Store& store, int count, int photos,
                                          std::size_t photoBytes, std::uint32_t salt) {
    std::vector<std::string> uuids;
    for (int i = 0; i < count; ++i) {
        Report r = sandboxReport(static_cast<std::uint64_t>(i + 1), salt);
        std::vector<Photo> ps;
        for (int k = 0; k < photos; ++k) {
            ps.push_back(samplePhoto(photoBytes + static_cast<std::size_t>(k),
                                     static_cast<std::uint32_t>(salt * 1000 + i * 10 + k)));
        }
        REQUIRE(store.saveReport(r, ps).ok());
        uuids.push_back(r.uuid);
    }
    return uuids;
}

// Every report delivered exactly once, every photo complete with the stored hash, nothing sent
// twice; tracking IDs in the store match the server's.
inline void checkExactlyOnce(Store& store, SandboxProcess& sandbox,
                             const std::vector<std::string>& uuids) {
    auto stats = sandbox.stats();
    CHECK(stats["reports"] == uuids.size());
    for (const auto& uuid : uuids) {
        auto e = store.outboxEntry(uuid);
        REQUIRE(e.ok());
        CHECK_MESSAGE(isDelivered(e->state), uuid << " is " << outboxStateName(e->state));
        const auto& acc = stats["acceptances"][uuid];
        CHECK_MESSAGE(acc["created"] == 1, uuid);
        CHECK(acc["tracking_id"] == e->trackingId);
        auto photos = store.listPhotos(uuid);
        REQUIRE(photos.ok());
        for (const auto& p : *photos) {
            bool found = false;
            for (const auto& u : stats["uploads_detail"]) {
                if (u["report_uuid"] == uuid && u["photo_index"] == p.index) {
                    found = true;
                    CHECK(u["complete"] == true);
                    CHECK(u["sha256"] == p.sha256Hex);
                    CHECK(u["length"] == p.size);
                }
            }
            CHECK_MESSAGE(found, uuid << " photo " << p.index);
        }
    }
}

}  // namespace lapor::testing
