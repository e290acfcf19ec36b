// Classification of HTTP answers per docs/protocol.md section 1.3.
#include "sync/exchange.hpp"

#include <algorithm>
#include <cctype>

#include "sync/answers.hpp"
#include "sync/backoff.hpp"

namespace lapor::sync {

bool ProtocolGuard::accepts(const HttpResponse& r) const {
    if (header.empty()) {
        return true;
    }
    const std::string* v = r.header(header);
    return v != nullptr && *v == value;
}

Error httpFailure(const HttpResponse& r, std::string_view what, const ProtocolGuard& guard,
                  ExchangeNote& note, std::int64_t nowWallMs) {
    note = {};
    note.status = r.status;
    if (const auto* ra = r.header("retry-after")) {
        note.retryAfterMs = parseRetryAfterMs(*ra, nowWallMs);
    }
    std::string msg = std::string(what) + ": HTTP " + std::to_string(r.status);
    if (!guard.accepts(r)) {
        note.status = 0;  // not the server's answer at all
        return makeError(Errc::protocol, msg + " without the protocol header (not the server)");
    }
    // The server's own words when it sent a JSON error (read by a reader that never throws).
    const ErrorBody body = parseErrorBody(r.body);
    note.code = body.code;
    if (!body.detail.empty()) {
        msg += " (" + body.detail + ")";
    }
    if (r.status == 401 || r.status == 403) {
        return makeError(Errc::permission, msg);
    }
    if (r.status == 429 || r.status == 503) {
        return makeError(Errc::busy, msg);
    }
    if (r.status == 408 || r.status >= 500 || r.status < 200) {
        return makeError(Errc::unavailable, msg);
    }
    if (r.status >= 400) {
        return makeError(Errc::rejected, msg);
    }
    return makeError(Errc::protocol, msg + ", not the answer the protocol promises");
}

Result<HttpResponse> sendGuarded(HttpClient& http, const HttpRequest& request,
                                 std::string_view what, const ProtocolGuard& guard,
                                 std::initializer_list<long> expected, ExchangeNote& note,
                                 const std::function<std::int64_t()>& wallMs) {
    auto res = http.send(request);
    if (!res.ok()) {
        note = {};
        return res.error();
    }
    if (!guard.accepts(*res) ||
        std::find(expected.begin(), expected.end(), res->status) == expected.end()) {
        return httpFailure(*res, what, guard, note, wallMs());
    }
    return res;
}

std::string percentEncode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

namespace {

constexpr long kChecksumMismatch = 460;  // docs/protocol.md 2.4

// Codes after which the same report, sent again, goes through (protocol 1.3): the tus client
// resumes or finishes the upload first.
bool resumableCode(const std::string& code) {
    return code == "offset_mismatch" || code == "upload_incomplete";
}

// Codes that mean the server no longer has an upload the report names.
bool lostUploadCode(const std::string& code) {
    return code == "upload_missing" || code == "upload_unknown";
}

bool permanent(const Error& e) {
    return e.code == Errc::rejected || e.code == Errc::invalidInput;
}

bool serverWide(const Error& e) {
    switch (e.code) {
        case Errc::network:
        case Errc::timeout:
        case Errc::busy:
        case Errc::unavailable:
        case Errc::permission:
        case Errc::protocol: return true;
        default: return false;
    }
}

}  // namespace

bool chunkDamaged(const Error& error, const ExchangeNote& note) {
    return error.code == Errc::rejected && note.status == kChecksumMismatch;
}

bool uploadGone(const Error& error, const ExchangeNote& note) {
    return error.code == Errc::rejected && (note.status == 404 || note.status == 410);
}

Verdict judge(const Error& error, const ExchangeNote& note) {
    Verdict v;
    v.retryAfterMs = note.retryAfterMs;
    if (error.code == Errc::cancelled) {
        return v;
    }
    if (lostUploadCode(note.code)) {
        v.kind = Verdict::Kind::restartUpload;
        return v;
    }
    if (resumableCode(note.code)) {
        return v;
    }
    // A 460 that reaches here outlived the tus client's resends: the stored photo itself no longer
    // matches its SHA-256, and sending it again cannot help.
    if (permanent(error) || note.status == kChecksumMismatch) {
        v.kind = Verdict::Kind::park;
        v.reason = error.message;
        return v;
    }
    // A pending Open311 token is the server working, not failing: this report asks again later.
    if (serverWide(error) && note.code != "pending") {
        v.kind = Verdict::Kind::holdServer;
        v.hold = error.code == Errc::permission ? Verdict::Hold::token
                 : isMalformedAnswer(error)     ? Verdict::Hold::malformed
                                                : Verdict::Hold::away;
        return v;
    }
    if (note.retryAfterMs) {
        v.kind = Verdict::Kind::retryAfter;
    }
    return v;
}

bool isServerWide(const Error& e) {
    return serverWide(e);
}

const char* verdictName(Verdict::Kind kind) {
    switch (kind) {
        case Verdict::Kind::retry: return "retry";
        case Verdict::Kind::retryAfter: return "retry after";
        case Verdict::Kind::park: return "park";
        case Verdict::Kind::restartUpload: return "restart upload";
        case Verdict::Kind::holdServer: return "hold server";
    }
    return "?";
}

}  // namespace lapor::sync
