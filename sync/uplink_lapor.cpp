// The LAPOR! Kiosk uplink adapter: JSON over HTTP(S) per docs/protocol.md.
#include "sync/uplink_lapor.hpp"

#include <nlohmann/json.hpp>

#include "core/time_zone.hpp"
#include "core/wipe.hpp"

#include <cstdio>
#include <ctime>

namespace lapor::sync {

using nlohmann::json;

namespace {

std::string dateText(const Date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

}  // namespace

const char* kindName(ReportKind kind) {
    switch (kind) {
        case ReportKind::pengaduan:
            return "pengaduan";
        case ReportKind::aspirasi:
            return "aspirasi";
        case ReportKind::permintaanInformasi:
            return "permintaan_informasi";
    }
    return "pengaduan";
}

std::string rfc3339(std::int64_t unixMs) {
    const std::time_t secs = static_cast<std::time_t>(unixMs / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(unixMs % 1000));
    return buf;
}

std::optional<std::int64_t> parseRfc3339(const std::string& text) {
    std::tm tm{};
    int ms = 0;
    int n = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6) {
        return std::nullopt;
    }
    std::size_t at = static_cast<std::size_t>(n);
    if (at < text.size() && text[at] == '.') {
        int digits = 0;
        ++at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
            if (digits < 3) {
                ms = ms * 10 + (text[at] - '0');
            }
            ++digits;
            ++at;
        }
        for (; digits < 3; ++digits) {
            ms *= 10;
        }
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string reportJson(const Report& r, const std::vector<PhotoRef>& photos) {
    json j;
    j["kind"] = kindName(r.kind);
    j["title"] = r.title;
    j["body"] = r.body;
    j["incident_date"] = dateText(r.incidentDate);
    j["region_code"] = r.regionCode;
    j["place"] = r.place;
    j["agency_id"] = r.agencyId;
    j["topic_id"] = r.topicId;
    j["anonymous"] = r.anonymous;
    j["confidential"] = r.confidential;
    if (!r.anonymous) {
        j["reporter"] = {{"name", r.identity.name},
                         {"nik", r.identity.nik},
                         {"phone", r.identity.phone},
                         {"email", r.identity.email}};
    }
    j["photos"] = json::array();
    for (const auto& p : photos) {
        j["photos"].push_back({{"upload", p.upload}, {"sha256", p.sha256Hex}, {"bytes", p.bytes}});
    }
    j["device_id"] = r.deviceId;
    j["office"] = r.office;
    j["language"] = r.language.empty() ? "id" : r.language;
    j["assisted_by"] = r.assistedBy;
    // With the office's offset, so that the server compares incident_date with the local day.
    j["created_at"] = rfc3339Local(r.createdAtMs, r.utcOffsetMinutes);
    j["receipt_code"] = r.receiptCode;
    j["replaces"] = r.replacesUuid.empty() ? json(nullptr) : json(r.replacesUuid);
    return j.dump();
}

LaporUplink::LaporUplink(HttpClient& http, LaporUplinkOptions options, const Clock& clock)
    : HttpUplink(http, clock, laporGuard(), options, options.baseUrl + "/v1/uploads",
                 options.token),
      options_(std::move(options)) {}

Headers LaporUplink::auth() const {
    return {{"Authorization", "Bearer " + options_.token}};
}

Result<std::string> LaporUplink::uploadPhoto(const Report& report, const PhotoUpload& photo,
                                             ExchangeNote& note) {
    return uploadWithTus(report, photo, note);
}

Result<std::string> LaporUplink::submit(const Report& report, const std::vector<PhotoRef>& photos,
                                        ExchangeNote& note) {
    HttpRequest req;
    req.method = "POST";
    req.url = options_.baseUrl + "/v1/reports";
    req.headers = auth();
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Idempotency-Key", report.uuid);
    req.body = reportJson(report, photos);
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "report POST", {200, 201}, note);
    wipeString(req.body);  // the reporter's identity, in clear
    if (!res.ok()) {
        return res.error();
    }
    // Only a well-formed answer naming this report and a plausible tracking ID counts.
    auto j = json::parse(res->body, nullptr, false);
    if (!j.is_object() || !j.contains("tracking_id") || !j["tracking_id"].is_string()) {
        note = {};
        note.status = res->status;
        return makeError(Errc::protocol, "report POST: success without a readable tracking_id");
    }
    const std::string id = j["tracking_id"].get<std::string>();
    const bool sane =
        !id.empty() && id.size() <= 32 &&
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == std::string::npos;
    if (!sane || (j.contains("uuid") && j["uuid"] != report.uuid)) {
        note = {};
        note.status = res->status;
        return makeError(Errc::protocol, "report POST: answer does not name this report");
    }
    return id;
}

Result<StatusPage> LaporUplink::pullStatus(const std::string& cursor, const std::vector<Followed>&,
                                           ExchangeNote& note) {
    HttpRequest req;
    req.url = options_.baseUrl + "/v1/reports/status?limit=500";
    if (!cursor.empty()) {
        req.url += "&cursor=" + percentEncode(cursor);
    }
    req.headers = auth();
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "status GET", {200}, note);
    if (!res.ok()) {
        return res.error();
    }
    auto j = json::parse(res->body, nullptr, false);
    if (!j.is_object() || !j.contains("updates") || !j["updates"].is_array()) {
        return makeError(Errc::protocol, "status GET: malformed answer");
    }
    StatusPage page;
    for (const auto& u : j["updates"]) {
        if (!u.is_object()) {
            continue;
        }
        StatusUpdate s;
        s.uuid = u.value("uuid", "");
        s.trackingId = u.value("tracking_id", "");
        s.status = u.value("status", "");
        s.note = u.value("note", "");
        s.atMs = parseRfc3339(u.value("at", "")).value_or(clock_.wallMs());
        if (!s.uuid.empty() && !s.status.empty()) {
            page.updates.push_back(std::move(s));
        }
    }
    page.nextCursor = j.value("next_cursor", cursor);
    page.more = j.value("more", false);
    return page;
}

Result<std::optional<AgencyCatalog>> LaporUplink::pullCatalog(const std::string& etag,
                                                              ExchangeNote& note) {
    HttpRequest req;
    req.url = options_.baseUrl + "/v1/catalog";
    req.headers = auth();
    if (!etag.empty()) {
        req.headers.emplace_back("If-None-Match", "\"" + etag + "\"");
    }
    req.timeoutMs = options_.requestTimeoutMs;
    auto res = send(req, "catalog GET", {200, 304}, note);
    if (!res.ok()) {
        return res.error();
    }
    if (res->status == 304) {
        return std::optional<AgencyCatalog>();
    }
    std::string newTag;
    if (const auto* t = res->header("etag")) {
        newTag = *t;
        if (newTag.rfind("W/", 0) == 0) {
            newTag = newTag.substr(2);
        }
        if (newTag.size() >= 2 && newTag.front() == '"' && newTag.back() == '"') {
            newTag = newTag.substr(1, newTag.size() - 2);
        }
    }
    auto catalog = parseCatalogJson(res->body, newTag);
    if (!catalog.ok()) {
        return makeError(Errc::protocol, "catalog GET: " + catalog.error().message);
    }
    return std::optional<AgencyCatalog>(std::move(*catalog));
}

}  // namespace lapor::sync
