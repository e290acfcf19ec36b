// The Open311 GeoReport v2 subset (docs/protocol.md section 6): services from the catalog,
// requests stored as reports with tracking IDs, tokens for deferred IDs.
#include <sstream>

#include "sync/sandbox/sandbox_impl.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

const char* const kKinds[] = {"pengaduan", "aspirasi", "permintaan_informasi"};

// "<kind>:<agency_id>:<topic_id>"
std::string serviceCode(const std::string& kind, const std::string& agency,
                        const std::string& topic) {
    return kind + ":" + agency + ":" + topic;
}

json services(const json& catalog) {
    json out = json::array();
    for (const char* kind : kKinds) {
        for (const auto& a : catalog.value("agencies", json::array())) {
            for (const auto& t : a.value("topics", json::array())) {
                out.push_back(
                    {{"service_code", serviceCode(kind, a.value("id", ""), t.value("id", ""))},
                     {"service_name", t.value("name", "")},
                     {"description", std::string(kind) + ": " + t.value("name", "")},
                     {"metadata", false},
                     {"type", "realtime"},
                     {"keywords", kind},
                     {"group", a.value("name", "")}});
            }
        }
    }
    return out;
}

const json* findService(const json& list, const std::string& code) {
    for (const auto& s : list) {
        if (s.value("service_code", "") == code) {
            return &s;
        }
    }
    return nullptr;
}

std::string agencyName(const json& catalog, const std::string& id) {
    for (const auto& a : catalog.value("agencies", json::array())) {
        if (a.value("id", "") == id) {
            return a.value("name", "");
        }
    }
    return {};
}

// Any stored report, as Open311 shows a service request.
json requestView(const ReportView& r, const json& catalog, const json& serviceList) {
    const json& b = r.body;
    std::string code;
    std::string description;
    std::string address;
    std::string media;
    std::string agency;
    if (r.source == "open311") {
        code = b.value("service_code", "");
        description = b.value("description", "");
        address = b.value("address_string", "");
        const auto urls = b.value("media_url", json::array());
        media = urls.empty() ? "" : urls[0].get<std::string>();
        const auto first = code.find(':');
        const auto second = code.find(':', first + 1);
        if (first != std::string::npos && second != std::string::npos) {
            agency = code.substr(first + 1, second - first - 1);
        }
    } else {
        agency = b.value("agency_id", "");
        const json topic = b.value("topic_id", json(""));
        code = serviceCode(b.value("kind", ""), agency,
                           topic.is_string() ? topic.get<std::string>() : "");
        description = b.value("title", "") + "\n\n" + b.value("body", "");
        address = b.value("region_code", "") + " " + b.value("place", "");
    }
    const json* service = findService(serviceList, code);
    json view = {{"service_request_id", r.trackingId},
                 {"status", r.status == "closed" || r.status == "rejected" ? "closed" : "open"},
                 {"status_notes", r.status},
                 {"service_name", service ? service->value("service_name", "") : ""},
                 {"service_code", code},
                 {"description", description},
                 {"agency_responsible", agencyName(catalog, agency)},
                 {"service_notice", ""},
                 {"requested_datetime", formatTime(r.receivedAtMs)},
                 {"updated_datetime", formatTime(r.statusAtMs)},
                 {"address", address},
                 {"media_url", media}};
    if (b.contains("lat") && b.contains("long")) {
        view["lat"] = b["lat"];
        view["long"] = b["long"];
    }
    return view;
}

}  // namespace

void Sandbox::Impl::registerOpen311(httplib::Server& server) {
    server.Get("/open311/v2/services.json",
               [this](const httplib::Request& req, httplib::Response& res) {
                   std::string token;
                   if (!admit(req, res, Auth::none, token)) {
                       return;
                   }
                   sendJson(res, 200, services(currentCatalog().first));
               });

    server.Post(
        "/open311/v2/requests.json", [this](const httplib::Request& req, httplib::Response& res) {
            std::string token;
            if (!admit(req, res, Auth::open311Key, token)) {
                return;
            }
            const auto [catalog, etag] = currentCatalog();
            const std::string code = req.get_param_value("service_code");
            if (findService(services(catalog), code) == nullptr) {
                open311Error(res, 400, "service_code missing or unknown");
                return;
            }
            const std::string description = req.get_param_value("description");
            if (description.empty() || description.size() > 4000) {
                open311Error(res, 400, "description must be 1 to 4000 characters");
                return;
            }
            if (req.get_param_value("address_string").empty()) {
                open311Error(res, 400, "address_string required");
                return;
            }
            std::string key = req.get_header_value("Idempotency-Key");
            if (!key.empty() && !isUuid(key)) {
                open311Error(res, 400, "Idempotency-Key must be a UUID");
                return;
            }
            json body = json::object();
            for (const char* field : {"service_code", "description", "address_string", "lat",
                                      "long", "email", "first_name", "last_name", "phone",
                                      "device_id", "account_id", "jurisdiction_id"}) {
                if (req.has_param(field)) {
                    body[field] = req.get_param_value(field);
                }
            }
            json media = json::array();
            for (std::size_t i = 0; i < req.get_param_value_count("media_url"); ++i) {
                media.push_back(req.get_param_value("media_url", i));
            }
            if (!media.empty()) {
                body["media_url"] = media;
            }
            const SubmitResult r = store->submit(token, key, body, catalog, "open311");
            if (r.outcome == SubmitOutcome::conflict) {
                open311Error(res, 409, r.message);
                return;
            }
            const int status = r.outcome == SubmitOutcome::replayed ? 200 : 201;
            const std::string notice = "Laporan diterima oleh LAPOR! (sandbox)";
            if (open311TokenMode) {
                const std::string t =
                    store->addOpen311Token(r.report.trackingId, open311PendingQueries);
                sendJson(res, status, json::array({{{"token", t}, {"service_notice", notice}}}));
                return;
            }
            sendJson(res, status,
                     json::array({{{"service_request_id", r.report.trackingId},
                                   {"service_notice", notice},
                                   {"account_id", nullptr}}}));
        });

    server.Get(R"(/open311/v2/tokens/([0-9a-f]{1,64})\.json)", [this](const httplib::Request& req,
                                                                      httplib::Response& res) {
        std::string token;
        if (!admit(req, res, Auth::none, token)) {
            return;
        }
        const std::string t = req.matches[1];
        auto id = store->queryOpen311Token(t);
        if (!id) {
            open311Error(res, 404, "no such token");
        } else if (id->empty()) {
            sendJson(res, 200, json::array({{{"token", t}}}));
        } else {
            sendJson(res, 200, json::array({{{"service_request_id", *id}, {"token", t}}}));
        }
    });

    server.Get("/open311/v2/requests.json",
               [this](const httplib::Request& req, httplib::Response& res) {
                   std::string token;
                   if (!admit(req, res, Auth::none, token)) {
                       return;
                   }
                   const auto [catalog, etag] = currentCatalog();
                   const json serviceList = services(catalog);
                   std::set<std::string> ids;
                   std::stringstream in(req.get_param_value("service_request_id"));
                   for (std::string id; std::getline(in, id, ',');) {
                       if (!id.empty()) {
                           ids.insert(id);
                       }
                   }
                   const std::string code = req.get_param_value("service_code");
                   const std::string status = req.get_param_value("status");
                   auto start = parseTime(req.get_param_value("start_date"));
                   auto end = parseTime(req.get_param_value("end_date"));
                   json out = json::array();
                   for (const auto& r : store->reports("")) {
                       if (!ids.empty() && ids.count(r.trackingId) == 0) {
                           continue;
                       }
                       if ((start && r.receivedAtMs < *start) || (end && r.receivedAtMs > *end)) {
                           continue;
                       }
                       json view = requestView(r, catalog, serviceList);
                       if ((!code.empty() && view["service_code"] != code) ||
                           (!status.empty() && view["status"] != status)) {
                           continue;
                       }
                       out.push_back(std::move(view));
                       if (out.size() == 1000) {
                           break;
                       }
                   }
                   sendJson(res, 200, out);
               });

    server.Get(R"(/open311/v2/requests/([A-Za-z0-9-]{1,32})\.json)",
               [this](const httplib::Request& req, httplib::Response& res) {
                   std::string token;
                   if (!admit(req, res, Auth::none, token)) {
                       return;
                   }
                   auto r = store->reportByTracking("", req.matches[1]);
                   if (!r) {
                       open311Error(res, 404, "no such service request");
                       return;
                   }
                   const auto [catalog, etag] = currentCatalog();
                   sendJson(res, 200, json::array({requestView(*r, catalog, services(catalog))}));
               });
}

}  // namespace lapor::sandbox
