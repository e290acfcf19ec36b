// Faults the sandbox plays on command (docs/protocol.md section 7): answer faults are queued here
// and taken by matching requests; link faults go straight to the front link emulator.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "sync/linkemu/link_emulator.hpp"

namespace lapor::sandbox {

enum class FaultKind {
    status,       // answer a fixed status with an error body
    stall,        // hold the request, then handle it
    slow,         // trickle the answer body
    malformed,    // handle, then truncate the answer body
    noHeader,     // handle, answer without Lapor-Protocol
    wrongHeader,  // handle, answer with another Lapor-Protocol value
    portal,       // do not handle: a captive portal's 200 login page
    reset,        // link: reset connections after N bytes
    throttle,     // link: cap the bandwidth
    linkStall,    // link: move no bytes for a while
    down,         // link: the network is gone
    expire,       // the upload the request names expires first (answers 404/410, text body)
};

struct Fault {
    FaultKind kind = FaultKind::status;
    int status = 503;
    int retryAfter = -1;  // seconds; -1: the default (1 for 429 and 503, none otherwise)
    std::string code;     // error code in the body; empty: derived from the status
    double seconds = 0;
    double bytesPerSecond = 0;
    std::string value = "2";  // wrong_header's value
    std::uint64_t afterBytes = 0;
    linkemu::Direction direction = linkemu::Direction::any;
    std::string method;  // empty: any
    std::string path;    // prefix; empty: any
    int count = 1;
};

[[nodiscard]] Result<Fault> parseFault(const nlohmann::json& j);
[[nodiscard]] nlohmann::json toJson(const Fault& f);
[[nodiscard]] bool isLinkFault(FaultKind kind);

class FaultBook {
  public:
    void add(const Fault& fault);
    void clear();
    [[nodiscard]] nlohmann::json list() const;
    // The first pending answer fault matching this request, its count taken down by one.
    [[nodiscard]] std::optional<Fault> take(const std::string& method, const std::string& path);

  private:
    mutable std::mutex mutex_;
    std::vector<Fault> pending_;
};

}  // namespace lapor::sandbox
