// The sandbox's enrolment book: one-time codes it issues, and the device tokens it minted for
// them, each bound to the device's Ed25519 public key (docs/protocol.md section 9).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace lapor::sandbox {

class Enrolments {
  public:
    // Kept in `file` (JSON, rewritten durably on every change); tokens only as their SHA-256.
    [[nodiscard]] static Result<std::unique_ptr<Enrolments>> open(std::filesystem::path file);

    // A fresh code, "XXXX-XXXX-XXXX", valid for `ttlMs` from `nowMs`.
    [[nodiscard]] std::string issueCode(std::int64_t nowMs, std::int64_t ttlMs);

    struct Outcome {
        int status = 201;   // 201, or the refusal's HTTP status
        std::string error;  // the protocol error code when refused
        std::string message;
        std::string token;  // on success only
    };
    // Trades a code for a token: 404 unknown_code, 409 code_used, 410 code_expired,
    // 400 bad_signature / bad_request. A device enrolled again loses its old token.
    [[nodiscard]] Outcome enrol(const std::string& code, const std::string& deviceId,
                                const std::string& publicKeyHex, const std::string& signatureHex,
                                std::int64_t nowMs);

    // The device a token was minted for ("" when none).
    [[nodiscard]] std::string deviceFor(const std::string& token) const;
    [[nodiscard]] bool anyIssued() const;
    // Codes (with their state) and enrolled devices (with their keys), never tokens.
    [[nodiscard]] nlohmann::json describe(std::int64_t nowMs) const;

  private:
    struct Code {
        std::int64_t expiresMs = 0;
        std::string usedBy;  // device ID once used
    };
    struct Device {
        std::string deviceId;
        std::string publicKey;
        std::int64_t enrolledMs = 0;
    };
    void saveLocked() const;

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::map<std::string, Code> codes_;      // normalised code -> state
    std::map<std::string, Device> devices_;  // token SHA-256 -> device
};

}  // namespace lapor::sandbox
