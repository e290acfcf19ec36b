// Digests over OpenSSL's EVP interface; base64 over EVP_EncodeBlock/DecodeBlock.
#include "sync/sandbox/digest.hpp"

#include <openssl/evp.h>

#include <fstream>

namespace lapor::sandbox {

std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view name) {
    if (name == "sha1") {
        return DigestAlgorithm::sha1;
    }
    if (name == "sha256") {
        return DigestAlgorithm::sha256;
    }
    return std::nullopt;
}

struct Digest::Ctx {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(md); }
};

Digest::Digest(DigestAlgorithm algorithm) : ctx_(std::make_unique<Ctx>()) {
    const EVP_MD* md = algorithm == DigestAlgorithm::sha1 ? EVP_sha1() : EVP_sha256();
    if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, md, nullptr) != 1) {
        throw std::runtime_error("EVP_DigestInit_ex failed");  // out of memory: a programmer's
                                                               // problem, not the peer's
    }
}

Digest::~Digest() = default;

void Digest::update(std::string_view bytes) {
    (void)EVP_DigestUpdate(ctx_->md, bytes.data(), bytes.size());
}

std::string Digest::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    (void)EVP_DigestFinal_ex(ctx_->md, out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string toHex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xf]);
    }
    return out;
}

std::string base64Encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out(3 * text.size() / 4, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts padding as zero bytes: take them off again.
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && len > 0; --i) {
        --len;
    }
    out.resize(len);
    return out;
}

std::string sha256Hex(std::string_view bytes) {
    Digest d(DigestAlgorithm::sha256);
    d.update(bytes);
    return toHex(d.finish());
}

Result<std::string> sha256FileHex(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(Errc::ioError, "cannot read " + path.string());
    }
    Digest d(DigestAlgorithm::sha256);
    std::string buf(64 * 1024, '\0');
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        d.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    return toHex(d.finish());
}

}  // namespace lapor::sandbox
