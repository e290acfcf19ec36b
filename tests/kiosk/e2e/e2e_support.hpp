// What the end-to-end tests with lapor-sandbox and lapor-syncd beside the kiosk share: a child
// program stopped at the end, bounded waits, the kiosk's store opened from outside, and a sandbox
// started on ports the OS picks.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "core/store.hpp"

namespace lapor::testing::e2e {

namespace fs = std::filesystem;

// A program of the test's own, its output in `log`; stopped (SIGTERM) at the end.
struct Process {
    pid_t pid = -1;
    Process(const std::vector<std::string>& args, const fs::path& log) {
        pid = fork();
        if (pid == 0) {
            FILE* f = std::freopen(log.c_str(), "w", stdout);
            (void)f;
            dup2(1, 2);
            std::vector<char*> argv;
            for (const auto& a : args) {
                argv.push_back(const_cast<char*>(a.c_str()));
            }
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
    }
    ~Process() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
};

inline std::string readFile(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Waits (bounded) for `done`, polling.
inline bool waitFor(const std::function<bool()>& done, int seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a bounded wait
    }
    return true;
}

inline std::unique_ptr<Store> openStore(const fs::path& state, bool create) {
    crypto::KeySource ks;
    ks.keyFile = (state / "keys" / "store.key").string();
    ks.createIfMissing = create;
    fs::create_directories(state / "keys");
    auto key = crypto::loadKey(ks, "");
    REQUIRE(key.ok());
    StoreOptions o;
    o.path = (state / "store").string();
    o.key = std::move(key.value());
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    return std::move(store.value());
}

// lapor-sandbox on ports the OS picks, with `extra` arguments; its API and admin base URLs.
struct SandboxProcess {
    std::unique_ptr<Process> process;
    std::string api;
    std::string admin;
};
inline SandboxProcess startSandbox(const fs::path& sandboxBin, const fs::path& dir,
                                   std::vector<std::string> extra) {
    std::vector<std::string> args = {sandboxBin.string(),
                                     "--bind",
                                     "127.0.0.1",
                                     "--port",
                                     "0",
                                     "--admin-port",
                                     "0",
                                     "--data-dir",
                                     (dir / "data").string(),
                                     "--catalog",
                                     std::string(LAPOR_SOURCE_DIR) + "/data/catalog.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    SandboxProcess s;
    s.process = std::make_unique<Process>(args, dir / "sandbox.log");
    std::smatch ports;
    const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+) admin 127\.0\.0\.1:(\d+))");
    std::string log;
    REQUIRE(waitFor(
        [&] {
            log = readFile(dir / "sandbox.log");
            return std::regex_search(log, ports, listening);
        },
        30));
    s.api = "http://127.0.0.1:" + ports[1].str();
    s.admin = "http://127.0.0.1:" + ports[2].str();
    return s;
}

}  // namespace lapor::testing::e2e
