// Readers for every answer the agent takes from a server (submit, status, catalog, tus headers,
// Open311, error bodies): each checks types and ranges and turns anything unexpected into one
// kind of error, "malformed answer" (Errc::protocol: retry later), naming the field, never its
// value. No answer can throw out of here; tests/fuzz has a libFuzzer target for each reader.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "core/result.hpp"
#include "sync/http_client.hpp"
#include "sync/tus_client.hpp"
#include "sync/uplink.hpp"

namespace lapor::sync {

// Largest bodies read per endpoint (HttpRequest::maxBodyBytes); past them the transfer stops and
// the answer is malformed. Errors of every endpoint are capped at kErrorBodyCap.
inline constexpr std::size_t kSubmitAnswerCap = 16 << 10;
inline constexpr std::size_t kStatusPageCap = 2 << 20;  // 500 updates with long notes
inline constexpr std::size_t kCatalogCap = 4 << 20;
inline constexpr std::size_t kOpen311ListCap = 1 << 20;  // 50 service requests
// tus answers carry headers and next to no body: kSmallBodyCap (the default) holds for them.

// The one error for an answer that does not read as the protocol says: `what` is the exchange
// ("status GET"), `field` the part that was wrong ("updates[3].at"), `reason` how ("not a string").
[[nodiscard]] Error malformedAnswer(std::string_view what, std::string_view field,
                                    std::string_view reason);
// Whether an error is one of those (for the log and the retry decision).
[[nodiscard]] bool isMalformedAnswer(const Error& e);

// The server's own words in an error body: {"code","message"}, {"error":{...}} or Open311's
// [{"code","description"}]. Empty fields when the body is not one of those (the caller acts on
// the status alone); text clipped and stripped of control characters for the log.
struct ErrorBody {
    std::string code;
    std::string detail;  // "code: message", or empty
};
[[nodiscard]] ErrorBody parseErrorBody(std::string_view body);

// POST /v1/reports success (docs/protocol.md 4.1): counts only when it names `uuid` and carries
// a plausible tracking_id, and, when it gives body_sha256, that of `requestBody`. Returns the
// tracking ID.
[[nodiscard]] Result<std::string> parseSubmitAnswer(std::string_view body, std::string_view uuid,
                                                    std::string_view requestBody);

// POST /v1/reports/{tracking_id}/replies (4.5): ok when the answer names `replyId` as reply_id.
[[nodiscard]] Status parseReplyAnswer(std::string_view body, std::string_view replyId);
// GET /v1/reports/status (4.3). `cursor` is kept when the page names none.
[[nodiscard]] Result<StatusPage> parseStatusPage(std::string_view body, const std::string& cursor);

// GET /v1/catalog 200 (5): the body and its ETag header (nullptr: none).
[[nodiscard]] Result<AgencyCatalog> parseCatalogAnswer(std::string_view body,
                                                       const std::string* etagHeader);

// tus OPTIONS (2.1): versions, extensions, checksum algorithm, Tus-Max-Size.
[[nodiscard]] Result<TusServerInfo> parseTusOptions(const HttpResponse& response);
// Upload-Offset of a tus HEAD or PATCH answer.
[[nodiscard]] Result<std::uint64_t> parseUploadOffset(const HttpResponse& response,
                                                      std::string_view what);
// Location of a tus creation answer, resolved against `endpoint`.
[[nodiscard]] Result<std::string> parseTusLocation(const HttpResponse& response,
                                                   const std::string& endpoint);

// Open311 (6): a JSON array of objects with a JSON content type (XML or a portal's page is
// malformed).
[[nodiscard]] Result<nlohmann::json> parseOpen311List(const HttpResponse& response,
                                                      std::string_view what);
// The first element of a POST requests.json or GET tokens answer: a service_request_id (string
// or non-negative integer, as real servers send either) or else a token; both empty when the
// server has neither yet.
struct Open311Ticket {
    std::string serviceRequestId;
    std::string token;
};
[[nodiscard]] Result<Open311Ticket> parseOpen311Ticket(const nlohmann::json& list,
                                                       std::string_view what);
// GET requests.json: the status of each followed request the answer names (others ignored).
[[nodiscard]] Result<std::vector<StatusUpdate>> parseOpen311Requests(
    const nlohmann::json& list, const std::vector<Followed>& followed, std::int64_t nowWallMs);

}  // namespace lapor::sync
