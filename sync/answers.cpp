// Readers of server answers: strict about types and ranges, never throwing, one error kind.
#include "sync/answers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <span>

#include "core/crypto.hpp"

namespace lapor::sync {

using nlohmann::json;

namespace {

constexpr std::string_view kMalformed = "malformed answer: ";

// Longest text kept from a server's error message (it goes into logs and the status record).
constexpr std::size_t kDetailMax = 300;

// Reads the fields of one JSON object; the first field that is wrong is remembered and every
// later read is a no-op, so a reader is a straight list of fields followed by one check.
class FieldReader {
  public:
    FieldReader(const json& object, std::string where)
        : object_(object), where_(std::move(where)) {}

    // A string of 1..maxLen bytes (`required`), or absent / "" (not required).
    std::string text(const char* key, bool required, std::size_t maxLen) {
        const json* v = find(key, required);
        if (v == nullptr) {
            return {};
        }
        if (!v->is_string()) {
            fail(key, "not a string");
            return {};
        }
        const auto& s = v->get_ref<const std::string&>();
        if (required && s.empty()) {
            fail(key, "empty");
            return {};
        }
        if (s.size() > maxLen) {
            fail(key, "longer than " + std::to_string(maxLen) + " bytes");
            return {};
        }
        return s;
    }
    bool flag(const char* key, bool fallback) {
        const json* v = find(key, false);
        if (v == nullptr) {
            return fallback;
        }
        if (!v->is_boolean()) {
            fail(key, "not true or false");
            return fallback;
        }
        return v->get<bool>();
    }
    // An RFC 3339 time; `fallback` when absent and not required.
    std::int64_t time(const char* key, bool required, std::int64_t fallback) {
        const std::string t = text(key, required, 64);
        if (t.empty()) {
            return fallback;
        }
        auto ms = parseRfc3339(t);
        if (!ms) {
            fail(key, "not an RFC 3339 time");
            return fallback;
        }
        return *ms;
    }
    // An RFC 3339 time, or nullopt when absent or null.
    std::optional<std::int64_t> nullableTime(const char* key) {
        const json* v = find(key, false);
        if (v == nullptr || v->is_null()) {
            return std::nullopt;
        }
        return time(key, true, 0);
    }
    // The object under `key` (optional: nullptr when absent or null).
    const json* object(const char* key) {
        const json* v = find(key, false);
        if (v == nullptr || v->is_null()) {
            return nullptr;
        }
        if (!v->is_object()) {
            fail(key, "not an object");
            return nullptr;
        }
        return v;
    }
    // The array under `key` (required), or nullptr.
    const json* array(const char* key) {
        const json* v = find(key, true);
        if (v != nullptr && !v->is_array()) {
            fail(key, "not an array");
            return nullptr;
        }
        return v;
    }
    void fail(std::string_view key, std::string reason) {
        if (!error_) {
            error_ =
                Problem{where_ + (where_.empty() ? "" : ".") + std::string(key), std::move(reason)};
        }
    }
    [[nodiscard]] bool ok() const { return !error_; }
    [[nodiscard]] Error error(std::string_view what) const {
        return malformedAnswer(what, error_->field, error_->reason);
    }

  private:
    const json* find(const char* key, bool required) {
        if (error_) {
            return nullptr;
        }
        auto it = object_.find(key);
        if (it == object_.end()) {
            if (required) {
                fail(key, "missing");
            }
            return nullptr;
        }
        return &*it;
    }

    struct Problem {
        std::string field;
        std::string reason;
    };
    const json& object_;
    std::string where_;
    std::optional<Problem> error_;
};

// Parses without exceptions; nullopt-like discarded value when not JSON.
json parseJson(std::string_view body) {
    return json::parse(body.begin(), body.end(), nullptr, false);
}

bool onlyChars(std::string_view s, std::string_view allowed) {
    return s.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view kTrackingChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
constexpr std::string_view kStatusChars = "abcdefghijklmnopqrstuvwxyz0123456789_";
// A report key in a status feed: our UUIDs, and the server's own keys for reports filed another
// way with the same token (the sandbox's "open311-<hex>"), which the agent then does not know.
constexpr std::string_view kKeyChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

// For the log: printable ASCII and UTF-8 kept, control characters become spaces, clipped.
std::string forLog(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, kDetailMax)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
        out.pop_back();  // never end on half a UTF-8 sequence
    }
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0) {
        out.pop_back();
    }
    return out;
}

std::vector<std::string> splitList(const std::string* s) {
    std::vector<std::string> out;
    if (s == nullptr) {
        return out;
    }
    std::string cur;
    for (char c : *s + ",") {
        if (c == ',') {
            if (!cur.empty()) {
                out.push_back(cur);
            }
            cur.clear();
        } else if (c != ' ' && c != '\t') {
            cur.push_back(c);
        }
    }
    return out;
}

std::optional<std::uint64_t> parseU64(const std::string* s) {
    if (s == nullptr || s->empty()) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc{} || p != s->data() + s->size()) {
        return std::nullopt;
    }
    return v;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Error malformedAnswer(std::string_view what, std::string_view field, std::string_view reason) {
    return makeError(Errc::protocol, std::string(kMalformed) + std::string(what) + ": " +
                                         std::string(field) + " " + std::string(reason) +
                                         "; retry later");
}

bool isMalformedAnswer(const Error& e) {
    return e.code == Errc::protocol && e.message.rfind(kMalformed, 0) == 0;
}

ErrorBody parseErrorBody(std::string_view body) {
    ErrorBody out;
    json j = parseJson(body);
    if (j.is_array() && !j.empty()) {
        j = json(j[0]);
    }
    if (!j.is_object()) {
        return out;
    }
    auto errIt = j.find("error");
    const json& e = errIt != j.end() && errIt->is_object() ? *errIt : j;
    if (auto c = e.find("code"); c != e.end() && c->is_string()) {
        const auto& code = c->get_ref<const std::string&>();
        if (code.size() <= 64 && onlyChars(code, kStatusChars)) {
            out.code = code;  // only codes that can be acted on; others are just text
        }
        out.detail = forLog(code);
    }
    for (const char* key : {"message", "description"}) {
        if (auto m = e.find(key); m != e.end() && m->is_string()) {
            out.detail +=
                (out.detail.empty() ? "" : ": ") + forLog(m->get_ref<const std::string&>());
        }
    }
    return out;
}

Result<std::string> parseSubmitAnswer(std::string_view body, std::string_view uuid,
                                      std::string_view requestBody) {
    constexpr std::string_view what = "report POST";
    const json j = parseJson(body);
    if (!j.is_object()) {
        return malformedAnswer(what, "body", "not a JSON object");
    }
    FieldReader f(j, "");
    const std::string id = f.text("tracking_id", true, 32);
    if (f.ok() && !onlyChars(id, kTrackingChars)) {
        f.fail("tracking_id", "not of A-Z, 0-9 and -");
    }
    const std::string named = f.text("uuid", true, 64);
    if (f.ok() && named != uuid) {
        f.fail("uuid", "names another report");
    }
    const std::string hash = f.text("body_sha256", false, 64);
    if (f.ok() && !hash.empty()) {
        const std::span<const std::uint8_t> bytes(
            reinterpret_cast<const std::uint8_t*>(requestBody.data()), requestBody.size());
        if (hash != crypto::sha256Hex(bytes)) {
            f.fail("body_sha256", "is not the hash of the body sent");
        }
    }
    (void)f.text("status", false, 64);
    (void)f.time("received_at", false, 0);
    if (!f.ok()) {
        return f.error(what);
    }
    return id;
}

Status parseReplyAnswer(std::string_view body, std::string_view replyId) {
    constexpr std::string_view what = "reply POST";
    const json j = parseJson(body);
    if (!j.is_object()) {
        return malformedAnswer(what, "body", "not a JSON object");
    }
    FieldReader f(j, "");
    const std::string named = f.text("reply_id", true, 64);
    if (f.ok() && named != replyId) {
        f.fail("reply_id", "names another reply");
    }
    (void)f.text("tracking_id", false, 32);
    (void)f.time("received_at", false, 0);
    if (!f.ok()) {
        return f.error(what);
    }
    return {};
}

namespace {

// The offset of an RFC 3339 local time ("...+07:00"), in minutes; 0 for "Z" or unreadable.
int offsetMinutesOf(std::string_view t) {
    if (t.size() < 6 || (t[t.size() - 6] != '+' && t[t.size() - 6] != '-') ||
        t[t.size() - 3] != ':') {
        return 0;
    }
    const auto digit = [&](std::size_t i) { return t[t.size() - i] - '0'; };
    const int minutes = (digit(5) * 10 + digit(4)) * 60 + digit(2) * 10 + digit(1);
    return t[t.size() - 6] == '-' ? -minutes : minutes;
}

}  // namespace

Result<StatusPage> parseStatusPage(std::string_view body, const std::string& cursor) {
    constexpr std::string_view what = "status GET";
    const json j = parseJson(body);
    if (!j.is_object()) {
        return malformedAnswer(what, "body", "not a JSON object");
    }
    FieldReader page(j, "");
    StatusPage out;
    const json* updates = page.array("updates");
    out.nextCursor = page.text("next_cursor", false, 256);
    if (page.ok() && !j.contains("next_cursor")) {
        out.nextCursor = cursor;
    }
    out.more = page.flag("more", false);
    if (!page.ok()) {
        return page.error(what);
    }
    out.updates.reserve(updates->size());
    for (std::size_t i = 0; i < updates->size(); ++i) {
        const json& u = (*updates)[i];
        const std::string where = "updates[" + std::to_string(i) + "]";
        if (!u.is_object()) {
            return malformedAnswer(what, where, "not an object");
        }
        FieldReader f(u, where);
        StatusUpdate s;
        s.uuid = f.text("uuid", true, 64);
        if (f.ok() && !onlyChars(s.uuid, kKeyChars)) {
            f.fail("uuid", "not a report key");
        }
        s.trackingId = f.text("tracking_id", false, 32);
        s.status = f.text("status", true, 64);
        if (f.ok() && !onlyChars(s.status, kStatusChars)) {
            f.fail("status", "not of a-z, 0-9 and _");
        }
        s.atMs = f.time("at", true, 0);
        s.note = f.text("note", false, 16000);
        s.id = f.text("id", false, 64);
        s.event = f.text("event", false, 32);
        if (s.event.empty()) {
            s.event = "status";
        }
        s.closed = f.flag("closed", s.status == "closed" || s.status == "rejected");
        s.closesAtMs = f.nullableTime("closes_at");
        s.agencyId = f.text("agency_id", false, 64);
        s.agency = f.text("agency", false, 400);
        s.replyId = f.text("reply_id", false, 64);
        if (const json* fu = f.object("followup")) {
            FieldReader g(*fu, where + ".followup");
            FollowUp up;
            up.text = g.text("text", false, 16000);  // 4000 characters of up to 4 bytes
            up.agencyId = g.text("agency_id", false, 64);
            up.agency = g.text("agency", false, 400);
            up.atMs = g.time("at", true, 0);
            up.utcOffsetMinutes = offsetMinutesOf(g.text("local_at", false, 64));
            if (!g.ok()) {
                return g.error(what);
            }
            s.followUp = std::move(up);
        }
        if (!f.ok()) {
            return f.error(what);
        }
        out.updates.push_back(std::move(s));
    }
    return out;
}

Result<AgencyCatalog> parseCatalogAnswer(std::string_view body, const std::string* etagHeader) {
    constexpr std::string_view what = "catalog GET";
    std::string tag;
    if (etagHeader != nullptr) {
        tag = *etagHeader;
        if (tag.rfind("W/", 0) == 0) {
            tag = tag.substr(2);
        }
        if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
            tag = tag.substr(1, tag.size() - 2);
        }
        if (tag.size() > 128 || !onlyChars(tag,
                                           "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOP"
                                           "QRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")) {
            return malformedAnswer(what, "ETag", "not an entity tag of up to 128 characters");
        }
    }
    // parseCatalogJson checks types, IDs and the topic tree without throwing.
    auto catalog = parseCatalogJson(body, tag);
    if (!catalog.ok()) {
        return malformedAnswer(what, "body", forLog(catalog.error().message));
    }
    return catalog;
}

Result<TusServerInfo> parseTusOptions(const HttpResponse& r) {
    constexpr std::string_view what = "tus OPTIONS";
    if (!contains(splitList(r.header("tus-version")), "1.0.0")) {
        return malformedAnswer(what, "Tus-Version", "does not list 1.0.0");
    }
    TusServerInfo info;
    info.extensions = splitList(r.header("tus-extension"));
    if (!contains(info.extensions, "creation")) {
        return malformedAnswer(what, "Tus-Extension", "lacks creation");
    }
    if (contains(info.extensions, "checksum")) {
        const auto algos = splitList(r.header("tus-checksum-algorithm"));
        for (const char* want : {"sha256", "sha1"}) {
            if (contains(algos, want)) {
                info.checksumAlgorithm = want;
                break;
            }
        }
    }
    if (const std::string* max = r.header("tus-max-size")) {
        auto v = parseU64(max);
        if (!v) {
            return malformedAnswer(what, "Tus-Max-Size", "not a byte count");
        }
        info.maxSize = *v;
    }
    return info;
}

Result<std::uint64_t> parseUploadOffset(const HttpResponse& r, std::string_view what) {
    const std::string* h = r.header("upload-offset");
    if (h == nullptr) {
        return malformedAnswer(what, "Upload-Offset", "missing");
    }
    auto v = parseU64(h);
    if (!v) {
        return malformedAnswer(what, "Upload-Offset", "not a byte count");
    }
    return *v;
}

Result<std::string> parseTusLocation(const HttpResponse& r, const std::string& endpoint) {
    constexpr std::string_view what = "tus create";
    const std::string* location = r.header("location");
    if (location == nullptr || location->empty()) {
        return malformedAnswer(what, "Location", "missing");
    }
    if (location->size() > 2048 || !std::all_of(location->begin(), location->end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u > 0x20 && u < 0x7f;
        })) {
        return malformedAnswer(what, "Location", "not a URL");
    }
    const std::string url = resolveUrl(endpoint, *location);
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        return malformedAnswer(what, "Location", "not an http(s) URL");
    }
    return url;
}

Result<json> parseOpen311List(const HttpResponse& r, std::string_view what) {
    const std::string* type = r.header("content-type");
    if (type == nullptr || type->find("json") == std::string::npos) {
        return malformedAnswer(what, "Content-Type", "not JSON");
    }
    json j = parseJson(r.body);
    if (!j.is_array()) {
        return malformedAnswer(what, "body", "not a JSON array");
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_object()) {
            return malformedAnswer(what, "[" + std::to_string(i) + "]", "not an object");
        }
    }
    return j;
}

namespace {

// service_request_id as text: a string of 1..64 bytes or a non-negative integer.
std::string requestId(FieldReader& f, const json& e) {
    auto it = e.find("service_request_id");
    if (it != e.end() && (it->is_number_unsigned() || it->is_number_integer())) {
        if (it->is_number_integer() && it->get<std::int64_t>() < 0) {
            f.fail("service_request_id", "negative");
            return {};
        }
        return it->dump();
    }
    if (it != e.end() && it->is_null()) {
        return {};  // some servers send null until the ID exists
    }
    return f.text("service_request_id", false, 64);
}

}  // namespace

Result<Open311Ticket> parseOpen311Ticket(const json& list, std::string_view what) {
    if (!list.is_array() || list.empty() || !list[0].is_object()) {
        return malformedAnswer(what, "[0]", "missing");
    }
    FieldReader f(list[0], "[0]");
    Open311Ticket t;
    t.serviceRequestId = requestId(f, list[0]);
    if (t.serviceRequestId.empty()) {
        auto tok = list[0].find("token");
        if (tok != list[0].end() && !tok->is_null()) {
            t.token = f.text("token", false, 256);
        }
    }
    if (!f.ok()) {
        return f.error(what);
    }
    return t;
}

Result<std::vector<StatusUpdate>> parseOpen311Requests(const json& list,
                                                       const std::vector<Followed>& followed,
                                                       std::int64_t nowWallMs) {
    constexpr std::string_view what = "Open311 requests GET";
    std::vector<StatusUpdate> out;
    if (!list.is_array()) {
        return malformedAnswer(what, "body", "not a JSON array");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const json& e = list[i];
        const std::string where = "[" + std::to_string(i) + "]";
        if (!e.is_object()) {
            return malformedAnswer(what, where, "not an object");
        }
        FieldReader f(e, where);
        const std::string id = requestId(f, e);
        const std::string notes = f.text("status_notes", false, 4000);
        const std::string status = f.text("status", false, 64);
        const std::int64_t requested = f.time("requested_datetime", false, nowWallMs);
        const std::int64_t at = f.time("updated_datetime", false, requested);
        if (!f.ok()) {
            return f.error(what);
        }
        auto it = std::find_if(followed.begin(), followed.end(), [&](const Followed& x) {
            return !id.empty() && x.trackingId == id;
        });
        if (it == followed.end()) {
            continue;
        }
        StatusUpdate u;
        u.uuid = it->uuid;
        u.trackingId = id;
        u.status = status;
        u.note = notes;  // the adapter reads a LAPOR! status name from it (docs/protocol.md 6)
        u.atMs = at;
        out.push_back(std::move(u));
    }
    return out;
}

}  // namespace lapor::sync
