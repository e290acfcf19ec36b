// What an HTTP answer means for delivery: success, retry later (per report or per server), or a
// permanent refusal; shared by the tus client and the uplink adapters (docs/protocol.md 1.1, 1.3).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sync/http_client.hpp"

namespace lapor::sync {

// What the last failed exchange told us, for the caller's retry decision.
struct ExchangeNote {
    long status = 0;                           // HTTP status, 0 when none arrived
    std::string code;                          // the server's error code, when it sent one
    std::optional<std::int64_t> retryAfterMs;  // from Retry-After
};

// The captive-portal guard: an answer counts only when it carries this header with this value.
struct ProtocolGuard {
    std::string header;  // empty: no header required (real Open311 servers)
    std::string value;
    [[nodiscard]] bool accepts(const HttpResponse& r) const;
};

inline ProtocolGuard laporGuard() {
    return ProtocolGuard{"Lapor-Protocol", "1"};
}

// Maps an answer that is not the expected success to an Error, and fills `note`:
//   no protocol header, 2xx/3xx of the wrong shape -> protocol (transient: "not the server")
//   401/403 -> permission (per server, hold);  429/503 -> busy (per server, Retry-After)
//   408, 5xx -> unavailable (transient);       other 4xx -> rejected (permanent)
// The message holds the status and the server's code and message, never request data.
[[nodiscard]] Error httpFailure(const HttpResponse& response, std::string_view what,
                                const ProtocolGuard& guard, ExchangeNote& note,
                                std::int64_t nowWallMs);

// Sends `request` and judges the answer: a transport error clears `note` and is returned as is;
// an answer the guard refuses, or whose status is not in `expected`, becomes httpFailure(...)
// with `what` and the wall time from `wallMs` (read only then, after the answer arrived). Any
// other answer is returned for the caller to read, `note` untouched.
[[nodiscard]] Result<HttpResponse> sendGuarded(HttpClient& http, const HttpRequest& request,
                                               std::string_view what, const ProtocolGuard& guard,
                                               std::initializer_list<long> expected,
                                               ExchangeNote& note,
                                               const std::function<std::int64_t()>& wallMs);

// An answer that arrived but did not read (a malformed answer from sync/answers): the note
// keeps only the status, so that no error code of an earlier exchange decides the retry.
template <class T>
[[nodiscard]] Result<T> readAnswer(Result<T> parsed, const HttpResponse& response,
                                   ExchangeNote& note) {
    if (!parsed.ok()) {
        note = {};
        note.status = response.status;
    }
    return parsed;
}

// Percent-encodes for a query string or a form body (RFC 3986 unreserved characters stay).
[[nodiscard]] std::string percentEncode(std::string_view s);

// What a failed exchange means for delivery: the one place that reads statuses and server codes
// (docs/protocol.md 1.3); the agent only acts on it.
struct Verdict {
    enum class Kind {
        retry,          // this report again after its own backoff
        retryAfter,     // this report again, not before retryAfterMs (Open311 "pending")
        park,           // permanent: staff must look (reason: the server's code and message)
        restartUpload,  // the server lost an upload the report names: forget it, upload again
        holdServer,     // the server as a whole is away or refuses us: every worker waits
    };
    // Why a server is held, which decides how the hold ends.
    enum class Hold {
        away,       // network, 5xx, 408, 429/503, no protocol header: a probe may end it
        token,      // 401/403: held at the longest backoff, never probed (an operator fixes it)
        malformed,  // a malformed answer: the report keeps its own backoff
    };
    Kind kind = Kind::retry;
    Hold hold = Hold::away;                    // with holdServer
    std::optional<std::int64_t> retryAfterMs;  // the server's Retry-After, a floor on any wait
    std::string reason;                        // with park: what staff are shown
};

// Judges a failed exchange from its error and what the answer said. Errc::cancelled (stopping)
// is not the server's doing: it answers retry, and the agent hands the report back at once.
[[nodiscard]] Verdict judge(const Error& error, const ExchangeNote& note);

// For the tus client's own loop, inside one upload: a chunk (or the whole upload) failed its
// checksum on the server, which kept nothing of it (460): resend from the server's offset.
[[nodiscard]] bool chunkDamaged(const Error& error, const ExchangeNote& note);
// The server expired or removed a tus upload (404 or 410 to HEAD or PATCH): start a new one.
[[nodiscard]] bool uploadGone(const Error& error, const ExchangeNote& note);

[[nodiscard]] const char* verdictName(Verdict::Kind kind);

}  // namespace lapor::sync
