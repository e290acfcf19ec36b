// Uplink: what the agent needs from a national-system protocol, behind one interface with two
// adapters (lapor: docs/protocol.md sections 2-5; open311: section 6).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "core/clock.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "core/store.hpp"
#include "sync/exchange.hpp"
#include "sync/http_client.hpp"
#include "sync/tus_client.hpp"

namespace lapor::sync {

// A photo, video clip or spoken note as the report refers to it once uploaded.
struct PhotoRef {
    std::string upload;  // the upload's URL (or path)
    std::string sha256Hex;
    std::uint64_t bytes = 0;
    MediaKind kind = MediaKind::photo;  // sent as its media type (mediaTypeOf)
};

// A photo (or clip, or note: every item listPhotos lists) to upload: where its bytes are and
// what the server should be told about it.
struct PhotoUpload {
    std::uint32_t index = 0;
    MediaKind kind = MediaKind::photo;
    std::string sha256Hex;
    ByteSource* source = nullptr;
    TusUploadState
        known;  // the upload made earlier for this photo, as last reported (url empty: none)
    // Called with the upload's state before each PATCH, so with a new upload's URL before any byte
    // goes out, and when the server lost it (the agent stores it: sync/upload_state.hpp).
    TusClient::Progress onProgress;
};

// One update of the national system's status feed, as the store keeps it (core/store.hpp):
// status is the protocol name (received, verified, forwarded, followed_up, closed, ...).
using StatusUpdate = FeedUpdate;

struct StatusPage {
    std::vector<StatusUpdate> updates;
    std::string nextCursor;
    bool more = false;
};

// A delivered report the agent still follows (for protocols without a status feed).
struct Followed {
    std::string uuid;
    std::string trackingId;
};

class Uplink {
  public:
    virtual ~Uplink() = default;
    // Uploads one photo resumably; returns its URL once the server holds every byte.
    [[nodiscard]] virtual Result<std::string> uploadPhoto(const Report& report,
                                                          const PhotoUpload& photo,
                                                          ExchangeNote& note) = 0;
    // Submits the report (idempotent by its UUID); returns the national tracking ID.
    // Errc::busy with note.code "pending" when the server accepted but has no ID yet (Open311
    // tokens): call again later.
    [[nodiscard]] virtual Result<std::string> submit(const Report& report,
                                                     const std::vector<PhotoRef>& photos,
                                                     ExchangeNote& note) = 0;
    // Status changes after `cursor` (lapor) or of the `followed` reports (open311).
    [[nodiscard]] virtual Result<StatusPage> pullStatus(const std::string& cursor,
                                                        const std::vector<Followed>& followed,
                                                        ExchangeNote& note) = 0;
    // Sends the citizen's reply to the report `trackingId`, its photos already uploaded
    // (idempotent by reply.id: docs/protocol.md 4.5); ok once the server holds it. The default is
    // a protocol without replies (Open311 GeoReport v2): refused for good with a reason for staff.
    [[nodiscard]] virtual Status submitReply(const Reply& reply, const std::string& trackingId,
                                             const std::vector<PhotoRef>& photos,
                                             ExchangeNote& note);
    // The catalog when it differs from `etag`; nullopt when unchanged (or not offered).
    [[nodiscard]] virtual Result<std::optional<AgencyCatalog>> pullCatalog(const std::string& etag,
                                                                           ExchangeNote& note) = 0;
    // A cheap request (no report, no auth needed) whose well-formed answer shows the server is
    // back while the agent holds off it after server-wide failures.
    [[nodiscard]] virtual Status probe(ExchangeNote& note) = 0;
};

// What every HTTP adapter is configured with; each adapter's options add its own credentials.
struct UplinkOptions {
    std::string baseUrl;
    std::size_t chunkBytes = 1 << 20;
    std::int64_t requestTimeoutMs = 120'000;
    std::int64_t probeTimeoutMs = 10'000;  // the probe's whole exchange
};

// What the HTTP adapters share: the client, the clock, the guard every answer must pass, and a
// tus client for the photos.
class HttpUplink : public Uplink {
  public:
    // Where the tus client keeps what it learns of the link across restarts; before any upload.
    void keepTusStateIn(TusMemory& memory) { tus_.setMemory(&memory); }

  protected:
    // Photos go to `tusEndpoint` with "Authorization: Bearer <tusToken>".
    HttpUplink(HttpClient& http, const Clock& clock, ProtocolGuard guard,
               const UplinkOptions& options, std::string tusEndpoint, const std::string& tusToken);

    // sendGuarded with this uplink's client, guard and clock.
    [[nodiscard]] Result<HttpResponse> send(const HttpRequest& req, std::string_view what,
                                            std::initializer_list<long> expected,
                                            ExchangeNote& note);
    // Uploads one photo through tus, with the metadata the protocol names for it.
    [[nodiscard]] Result<std::string> uploadWithTus(const Report& report, const PhotoUpload& photo,
                                                    ExchangeNote& note);

    // Sends the probe request: any answer the guard accepts with a status in `expected` passes.
    [[nodiscard]] Result<HttpResponse> sendProbe(HttpRequest req,
                                                 std::initializer_list<long> expected,
                                                 ExchangeNote& note);

    HttpClient& http_;
    const Clock& clock_;
    std::int64_t probeTimeoutMs_;
    ProtocolGuard guard_;
    TusClient tus_;
};

// Protocol names of the report kinds (docs/protocol.md 4.1).
[[nodiscard]] const char* kindName(ReportKind kind);
// RFC 3339 UTC with milliseconds, and back (nullopt when unreadable).
[[nodiscard]] std::string rfc3339(std::int64_t unixMs);
[[nodiscard]] std::optional<std::int64_t> parseRfc3339(const std::string& text);

// Maps a protocol status name to the store's state (nullopt for names the store has no state for).
[[nodiscard]] std::optional<OutboxState> outboxStateForStatus(const std::string& name);

}  // namespace lapor::sync
