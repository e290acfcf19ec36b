// The device's Ed25519 key pair: generation, the durable 0600 file, signatures (libsodium).
#include "core/device_key.hpp"

#include <sodium.h>

#include <cctype>
#include <cstring>

#include "core/crypto.hpp"

namespace lapor::crypto {

DeviceKey::DeviceKey(DeviceKey&& other) noexcept : public_(other.public_), secret_(other.secret_) {
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

DeviceKey& DeviceKey::operator=(DeviceKey&& other) noexcept {
    if (this != &other) {
        public_ = other.public_;
        secret_ = other.secret_;
        sodium_memzero(other.secret_.data(), other.secret_.size());
    }
    return *this;
}

DeviceKey::~DeviceKey() {
    sodium_memzero(secret_.data(), secret_.size());
}

DeviceKey DeviceKey::generate() {
    (void)init();
    DeviceKey k;
    crypto_sign_keypair(k.public_.data(), k.secret_.data());
    return k;
}

Result<DeviceKey> DeviceKey::fromSecret(std::span<const std::uint8_t> secret) {
    (void)init();
    if (secret.size() != deviceSecretKeyBytes)
        return makeError(Errc::corrupt, "a device key holds exactly 64 bytes");
    DeviceKey k;
    std::memcpy(k.secret_.data(), secret.data(), deviceSecretKeyBytes);
    // The secret's second half is the public key of its first (the seed): a mismatch is a
    // damaged file.
    std::array<std::uint8_t, deviceSecretKeyBytes> derived{};
    crypto_sign_seed_keypair(k.public_.data(), derived.data(), k.secret_.data());
    sodium_memzero(derived.data(), derived.size());
    if (sodium_memcmp(k.public_.data(), k.secret_.data() + 32, devicePublicKeyBytes) != 0)
        return makeError(Errc::corrupt, "device key is damaged (its halves do not match)");
    return k;
}

std::string DeviceKey::publicKeyHex() const {
    return toHex(public_);
}

std::array<std::uint8_t, deviceSignatureBytes> DeviceKey::sign(
    std::span<const std::uint8_t> message) const {
    std::array<std::uint8_t, deviceSignatureBytes> sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
    return sig;
}

namespace {

Result<DeviceKey> readDeviceKeyFile(const std::string& path) {
    std::array<std::uint8_t, deviceSecretKeyBytes> buf{};
    if (Status s = readSecretFile(path, buf, true, "device key"); !s.ok())
        return s.error();
    auto key = DeviceKey::fromSecret(buf);
    sodium_memzero(buf.data(), buf.size());
    if (!key.ok())
        return makeError(Errc::corrupt, path + ": " + key.error().message);
    return key;
}

}  // namespace

Result<DeviceKey> loadDeviceKey(const std::string& path, bool createIfMissing) {
    auto existing = readDeviceKeyFile(path);
    if (existing.ok() || existing.error().code != Errc::notFound || !createIfMissing)
        return existing;
    DeviceKey fresh = DeviceKey::generate();
    auto created = writeSecretFileOnce(path, fresh.secret());
    if (!created.ok())
        return created.error();
    if (!*created)
        return readDeviceKeyFile(path);  // another process made one meanwhile: that one counts
    return fresh;
}

bool verifySignatureHex(std::string_view publicKeyHex, std::string_view message,
                        std::string_view signatureHex) {
    (void)init();
    auto pub = fromHex(publicKeyHex);
    auto sig = fromHex(signatureHex);
    if (!pub.ok() || !sig.ok() || pub->size() != devicePublicKeyBytes ||
        sig->size() != deviceSignatureBytes)
        return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(),
                                       reinterpret_cast<const unsigned char*>(pub->data())) == 0;
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
    out.pop_back();
    return out;
}

Result<std::string> fromHex(std::string_view hex) {
    std::string out(hex.size() / 2, '\0');
    std::size_t len = 0;
    if (hex.size() % 2 != 0 ||
        sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                       hex.size(), nullptr, &len, nullptr) != 0 ||
        len != out.size())
        return makeError(Errc::invalidInput, "not a hex string");
    return out;
}

std::string normaliseEnrolmentCode(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        }
    }
    return out;
}

std::string enrolmentMessage(std::string_view code, std::string_view deviceId) {
    return "lapor-enrol-v1\n" + std::string(code) + "\n" + std::string(deviceId);
}

}  // namespace lapor::crypto
