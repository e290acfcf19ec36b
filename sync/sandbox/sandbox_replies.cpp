// The returning visitor's side of docs/protocol.md (sections 4.3 to 4.6): the feed entries with
// the agency's follow-ups, the citizen's replies, and the admin control that posts a follow-up.
#include <algorithm>

#include "sync/sandbox/sandbox_impl.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

std::string agencyName(const json& catalog, const std::string& id) {
    for (const auto& a : catalog.value("agencies", json::array())) {
        if (a.value("id", "") == id) {
            return a.value("name", id);
        }
    }
    return id;
}

json timeOrNull(std::int64_t ms) {
    return ms > 0 ? json(formatTime(ms)) : json(nullptr);
}

json replyAnswer(const ReplyResult& r, const std::string& status) {
    return {{"reply_id", r.reply.id},
            {"tracking_id", r.reply.trackingId},
            {"received_at", formatTime(r.reply.receivedAtMs)},
            {"status", status},
            {"closes_at", timeOrNull(r.closesAtMs)}};
}

}  // namespace

std::optional<std::string> idempotencyKeyOf(const httplib::Request& req, httplib::Response& res,
                                            const std::string& what) {
    std::string key = req.get_header_value("Idempotency-Key");
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!isUuid(key)) {
        apiError(res, 400, "bad_request", "Idempotency-Key must be " + what);
        return std::nullopt;
    }
    return key;
}

std::optional<json> jsonObjectOf(const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        apiError(res, 400, "bad_request", "body is not a JSON object");
        return std::nullopt;
    }
    return body;
}

void answerSubmit(httplib::Response& res, SubmitOutcome outcome, const std::string& message,
                  const std::vector<FieldError>& fields, const json& accepted) {
    switch (outcome) {
        case SubmitOutcome::created: sendJson(res, 201, accepted); break;
        case SubmitOutcome::replayed:
            res.set_header("Idempotent-Replayed", "true");
            sendJson(res, 200, accepted);
            break;
        case SubmitOutcome::conflict: apiError(res, 409, "idempotency_conflict", message); break;
        case SubmitOutcome::invalid: {
            json list = json::array();
            for (const auto& f : fields) {
                list.push_back({{"field", f.field}, {"reason", f.reason}});
            }
            apiError(res, 422, "validation_failed", message, -1, list);
            break;
        }
        case SubmitOutcome::uploadMissing: apiError(res, 409, "upload_missing", message); break;
        case SubmitOutcome::uploadIncomplete:
            apiError(res, 409, "upload_incomplete", message);
            break;
        case SubmitOutcome::photoMismatch: apiError(res, 422, "photo_mismatch", message); break;
        case SubmitOutcome::unknownReport: apiError(res, 404, "not_found", message); break;
        case SubmitOutcome::closed: apiError(res, 409, "report_closed", message); break;
        case SubmitOutcome::notFollowedUp: apiError(res, 409, "not_followed_up", message); break;
    }
}

json updateJson(const StatusEvent& e, const json& catalog) {
    json u = {{"id", std::to_string(e.seq)},
              {"tracking_id", e.trackingId},
              {"uuid", e.uuid},
              {"event", e.event},
              {"status", e.status},
              {"at", formatTime(e.atMs)},
              {"note", e.note},
              {"closed", e.status == "closed" || e.status == "rejected"},
              {"closes_at", timeOrNull(e.closesAtMs)}};
    const std::string agency = e.agency.empty() ? agencyName(catalog, e.agencyId) : e.agency;
    if (e.event == "followup") {
        u["followup"] = {{"text", e.note},
                         {"agency_id", e.agencyId},
                         {"agency", agency},
                         {"at", formatTime(e.atMs)},
                         {"local_at", formatLocalTime(e.atMs, e.utcOffsetMinutes)}};
    } else if (e.status == "forwarded" && e.event == "status") {
        u["agency_id"] = e.agencyId;
        u["agency"] = agency;
    } else if (e.event == "reply") {
        u["reply_id"] = e.replyId;
    }
    return u;
}

json replyJson(const ReplyView& r) {
    return {{"reply_id", r.id},
            {"tracking_id", r.trackingId},
            {"received_at", formatTime(r.receivedAtMs)},
            {"created", r.created},
            {"replayed", r.replayed},
            {"body", r.body}};
}

void Sandbox::Impl::registerReplies(httplib::Server& api, httplib::Server& adminServer) {
    api.Post(R"(/v1/reports/([A-Z0-9-]{1,32})/replies)",
             [this](const httplib::Request& req, httplib::Response& res) {
                 std::string token;
                 if (!admit(req, res, Auth::bearer, token)) {
                     return;
                 }
                 auto key = idempotencyKeyOf(req, res, "the reply's UUID");
                 auto body = key ? jsonObjectOf(req, res) : std::nullopt;
                 if (!body) {
                     return;
                 }
                 const ReplyResult r = store->submitReply(token, req.matches[1], *key, *body);
                 answerSubmit(res, r.outcome, r.message, r.fields, replyAnswer(r, "followed_up"));
             });

    adminServer.Post(
        R"(/admin/reports/([A-Za-z0-9-]{1,64})/followup)",
        [this](const httplib::Request& req, httplib::Response& res) {
            json body =
                json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
            if (body.is_discarded() || !body.is_object() ||
                (body.contains("text") && !body["text"].is_string()) ||
                (body.contains("agency") && !body["agency"].is_string())) {
                apiError(res, 400, "bad_request",
                         "body is {\"text\": \"...\", \"agency\": \"...\"}");
                return;
            }
            const std::string text = body.value("text", "");
            if (text.size() > kReplyTextMax) {
                apiError(res, 400, "bad_request", "text: too_long");
                return;
            }
            const std::string id = req.matches[1];
            auto st = store->postFollowup(id, text, body.value("agency", ""));
            if (!st) {
                const bool missing = st.error().code == Errc::notFound;
                apiError(res, missing ? 404 : 409, missing ? "not_found" : "report_closed",
                         st.error().message);
                return;
            }
            auto r = store->reportByUuid(id);
            if (!r) {
                r = store->reportByTracking("", id);
            }
            const auto catalog = currentCatalog().first;
            sendJson(res, 200,
                     {{"tracking_id", r->trackingId},
                      {"status", r->status},
                      {"closes_at", timeOrNull(r->closesAtMs)},
                      {"followup", updateJson(r->history.back(), catalog)["followup"]}});
        });
}

}  // namespace lapor::sandbox
