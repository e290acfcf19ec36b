// At-rest encryption for the store: XChaCha20-Poly1305 AEAD, SHA-256, and the device key's file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor::crypto {

inline constexpr std::size_t keyBytes = 32;
inline constexpr std::size_t nonceBytes = 24;  // XChaCha20: random nonces are safe at this size
inline constexpr std::size_t tagBytes = 16;
// A sealed record is nonce || ciphertext || tag: this many bytes longer than its plaintext.
inline constexpr std::size_t sealOverhead = nonceBytes + tagBytes;

// Initializes libsodium once per process; every function below calls it, so callers need not.
[[nodiscard]] Status init();

// The store key. Move-only; wiped from memory when destroyed.
class Key {
  public:
    Key() = default;
    explicit Key(const std::array<std::uint8_t, keyBytes>& bytes) : bytes_(bytes), set_(true) {}
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    Key(Key&& other) noexcept;
    Key& operator=(Key&& other) noexcept;
    ~Key();

    // A fresh random key.
    [[nodiscard]] static Key generate();
    [[nodiscard]] bool valid() const noexcept { return set_; }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
    // A copy (the store and the tools each keep their own).
    [[nodiscard]] Key clone() const { return set_ ? Key(bytes_) : Key(); }

  private:
    std::array<std::uint8_t, keyBytes> bytes_{};
    bool set_ = false;
};

// Where the key comes from. With systemd's LoadCredential=, $CREDENTIALS_DIRECTORY/<credentialName>
// wins; otherwise `keyFile`, created (0600, 32 random bytes) when `createIfMissing` and absent.
struct KeySource {
    std::string keyFile;                             // e.g. /var/lib/lapor/keys/store.key
    std::string credentialName = "lapor-store-key";  // name under $CREDENTIALS_DIRECTORY
    bool createIfMissing = true;
};

// Loads (or creates on first start) the key. Refuses a key file readable by group or others
// (Errc::permission) and one of the wrong size (Errc::corrupt).
[[nodiscard]] Result<Key> loadKey(const KeySource& source);
// The same with an explicit credentials directory (empty: ignore credentials); for tests.
[[nodiscard]] Result<Key> loadKey(const KeySource& source, std::string_view credentialsDirectory);

// Reads exactly out.size() bytes of a secret file (`what` names it in errors). Errc::permission
// when `checkMode` and group or others may access it; Errc::corrupt when its size differs.
[[nodiscard]] Status readSecretFile(const std::string& path, std::span<std::uint8_t> out,
                                    bool checkMode, std::string_view what);
// Writes a secret file the durable way: name.new (0600 whatever the umask), fsync, link to `path`,
// fsync the directory (created when missing). Never replaces an existing file: false then.
[[nodiscard]] Result<bool> writeSecretFileOnce(const std::string& path,
                                               std::span<const std::uint8_t> bytes);

// Encrypts `plain` with a fresh random nonce. `associated` is authenticated but not stored: use it
// to bind the record to its place (e.g. "identity:<uuid>") so that records cannot be swapped.
[[nodiscard]] std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plain,
                                             std::string_view associated);
// Same, writing into `out` (resized to plain.size() + sealOverhead); no allocation when it fits.
void sealInto(const Key& key, std::span<const std::uint8_t> plain, std::string_view associated,
              std::vector<std::uint8_t>& out);
// Same, into exactly plain.size() + sealOverhead bytes the caller provides (e.g. LMDB's
// MDB_RESERVE).
void sealTo(const Key& key, std::span<const std::uint8_t> plain, std::string_view associated,
            std::span<std::uint8_t> out);
// Decrypts and authenticates. Errc::corrupt when the record, its tag or its association is wrong.
[[nodiscard]] Result<std::vector<std::uint8_t>> open(const Key& key,
                                                     std::span<const std::uint8_t> sealed,
                                                     std::string_view associated);

// Lowercase hex SHA-256 (crypto_hash_sha256).
[[nodiscard]] std::string sha256Hex(std::span<const std::uint8_t> bytes);

// Incremental SHA-256, for photos read chunk by chunk.
class Sha256 {
  public:
    Sha256();
    void update(std::span<const std::uint8_t> bytes);
    [[nodiscard]] std::string finishHex();

  private:
    alignas(16) std::array<std::uint8_t, 128> state_{};  // crypto_hash_sha256_state, opaque here
};

// Fills `out` with random bytes (randombytes_buf).
void randomBytes(std::span<std::uint8_t> out);
// `count` random bytes as lowercase hex.
[[nodiscard]] std::string randomHex(std::size_t count);

}  // namespace lapor::crypto
