// Hashes and encodings the protocol needs (SHA-1/SHA-256 over OpenSSL, hex, base64).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor::sandbox {

enum class DigestAlgorithm { sha1, sha256 };

// "sha1" / "sha256" as tus names them; nullopt for anything else.
[[nodiscard]] std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view name);

// An incremental digest.
class Digest {
  public:
    explicit Digest(DigestAlgorithm algorithm);
    ~Digest();
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;
    void update(std::string_view bytes);
    [[nodiscard]] std::string finish();  // raw digest bytes

  private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
};

[[nodiscard]] std::string toHex(std::string_view bytes);
[[nodiscard]] std::string base64Encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view text);
[[nodiscard]] std::string sha256Hex(std::string_view bytes);
[[nodiscard]] Result<std::string> sha256FileHex(const std::filesystem::path& path);

}  // namespace lapor::sandbox
