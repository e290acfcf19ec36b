// Enrolment: the agent trades a one-time enrolment code and the device's public key for its
// device token (docs/protocol.md section 9), and keeps the token in a 0600 file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/device_key.hpp"
#include "core/result.hpp"
#include "sync/http_client.hpp"

namespace lapor::sync {

struct EnrolRequest {
    std::string serverUrl;  // base URL, without a trailing slash
    std::string code;       // as the technician typed it (spaces and case do not matter)
    std::string deviceId;
    std::int64_t timeoutMs = 30'000;
};

// POST /v1/enrolments. The token comes back only from a well-formed answer carrying the protocol
// header; a refused code is Errc::rejected with the server's reason (never with the token).
[[nodiscard]] Result<std::string> enrol(HttpClient& http, const EnrolRequest& request,
                                        const crypto::DeviceKey& key);

// Writes the token durably (name.new, fsync, rename), mode 0600, owned by the owner of its
// directory (the lapor user on the appliance, whatever user runs the command).
[[nodiscard]] Status writeTokenFile(const std::string& path, std::string_view token);

}  // namespace lapor::sync
