// The staff panel's state: reading the agent's record, grouping refused reports, plain words.
#include "kiosk/flow/panel.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace lapor::kiosk {

LinkInfo parseAgentRecord(std::string_view text) {
    LinkInfo l;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) {
        return l;
    }
    const auto num = [&j](const char* key) -> std::int64_t {
        const auto it = j.find(key);
        return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
    };
    const auto online = j.find("online");
    l.known = online != j.end() && online->is_boolean();
    l.online = l.known && online->get<bool>();
    l.lastSuccessMs = num("last_success_at_ms");
    l.lastErrorMs = num("last_error_at_ms");
    l.updatedAtMs = num("updated_at_ms");
    if (const auto e = j.find("last_error"); e != j.end() && e->is_string()) {
        l.lastError = e->get<std::string>();
    }
    return l;
}

std::vector<ParkedGroup> groupParked(std::vector<ParkedReport> reports) {
    std::map<std::string, ParkedGroup> by;
    for (auto& r : reports) {
        ParkedGroup& g = by[r.reason];
        g.reason = r.reason;
        g.reports.push_back(std::move(r));
    }
    std::vector<ParkedGroup> out;
    for (auto& [reason, g] : by) {
        std::sort(g.reports.begin(), g.reports.end(),
                  [](const ParkedReport& a, const ParkedReport& b) {
                      return a.parkedAtMs < b.parkedAtMs;
                  });
        out.push_back(std::move(g));
    }
    std::stable_sort(out.begin(), out.end(), [](const ParkedGroup& a, const ParkedGroup& b) {
        return a.reports.size() > b.reports.size();
    });
    return out;
}

const char* linkErrorMsgid(std::string_view e) {
    // The agent writes "<errc name>: <message>" (sync/agent.cpp noteError).
    const auto is = [e](std::string_view prefix) { return e.starts_with(prefix); };
    if (e.empty()) {
        return "kiosk.staffPanel.error.none";
    }
    if (is("network") || is("unavailable") || is("timeout")) {
        return "kiosk.staffPanel.error.unreachable";
    }
    if (is("busy")) {
        return "kiosk.staffPanel.error.busy";
    }
    if (is("permission")) {
        return "kiosk.staffPanel.error.token";
    }
    if (is("protocol")) {
        return "kiosk.staffPanel.error.not_server";
    }
    if (is("rejected") || is("invalidInput")) {
        return "kiosk.staffPanel.error.refused";
    }
    if (is("diskFull") || is("ioError") || is("corrupt")) {
        return "kiosk.staffPanel.error.storage";
    }
    return "kiosk.staffPanel.error.other";
}

const char* parkReasonMsgid(std::string_view reason) {
    // The exchange writes "<what>: HTTP <status> (<code>: <detail>)" (sync/exchange.cpp).
    const auto at = reason.find("HTTP ");
    const std::string_view status =
        at == std::string_view::npos ? std::string_view{} : reason.substr(at + 5, 3);
    if (status == "422") {
        return reason.find("photo_mismatch") != std::string_view::npos
                   ? "kiosk.staffPanel.park.photo"
                   : "kiosk.staffPanel.park.invalid";
    }
    if (status == "413") {
        return "kiosk.staffPanel.park.too_large";
    }
    if (status == "409") {
        return "kiosk.staffPanel.park.conflict";
    }
    if (status == "400" || status == "415" || status == "412") {
        return "kiosk.staffPanel.park.malformed";
    }
    if (reason.starts_with("stored report unreadable")) {
        return "kiosk.staffPanel.park.unreadable";
    }
    return "kiosk.staffPanel.park.other";
}

bool clockBehind(std::int64_t nowWallMs, std::int64_t newestKnownMs) {
    return newestKnownMs > 0 && nowWallMs + kClockBehindMs < newestKnownMs;
}

std::string ageText(std::int64_t ms) {
    const std::int64_t min = std::max<std::int64_t>(0, ms) / 60'000;
    if (min < 60) {
        return std::to_string(min) + " min";
    }
    const std::int64_t h = min / 60;
    if (h < 24) {
        return std::to_string(h) + " h " + std::to_string(min % 60) + " min";
    }
    return std::to_string(h / 24) + " d " + std::to_string(h % 24) + " h";
}

std::vector<Text> panelSpeech(const PanelSnapshot& p, std::int64_t nowWallMs) {
    std::vector<Text> out;
    if (!p.read) {
        out.push_back({"kiosk.staffPanel.reading", {}});
        return out;
    }
    if (p.link.waitsForEnrolment) {
        out.push_back({"kiosk.staffPanel.link.not_enrolled", {}});
    } else if (!p.link.known) {
        out.push_back({"kiosk.staffPanel.link.unknown", {}});
    } else {
        out.push_back(
            {p.link.online ? "kiosk.staffPanel.link.online" : "kiosk.staffPanel.link.offline", {}});
        if (!p.link.lastError.empty()) {
            out.push_back({linkErrorMsgid(p.link.lastError), {}});
        }
    }
    out.push_back({"kiosk.staffPanel.outbox.summary",
                   {{"waiting", std::to_string(p.waiting)},
                    {"sending", std::to_string(p.sending)},
                    {"delivered", std::to_string(p.deliveredToday)}}});
    out.push_back({"kiosk.staffPanel.parked.count", {{"n", std::to_string(p.parkedCount)}}});
    if (clockBehind(nowWallMs, p.newestKnownMs)) {
        out.push_back({"kiosk.staffPanel.clock.behind", {}});
    }
    return out;
}

}  // namespace lapor::kiosk
