// The /admin/ routes (docs/protocol.md section 7): what tests and demos use to look inside the
// sandbox and to make it misbehave. Served on the admin port only.
#include <chrono>

#include "sync/sandbox/sandbox_impl.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

json reportJson(const ReportView& r) {
    json history = json::array();
    for (const auto& e : r.history) {
        history.push_back({{"status", e.status}, {"at", formatTime(e.atMs)}, {"note", e.note}});
    }
    json out = {{"tracking_id", r.trackingId},
                {"uuid", r.uuid},
                {"source", r.source},
                {"received_at", formatTime(r.receivedAtMs)},
                {"status", r.status},
                {"history", history},
                {"created", r.created},
                {"replayed", r.replayed},
                {"body", r.body}};
    out["replies"] = json::array();
    for (const auto& reply : r.replies) {
        out["replies"].push_back(replyJson(reply));
    }
    return out;
}

// Parses the request body as JSON; answers 400 and returns nullopt when it is not.
std::optional<json> jsonBody(const httplib::Request& req, httplib::Response& res) {
    json j = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
    if (j.is_discarded()) {
        apiError(res, 400, "bad_request", "body is not JSON");
        return std::nullopt;
    }
    return j;
}

}  // namespace

void Sandbox::Impl::registerAdmin(httplib::Server& server) {
    server.Get("/admin/stats", [this](const httplib::Request&, httplib::Response& res) {
        json stats = store->stats();
        {
            std::lock_guard lock(requestsMutex);
            stats["requests"] = requests;
        }
        const auto c = link->counters();
        stats["link"] = {{"bytes_up", c.bytesUp},
                         {"bytes_down", c.bytesDown},
                         {"connections", c.connections},
                         {"open", c.open},
                         {"resets", c.resets}};
        sendJson(res, 200, stats);
    });

    server.Get(R"(/admin/reports/([A-Za-z0-9-]{1,64}))",
               [this](const httplib::Request& req, httplib::Response& res) {
                   const std::string id = req.matches[1];
                   auto r = store->reportByUuid(id);
                   if (!r) {
                       r = store->reportByTracking("", id);
                   }
                   if (!r) {
                       apiError(res, 404, "not_found", "no such report");
                       return;
                   }
                   sendJson(res, 200, reportJson(*r));
               });

    server.Get("/admin/faults", [this](const httplib::Request&, httplib::Response& res) {
        sendJson(res, 200, faults.list());
    });

    server.Post("/admin/faults", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        const json list = body->is_array() ? *body : json::array({*body});
        std::vector<Fault> parsed;
        for (const auto& j : list) {
            auto f = parseFault(j);
            if (!f) {
                apiError(res, 400, "bad_request", f.error().message);
                return;
            }
            parsed.push_back(*f);
        }
        for (const auto& f : parsed) {
            switch (f.kind) {
                case FaultKind::reset: link->armReset(f.afterBytes, f.direction, f.count); break;
                case FaultKind::throttle:
                    link->throttleFor(f.bytesPerSecond, millis(f.seconds));
                    break;
                case FaultKind::linkStall:
                    f.seconds > 0 ? link->stallFor(millis(f.seconds)) : link->setStalled(true);
                    break;
                case FaultKind::down:
                    f.seconds > 0 ? link->downFor(millis(f.seconds)) : link->setDown(true);
                    break;
                default: faults.add(f);
            }
        }
        sendJson(res, 200, faults.list());
    });

    server.Delete("/admin/faults", [this](const httplib::Request&, httplib::Response& res) {
        faults.clear();
        link->setDown(false);
        link->setStalled(false);
        link->throttleFor(0, std::chrono::milliseconds(0));
        link->armReset(0, linkemu::Direction::any, 0);
        sendJson(res, 200, json::array());
    });

    server.Post("/admin/uploads/expire",
                [this](const httplib::Request& req, httplib::Response& res) {
                    auto body = jsonBody(req, res);
                    if (!body) {
                        return;
                    }
                    std::vector<std::string> ids;
                    int status = 410;
                    try {
                        status = body->value("status", 410);
                        if (body->contains("id")) {
                            ids.push_back(body->value("id", ""));
                        } else if (body->contains("report_uuid") || body->value("all", false)) {
                            ids = store->uploadIds(body->value("report_uuid", ""));
                        }
                    } catch (const json::exception& e) {
                        apiError(res, 400, "bad_request", e.what());
                        return;
                    }
                    if (status != 404 && status != 410) {
                        apiError(res, 400, "bad_request", "an expired upload answers 404 or 410");
                        return;
                    }
                    json expired = json::array();
                    for (const auto& id : ids) {
                        if (store->expireUpload(id, status)) {
                            expired.push_back(id);
                        }
                    }
                    sendJson(res, 200, {{"expired", expired}});
                });

    server.Post("/admin/link", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        linkemu::LinkShape s = link->shape();
        try {
            s.upBytesPerSecond = body->value("up_bytes_per_second", s.upBytesPerSecond);
            s.downBytesPerSecond = body->value("down_bytes_per_second", s.downBytesPerSecond);
            s.latency = std::chrono::milliseconds(body->value("latency_ms", s.latency.count()));
            s.resetEveryBytes = body->value("reset_every_bytes", s.resetEveryBytes);
        } catch (const json::exception& e) {
            apiError(res, 400, "bad_request", e.what());
            return;
        }
        link->setShape(s);
        sendJson(res, 200,
                 {{"up_bytes_per_second", s.upBytesPerSecond},
                  {"down_bytes_per_second", s.downBytesPerSecond},
                  {"latency_ms", s.latency.count()},
                  {"reset_every_bytes", s.resetEveryBytes}});
    });

    server.Post("/admin/status", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        if (body->value("all", false)) {
            store->stepAll();
            sendJson(res, 200, {{"ok", true}});
            return;
        }
        std::string id = body->value("tracking_id", "");
        if (id.empty()) {
            id = body->value("uuid", "");
        }
        auto st = store->setStatus(id, body->value("status", ""), body->value("note", ""));
        if (!st) {
            apiError(res, st.error().code == Errc::notFound ? 404 : 400,
                     st.error().code == Errc::notFound ? "not_found" : "bad_request",
                     st.error().message);
            return;
        }
        auto r = store->reportByUuid(id);
        if (!r) {
            r = store->reportByTracking("", id);
        }
        sendJson(res, 200, r ? reportJson(*r) : json{{"ok", true}});
    });

    server.Get("/admin/clock", [this](const httplib::Request&, httplib::Response& res) {
        sendJson(res, 200, {{"now", formatTime(store->now())}, {"time_scale", store->timeScale()}});
    });

    server.Post("/admin/clock", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        const double seconds = body->value("advance_seconds", 0.0);
        if (seconds < 0) {
            apiError(res, 400, "bad_request", "the clock only moves forward");
            return;
        }
        store->advanceClock(static_cast<std::int64_t>(seconds * 1000));
        sendJson(res, 200, {{"now", formatTime(store->now())}, {"time_scale", store->timeScale()}});
    });

    server.Post("/admin/catalog", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        if (!body->is_object() || !body->contains("agencies") || !(*body)["agencies"].is_array()) {
            apiError(res, 400, "bad_request", "a catalog has an agencies array");
            return;
        }
        setCatalog(*body);
        sendJson(res, 200, {{"etag", currentCatalog().second}});
    });

    server.Post("/admin/open311", [this](const httplib::Request& req, httplib::Response& res) {
        auto body = jsonBody(req, res);
        if (!body) {
            return;
        }
        open311TokenMode = body->value("token_mode", open311TokenMode.load());
        open311PendingQueries = body->value("token_pending_queries", open311PendingQueries.load());
        sendJson(res, 200,
                 {{"token_mode", open311TokenMode.load()},
                  {"token_pending_queries", open311PendingQueries.load()}});
    });

    server.Post("/admin/reset", [this](const httplib::Request&, httplib::Response& res) {
        auto st = store->reset();
        {
            std::lock_guard lock(requestsMutex);
            requests.clear();
        }
        link->resetCounters();
        faults.clear();
        if (!st) {
            apiError(res, 500, "internal", st.error().message);
            return;
        }
        sendJson(res, 200, {{"ok", true}});
    });
}

}  // namespace lapor::sandbox
