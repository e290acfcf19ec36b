// HttpClient: the agent's only way onto the network, with libcurl behind it and a fake beside it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace lapor::sync {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Fills `buf` with up to `len` bytes of a streamed request body and returns how many it wrote
// (0 = end of body). An error aborts the request.
using BodyReader = std::function<Result<std::size_t>(char* buf, std::size_t len)>;

// Default cap on an answer's body: errors, submit answers, tus answers (sync/answers.hpp has the
// larger caps of status pages and the catalog). Errors are capped here whatever the request's cap.
inline constexpr std::size_t kSmallBodyCap = 64 << 10;
inline constexpr std::size_t kErrorBodyCap = kSmallBodyCap;
// Cap on all header lines of one answer together.
inline constexpr std::size_t kHeaderBytesCap = 64 << 10;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;   // sent as is unless `reader` is set
    BodyReader reader;  // streamed body of exactly `readerSize` bytes
    std::uint64_t readerSize = 0;
    std::int64_t timeoutMs = 0;  // cap on the whole exchange; 0: only connect and stall limits
    // Largest answer body read; a longer one stops the transfer and fails as a malformed answer
    // (Errc::protocol). Bodies of 4xx/5xx answers are capped at kErrorBodyCap.
    std::size_t maxBodyBytes = kSmallBodyCap;
};

// The cap on the body of an answer with `status` to `request`.
[[nodiscard]] std::size_t bodyCap(const HttpRequest& request, long status);
// The error for an answer cut at its cap.
[[nodiscard]] Error overCapError(long status, std::size_t cap);

struct HttpResponse {
    long status = 0;
    Headers headers;  // names in lower case
    std::string body;
    // First value of a header (name compared case-insensitively), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

// Counters over the client's lifetime, for benchmarks and the status record.
struct HttpStats {
    std::uint64_t requests = 0;
    std::uint64_t bytesSent = 0;          // request lines, headers and bodies handed to the socket
    std::uint64_t connectionsOpened = 0;  // new TCP connections (re-use keeps this low)
};

class HttpClient {
  public:
    virtual ~HttpClient() = default;
    // Performs one exchange. Safe to call from several threads at once. Any HTTP status is a
    // success here (the caller judges it); errors are network, timeout or cancelled.
    [[nodiscard]] virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
    // Aborts every exchange in flight (they fail with Errc::cancelled) and refuses new ones.
    virtual void cancel() = 0;
    [[nodiscard]] virtual HttpStats stats() const = 0;
};

struct HttpOptions {
    std::int64_t connectTimeoutMs = 15'000;
    // A transfer slower than this many bytes per second for `stallSeconds` counts as stalled.
    std::int64_t stallBytesPerSecond = 100;
    std::int64_t stallSeconds = 30;
    std::string caFile;                      // empty: the system's CA store
    std::string proxy;                       // empty: none (libcurl's proxy variables are ignored)
    std::int64_t maxSendBytesPerSecond = 0;  // 0: no cap
    bool insecureSkipTlsVerify = false;      // only ever from insecure_skip_tls_verify_DANGEROUS
    std::string userAgent = "lapor-syncd/0.1";
    // Open connections kept for re-use across all handles.
    long maxConnections = 8;
    // false: a new connection for every request (only the benchmarks' baseline wants this).
    bool reuseConnections = true;
};

// libcurl: a pool of easy handles, reused so their connections stay open (keep-alive), sharing
// one connection cache, DNS cache and TLS session cache.
class CurlHttpClient final : public HttpClient {
  public:
    explicit CurlHttpClient(HttpOptions options);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request) override;
    void cancel() override;
    [[nodiscard]] HttpStats stats() const override;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

// A scripted server in memory: each request is recorded and answered by the handler.
class FakeHttpClient final : public HttpClient {
  public:
    struct Recorded {
        HttpRequest request;  // without its reader
        std::string body;     // the body as sent (read from the reader when streamed)
    };
    using Handler = std::function<Result<HttpResponse>(const Recorded&)>;

    explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}
    [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request) override;
    void cancel() override { cancelled_ = true; }
    [[nodiscard]] HttpStats stats() const override;
    [[nodiscard]] std::vector<Recorded> requests() const;
    void setHandler(Handler handler);

  private:
    mutable std::mutex mutex_;
    Handler handler_;
    std::vector<Recorded> requests_;
    HttpStats stats_;
    std::atomic<bool> cancelled_{false};
};

// Builds a response for fakes and tests.
[[nodiscard]] HttpResponse makeResponse(long status, Headers headers = {}, std::string body = {});

}  // namespace lapor::sync
