// lapor-sandbox as a library: the reference server of docs/protocol.md, embeddable in tests.
// The API listens behind a link emulator (so link faults act on real sockets); the admin
// endpoints listen on their own port, directly, so that link faults never hit the test's controls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sync/linkemu/link_emulator.hpp"
#include "sync/sandbox/sandbox_store.hpp"

namespace lapor::sandbox {

struct SandboxOptions {
    std::filesystem::path dataDir;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;                  // the API; 0: ephemeral
    std::uint16_t adminPort = 0;             // 0: ephemeral
    std::vector<std::string> tokens;         // accepted device tokens; empty: any non-empty one
    std::vector<std::string> revokedTokens;  // answered 403
    double timeScale = 1;                    // sandbox seconds per real second
    std::filesystem::path catalogFile;       // empty: the sandbox's own catalog.json
    std::filesystem::path tlsCert;           // both set: the API speaks HTTPS
    std::filesystem::path tlsKey;
    bool open311TokenMode = false;
    int open311TokenPendingQueries = 1;
    bool fsync = false;
    // Only tokens given in `tokens` or minted by enrolment (POST /v1/enrolments) are accepted.
    bool requireEnrolment = false;
};

class Sandbox {
  public:
    [[nodiscard]] static Result<std::unique_ptr<Sandbox>> start(
        const SandboxOptions& options, const Clock& clock = SystemClock::instance());
    ~Sandbox();  // stops both listeners
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::uint16_t adminPort() const;
    [[nodiscard]] std::string baseUrl() const;   // "http://127.0.0.1:<port>" (https with TLS)
    [[nodiscard]] std::string adminUrl() const;  // always plain http
    // The front link: tests may shape it directly (bandwidth, latency) for benchmarks.
    [[nodiscard]] linkemu::LinkEmulator& link();
    [[nodiscard]] SandboxStore& store();

    struct Impl;

  private:
    explicit Sandbox(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor::sandbox
