// Report checks: one small function per field kind, all errors collected (not just the first).
#include "sync/sandbox/report_rules.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/validation.hpp"
#include "sync/sandbox/times.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

std::size_t utf8Length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool allDigits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Checker {
  public:
    explicit Checker(std::vector<FieldError>& errors) : errors_(errors) {}

    void fail(const std::string& field, const std::string& reason) {
        errors_.push_back({field, reason});
    }

    // The string at `key`, or nullptr after recording why not.
    const std::string* string(const json& obj, const std::string& key, const std::string& field,
                              bool required = true) {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) {
                fail(field, "missing");
            }
            return nullptr;
        }
        if (!it->is_string()) {
            fail(field, "type");
            return nullptr;
        }
        return it->get_ptr<const std::string*>();
    }

    void text(const json& obj, const std::string& key, const std::string& field, std::size_t min,
              std::size_t max, bool required = true) {
        const std::string* s = string(obj, key, field, required);
        if (s == nullptr) {
            return;
        }
        const std::size_t n = utf8Length(trimmed(*s));
        if (n < min) {
            fail(field, "empty");
        } else if (n > max) {
            fail(field, "too_long");
        }
    }

    void boolean(const json& obj, const std::string& key) {
        auto it = obj.find(key);
        if (it == obj.end()) {
            fail(key, "missing");
        } else if (!it->is_boolean()) {
            fail(key, "type");
        }
    }

  private:
    std::vector<FieldError>& errors_;
};

bool isRegionCode(const std::string& s) {
    // NN, NN.NN, NN.NN.NN or NN.NN.NN.NNNN
    static const std::size_t kParts[] = {2, 2, 2, 4};
    std::size_t pos = 0;
    for (std::size_t part = 0; part < 4; ++part) {
        const std::string piece = s.substr(pos, kParts[part]);
        if (piece.size() != kParts[part] || !allDigits(piece)) {
            return false;
        }
        pos += kParts[part];
        if (pos == s.size()) {
            return true;
        }
        if (s[pos] != '.') {
            return false;
        }
        ++pos;
    }
    return false;
}

bool isEmail(const std::string& s) {
    const auto at = s.find('@');
    return at != std::string::npos && at > 0 && at + 1 < s.size() &&
           s.find('@', at + 1) == std::string::npos;
}

bool isLowerHex(const std::string& s, std::size_t n) {
    return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

void checkReporter(Checker& c, const json& body) {
    const bool anonymous = body.value("anonymous", false);
    auto it = body.find("reporter");
    if (anonymous) {
        if (it != body.end() && !it->is_null()) {
            c.fail("reporter", "present_when_anonymous");
        }
        return;
    }
    if (it == body.end() || !it->is_object()) {
        c.fail("reporter", it == body.end() ? "missing" : "type");
        return;
    }
    const json& r = *it;
    for (const auto& [key, value] : r.items()) {
        (void)value;
        if (key != "name" && key != "nik" && key != "phone" && key != "email") {
            c.fail("reporter." + key, "unknown_field");
        }
    }
    c.text(r, "name", "reporter.name", 1, 100);
    if (const std::string* nik = c.string(r, "nik", "reporter.nik")) {
        if (nik->size() != 16 || !allDigits(*nik)) {
            c.fail("reporter.nik", "format");
        }
    }
    const std::string* phone = c.string(r, "phone", "reporter.phone", false);
    const std::string* email = c.string(r, "email", "reporter.email", false);
    if (phone != nullptr && !phone->empty() && !isValidPhone(*phone)) {
        c.fail("reporter.phone", "format");
    }
    if (email != nullptr && !email->empty() && !isEmail(*email)) {
        c.fail("reporter.email", "format");
    }
    if ((phone == nullptr || phone->empty()) && (email == nullptr || email->empty())) {
        c.fail("reporter.phone", "phone_or_email_required");
    }
}

void checkPhotos(Checker& c, const json& body) {
    auto it = body.find("photos");
    if (it == body.end()) {
        c.fail("photos", "missing");
        return;
    }
    if (!it->is_array()) {
        c.fail("photos", "type");
        return;
    }
    // Up to 5 photos and, after them, up to 4 clips (video/mp4, audio/ogg), each naming its
    // media type in "type" (absent: a photo, as kiosks before clips sent).
    std::size_t photos = 0;
    std::size_t clips = 0;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& p = (*it)[i];
        const std::string field = "photos[" + std::to_string(i) + "]";
        if (!p.is_object()) {
            c.fail(field, "type");
            continue;
        }
        std::string type = "image/jpeg";
        if (auto t = p.find("type"); t != p.end()) {
            type = t->is_string() ? t->get<std::string>() : std::string();
        }
        if (type == "image/jpeg") {
            ++photos;
            if (clips > 0) {
                c.fail(field + ".type", "photo_after_clip");
            }
        } else if (type == "video/mp4" || type == "audio/ogg") {
            ++clips;
        } else {
            c.fail(field + ".type", "unsupported");
        }
        const std::string* upload = c.string(p, "upload", field + ".upload");
        if (upload != nullptr && upload->find("/v1/uploads/") == std::string::npos) {
            c.fail(field + ".upload", "format");
        }
        if (const std::string* sha = c.string(p, "sha256", field + ".sha256")) {
            if (!isLowerHex(*sha, 64)) {
                c.fail(field + ".sha256", "format");
            }
        }
        auto bytes = p.find("bytes");
        if (bytes == p.end() || !bytes->is_number_unsigned() || bytes->get<std::uint64_t>() == 0) {
            c.fail(field + ".bytes", bytes == p.end() ? "missing" : "format");
        }
    }
    if (photos > 5) {
        c.fail("photos", "too_many");
    }
    if (clips > 4) {
        c.fail("photos", "too_many_clips");
    }
}

void checkAgency(Checker& c, const json& body, const json& catalog) {
    const std::string* agency = c.string(body, "agency_id", "agency_id");
    const std::string* topic = c.string(body, "topic_id", "topic_id", false);
    if (agency == nullptr) {
        return;
    }
    static const json kNone = json::array();
    const json& agencies = catalog.contains("agencies") ? catalog.at("agencies") : kNone;
    const json* found = nullptr;
    for (const auto& a : agencies) {
        if (a.value("id", "") == *agency) {
            found = &a;
        }
    }
    if (found == nullptr) {
        c.fail("agency_id", "unknown");
        return;
    }
    if (topic == nullptr || topic->empty()) {
        return;
    }
    const auto topics = found->value("topics", json::array());
    const bool known = std::any_of(topics.begin(), topics.end(),
                                   [&](const json& t) { return t.value("id", "") == *topic; });
    if (!known) {
        c.fail("topic_id", "unknown");
    }
}

const std::set<std::string>& knownFields() {
    static const std::set<std::string> kFields = {
        "kind",        "title",      "body",         "incident_date", "region_code",
        "place",       "agency_id",  "topic_id",     "anonymous",     "confidential",
        "reporter",    "photos",     "device_id",    "office",        "language",
        "assisted_by", "created_at", "receipt_code", "replaces"};
    return kFields;
}

// False when `body` is no object; unknown keys are recorded (typos must not pass silently).
bool checkKeys(Checker& c, const json& body, const std::set<std::string>& known) {
    if (!body.is_object()) {
        c.fail("", "type");
        return false;
    }
    for (const auto& [key, value] : body.items()) {
        (void)value;
        if (known.count(key) == 0) {
            c.fail(key, "unknown_field");
        }
    }
    return true;
}

void checkLanguage(Checker& c, const json& body) {
    if (const std::string* lang = c.string(body, "language", "language", false)) {
        if (*lang != "id" && *lang != "en") {
            c.fail("language", "unknown");
        }
    }
}

}  // namespace

bool isUuid(const std::string& text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

std::vector<FieldError> checkReport(const json& body, const json& catalog) {
    std::vector<FieldError> errors;
    Checker c(errors);
    if (!checkKeys(c, body, knownFields())) {
        return errors;
    }
    if (const std::string* kind = c.string(body, "kind", "kind")) {
        if (*kind != "pengaduan" && *kind != "aspirasi" && *kind != "permintaan_informasi") {
            c.fail("kind", "unknown");
        }
    }
    c.text(body, "title", "title", 1, 200);
    c.text(body, "body", "body", 1, 20000);
    c.text(body, "place", "place", 0, 500);
    c.text(body, "device_id", "device_id", 1, 64);
    c.text(body, "office", "office", 1, 200);
    c.text(body, "receipt_code", "receipt_code", 1, 32);
    c.text(body, "assisted_by", "assisted_by", 0, 100, false);
    if (const std::string* region = c.string(body, "region_code", "region_code")) {
        if (!isRegionCode(*region)) {
            c.fail("region_code", "format");
        }
    }
    // created_at carries the kiosk's local offset: the incident date (a local date) is compared
    // with the date the report was filed on there, not with the UTC day (01:00 WIB is the WIB
    // day, still the day before in UTC). A 'Z' time is compared with its UTC date, as before.
    std::optional<LocalTime> created;
    if (const std::string* s = c.string(body, "created_at", "created_at")) {
        created = parseLocalTime(*s);
        if (!created) {
            c.fail("created_at", "format");
        }
    }
    if (const std::string* s = c.string(body, "incident_date", "incident_date")) {
        auto day = parseDate(*s);
        if (!day) {
            c.fail("incident_date", "format");
        } else if (created && *day > localDay(*created)) {
            c.fail("incident_date", "after_created_at");
        }
    }
    checkLanguage(c, body);
    if (const std::string* replaces = c.string(body, "replaces", "replaces", false)) {
        if (!isUuid(*replaces)) {
            c.fail("replaces", "format");
        }
    }
    c.boolean(body, "anonymous");
    c.boolean(body, "confidential");
    checkReporter(c, body);
    checkPhotos(c, body);
    checkAgency(c, body, catalog);
    return errors;
}

json normalizeReport(const json& body) {
    json out = body;
    if (!out.is_object()) {
        return out;
    }
    if (out.contains("replaces") && out["replaces"].is_null()) {
        out.erase("replaces");
    }
    if (!out.contains("language")) {
        out["language"] = "id";
    }
    if (!out.contains("assisted_by")) {
        out["assisted_by"] = "";
    }
    if (out.contains("topic_id") && out["topic_id"].is_null()) {
        out["topic_id"] = "";
    }
    if (out.contains("reporter") && out["reporter"].is_null()) {
        out.erase("reporter");
    }
    return out;
}

std::vector<FieldError> checkReply(const json& body) {
    std::vector<FieldError> errors;
    Checker c(errors);
    static const std::set<std::string> kFields = {"kind", "text", "photos", "created_at",
                                                  "language"};
    if (!checkKeys(c, body, kFields)) {
        return errors;
    }
    const std::string* kind = c.string(body, "kind", "kind");
    if (kind != nullptr && *kind != "information" && *kind != "not_resolved") {
        c.fail("kind", "unknown");
    }
    c.text(body, "text", "text", 0, kReplyTextMax);
    checkPhotos(c, body);
    // Information is something: text or at least one photo.
    const std::string* text = body.contains("text") && body["text"].is_string()
                                  ? body["text"].get_ptr<const std::string*>()
                                  : nullptr;
    const bool photos =
        body.contains("photos") && body["photos"].is_array() && !body["photos"].empty();
    if (kind != nullptr && *kind == "information" && !photos &&
        (text == nullptr || trimmed(*text).empty())) {
        c.fail("text", "empty");
    }
    if (const std::string* s = c.string(body, "created_at", "created_at")) {
        if (!parseLocalTime(*s)) {
            c.fail("created_at", "format");
        }
    }
    checkLanguage(c, body);
    return errors;
}

json normalizeReply(const json& body) {
    json out = body;
    if (out.is_object() && !out.contains("language")) {
        out["language"] = "id";
    }
    return out;
}

std::string describe(const std::vector<FieldError>& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) {
            out += "; ";
        }
        out += e.field + ": " + e.reason;
    }
    return out;
}

}  // namespace lapor::sandbox
