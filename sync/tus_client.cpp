// tus 1.0 client over HttpClient: OPTIONS, POST (creation), HEAD, PATCH with adaptive chunk size.
#include "sync/tus_client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "core/clock.hpp"
#include "sync/answers.hpp"
#include "sync/backoff.hpp"

namespace lapor::sync {

namespace {

constexpr const char* kTusVersion = "1.0.0";

// Digest of source[at, at+len) with the named algorithm, as base64.
Result<std::string> digestRange(ByteSource& source, std::uint64_t at, std::size_t len,
                                const std::string& algorithm) {
    const EVP_MD* md = algorithm == "sha256" ? EVP_sha256() : EVP_sha1();
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
        return makeError(Errc::internal, "tus: digest init failed");
    }
    std::vector<char> buf(64 << 10);
    std::size_t done = 0;
    while (done < len) {
        auto got = source.read(at + done, buf.data(), std::min(buf.size(), len - done));
        if (!got.ok()) {
            return got.error();
        }
        if (*got == 0) {
            return makeError(Errc::corrupt, "tus: source shorter than its size");
        }
        EVP_DigestUpdate(ctx.get(), buf.data(), *got);
        done += *got;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outLen = 0;
    EVP_DigestFinal_ex(ctx.get(), out, &outLen);
    return base64(std::string_view(reinterpret_cast<const char*>(out), outLen));
}

std::int64_t wallNow(std::int64_t fixed) {
    return fixed != 0 ? fixed : SystemClock::instance().wallMs();
}

}  // namespace

Result<std::size_t> MemoryByteSource::read(std::uint64_t offset, char* buf, std::size_t len) {
    if (offset >= bytes_.size()) {
        return std::size_t{0};
    }
    const std::size_t n = std::min<std::size_t>(len, bytes_.size() - offset);
    std::copy_n(bytes_.data() + offset, n, buf);
    return n;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string resolveUrl(const std::string& base, const std::string& ref) {
    CURLU* u = curl_url();
    std::string out = ref;
    if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref.c_str(), 0) == CURLUE_OK) {
        char* full = nullptr;
        if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
            out = full;
            curl_free(full);
        }
    }
    curl_url_cleanup(u);
    return out;
}

TusClient::TusClient(HttpClient& http, TusOptions options)
    : http_(http),
      options_(std::move(options)),
      chunk_(options_.maxChunk),
      ceiling_(options_.maxChunk) {}

Headers TusClient::baseHeaders() const {
    Headers h = options_.headers;
    h.emplace_back("Tus-Resumable", kTusVersion);
    return h;
}

Result<HttpResponse> TusClient::send(const HttpRequest& req, std::string_view what,
                                     std::initializer_list<long> expected, ExchangeNote& note) {
    return sendGuarded(http_, req, what, options_.guard, expected, note,
                       [this] { return wallNow(options_.nowWallMs); });
}

Result<TusServerInfo> TusClient::discover(ExchangeNote& note) {
    std::lock_guard lock(infoMutex_);
    if (info_) {
        return *info_;
    }
    HttpRequest req;
    req.method = "OPTIONS";
    req.url = options_.endpoint;
    req.headers = options_.headers;
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "tus OPTIONS", {200, 204}, note);
    if (!res.ok()) {
        return res.error();
    }
    auto info = readAnswer(parseTusOptions(*res), *res, note);
    if (!info.ok()) {
        return info.error();
    }
    info_ = *info;
    return info;
}

Result<std::string> TusClient::create(std::uint64_t length, const Headers& metadata,
                                      ExchangeNote& note) {
    HttpRequest req;
    req.method = "POST";
    req.url = options_.endpoint;
    req.headers = baseHeaders();
    req.headers.emplace_back("Upload-Length", std::to_string(length));
    std::string meta;
    for (const auto& [k, v] : metadata) {
        meta += (meta.empty() ? "" : ",") + k + " " + base64(v);
    }
    if (!meta.empty()) {
        req.headers.emplace_back("Upload-Metadata", meta);
    }
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "tus create", {201}, note);
    if (!res.ok()) {
        return res.error();
    }
    return readAnswer(parseTusLocation(*res, options_.endpoint), *res, note);
}

Result<std::uint64_t> TusClient::offset(const std::string& url, ExchangeNote& note) {
    HttpRequest req;
    req.method = "HEAD";
    req.url = url;
    req.headers = baseHeaders();
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "tus HEAD", {200, 204, 404, 410}, note);
    if (!res.ok()) {
        return res.error();
    }
    if (res->status == 404 || res->status == 410) {
        note.status = res->status;
        return makeError(Errc::notFound, "tus HEAD: upload gone");
    }
    return readAnswer(parseUploadOffset(*res, "tus HEAD"), *res, note);
}

Result<std::uint64_t> TusClient::patch(const std::string& url, ByteSource& source, std::uint64_t at,
                                       std::size_t len, ExchangeNote& note) {
    HttpRequest req;
    req.method = "PATCH";
    req.url = url;
    req.headers = baseHeaders();
    req.headers.emplace_back("Upload-Offset", std::to_string(at));
    req.headers.emplace_back("Content-Type", "application/offset+octet-stream");
    const std::string algorithm = plainPatches_.load() ? std::string() : checksumAlgorithm();
    if (!algorithm.empty()) {
        auto digest = digestRange(source, at, len, algorithm);
        if (!digest.ok()) {
            return digest.error();
        }
        req.headers.emplace_back("Upload-Checksum", algorithm + " " + *digest);
    }
    std::uint64_t pos = at;
    const std::uint64_t end = at + len;
    req.readerSize = len;
    req.reader = [&source, &pos, end](char* buf, std::size_t n) -> Result<std::size_t> {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, end - pos));
        auto got = source.read(pos, buf, want);
        if (got.ok()) {
            if (*got == 0 && want > 0) {
                return makeError(Errc::corrupt, "tus: source shorter than its size");
            }
            pos += *got;
        }
        return got;
    };
    auto res = send(req, "tus PATCH", {200, 204, 409}, note);
    if (!res.ok()) {
        return res.error();
    }
    if (res->status == 409) {
        // Offsets disagree (a previous PATCH landed after all): ask again.
        note.status = 409;
        return makeError(Errc::busy, "tus PATCH: offset conflict");
    }
    auto off = readAnswer(parseUploadOffset(*res, "tus PATCH"), *res, note);
    if (!off.ok()) {
        return off.error();
    }
    if (*off < at || *off > end) {
        return malformedAnswer("tus PATCH", "Upload-Offset", "outside the chunk sent");
    }
    acked_ += *off - at;
    return *off;
}

std::string TusClient::checksumAlgorithm() {
    std::lock_guard lock(infoMutex_);
    return info_ ? info_->checksumAlgorithm : std::string();
}

void TusClient::grow() {
    std::lock_guard lock(chunkMutex_);
    // A size that failed is not tried again until eight PATCHes in a row went through.
    if (++successes_ >= 8) {
        ceiling_ = std::min(options_.maxChunk, ceiling_ * 2);
        successes_ = 0;
    }
    chunk_ = std::min(ceiling_, chunk_.load() * 2);
}

void TusClient::shrink() {
    // Nothing got through: smaller PATCHes stand a better chance on this link.
    std::lock_guard lock(chunkMutex_);
    ceiling_ = std::max(options_.minChunk, chunk_.load() / 2);
    chunk_ = ceiling_;
    successes_ = 0;
}

Result<std::string> TusClient::upload(ByteSource& source, const std::string& knownUrl,
                                      const Headers& metadata,
                                      const std::function<Status(const std::string&)>& onCreated,
                                      ExchangeNote& note) {
    auto info = discover(note);
    if (!info.ok()) {
        return info.error();
    }
    const std::uint64_t size = source.size();
    if (info->maxSize != 0 && size > info->maxSize) {
        return makeError(Errc::rejected, "tus: photo larger than the server's Tus-Max-Size");
    }
    std::string url = knownUrl;
    std::uint64_t at = 0;
    if (!url.empty()) {
        auto off = offset(url, note);
        if (!off.ok() && off.error().code != Errc::notFound) {
            return off.error();
        }
        if (off.ok()) {
            at = *off;
        } else {
            url.clear();  // the server dropped it (expired): start a new one
        }
    }
    if (url.empty()) {
        auto created = create(size, metadata, note);
        if (!created.ok()) {
            return created.error();
        }
        url = *created;
        if (auto st = onCreated(url); !st.ok()) {
            return st.error();
        }
        at = 0;
    }
    int resumes = options_.immediateResumes;
    int checksumRetries = 3;
    while (at < size) {
        std::size_t chunk = chunk_.load();
        if (!plainPatches_.load() && !checksumAlgorithm().empty()) {
            chunk = std::min(chunk, options_.checksumChunk);
        }
        const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - at));
        auto next = patch(url, source, at, len, note);
        if (next.ok()) {
            at = *next;
            grow();
            continue;
        }
        const Errc code = next.error().code;
        const bool offsetConflict = note.status == 409;
        if (code == Errc::cancelled || code == Errc::corrupt || code == Errc::rejected) {
            if (code == Errc::rejected && note.status == 460 && checksumRetries-- > 0) {
                continue;  // the chunk was damaged on the way; the server kept nothing of it
            }
            return next.error();
        }
        // The connection broke, or the server was busy: find out what it kept.
        auto off = offset(url, note);
        if (!off.ok()) {
            return off.error().code == Errc::notFound ? off.error() : next.error();
        }
        const bool progressed = *off > at;
        if (!progressed && !offsetConflict) {
            const bool broke = code == Errc::network || code == Errc::timeout;
            if (broke && !checksumAlgorithm().empty() && !plainPatches_.load()) {
                plainPatches_ = true;  // see the member's comment
            } else {
                shrink();
            }
        }
        at = *off;
        if (offsetConflict && --resumes > 0) {
            continue;
        }
        if (!progressed || code == Errc::busy || code == Errc::unavailable || --resumes <= 0) {
            return next.error();  // let the caller back off
        }
    }
    return url;
}

}  // namespace lapor::sync
