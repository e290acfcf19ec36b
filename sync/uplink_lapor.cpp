// The LAPOR! Kiosk uplink adapter: JSON over HTTP(S) per docs/protocol.md.
#include "sync/uplink_lapor.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/time_zone.hpp"
#include "core/wipe.hpp"
#include "sync/answers.hpp"

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
        case ReportKind::pengaduan: return "pengaduan";
        case ReportKind::aspirasi: return "aspirasi";
        case ReportKind::permintaanInformasi: return "permintaan_informasi";
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
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), every field in range: a server's
    // "9999-99-99" must not become some other date through timegm's normalising.
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        if (at + n > text.size()) {
            return false;
        }
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
                return false;
            }
            out = out * 10 + (text[i] - '0');
        }
        return true;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || !digits(0, 4, year) || text[4] != '-' || !digits(5, 2, month) ||
        text[7] != '-' || !digits(8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
        !digits(11, 2, hour) || text[13] != ':' || !digits(14, 2, minute) || text[16] != ':' ||
        !digits(17, 2, second)) {
        return std::nullopt;
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    int ms = 0;
    if (text[at] == '.') {
        int count = 0;
        ++at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
            if (count < 3) {
                ms = ms * 10 + (text[at] - '0');
            }
            ++count;
            ++at;
        }
        if (count == 0) {
            return std::nullopt;
        }
        for (; count < 3; ++count) {
            ms *= 10;
        }
    }
    std::int64_t offsetMinutes = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        int oh = 0, om = 0;
        if (!digits(at + 1, 2, oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
            !digits(at + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offsetMinutes = (text[at] == '-' ? -1 : 1) * (oh * 60 + om);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return (static_cast<std::int64_t>(timegm(&tm)) - offsetMinutes * 60) * 1000 + ms;
}

namespace {

json photoList(const std::vector<PhotoRef>& photos) {
    json list = json::array();
    for (const auto& p : photos) {
        list.push_back({{"upload", p.upload},
                        {"sha256", p.sha256Hex},
                        {"bytes", p.bytes},
                        {"type", mediaTypeOf(p.kind)}});
    }
    return list;
}

}  // namespace

std::string replyJson(const Reply& reply, const std::vector<PhotoRef>& photos) {
    json j;
    j["kind"] = replyKindName(reply.kind);
    j["text"] = reply.text;
    j["photos"] = photoList(photos);
    j["created_at"] = rfc3339Local(reply.createdAtMs, reply.utcOffsetMinutes);
    j["language"] = reply.language.empty() ? "id" : reply.language;
    return j.dump();
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
    j["photos"] = photoList(photos);
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

template <class Read>
auto LaporUplink::postIdempotent(const std::string& path, const std::string& key, std::string body,
                                 std::string_view what, ExchangeNote& note, Read&& read)
    -> decltype(read(HttpResponse{}, std::string())) {
    HttpRequest req;
    req.method = "POST";
    req.url = options_.baseUrl + path;
    req.headers = auth();
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Idempotency-Key", key);
    req.body = std::move(body);
    req.timeoutMs = options_.requestTimeoutMs;
    req.maxBodyBytes = kSubmitAnswerCap;
    auto res = send(req, what, {200, 201}, note);
    // The body holds the reporter's identity, or the citizen's words, in clear: wiped once the
    // answer is checked against it.
    struct WipeBody {
        std::string& body;
        ~WipeBody() { wipeString(body); }
    } wipeBody{req.body};
    if (!res.ok()) {
        return res.error();
    }
    return readAnswer(read(*res, req.body), *res, note);
}

Result<std::string> LaporUplink::submit(const Report& report, const std::vector<PhotoRef>& photos,
                                        ExchangeNote& note) {
    // Only a well-formed answer naming this report (and the body sent) counts as delivered.
    return postIdempotent("/v1/reports", report.uuid, reportJson(report, photos), "report POST",
                          note, [&](const HttpResponse& res, const std::string& sent) {
                              return parseSubmitAnswer(res.body, report.uuid, sent);
                          });
}

Status LaporUplink::submitReply(const Reply& reply, const std::string& trackingId,
                                const std::vector<PhotoRef>& photos, ExchangeNote& note) {
    return postIdempotent("/v1/reports/" + percentEncode(trackingId) + "/replies", reply.id,
                          replyJson(reply, photos), "reply POST", note,
                          [&](const HttpResponse& res, const std::string&) {
                              return parseReplyAnswer(res.body, reply.id);
                          });
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
    req.maxBodyBytes = kStatusPageCap;
    auto res = send(req, "status GET", {200}, note);
    if (!res.ok()) {
        return res.error();
    }
    return readAnswer(parseStatusPage(res->body, cursor), *res, note);
}

Status LaporUplink::probe(ExchangeNote& note) {
    HttpRequest req;
    req.method = "OPTIONS";
    req.url = options_.baseUrl + "/v1/uploads";
    auto res = sendProbe(req, {200, 204}, note);
    if (!res.ok()) {
        return res.error();
    }
    return {};
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
    req.maxBodyBytes = kCatalogCap;
    auto res = send(req, "catalog GET", {200, 304}, note);
    if (!res.ok()) {
        return res.error();
    }
    if (res->status == 304) {
        return std::optional<AgencyCatalog>();
    }
    auto catalog = readAnswer(parseCatalogAnswer(res->body, res->header("etag")), *res, note);
    if (!catalog.ok()) {
        return catalog.error();
    }
    return std::optional<AgencyCatalog>(std::move(*catalog));
}

}  // namespace lapor::sync
