// Open311 GeoReport v2 adapter over HttpClient.
#include "sync/uplink_open311.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "sync/answers.hpp"

namespace lapor::sync {

using nlohmann::json;

namespace {

std::string tokenKey(const std::string& uuid) {
    return "syncd.open311.token." + uuid;
}

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
std::string clipUtf8(const std::string& s, std::size_t max) {
    if (s.size() <= max) {
        return s;
    }
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
        --n;
    }
    return s.substr(0, n);
}

void addField(std::string& form, std::string_view key, const std::string& value) {
    if (!form.empty()) {
        form.push_back('&');
    }
    form += std::string(key) + "=" + percentEncode(value);
}

}  // namespace

std::string open311Form(const Report& r, const std::vector<PhotoRef>& photos,
                        const Open311Options& o) {
    std::string form;
    addField(form, "api_key", o.apiKey);
    if (!o.jurisdictionId.empty()) {
        addField(form, "jurisdiction_id", o.jurisdictionId);
    }
    addField(form, "service_code",
             std::string(kindName(r.kind)) + ":" + r.agencyId + ":" + r.topicId);
    // GeoReport v2 has media_url for photos only: the clips' URLs go at the end of the
    // description, one line each, labelled by media type (no words to translate), so that any
    // Open311 server shows them (docs/protocol.md 6).
    std::string clips;
    for (const auto& p : photos) {
        if (p.kind != MediaKind::photo) {
            clips += std::string("\n[") + mediaTypeOf(p.kind) + "] " + p.upload;
        }
    }
    const std::size_t room = clips.size() < 2000 ? 4000 - clips.size() : 2000;
    addField(form, "description",
             clipUtf8(r.title + "\n\n" + r.body, room) + (clips.empty() ? "" : "\n" + clips));
    addField(form, "address_string", r.place.empty() ? r.regionCode : r.regionCode + " " + r.place);
    if (!r.anonymous) {
        const auto space = r.identity.name.rfind(' ');
        if (space == std::string::npos) {
            addField(form, "first_name", r.identity.name);
        } else {
            addField(form, "first_name", r.identity.name.substr(0, space));
            addField(form, "last_name", r.identity.name.substr(space + 1));
        }
        if (!r.identity.email.empty()) {
            addField(form, "email", r.identity.email);
        }
        if (!r.identity.phone.empty()) {
            addField(form, "phone", r.identity.phone);
        }
    }
    addField(form, "device_id", r.deviceId);
    for (const auto& p : photos) {
        if (p.kind == MediaKind::photo) {
            addField(form, "media_url", p.upload);
        }
    }
    return form;
}

Open311Uplink::Open311Uplink(HttpClient& http, Open311Options options, Store& store,
                             const Clock& clock)
    // The photos' tus endpoint takes the same key as the requests.
    : HttpUplink(http, clock, options.guard, options, options.mediaUploadUrl, options.apiKey),
      options_(std::move(options)),
      store_(store) {}

Result<json> Open311Uplink::call(HttpRequest req, std::string_view what, ExchangeNote& note) {
    req.timeoutMs = options_.requestTimeoutMs;
    req.maxBodyBytes = kOpen311ListCap;
    auto res = send(req, what, {200, 201}, note);
    wipeString(req.body);  // a form with the reporter's identity
    if (!res.ok()) {
        return res.error();
    }
    return readAnswer(parseOpen311List(*res, what), *res, note);
}

Result<std::string> Open311Uplink::uploadPhoto(const Report& report, const PhotoUpload& photo,
                                               ExchangeNote& note) {
    if (options_.mediaUploadUrl.empty()) {
        return std::string();  // this server takes no photos; the report goes without them
    }
    return uploadWithTus(report, photo, note);
}

Result<std::string> Open311Uplink::followToken(const std::string& uuid, const std::string& token,
                                               ExchangeNote& note) {
    HttpRequest req;
    req.url = options_.baseUrl + "/tokens/" + percentEncode(token) + ".json";
    auto j = call(req, "Open311 token GET", note);
    if (!j.ok()) {
        if (note.status == 404) {
            (void)store_.eraseStatus(tokenKey(uuid));  // forgotten: submit again
        }
        return j.error();
    }
    auto ticket = parseOpen311Ticket(*j, "Open311 token GET");
    if (!ticket.ok()) {
        return ticket.error();
    }
    if (!ticket->serviceRequestId.empty()) {
        (void)store_.eraseStatus(tokenKey(uuid));
        return ticket->serviceRequestId;
    }
    note = {};
    note.code = "pending";
    return makeError(Errc::busy, "Open311: request accepted, ID still pending");
}

Result<std::string> Open311Uplink::submit(const Report& report, const std::vector<PhotoRef>& photos,
                                          ExchangeNote& note) {
    // A token from an earlier attempt: the server has the request already; follow it.
    if (auto saved = store_.getStatus(tokenKey(report.uuid));
        saved.ok() && saved->has_value() && !(*saved)->empty()) {
        auto id = followToken(report.uuid, **saved, note);
        if (id.ok() || note.status != 404) {
            return id;
        }
    }
    std::vector<PhotoRef> media;
    std::copy_if(photos.begin(), photos.end(), std::back_inserter(media),
                 [](const PhotoRef& p) { return !p.upload.empty(); });
    HttpRequest req;
    req.method = "POST";
    req.url = options_.baseUrl + "/requests.json";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Idempotency-Key", report.uuid}};
    req.body = open311Form(report, media, options_);
    auto j = call(req, "Open311 POST", note);
    wipeString(req.body);
    if (!j.ok()) {
        return j.error();
    }
    auto ticket = parseOpen311Ticket(*j, "Open311 POST");
    if (!ticket.ok()) {
        return ticket.error();
    }
    if (!ticket->serviceRequestId.empty()) {
        return ticket->serviceRequestId;
    }
    if (ticket->token.empty()) {
        return malformedAnswer("Open311 POST", "[0]", "has neither service_request_id nor token");
    }
    if (Status s = store_.putStatus(tokenKey(report.uuid), ticket->token); !s.ok()) {
        return s.error();
    }
    return followToken(report.uuid, ticket->token, note);
}

Result<StatusPage> Open311Uplink::pullStatus(const std::string&,
                                             const std::vector<Followed>& followed,
                                             ExchangeNote& note) {
    StatusPage page;
    for (std::size_t at = 0; at < followed.size(); at += 50) {
        std::string ids;
        const std::vector<Followed> batch(
            followed.begin() + static_cast<std::ptrdiff_t>(at),
            followed.begin() + static_cast<std::ptrdiff_t>(std::min(followed.size(), at + 50)));
        for (const auto& f : batch) {
            ids += (ids.empty() ? "" : ",") + f.trackingId;
        }
        HttpRequest req;
        req.url = options_.baseUrl + "/requests.json?service_request_id=" + percentEncode(ids);
        if (!options_.jurisdictionId.empty()) {
            req.url += "&jurisdiction_id=" + percentEncode(options_.jurisdictionId);
        }
        auto j = call(req, "Open311 requests GET", note);
        if (!j.ok()) {
            return j.error();
        }
        auto updates = parseOpen311Requests(*j, batch, clock_.wallMs());
        if (!updates.ok()) {
            return updates.error();
        }
        for (auto& u : *updates) {
            // status_notes carries the LAPOR! status name (the sandbox); a real server's notes
            // are the agency's free text, kept as the timeline row's note. Plain Open311 has only
            // open/closed, and no follow-ups or replies (docs/protocol.md 6).
            if (outboxStateForStatus(u.note)) {
                u.status = u.note;
                u.note.clear();
            }
            u.closed = u.status == "closed" || u.status == "rejected";
            if (outboxStateForStatus(u.status) || !u.note.empty()) {
                page.updates.push_back(std::move(u));  // plain "open": nothing new to the store
            }
        }
    }
    return page;
}

Status Open311Uplink::probe(ExchangeNote& note) {
    HttpRequest req;
    req.url = options_.baseUrl + "/services.json";
    if (!options_.jurisdictionId.empty()) {
        req.url += "?jurisdiction_id=" + percentEncode(options_.jurisdictionId);
    }
    req.maxBodyBytes = kOpen311ListCap;
    auto res = sendProbe(req, {200}, note);
    if (!res.ok()) {
        return res.error();
    }
    auto list = readAnswer(parseOpen311List(*res, "probe"), *res, note);
    if (!list.ok()) {
        return list.error();
    }
    return {};
}

Result<std::optional<AgencyCatalog>> Open311Uplink::pullCatalog(const std::string&, ExchangeNote&) {
    return std::optional<AgencyCatalog>();  // Open311's services list is not LAPOR!'s catalog
}

}  // namespace lapor::sync
