// A tus 1.0 client (core, creation, and checksum when the server lists it): resumable photo uploads
// that never resend what the server already holds.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sync/exchange.hpp"
#include "sync/http_client.hpp"

namespace lapor::sync {

// Random access to the bytes being uploaded (a photo in the store, or memory in tests).
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    [[nodiscard]] virtual std::uint64_t size() const = 0;
    // Copies up to `len` bytes from `offset`; returns how many (0 only at the end).
    [[nodiscard]] virtual Result<std::size_t> read(std::uint64_t offset, char* buf,
                                                   std::size_t len) = 0;
};

class MemoryByteSource final : public ByteSource {
  public:
    explicit MemoryByteSource(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
    [[nodiscard]] std::uint64_t size() const override { return bytes_.size(); }
    [[nodiscard]] Result<std::size_t> read(std::uint64_t offset, char* buf,
                                           std::size_t len) override;

  private:
    std::vector<std::uint8_t> bytes_;
};

// What the server said in answer to OPTIONS.
struct TusServerInfo {
    std::vector<std::string> extensions;
    std::string checksumAlgorithm;  // "sha256" or "sha1" when offered; empty: no checksums
    std::uint64_t maxSize = 0;      // 0: no limit given
};

struct TusOptions {
    std::string endpoint;  // creation URL, e.g. https://host/v1/uploads
    Headers headers;       // added to every request (authorisation)
    ProtocolGuard guard;   // answers without it are "not the server"
    std::size_t maxChunk = 1 << 20;
    std::size_t minChunk = 16 << 10;
    // Largest PATCH while per-chunk checksums are in use: a checksummed chunk cut by a broken
    // connection is lost whole, so it is kept small until the link has shown it holds.
    std::size_t checksumChunk = 64 << 10;
    std::int64_t requestTimeoutMs = 60'000;  // for OPTIONS, POST, HEAD (PATCH uses stall limits)
    int immediateResumes = 64;   // reconnects within one upload() while each PATCH makes progress
    std::int64_t nowWallMs = 0;  // for Retry-After dates; 0: the system clock
};

class TusClient {
  public:
    TusClient(HttpClient& http, TusOptions options);

    [[nodiscard]] Result<TusServerInfo> discover(ExchangeNote& note);
    // Creates an upload of `length` bytes; returns its absolute URL.
    [[nodiscard]] Result<std::string> create(std::uint64_t length, const Headers& metadata,
                                             ExchangeNote& note);
    // The server's offset for an upload; Errc::notFound when the server no longer has it.
    [[nodiscard]] Result<std::uint64_t> offset(const std::string& url, ExchangeNote& note);

    // Uploads all of `source`. `knownUrl` is an upload made earlier for these bytes (empty: none);
    // `onCreated` is called with a new upload's URL before any byte is sent so the caller can
    // remember it across restarts. Returns the upload URL once the server holds every byte.
    [[nodiscard]] Result<std::string> upload(
        ByteSource& source, const std::string& knownUrl, const Headers& metadata,
        const std::function<Status(const std::string&)>& onCreated, ExchangeNote& note);

    [[nodiscard]] std::size_t currentChunk() const { return chunk_.load(); }
    // Bytes of PATCH bodies acknowledged by the server; for benchmarks.
    [[nodiscard]] std::uint64_t acknowledgedBytes() const { return acked_.load(); }

  private:
    // sendGuarded with this client's HTTP client, guard and wall clock.
    Result<HttpResponse> send(const HttpRequest& req, std::string_view what,
                              std::initializer_list<long> expected, ExchangeNote& note);
    Result<std::uint64_t> patch(const std::string& url, ByteSource& source, std::uint64_t at,
                                std::size_t len, ExchangeNote& note);
    Headers baseHeaders() const;
    std::string checksumAlgorithm();
    void grow();
    void shrink();

    HttpClient& http_;
    TusOptions options_;
    std::mutex infoMutex_;
    std::optional<TusServerInfo> info_;  // guarded by infoMutex_; set once
    std::atomic<std::size_t> chunk_;
    std::mutex chunkMutex_;
    std::size_t ceiling_;
    int successes_ = 0;
    std::atomic<std::uint64_t> acked_{0};
    // Set once a checksummed PATCH broke mid-way: the server keeps nothing of such a chunk, so on
    // this link plain PATCHes (partial bytes kept) go further; the server still checks the whole
    // photo's SHA-256 when the upload completes (docs/protocol.md 2.4).
    std::atomic<bool> plainPatches_{false};
};

// Base64 (standard alphabet, padded), for tus metadata and checksums.
[[nodiscard]] std::string base64(std::string_view bytes);
// Resolves `ref` (absolute, or relative such as "/files/abc") against `base`.
[[nodiscard]] std::string resolveUrl(const std::string& base, const std::string& ref);

}  // namespace lapor::sync
