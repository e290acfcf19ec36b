// HttpClient over libcurl (a pool of reused easy handles sharing one connection cache) and a fake.
#include "sync/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>

#include "core/log.hpp"
#include "sync/liveness.hpp"

namespace lapor::sync {

namespace {

bool equalsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (equalsNoCase(k, name)) {
            return &v;
        }
    }
    return nullptr;
}

std::size_t bodyCap(const HttpRequest& request, long status) {
    return status >= 400 ? std::min(request.maxBodyBytes, kErrorBodyCap) : request.maxBodyBytes;
}

Error overCapError(long status, std::size_t cap) {
    return makeError(Errc::protocol, "malformed answer: HTTP " + std::to_string(status) +
                                         ": body or headers over the cap of " +
                                         std::to_string(cap) + " bytes; retry later");
}

HttpResponse makeResponse(long status, Headers headers, std::string body) {
    HttpResponse r;
    r.status = status;
    for (auto& [k, v] : headers) {
        r.headers.emplace_back(lower(k), std::move(v));
    }
    r.body = std::move(body);
    return r;
}

// ---------------------------------------------------------------------------------------------
// libcurl

struct CurlHttpClient::Impl {
    HttpOptions options;
    CURLSH* share = nullptr;
    std::array<std::mutex, CURL_LOCK_DATA_LAST> shareLocks;
    std::mutex poolMutex;
    std::vector<CURL*> idle;  // easy handles not in use; their settings are reset before each use
    std::atomic<bool> cancelled{false};
    mutable std::mutex statsMutex;
    HttpStats stats;

    CURL* acquire() {
        {
            std::lock_guard lock(poolMutex);
            if (!idle.empty()) {
                CURL* h = idle.back();
                idle.pop_back();
                return h;
            }
        }
        return curl_easy_init();
    }
    void release(CURL* h) {
        std::lock_guard lock(poolMutex);
        idle.push_back(h);
    }
};

namespace {

// Per-exchange state handed to libcurl's callbacks.
struct Exchange {
    const HttpRequest* request = nullptr;
    CurlHttpClient::Impl* impl = nullptr;
    HttpResponse response;
    std::size_t bodyOffset = 0;  // into request->body when not streamed
    std::uint64_t streamed = 0;
    std::optional<Error> readerError;
    CURL* handle = nullptr;
    std::size_t headerBytes = 0;
    std::optional<Error> overCap;  // set when the answer went past its cap; reading stopped
};

std::size_t onWrite(char* data, std::size_t size, std::size_t n, void* user) {
    auto* ex = static_cast<Exchange*>(user);
    long status = 0;
    curl_easy_getinfo(ex->handle, CURLINFO_RESPONSE_CODE, &status);
    const std::size_t cap = bodyCap(*ex->request, status);
    if (ex->response.body.size() + size * n > cap) {
        // Returning less than was handed over makes libcurl stop reading (CURLE_WRITE_ERROR).
        ex->overCap = overCapError(status, cap);
        return 0;
    }
    ex->response.body.append(data, size * n);
    return size * n;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* ex = static_cast<Exchange*>(user);
    std::string_view line(data, size * n);
    ex->headerBytes += line.size();
    if (ex->headerBytes > kHeaderBytesCap) {
        ex->overCap = overCapError(0, kHeaderBytesCap);
        return 0;
    }
    if (line.rfind("HTTP/", 0) == 0) {
        // A new response starts (after 1xx or a redirect): forget the previous one's headers.
        ex->response.headers.clear();
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        ex->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                          std::string(trim(line.substr(colon + 1))));
    }
    return size * n;
}

std::size_t onRead(char* buf, std::size_t size, std::size_t n, void* user) {
    auto* ex = static_cast<Exchange*>(user);
    const std::size_t want = size * n;
    if (ex->impl->cancelled.load()) {
        return CURL_READFUNC_ABORT;
    }
    const HttpRequest& req = *ex->request;
    if (req.reader) {
        const std::uint64_t left = req.readerSize - ex->streamed;
        const std::size_t cap = static_cast<std::size_t>(std::min<std::uint64_t>(want, left));
        if (cap == 0) {
            return 0;
        }
        auto got = req.reader(buf, cap);
        if (!got.ok()) {
            ex->readerError = got.error();
            return CURL_READFUNC_ABORT;
        }
        ex->streamed += *got;
        return *got;
    }
    const std::size_t left = req.body.size() - ex->bodyOffset;
    const std::size_t take = std::min(want, left);
    std::memcpy(buf, req.body.data() + ex->bodyOffset, take);
    ex->bodyOffset += take;
    return take;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* ex = static_cast<Exchange*>(user);
    // libcurl calls this about once a second even when nothing moves: the thread is alive (a
    // stalled transfer ends at the low-speed limit).
    Liveness::beat();
    return ex->impl->cancelled.load() ? 1 : 0;
}

void onShareLock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlHttpClient::Impl*>(user)->shareLocks[static_cast<std::size_t>(data)].lock();
}
void onShareUnlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlHttpClient::Impl*>(user)->shareLocks[static_cast<std::size_t>(data)].unlock();
}

Errc classify(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT: return Errc::timeout;
        case CURLE_ABORTED_BY_CALLBACK: return Errc::cancelled;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT: return Errc::invalidInput;
        default: return Errc::network;
    }
}

}  // namespace

CurlHttpClient::CurlHttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
    globalInit();
    impl_->options = std::move(options);
    impl_->share = curl_share_init();
    curl_share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, onShareLock);
    curl_share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, onShareUnlock);
    curl_share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (impl_->options.insecureSkipTlsVerify) {
        log::warn("http",
                  "TLS certificate verification is OFF (insecure_skip_tls_verify_DANGEROUS): "
                  "anyone on the path can read and alter what this kiosk sends");
    }
}

CurlHttpClient::~CurlHttpClient() {
    for (CURL* h : impl_->idle) {
        curl_easy_cleanup(h);
    }
    curl_share_cleanup(impl_->share);
}

void CurlHttpClient::cancel() {
    impl_->cancelled = true;
}

HttpStats CurlHttpClient::stats() const {
    std::lock_guard lock(impl_->statsMutex);
    return impl_->stats;
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
    if (impl_->cancelled.load()) {
        return makeError(Errc::cancelled, "http: stopping");
    }
    CURL* h = impl_->acquire();
    if (h == nullptr) {
        return makeError(Errc::internal, "http: curl_easy_init failed");
    }
    curl_easy_reset(h);
    const HttpOptions& o = impl_->options;
    Exchange ex;
    ex.request = &request;
    ex.impl = impl_.get();
    ex.handle = h;

    curl_easy_setopt(h, CURLOPT_SHARE, impl_->share);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, o.userAgent.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connectTimeoutMs));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.stallBytesPerSecond));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.stallSeconds));
    if (request.timeoutMs > 0) {
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeoutMs));
    }
    curl_easy_setopt(h, CURLOPT_MAXCONNECTS, o.maxConnections);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!o.reuseConnections) {
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
    // Empty string: no proxy, and libcurl's environment variables are not consulted either.
    curl_easy_setopt(h, CURLOPT_PROXY, o.proxy.c_str());
    if (!o.caFile.empty()) {
        curl_easy_setopt(h, CURLOPT_CAINFO, o.caFile.c_str());
    }
    const long verify = o.insecureSkipTlsVerify ? 0L : 1L;
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.insecureSkipTlsVerify ? 0L : 2L);
    if (o.maxSendBytesPerSecond > 0) {
        curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE,
                         static_cast<curl_off_t>(o.maxSendBytesPerSecond));
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &ex);

    const bool hasBody = request.reader || !request.body.empty() || request.method == "POST" ||
                         request.method == "PATCH" || request.method == "PUT";
    if (request.method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (hasBody) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(h, CURLOPT_READDATA, &ex);
        const auto size = request.reader ? request.readerSize : request.body.size();
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    curl_slist* list = nullptr;
    // No "Expect: 100-continue" round trip: the server answers errors before reading anyway.
    list = curl_slist_append(list, "Expect:");
    for (const auto& [k, v] : request.headers) {
        std::string line = k + ": " + v;
        list = curl_slist_append(list, line.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(list);

    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    long headerBytes = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &headerBytes);
    curl_off_t uploaded = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    long newConnections = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &newConnections);
    {
        std::lock_guard lock(impl_->statsMutex);
        impl_->stats.requests += 1;
        impl_->stats.bytesSent +=
            static_cast<std::uint64_t>(headerBytes) + static_cast<std::uint64_t>(uploaded);
        impl_->stats.connectionsOpened += static_cast<std::uint64_t>(newConnections);
    }
    impl_->release(h);

    if (ex.readerError) {
        return *ex.readerError;
    }
    if (ex.overCap) {
        return *ex.overCap;
    }
    if (rc != CURLE_OK) {
        if (rc == CURLE_ABORTED_BY_CALLBACK || impl_->cancelled.load()) {
            return makeError(Errc::cancelled, "http: stopped mid-transfer");
        }
        return makeError(classify(rc), std::string("http: ") + curl_easy_strerror(rc));
    }
    ex.response.status = status;
    return std::move(ex.response);
}

// ---------------------------------------------------------------------------------------------
// Fake

Result<HttpResponse> FakeHttpClient::send(const HttpRequest& request) {
    if (cancelled_.load()) {
        return makeError(Errc::cancelled, "http: stopping");
    }
    Recorded rec;
    rec.request = request;
    rec.request.reader = nullptr;
    if (request.reader) {
        rec.body.resize(request.readerSize);
        std::size_t at = 0;
        while (at < rec.body.size()) {
            auto got = request.reader(rec.body.data() + at, rec.body.size() - at);
            if (!got.ok()) {
                return got.error();
            }
            if (*got == 0) {
                break;
            }
            at += *got;
        }
        rec.body.resize(at);
    } else {
        rec.body = request.body;
    }
    Handler handler;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(rec);
        stats_.requests += 1;
        stats_.bytesSent += rec.body.size();
        handler = handler_;
    }
    auto res = handler(rec);
    if (res.ok() && res->body.size() > bodyCap(request, res->status)) {
        return overCapError(res->status, bodyCap(request, res->status));
    }
    return res;
}

HttpStats FakeHttpClient::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::vector<FakeHttpClient::Recorded> FakeHttpClient::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void FakeHttpClient::setHandler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
}

}  // namespace lapor::sync
