// A tus 1.0 client (core, creation, and checksum when the server lists it): resumable photo uploads
// that never resend what the server already holds, and that keep what they learned about the link
// and each upload across restarts of the agent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
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

// What is known of one upload, for its owner to keep across restarts (the agent: in the store).
// The client hands it over before each PATCH, so after a crash the next run knows a PATCH of
// `sending` bytes was under way and, from the server's offset, whether it held.
struct TusUploadState {
    std::string url;            // empty: no upload made yet (or the server lost it)
    std::uint64_t offset = 0;   // bytes the server had acknowledged
    std::uint64_t sending = 0;  // bytes of a PATCH from `offset` sent and not yet answered
    bool checksummed = false;   // that PATCH carried Upload-Checksum
    std::uint64_t length = 0;   // the upload's size; offset == length: complete
    [[nodiscard]] bool complete() const { return !url.empty() && length != 0 && offset == length; }
};

// What a TusClient learned about the link and the server, kept by its owner across restarts.
struct TusLinkState {
    std::string endpoint;                 // the creation URL it was learned for
    std::size_t chunk = 0;                // PATCH size now (0: nothing learned)
    std::size_t ceiling = 0;              // the largest size since the last that failed
    bool plainPatches = false;            // checksummed PATCHes were cut on this link
    std::optional<TusServerInfo> server;  // the last OPTIONS answer
    std::int64_t serverAtMs = 0;          // when it came (wall clock)
};

// Where a TusClient keeps its TusLinkState (the agent: in the store, sync/upload_state.hpp).
class TusMemory {
  public:
    virtual ~TusMemory() = default;
    [[nodiscard]] virtual std::optional<TusLinkState> load() = 0;
    virtual void save(const TusLinkState& state) = 0;
};

// For tests: the state in memory.
class MemoryTusMemory final : public TusMemory {
  public:
    [[nodiscard]] std::optional<TusLinkState> load() override;
    void save(const TusLinkState& state) override;
    [[nodiscard]] int saves() const;

  private:
    mutable std::mutex mutex_;
    std::optional<TusLinkState> state_;
    int saves_ = 0;
};

struct TusOptions {
    std::string endpoint;  // creation URL, e.g. https://host/v1/uploads
    Headers headers;       // added to every request (authorisation)
    ProtocolGuard guard;   // answers without it are "not the server"
    std::size_t maxChunk = 1 << 20;
    std::size_t minChunk = 16 << 10;
    // The first PATCH's size before anything is learned (0: maxChunk). Small, it grows with each
    // quick PATCH: a slow link never has a large one under way when the agent is killed.
    std::size_t startChunk = 0;
    // Largest PATCH while per-chunk checksums are in use: a checksummed chunk cut by a broken
    // connection is lost whole, so it is kept small until the link has shown it holds.
    std::size_t checksumChunk = 64 << 10;
    // An item at least this large (a video clip; 0: none) goes out in plain PATCHes of at least
    // largeChunk (within maxChunk) from its first byte: the small checksummed start costs a round
    // trip per chunk (about 1 s of a 1.3 MB clip's 14 s at 1 Mbit/s, 100 ms), and a cut plain
    // PATCH keeps what arrived, so a large one loses nothing more when the link or the agent
    // dies (settle() waits for the rest after a restart). Photos keep the small checksummed start.
    // Once a PATCH was slow (see patchTargetMs), clips follow the learned chunk size as well.
    std::uint64_t largeItem = 1 << 20;
    std::size_t largeChunk = 512 << 10;
    // A PATCH should take about this long: one over three times as long halves the chunk (a cut
    // on a slow link then costs less, and a short run finishes its PATCH), one within it lets the
    // chunk grow.
    std::int64_t patchTargetMs = 2'000;
    std::int64_t requestTimeoutMs = 60'000;  // for OPTIONS, POST, HEAD (PATCH uses stall limits)
    int immediateResumes = 64;  // reconnects within one upload() while each PATCH makes progress
    // An OPTIONS answer remembered in `memory` is used instead of asking again for this long
    // (protocol 2.1: the client may skip OPTIONS); each start of the agent would cost a round trip.
    std::int64_t serverInfoMaxAgeMs = 6 * 3600'000;
    // At a start, an earlier run's last PATCH may still be arriving (settle()): the offset is
    // asked every settlePollMs until it is all there, or has not moved for settleQuietMs, or
    // settleLimitMs have passed.
    std::int64_t settlePollMs = 200;
    std::int64_t settleQuietMs = 1'000;
    std::int64_t settleLimitMs = 30'000;
    // Waits `ms` of the client's clock between those HEADs; empty: the calling thread sleeps
    // (right for the system clock; a test with a FakeClock passes one that advances it). A stop
    // in the meantime makes the next request fail at once, so the wait stays short.
    std::function<void(std::int64_t ms)> sleep;
    TusMemory* memory = nullptr;  // nullptr: nothing kept across restarts
};

class TusClient {
  public:
    // Starts from what `options.memory` holds for this endpoint. `clock` (PATCH durations,
    // Retry-After dates, the age of a remembered OPTIONS answer) must outlive the client.
    TusClient(HttpClient& http, const Clock& clock, TusOptions options);

    // Keeps what is learned in `memory` from now on, starting from what it holds; call before
    // the first upload.
    void setMemory(TusMemory* memory);

    [[nodiscard]] Result<TusServerInfo> discover(ExchangeNote& note);
    // Creates an upload of `length` bytes; returns its absolute URL.
    [[nodiscard]] Result<std::string> create(std::uint64_t length, const Headers& metadata,
                                             ExchangeNote& note);
    // The server's offset for an upload; Errc::notFound when the server no longer has it.
    [[nodiscard]] Result<std::uint64_t> offset(const std::string& url, ExchangeNote& note);

    using Progress = std::function<Status(const TusUploadState&)>;
    // Uploads all of `source`, resuming `known` (an upload made earlier for these bytes, as last
    // handed to `onProgress`; empty url: none). `onProgress` gets the upload's state before each
    // PATCH (so a new upload's URL before any byte goes out) and when the server lost the upload;
    // an error from it ends the upload. Returns the upload URL once the server holds every byte.
    [[nodiscard]] Result<std::string> upload(ByteSource& source, const TusUploadState& known,
                                             const Headers& metadata, const Progress& onProgress,
                                             ExchangeNote& note);

    [[nodiscard]] std::size_t currentChunk() const { return chunk_.load(); }
    [[nodiscard]] bool plainPatches() const { return plainPatches_.load(); }
    // Bytes of PATCH bodies acknowledged by the server; for benchmarks.
    [[nodiscard]] std::uint64_t acknowledgedBytes() const { return acked_.load(); }

  private:
    // sendGuarded with this client's HTTP client, guard and wall clock.
    Result<HttpResponse> send(const HttpRequest& req, std::string_view what,
                              std::initializer_list<long> expected, ExchangeNote& note);
    Result<std::uint64_t> patch(const std::string& url, ByteSource& source, std::uint64_t at,
                                std::size_t len, const std::string& algorithm, ExchangeNote& note);
    Headers baseHeaders() const;
    std::string checksumAlgorithm();
    void forgetServerInfo();
    // Learning from PATCHes: one that held (and how long it took), one that broke (`sizeKept`:
    // cut with the connection right after one that delivered, so not for its size).
    void held(std::size_t len, std::int64_t elapsedMs);
    void broke(bool checksummed, bool sizeKept);
    void grow();
    void shrink();
    // What the server's offset says of a PATCH an earlier run left under way.
    void learnFromEarlierRun(const TusUploadState& known, std::uint64_t serverOffset);
    void pause(std::int64_t ms);
    // The server's offset once an earlier run's PATCH has stopped arriving.
    Result<std::uint64_t> settle(const TusUploadState& known, std::uint64_t serverOffset,
                                 ExchangeNote& note);
    void restore();
    // Hands the current state to options_.memory (called without chunkMutex_ or infoMutex_).
    void remember();

    HttpClient& http_;
    TusOptions options_;
    const Clock& clock_;
    std::mutex infoMutex_;
    std::optional<TusServerInfo> info_;  // guarded by infoMutex_
    std::int64_t infoAtMs_ = 0;          // when info_ was asked for (wall clock)
    std::atomic<std::size_t> chunk_;
    std::mutex chunkMutex_;
    std::size_t ceiling_;
    int successes_ = 0;
    std::atomic<std::uint64_t> acked_{0};
    std::mutex rememberMutex_;  // one save at a time, the newest state last
    // An earlier run's cut PATCH adjusts the chunk once per run, not once per upload it left.
    std::atomic<bool> learnedFromEarlierRun_{false};
    // Set once a checksummed PATCH broke mid-way: the server keeps nothing of such a chunk, so on
    // this link plain PATCHes (partial bytes kept) go further; the server still checks the whole
    // photo's SHA-256 when the upload completes (docs/protocol.md 2.4), and over TLS no byte
    // changes on the way unnoticed, so the client stays with plain PATCHes once it switched.
    std::atomic<bool> plainPatches_{false};
    // A PATCH took over three times patchTargetMs and none was quick since: a clip's PATCHes
    // then follow the chunk size too (no largeChunk floor). Not kept across restarts.
    std::atomic<bool> slowLink_{false};
};

// Base64 (standard alphabet, padded), for tus metadata and checksums.
[[nodiscard]] std::string base64(std::string_view bytes);
// Resolves `ref` (absolute, or relative such as "/files/abc") against `base`.
[[nodiscard]] std::string resolveUrl(const std::string& base, const std::string& ref);

}  // namespace lapor::sync
