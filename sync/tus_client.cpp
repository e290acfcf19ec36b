// tus 1.0 client over HttpClient: OPTIONS, POST (creation), HEAD, PATCH with adaptive chunk size;
// what it learns of the link survives restarts through TusMemory.
#include "sync/tus_client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <thread>

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

std::optional<TusLinkState> MemoryTusMemory::load() {
    std::lock_guard lock(mutex_);
    return state_;
}

void MemoryTusMemory::save(const TusLinkState& state) {
    std::lock_guard lock(mutex_);
    state_ = state;
    ++saves_;
}

int MemoryTusMemory::saves() const {
    std::lock_guard lock(mutex_);
    return saves_;
}

TusClient::TusClient(HttpClient& http, const Clock& clock, TusOptions options)
    : http_(http),
      options_(std::move(options)),
      clock_(clock),
      chunk_(std::clamp(options_.startChunk == 0 ? options_.maxChunk : options_.startChunk,
                        std::min(options_.minChunk, options_.maxChunk), options_.maxChunk)),
      ceiling_(options_.maxChunk) {
    restore();
}

void TusClient::setMemory(TusMemory* memory) {
    options_.memory = memory;
    restore();
}

void TusClient::restore() {
    if (options_.memory == nullptr) {
        return;
    }
    const auto saved = options_.memory->load();
    if (!saved || saved->endpoint != options_.endpoint) {
        return;  // learned of another server (the configuration changed): start afresh
    }
    // The configured limits may have changed since: what was learned stays inside them.
    if (saved->chunk != 0) {
        const std::size_t chunk = std::clamp(saved->chunk, options_.minChunk, options_.maxChunk);
        chunk_ = chunk;
        ceiling_ = std::clamp(saved->ceiling, chunk, options_.maxChunk);
    }
    plainPatches_ = saved->plainPatches;
    if (saved->server) {
        info_ = saved->server;
        infoAtMs_ = saved->serverAtMs;
    }
}

void TusClient::remember() {
    if (options_.memory == nullptr) {
        return;
    }
    std::lock_guard saving(rememberMutex_);
    TusLinkState state;
    state.endpoint = options_.endpoint;
    {
        std::lock_guard lock(chunkMutex_);
        state.chunk = chunk_.load();
        state.ceiling = ceiling_;
    }
    state.plainPatches = plainPatches_.load();
    {
        std::lock_guard lock(infoMutex_);
        state.server = info_;
        state.serverAtMs = infoAtMs_;
    }
    options_.memory->save(state);
}

Headers TusClient::baseHeaders() const {
    Headers h = options_.headers;
    h.emplace_back("Tus-Resumable", kTusVersion);
    return h;
}

Result<HttpResponse> TusClient::send(const HttpRequest& req, std::string_view what,
                                     std::initializer_list<long> expected, ExchangeNote& note) {
    return sendGuarded(http_, req, what, options_.guard, expected, note,
                       [this] { return clock_.wallMs(); });
}

Result<TusServerInfo> TusClient::discover(ExchangeNote& note) {
    std::unique_lock lock(infoMutex_);
    const std::int64_t age = clock_.wallMs() - infoAtMs_;
    if (info_ && age >= 0 && age < options_.serverInfoMaxAgeMs) {
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
    infoAtMs_ = clock_.wallMs();
    lock.unlock();
    remember();
    return info;
}

void TusClient::forgetServerInfo() {
    {
        std::lock_guard lock(infoMutex_);
        if (!info_) {
            return;
        }
        info_.reset();
    }
    remember();
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
                                       std::size_t len, const std::string& algorithm,
                                       ExchangeNote& note) {
    HttpRequest req;
    req.method = "PATCH";
    req.url = url;
    req.headers = baseHeaders();
    req.headers.emplace_back("Upload-Offset", std::to_string(at));
    req.headers.emplace_back("Content-Type", "application/offset+octet-stream");
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

void TusClient::held(std::size_t len, std::int64_t elapsedMs) {
    bool changed = false;
    {
        std::lock_guard lock(chunkMutex_);
        const std::size_t before = chunk_.load();
        const std::size_t ceilingBefore = ceiling_;
        if (elapsedMs > 3 * options_.patchTargetMs) {
            // A slow link: a PATCH this long is the more likely to be cut (and a checksummed one
            // is then lost whole), and a short run of the agent never finishes it.
            chunk_ = std::max(options_.minChunk, std::min(before, len) / 2);
            successes_ = 0;
            slowLink_ = true;  // no large first PATCHes for clips either (largeItem)
        } else if (elapsedMs <= options_.patchTargetMs) {
            grow();
        }
        changed = chunk_.load() != before || ceiling_ != ceilingBefore;
    }
    if (changed) {
        remember();
    }
}

void TusClient::broke(bool checksummed, bool sizeKept) {
    if (checksummed) {
        // Cut for carrying a checksum, not for its size: see plainPatches_.
        if (!plainPatches_.exchange(true)) {
            remember();
        }
        return;
    }
    if (sizeKept) {
        return;
    }
    {
        std::lock_guard lock(chunkMutex_);
        shrink();
    }
    remember();
}

void TusClient::grow() {
    slowLink_ = false;
    // A size that failed is not tried again until eight PATCHes in a row went through.
    if (++successes_ >= 8) {
        ceiling_ = std::min(options_.maxChunk, ceiling_ * 2);
        successes_ = 0;
    }
    chunk_ = std::min(ceiling_, chunk_.load() * 2);
}

void TusClient::shrink() {
    // Nothing got through: smaller PATCHes stand a better chance on this link.
    ceiling_ = std::max(options_.minChunk, chunk_.load() / 2);
    chunk_ = ceiling_;
    successes_ = 0;
}

void TusClient::learnFromEarlierRun(const TusUploadState& known, std::uint64_t serverOffset) {
    // The earlier run ended (killed, crashed, power cut) with this PATCH unanswered. If the
    // server already holds all of it, only the answer was lost. Otherwise the PATCH outlived its
    // run: on this link it is too long for the runs the agent gets (a crash loop), and a
    // checksummed one is lost whole when cut. Plain and smaller PATCHes from now on.
    if (known.sending == 0 || serverOffset >= known.offset + known.sending) {
        return;
    }
    bool changed = !plainPatches_.exchange(true);
    if (!learnedFromEarlierRun_.exchange(true)) {
        // Once per run, not once per upload that run left under way.
        std::lock_guard lock(chunkMutex_);
        const std::size_t sent = static_cast<std::size_t>(known.sending);
        ceiling_ = std::max(options_.minChunk, std::min(chunk_.load(), sent) / 2);
        chunk_ = ceiling_;
        successes_ = 0;
        changed = true;
    }
    if (changed) {
        remember();
    }
}

Result<std::uint64_t> TusClient::settle(const TusUploadState& known, std::uint64_t serverOffset,
                                        ExchangeNote& note) {
    // The earlier run's last PATCH may still be arriving: the kernel goes on sending what the
    // dead process had handed it, and the server holds the upload for that request until it
    // ends. A PATCH now would wait behind it while its own bytes take up the link. So the
    // offset is asked again until the old PATCH is all there or has not moved for a while (a
    // checksummed chunk shows nothing until it is whole, a plain one moves as it arrives).
    const std::uint64_t end = known.offset + known.sending;
    const std::int64_t start = clock_.monotonicMs();
    std::int64_t lastMove = start;
    std::uint64_t at = serverOffset;
    while (known.sending != 0 && at >= known.offset && at < end) {
        const std::int64_t now = clock_.monotonicMs();
        if (now - lastMove >= options_.settleQuietMs || now - start >= options_.settleLimitMs) {
            break;
        }
        pause(options_.settlePollMs);
        auto again = offset(known.url, note);
        if (!again.ok()) {
            return again;
        }
        if (*again != at) {
            at = *again;
            lastMove = clock_.monotonicMs();
        }
    }
    return at;
}

void TusClient::pause(std::int64_t ms) {
    if (options_.sleep) {
        options_.sleep(ms);
    } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
}

Result<std::string> TusClient::upload(ByteSource& source, const TusUploadState& known,
                                      const Headers& metadata, const Progress& onProgress,
                                      ExchangeNote& note) {
    const std::uint64_t size = source.size();
    if (known.complete() && known.sending == 0 && known.length == size) {
        return known.url;  // the server acknowledged every byte earlier: nothing to ask
    }
    auto info = discover(note);
    if (!info.ok()) {
        return info.error();
    }
    if (info->maxSize != 0 && size > info->maxSize) {
        return makeError(Errc::rejected, "tus: photo larger than the server's Tus-Max-Size");
    }
    TusUploadState fresh;
    fresh.length = size;
    TusUploadState st = known;
    st.length = size;
    if (!st.url.empty()) {
        auto off = offset(st.url, note);
        if (off.ok()) {
            learnFromEarlierRun(st, *off);
            off = settle(st, *off, note);
        }
        if (!off.ok() && off.error().code != Errc::notFound) {
            return off.error();
        }
        if (off.ok()) {
            st.offset = *off;
            st.sending = 0;
        } else {
            st = fresh;  // the server dropped it (expired): start a new one
        }
    }
    int resumes = options_.immediateResumes;
    // The PATCH before this one in this call delivered bytes: the link carries this size, so a
    // cut that delivers nothing is the connection's, not the size's (a link that resets every
    // few hundred KB cuts the next PATCH's first bytes as often as any others).
    bool lastMoved = false;
    int checksumRetries = 3;
    int recreations = 2;  // uploads the server may drop under this call before it backs off
    // The server expired or removed the upload (tus 1.0 answers 404 or 410, to HEAD and PATCH
    // alike): what it held is gone, and a new upload starts from the first byte.
    const auto dropped = [&]() -> Status {
        st = fresh;
        if (auto s = onProgress(st); !s.ok()) {
            return s;
        }
        if (--recreations < 0) {
            return makeError(Errc::notFound, "tus: the server keeps dropping this upload");
        }
        return {};
    };
    while (true) {
        if (st.url.empty()) {
            auto created = create(size, metadata, note);
            if (!created.ok()) {
                return created.error();
            }
            st.url = *created;
        }
        if (st.offset >= size) {
            break;
        }
        const bool large = options_.largeItem != 0 && size >= options_.largeItem;
        const std::string algorithm =
            plainPatches_.load() || large ? std::string() : checksumAlgorithm();
        std::size_t chunk = chunk_.load();
        if (large && !slowLink_.load()) {
            chunk = std::max(chunk, std::min(options_.largeChunk, options_.maxChunk));
        }
        if (!algorithm.empty()) {
            chunk = std::min(chunk, options_.checksumChunk);
        }
        const std::size_t len =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - st.offset));
        st.sending = len;
        st.checksummed = !algorithm.empty();
        if (auto s = onProgress(st); !s.ok()) {
            return s.error();
        }
        const std::int64_t started = clock_.monotonicMs();
        auto next = patch(st.url, source, st.offset, len, algorithm, note);
        if (next.ok()) {
            const bool whole = *next == st.offset + len;
            lastMoved = *next > st.offset;
            st.offset = *next;
            st.sending = 0;
            if (whole) {
                held(len, clock_.monotonicMs() - started);
            }
            continue;
        }
        const Errc code = next.error().code;
        const bool offsetConflict = note.status == 409;
        if (uploadGone(next.error(), note)) {
            if (Status s = dropped(); !s.ok()) {
                return s.error();
            }
            continue;
        }
        if (code == Errc::cancelled || code == Errc::corrupt || code == Errc::rejected) {
            const bool damaged = chunkDamaged(next.error(), note);
            if (damaged && checksumRetries-- > 0) {
                st.sending = 0;
                continue;  // the chunk was damaged on the way; the server kept nothing of it
            }
            if (code == Errc::rejected && !damaged) {
                forgetServerInfo();  // it may have changed what it accepts: ask next time
            }
            return next.error();
        }
        // The connection broke, or the server was busy: find out what it kept.
        auto off = offset(st.url, note);
        if (!off.ok()) {
            if (off.error().code != Errc::notFound) {
                return next.error();
            }
            if (Status s = dropped(); !s.ok()) {
                return s.error();
            }
            continue;
        }
        const bool progressed = *off > st.offset;
        const bool cut = code == Errc::network || code == Errc::timeout;
        // A cut right after a PATCH that delivered: resumed at once, the size kept (a
        // checksummed chunk is still lost whole: plain PATCHes from now on, see plainPatches_).
        const bool connectionCut = !progressed && cut && lastMoved && !offsetConflict;
        if (!progressed && !offsetConflict) {
            // A broken checksummed PATCH was cut for its checksum; anything else for its size.
            broke(st.checksummed && cut, /*sizeKept=*/connectionCut);
        }
        st.offset = *off;
        st.sending = 0;
        lastMoved = progressed;
        if (offsetConflict && --resumes > 0) {
            continue;
        }
        if (connectionCut && --resumes > 0) {
            continue;
        }
        if (!progressed || code == Errc::busy || code == Errc::unavailable || --resumes <= 0) {
            // Nothing is under way any more (the server's offset is known): the next call then
            // resumes at once instead of waiting for this PATCH as for an earlier run's.
            if (auto s = onProgress(st); !s.ok()) {
                return s.error();
            }
            return next.error();  // let the caller back off
        }
    }
    return st.url;
}

}  // namespace lapor::sync
