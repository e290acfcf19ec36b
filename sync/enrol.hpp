// Enrolment: the agent trades a one-time enrolment code and the device's public key for its
// device token (docs/protocol.md section 9), and keeps the token in a 0600 file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/device_key.hpp"
#include "core/result.hpp"
#include "sync/config.hpp"
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

// The device key's file: device.key_file, else device.key beside the store key.
[[nodiscard]] std::string deviceKeyPath(const Config& config);

// Where enrolling a device stopped, so that each caller can say it its own way (lapor-ctl's exit
// codes, the staff panel's plain words).
enum class EnrolStep : std::uint8_t {
    config,     // no [sync] section or no sync.token_file: nowhere to keep the token
    deviceKey,  // the device key is missing or unreadable (lapor-ctl init-secrets makes it)
    exchange,   // the server refused the code (Errc::rejected) or was not reached
    tokenFile,  // the token came back but could not be written
};

struct EnrolFailure {
    EnrolStep step = EnrolStep::exchange;
    Error error;  // never holds the code or the token
};

// The whole enrolment, shared by `lapor-ctl enroll CODE` and the kiosk's staff panel: reads the
// sync settings and the device key from `config`, trades `code` for the token, and writes the
// token file; nullopt once enrolled. `http` null: libcurl with the [sync] section's options.
// The agent picks the token up from its file (sync/syncd/main.cpp).
[[nodiscard]] std::optional<EnrolFailure> enrolDevice(const Config& config,
                                                      const std::string& deviceId,
                                                      std::string_view code,
                                                      HttpClient* http = nullptr);

}  // namespace lapor::sync
