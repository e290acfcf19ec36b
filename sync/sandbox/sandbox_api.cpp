// The /v1/ routes of docs/protocol.md: tus uploads, reports, status, catalog.
#include <algorithm>
#include <sstream>

#include "sync/sandbox/digest.hpp"
#include "sync/sandbox/sandbox_impl.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

constexpr const char* kUploadPath = R"(/v1/uploads/([0-9a-f]{32}))";

// An upload that expired answers as @tus/server does: the status with a text body, no JSON.
bool answerExpired(const SandboxStore& store, const std::string& id, httplib::Response& res) {
    const auto status = store.expiredStatus(id);
    if (!status) {
        return false;
    }
    res.status = *status;
    res.set_content(*status == 410 ? "The file for this url no longer exists\n"
                                   : "The file for this url was not found\n",
                    "text/plain");
    return true;
}

void tusHeaders(httplib::Response& res) {
    res.set_header("Tus-Resumable", "1.0.0");
}

// tus requests other than OPTIONS must name the protocol version.
bool tusVersionOk(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Tus-Resumable") == "1.0.0") {
        return true;
    }
    res.set_header("Tus-Version", "1.0.0");
    apiError(res, 412, "tus_version", "Tus-Resumable: 1.0.0 required");
    return false;
}

// Upload-Metadata: "key base64,key base64,key" (tus 1.0 creation extension).
Result<UploadMeta> parseMetadata(const std::string& header) {
    UploadMeta meta;
    meta.rawHeader = header;
    std::map<std::string, std::string> values;
    std::stringstream in(header);
    for (std::string pair; std::getline(in, pair, ',');) {
        const auto b = pair.find_first_not_of(' ');
        if (b == std::string::npos) {
            continue;
        }
        pair = pair.substr(b);
        const auto space = pair.find(' ');
        const std::string key = pair.substr(0, space);
        std::string value;
        if (space != std::string::npos) {
            auto decoded = base64Decode(pair.substr(space + 1));
            if (!decoded) {
                return makeError(Errc::invalidInput, "Upload-Metadata: bad base64 for " + key);
            }
            value = *decoded;
        }
        values[key] = value;
    }
    meta.reportUuid = values["report_uuid"];
    std::transform(meta.reportUuid.begin(), meta.reportUuid.end(), meta.reportUuid.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    meta.sha256Hex = values["sha256"];
    meta.filename = values["filename"];
    meta.filetype = values["filetype"];
    auto index = parseUnsigned(values["photo_index"]);
    if (!isUuid(meta.reportUuid)) {
        return makeError(Errc::invalidInput, "Upload-Metadata: report_uuid missing or malformed");
    }
    if (!index || *index > 100) {
        return makeError(Errc::invalidInput, "Upload-Metadata: photo_index missing or malformed");
    }
    meta.photoIndex = static_cast<int>(*index);
    const bool hex = meta.sha256Hex.size() == 64 &&
                     std::all_of(meta.sha256Hex.begin(), meta.sha256Hex.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
    if (!hex) {
        return makeError(Errc::invalidInput, "Upload-Metadata: sha256 must be 64 lowercase hex");
    }
    return meta;
}

json reportAnswer(const ReportView& r) {
    return {{"tracking_id", r.trackingId},
            {"uuid", r.uuid},
            {"status", "received"},
            {"received_at", formatTime(r.receivedAtMs)}};
}

bool etagMatches(const std::string& ifNoneMatch, const std::string& etag) {
    if (ifNoneMatch.empty()) {
        return false;
    }
    if (ifNoneMatch == "*") {
        return true;
    }
    std::stringstream in(ifNoneMatch);
    for (std::string tag; std::getline(in, tag, ',');) {
        tag.erase(0, tag.find_first_not_of(' '));
        tag.erase(tag.find_last_not_of(' ') + 1);
        if (tag.rfind("W/", 0) == 0) {
            tag = tag.substr(2);
        }
        if (tag == etag) {
            return true;
        }
    }
    return false;
}

}  // namespace

void Sandbox::Impl::registerApi(httplib::Server& server) {
    server.Options("/v1/uploads", [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::none, token)) {
            return;
        }
        res.status = 204;
        tusHeaders(res);
        res.set_header("Tus-Version", "1.0.0");
        res.set_header("Tus-Extension", "creation,checksum");
        res.set_header("Tus-Max-Size", std::to_string(kTusMaxSize));
        res.set_header("Tus-Checksum-Algorithm", "sha1,sha256");
    });

    server.Post("/v1/uploads", [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        tusHeaders(res);
        if (!admit(req, res, Auth::bearer, token) || !tusVersionOk(req, res)) {
            return;
        }
        auto length = parseUnsigned(req.get_header_value("Upload-Length"));
        if (!length || *length == 0) {
            apiError(res, 400, "bad_request", "Upload-Length missing or zero");
            return;
        }
        if (*length > kTusMaxSize) {
            apiError(res, 413, "too_large", "Upload-Length exceeds Tus-Max-Size");
            return;
        }
        auto meta = parseMetadata(req.get_header_value("Upload-Metadata"));
        if (!meta) {
            apiError(res, 400, "bad_request", meta.error().message);
            return;
        }
        if (meta->filetype.empty()) {
            meta->filetype = "image/jpeg";
        }
        const MediaLimit* limit = nullptr;
        for (const MediaLimit& m : kMediaLimits) {
            if (meta->filetype == m.type) {
                limit = &m;
            }
        }
        if (limit == nullptr) {
            apiError(res, 415, "unsupported_media_type",
                     "filetype " + meta->filetype.substr(0, 64) +
                         " is not taken: image/jpeg, video/mp4 or audio/ogg");
            return;
        }
        if (*length > limit->maxBytes) {
            apiError(res, 413, "too_large",
                     std::string(limit->type) + " uploads are at most " +
                         std::to_string(limit->maxBytes >> 20) + " MiB");
            return;
        }
        auto up = store->createUpload(token, *length, *meta);
        if (!up) {
            apiError(res, 500, "internal", up.error().message);
            return;
        }
        res.status = 201;
        res.set_header("Location", "/v1/uploads/" + up->id);
        res.set_header("Upload-Offset", std::to_string(up->offset));
    });

    server.Get(kUploadPath, [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        tusHeaders(res);
        if (!admit(req, res, Auth::bearer, token) || !tusVersionOk(req, res)) {
            return;
        }
        if (req.method != "HEAD") {
            apiError(res, 405, "method_not_allowed", "uploads answer HEAD and PATCH");
            return;
        }
        auto up = store->upload(req.matches[1]);
        if (!up && answerExpired(*store, req.matches[1], res)) {
            return;
        }
        if (!up || up->token != token) {
            apiError(res, 404, "upload_unknown", "no such upload");
            return;
        }
        res.status = 200;
        res.set_header("Upload-Offset", std::to_string(up->offset));
        res.set_header("Upload-Length", std::to_string(up->length));
        res.set_header("Upload-Metadata", up->meta.rawHeader);
        res.set_header("Cache-Control", "no-store");
    });

    server.Patch(kUploadPath, [this](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
        tusHeaders(res);
        const auto readBody = [&](const std::function<bool(std::string_view)>& sink) {
            return reader(
                [&](const char* data, std::size_t n) { return sink(std::string_view(data, n)); });
        };
        const auto reject = [&](int status, const std::string& code, const std::string& message) {
            (void)readBody([](std::string_view) { return true; });
            apiError(res, status, code, message);
        };
        std::string token;
        if (!admit(req, res, Auth::bearer, token)) {
            (void)readBody([](std::string_view) { return true; });
            return;
        }
        if (!tusVersionOk(req, res)) {
            (void)readBody([](std::string_view) { return true; });
            return;
        }
        if (req.get_header_value("Content-Type") != "application/offset+octet-stream") {
            reject(415, "unsupported_media_type",
                   "Content-Type must be application/offset+octet-stream");
            return;
        }
        auto offset = parseUnsigned(req.get_header_value("Upload-Offset"));
        if (!offset) {
            reject(400, "bad_request", "Upload-Offset missing or malformed");
            return;
        }
        std::optional<ChecksumRequest> checksum;
        if (req.has_header("Upload-Checksum")) {
            const std::string h = req.get_header_value("Upload-Checksum");
            const auto space = h.find(' ');
            auto algorithm = parseDigestAlgorithm(h.substr(0, space));
            if (!algorithm) {
                reject(400, "checksum_algorithm", "Upload-Checksum algorithm not supported");
                return;
            }
            auto digest =
                space == std::string::npos ? std::nullopt : base64Decode(h.substr(space + 1));
            if (!digest) {
                reject(400, "bad_request", "Upload-Checksum digest is not base64");
                return;
            }
            checksum = ChecksumRequest{*algorithm, *digest};
        }
        const std::string id = req.matches[1];
        auto up = store->upload(id);
        if (!up && answerExpired(*store, id, res)) {
            (void)readBody([](std::string_view) { return true; });
            return;
        }
        if (!up || up->token != token) {
            reject(404, "upload_unknown", "no such upload");
            return;
        }
        if (auto declared = parseUnsigned(req.get_header_value("Content-Length"));
            declared && *offset + *declared > up->length) {
            reject(400, "bad_request", "PATCH goes beyond Upload-Length");
            return;
        }
        const PatchResult r = store->patchUpload(id, *offset, checksum, readBody);
        res.set_header("Upload-Offset", std::to_string(r.offset));
        switch (r.outcome) {
            case PatchOutcome::ok: res.status = 204; break;
            case PatchOutcome::unknown:
                apiError(res, 404, "upload_unknown", "no such upload");
                break;
            case PatchOutcome::offsetMismatch:
                apiError(res, 409, "offset_mismatch",
                         "Upload-Offset differs from the server's " + std::to_string(r.offset));
                break;
            case PatchOutcome::checksumMismatch:
                apiError(res, 460, "checksum_mismatch", "chunk checksum mismatch; nothing kept");
                break;
            case PatchOutcome::wholeMismatch:
                apiError(res, 460, "checksum_mismatch",
                         "whole upload does not match its sha256; upload truncated to 0");
                break;
            case PatchOutcome::ioError:
                apiError(res, 500, "internal", "the body did not arrive whole");
                break;
        }
    });

    server.Post("/v1/reports", [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::bearer, token)) {
            return;
        }
        auto key = idempotencyKeyOf(req, res, "the report's UUID");
        auto body = key ? jsonObjectOf(req, res) : std::nullopt;
        if (!body) {
            return;
        }
        const SubmitResult r = store->submit(token, *key, *body, currentCatalog().first, "v1");
        answerSubmit(res, r.outcome, r.message, r.fields, reportAnswer(r.report));
    });

    server.Get("/v1/reports/status", [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::bearer, token)) {
            return;
        }
        const std::string cursorText = req.get_param_value("cursor");
        auto cursor =
            cursorText.empty() ? std::optional<std::uint64_t>(0) : parseUnsigned(cursorText);
        const std::string limitText = req.get_param_value("limit");
        auto limit =
            limitText.empty() ? std::optional<std::uint64_t>(100) : parseUnsigned(limitText);
        if (!cursor || !limit || *limit < 1 || *limit > 500) {
            apiError(res, 400, "bad_request", "bad cursor or limit");
            return;
        }
        const StatusPage page =
            store->statusSince(token, *cursor, static_cast<std::size_t>(*limit));
        const json catalog = currentCatalog().first;
        json updates = json::array();
        for (const auto& e : page.updates) {
            updates.push_back(updateJson(e, catalog));
        }
        sendJson(res, 200,
                 {{"updates", updates},
                  {"next_cursor", std::to_string(page.nextCursor)},
                  {"more", page.more}});
    });

    server.Get(R"(/v1/reports/([A-Z0-9-]{1,32}))", [this](const httplib::Request& req,
                                                          httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::bearer, token)) {
            return;
        }
        auto r = store->reportByTracking(token, req.matches[1]);
        if (!r) {
            apiError(res, 404, "not_found", "no such report for this device");
            return;
        }
        const json catalog = currentCatalog().first;
        json history = json::array();
        for (const auto& e : r->history) {
            history.push_back(updateJson(e, catalog));
        }
        sendJson(res, 200,
                 {{"tracking_id", r->trackingId},
                  {"uuid", r->uuid},
                  {"status", r->status},
                  {"received_at", formatTime(r->receivedAtMs)},
                  {"closed", r->status == "closed" || r->status == "rejected"},
                  {"closes_at", r->closesAtMs > 0 ? json(formatTime(r->closesAtMs)) : json()},
                  {"replies", r->replies.size()},
                  {"history", history}});
    });

    server.Get("/v1/catalog", [this](const httplib::Request& req, httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::bearer, token)) {
            return;
        }
        auto [catalog, etag] = currentCatalog();
        res.set_header("ETag", etag);
        if (etagMatches(req.get_header_value("If-None-Match"), etag)) {
            res.status = 304;
            return;
        }
        sendJson(res, 200, catalog);
    });
}

}  // namespace lapor::sandbox
