// lapor-sandbox: enrolment routes, POST /v1/enrolments (API) and /admin/enrolment-codes (admin).
#include <nlohmann/json.hpp>

#include "sync/sandbox/sandbox_impl.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using json = nlohmann::json;

void Sandbox::Impl::registerEnrolment(httplib::Server& api, httplib::Server& admin) {
    // No token: the device has none yet. The code is the credential, used once.
    api.Post("/v1/enrolments", [this](const httplib::Request& req, httplib::Response& res) {
        std::string unused;
        if (!admit(req, res, Auth::none, unused)) {
            return;
        }
        const json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            apiError(res, 400, "bad_request", "body is not a JSON object");
            return;
        }
        auto text = [&](const char* key) {
            return body.contains(key) && body[key].is_string() ? body[key].get<std::string>()
                                                               : std::string();
        };
        const auto outcome = enrolments->enrol(text("code"), text("device_id"), text("public_key"),
                                               text("signature"), store->now());
        if (outcome.status != 201) {
            apiError(res, outcome.status, outcome.error, outcome.message);
            return;
        }
        sendJson(res, 201, {{"device_token", outcome.token}, {"device_id", text("device_id")}});
    });

    admin.Post("/admin/enrolment-codes",
               [this](const httplib::Request& req, httplib::Response& res) {
                   const json body =
                       json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
                   const double ttl = body.is_object() ? body.value("ttl_seconds", 86400.0) : -1;
                   if (ttl <= 0) {
                       apiError(res, 400, "bad_request", "ttl_seconds must be a positive number");
                       return;
                   }
                   const std::int64_t now = store->now();
                   const std::int64_t ttlMs = static_cast<std::int64_t>(ttl * 1000);
                   const std::string code = enrolments->issueCode(now, ttlMs);
                   sendJson(res, 201, {{"code", code}, {"expires_at", formatTime(now + ttlMs)}});
               });

    admin.Get("/admin/enrolments", [this](const httplib::Request&, httplib::Response& res) {
        sendJson(res, 200, enrolments->describe(store->now()));
    });
}

}  // namespace lapor::sandbox
