// The device's Ed25519 key pair (libsodium): made on the device at first boot, its secret half
// never leaves it; the public half goes to the national side at enrolment.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lapor::crypto {

inline constexpr std::size_t devicePublicKeyBytes = 32;
inline constexpr std::size_t deviceSecretKeyBytes = 64;
inline constexpr std::size_t deviceSignatureBytes = 64;

// Move-only; the secret half is wiped from memory when destroyed.
class DeviceKey {
  public:
    DeviceKey() = default;
    DeviceKey(const DeviceKey&) = delete;
    DeviceKey& operator=(const DeviceKey&) = delete;
    DeviceKey(DeviceKey&& other) noexcept;
    DeviceKey& operator=(DeviceKey&& other) noexcept;
    ~DeviceKey();

    [[nodiscard]] static DeviceKey generate();
    // From the 64 secret bytes libsodium writes (seed followed by the public key).
    [[nodiscard]] static Result<DeviceKey> fromSecret(std::span<const std::uint8_t> secret);

    [[nodiscard]] const std::array<std::uint8_t, devicePublicKeyBytes>& publicKey() const {
        return public_;
    }
    [[nodiscard]] std::string publicKeyHex() const;
    [[nodiscard]] std::span<const std::uint8_t> secret() const { return secret_; }
    // A detached signature of `message`.
    [[nodiscard]] std::array<std::uint8_t, deviceSignatureBytes> sign(
        std::span<const std::uint8_t> message) const;

  private:
    std::array<std::uint8_t, devicePublicKeyBytes> public_{};
    std::array<std::uint8_t, deviceSecretKeyBytes> secret_{};
};

// Loads the key pair from `path` (0600, 64 bytes) or, when `createIfMissing` and absent, makes one
// and writes it there durably. Refuses a file readable by group or others (Errc::permission).
[[nodiscard]] Result<DeviceKey> loadDeviceKey(const std::string& path, bool createIfMissing);

// Checks a detached signature against a public key (both as they travel: lowercase hex).
[[nodiscard]] bool verifySignatureHex(std::string_view publicKeyHex, std::string_view message,
                                      std::string_view signatureHex);

// Lowercase hex of bytes, and back (empty optional-like error on bad input).
[[nodiscard]] std::string toHex(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<std::string> fromHex(std::string_view hex);

// An enrolment code as both sides compare it: upper case, without spaces or dashes.
[[nodiscard]] std::string normaliseEnrolmentCode(std::string_view code);

// What the device signs to prove at enrolment that it holds the key it sends.
[[nodiscard]] std::string enrolmentMessage(std::string_view code, std::string_view deviceId);

}  // namespace lapor::crypto
