// The part of the uplink adapters that does not depend on the protocol: guarded exchanges and tus.
#include "sync/uplink.hpp"

#include <algorithm>

namespace lapor::sync {

Status Uplink::submitReply(const Reply&, const std::string&, const std::vector<PhotoRef>&,
                           ExchangeNote& note) {
    note = {};
    note.code = "unsupported";
    return makeError(Errc::rejected,
                     "this server's protocol takes no replies (Open311 GeoReport v2 has none): "
                     "the reply stays on the kiosk; staff can pass it on by hand");
}

HttpUplink::HttpUplink(HttpClient& http, const Clock& clock, ProtocolGuard guard,
                       const UplinkOptions& options, std::string tusEndpoint,
                       const std::string& tusToken)
    : http_(http),
      clock_(clock),
      probeTimeoutMs_(options.probeTimeoutMs),
      guard_(std::move(guard)),
      tus_(http, clock,
           TusOptions{
               .endpoint = std::move(tusEndpoint),
               .headers = {{"Authorization", "Bearer " + tusToken}},
               .guard = guard_,
               .maxChunk = options.chunkBytes,
               .minChunk = 16 << 10,
               .startChunk = 16 << 10,
               .requestTimeoutMs = options.requestTimeoutMs,
               .immediateResumes = 64,
               .sleep = {},
           }) {}

Result<HttpResponse> HttpUplink::send(const HttpRequest& req, std::string_view what,
                                      std::initializer_list<long> expected, ExchangeNote& note) {
    return sendGuarded(http_, req, what, guard_, expected, note,
                       [this] { return clock_.wallMs(); });
}

Result<HttpResponse> HttpUplink::sendProbe(HttpRequest req, std::initializer_list<long> expected,
                                           ExchangeNote& note) {
    req.timeoutMs = probeTimeoutMs_;
    req.maxBodyBytes = std::min(req.maxBodyBytes, kSmallBodyCap);
    return send(req, "probe", expected, note);
}

Result<std::string> HttpUplink::uploadWithTus(const Report& report, const PhotoUpload& photo,
                                              ExchangeNote& note) {
    // The item's media type goes as tus's usual `filetype`; its size is the Upload-Length.
    const char* name = "photo-";
    const char* extension = ".jpg";
    if (photo.kind == MediaKind::video) {
        name = "video-";
        extension = ".mp4";
    } else if (photo.kind == MediaKind::voice) {
        name = "voice-";
        extension = ".ogg";
    }
    const Headers metadata{{"report_uuid", report.uuid},
                           {"photo_index", std::to_string(photo.index)},
                           {"sha256", photo.sha256Hex},
                           {"filename", name + std::to_string(photo.index) + extension},
                           {"filetype", mediaTypeOf(photo.kind)}};
    return tus_.upload(*photo.source, photo.known, metadata, photo.onProgress, note);
}

std::optional<OutboxState> outboxStateForStatus(const std::string& name) {
    if (name == "received") {
        return OutboxState::received;
    }
    if (name == "verified") {
        return OutboxState::verified;
    }
    if (name == "forwarded") {
        return OutboxState::forwarded;
    }
    if (name == "followed_up") {
        return OutboxState::followedUp;
    }
    if (name == "closed" || name == "rejected") {
        return OutboxState::closed;  // rejected is terminal too; the note says which
    }
    return std::nullopt;
}

}  // namespace lapor::sync
