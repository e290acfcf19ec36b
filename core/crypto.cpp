// libsodium behind the store's small crypto interface; the key file's life cycle.
#include "core/crypto.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/durable_file.hpp"

namespace lapor::crypto {

static_assert(sizeof(crypto_hash_sha256_state) <= 128);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == nonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == tagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == keyBytes);

namespace {

void ensureInit() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0)
            std::abort();  // no usable randomness: nothing safe can follow
    });
}

std::string sysError(std::string_view what, const std::string& path, int err) {
    return std::string(what) + " " + path + ": " + std::strerror(err);
}

Errc errcFromErrno(int err) {
    switch (err) {
        case ENOENT: return Errc::notFound;
        case EACCES:
        case EPERM: return Errc::permission;
        case ENOSPC:
        case EDQUOT: return Errc::diskFull;
        default: return Errc::ioError;
    }
}

// Reads exactly keyBytes from `path`, refusing a file others can read.
Result<Key> readKeyFile(const std::string& path, bool checkMode) {
    std::array<std::uint8_t, keyBytes> k{};
    if (Status s = readSecretFile(path, k, checkMode, "key file"); !s.ok())
        return s.error();
    Key key(k);
    sodium_memzero(k.data(), k.size());
    return key;
}

// Creates the key file the durable way (writeSecretFileOnce); a key another process created
// meanwhile wins.
Result<Key> createKeyFile(const std::string& path) {
    Key key = Key::generate();
    auto created = writeSecretFileOnce(path, std::span<const std::uint8_t>(key.data(), keyBytes));
    if (!created.ok())
        return created.error();
    if (!*created)
        return readKeyFile(path, true);
    return key;
}

}  // namespace

Status readSecretFile(const std::string& path, std::span<std::uint8_t> out, bool checkMode,
                      std::string_view what) {
    const std::string name(what);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(errcFromErrno(errno), sysError("cannot open " + name, path, errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        return makeError(Errc::ioError, sysError("cannot stat " + name, path, err));
    }
    if (checkMode && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return makeError(Errc::permission,
                         name + " " + path + " is accessible by group or others; chmod 600 it");
    }
    std::size_t got = 0;
    bool longer = false;
    while (got <= out.size()) {
        std::uint8_t extra = 0;
        std::uint8_t* into = got < out.size() ? out.data() + got : &extra;
        const std::size_t want = got < out.size() ? out.size() - got : 1;
        ssize_t n = ::read(fd, into, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got == out.size()) {
            longer = true;
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got != out.size() || longer) {
        sodium_memzero(out.data(), out.size());
        return makeError(Errc::corrupt, name + " " + path + " must hold exactly " +
                                            std::to_string(out.size()) + " bytes");
    }
    return {};
}

Result<bool> writeSecretFileOnce(const std::string& path, std::span<const std::uint8_t> bytes) {
    // link() instead of rename(): never replaces a secret another process created meanwhile.
    Status s =
        writeFileDurably(path, bytes, {.mode = 0600, .onlyIfAbsent = true, .createParent = true});
    if (!s) {
        if (s.error().code == Errc::busy)
            return false;
        return s.error();
    }
    return true;
}

Status init() {
    ensureInit();
    return {};
}

Key::Key(Key&& other) noexcept : bytes_(other.bytes_), set_(other.set_) {
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
    other.set_ = false;
}

Key& Key::operator=(Key&& other) noexcept {
    if (this != &other) {
        bytes_ = other.bytes_;
        set_ = other.set_;
        sodium_memzero(other.bytes_.data(), other.bytes_.size());
        other.set_ = false;
    }
    return *this;
}

Key::~Key() {
    sodium_memzero(bytes_.data(), bytes_.size());
}

Key Key::generate() {
    ensureInit();
    std::array<std::uint8_t, keyBytes> k{};
    crypto_aead_xchacha20poly1305_ietf_keygen(k.data());
    Key key(k);
    sodium_memzero(k.data(), k.size());
    return key;
}

Result<Key> loadKey(const KeySource& source) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    return loadKey(source, dir ? std::string_view(dir) : std::string_view());
}

Result<Key> loadKey(const KeySource& source, std::string_view credentialsDirectory) {
    ensureInit();
    if (!credentialsDirectory.empty() && !source.credentialName.empty()) {
        std::string cred = std::string(credentialsDirectory) + "/" + source.credentialName;
        if (::access(cred.c_str(), F_OK) == 0) {
            // systemd owns the credential's mode (0400, root or the service user).
            return readKeyFile(cred, false);
        }
    }
    if (source.keyFile.empty())
        return makeError(Errc::invalidInput, "no key file configured");
    auto existing = readKeyFile(source.keyFile, true);
    if (existing.ok() || existing.error().code != Errc::notFound || !source.createIfMissing) {
        return existing;
    }
    return createKeyFile(source.keyFile);
}

void sealInto(const Key& key, std::span<const std::uint8_t> plain, std::string_view associated,
              std::vector<std::uint8_t>& out) {
    out.resize(plain.size() + sealOverhead);
    sealTo(key, plain, associated, out);
}

void sealTo(const Key& key, std::span<const std::uint8_t> plain, std::string_view associated,
            std::span<std::uint8_t> out) {
    ensureInit();
    if (out.size() != plain.size() + sealOverhead)
        std::abort();  // programmer error
    randombytes_buf(out.data(), nonceBytes);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data() + nonceBytes, &clen, plain.data(), plain.size(),
        reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr,
        out.data(), key.data());
}

std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plain,
                               std::string_view associated) {
    std::vector<std::uint8_t> out;
    sealInto(key, plain, associated, out);
    return out;
}

Result<std::vector<std::uint8_t>> open(const Key& key, std::span<const std::uint8_t> sealed,
                                       std::string_view associated) {
    ensureInit();
    if (sealed.size() < sealOverhead)
        return makeError(Errc::corrupt, "sealed record too short");
    std::vector<std::uint8_t> plain(sealed.size() - sealOverhead);
    unsigned long long plen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain.data(), &plen, nullptr, sealed.data() + nonceBytes, sealed.size() - nonceBytes,
            reinterpret_cast<const unsigned char*>(associated.data()), associated.size(),
            sealed.data(), key.data()) != 0) {
        return makeError(Errc::corrupt, "authentication failed (wrong key, or record altered)");
    }
    plain.resize(plen);
    return plain;
}

namespace {
std::string toHex(const std::uint8_t* bytes, std::size_t n) {
    std::string hex(n * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, n);
    hex.pop_back();
    return hex;
}
}  // namespace

std::string sha256Hex(std::span<const std::uint8_t> bytes) {
    ensureInit();
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
    return toHex(digest.data(), digest.size());
}

Sha256::Sha256() {
    ensureInit();
    crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()));
}

void Sha256::update(std::span<const std::uint8_t> bytes) {
    crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()),
                              bytes.data(), bytes.size());
}

std::string Sha256::finishHex() {
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()),
                             digest.data());
    return toHex(digest.data(), digest.size());
}

void randomBytes(std::span<std::uint8_t> out) {
    ensureInit();
    randombytes_buf(out.data(), out.size());
}

std::string randomHex(std::size_t count) {
    std::vector<std::uint8_t> bytes(count);
    randomBytes(bytes);
    return toHex(bytes.data(), bytes.size());
}

}  // namespace lapor::crypto
