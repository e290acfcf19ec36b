// Report <-> JSON (clear-text fields) and identity <-> bytes (sealed by the store).
#include "core/report_codec.hpp"

#include <nlohmann/json.hpp>

#include "core/time_zone.hpp"

namespace lapor::codec {

using nlohmann::json;

std::string encodeReportPublic(const Report& r) {
    return encodeReportPublic(r, r.receiptCode);
}

std::string encodeReportPublic(const Report& r, std::string_view receiptCode) {
    json j = {
        {"v", reportFormatVersion},
        {"uuid", r.uuid},
        {"receipt", receiptCode},
        {"kind", static_cast<int>(r.kind)},
        {"title", r.title},
        {"body", r.body},
        {"incident", {r.incidentDate.year, r.incidentDate.month, r.incidentDate.day}},
        {"region", r.regionCode},
        {"place", r.place},
        {"agency", r.agencyId},
        {"topic", r.topicId},
        {"anonymous", r.anonymous},
        {"confidential", r.confidential},
        {"assistedBy", r.assistedBy},
        {"device", r.deviceId},
        {"office", r.office},
        {"lang", r.language},
        {"createdAt", r.createdAtMs},
        {"utcOffset", r.utcOffsetMinutes},
        {"replaces", r.replacesUuid},
    };
    return j.dump();
}

Result<Report> decodeReportPublic(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "report record is not JSON");
    try {
        int v = j.at("v").get<int>();
        if (v > reportFormatVersion) {
            return makeError(Errc::tooNew, "report record format " + std::to_string(v) +
                                               " is newer than this program");
        }
        Report r;
        r.uuid = j.at("uuid").get<std::string>();
        r.receiptCode = j.at("receipt").get<std::string>();
        int kind = j.at("kind").get<int>();
        if (kind < 1 || kind > 3)
            return makeError(Errc::corrupt, "report record has unknown kind");
        r.kind = static_cast<ReportKind>(kind);
        r.title = j.at("title").get<std::string>();
        r.body = j.at("body").get<std::string>();
        const json& d = j.at("incident");
        r.incidentDate = Date{d.at(0).get<int>(), d.at(1).get<int>(), d.at(2).get<int>()};
        r.regionCode = j.at("region").get<std::string>();
        r.place = j.at("place").get<std::string>();
        r.agencyId = j.at("agency").get<std::string>();
        r.topicId = j.at("topic").get<std::string>();
        r.anonymous = j.at("anonymous").get<bool>();
        r.confidential = j.at("confidential").get<bool>();
        r.assistedBy = j.at("assistedBy").get<std::string>();
        r.deviceId = j.at("device").get<std::string>();
        r.office = j.at("office").get<std::string>();
        r.language = j.at("lang").get<std::string>();
        r.createdAtMs = j.at("createdAt").get<std::int64_t>();
        r.replacesUuid = j.value("replaces", std::string());
        // Absent in records written before reports carried their zone (format 1 either way).
        r.utcOffsetMinutes = j.value("utcOffset", legacyUtcOffsetMinutes);
        if (!plausibleUtcOffset(r.utcOffsetMinutes))
            return makeError(Errc::corrupt, "report record has an impossible UTC offset");
        return r;
    } catch (const json::exception& e) {
        return makeError(Errc::corrupt, std::string("report record malformed: ") + e.what());
    }
}

std::vector<std::uint8_t> encodeIdentity(const Identity& id) {
    json j = {{"name", id.name}, {"nik", id.nik}, {"phone", id.phone}, {"email", id.email}};
    return json::to_cbor(j);
}

Result<Identity> decodeIdentity(std::span<const std::uint8_t> bytes) {
    json j = json::from_cbor(bytes.begin(), bytes.end(), true, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(Errc::corrupt, "identity record malformed");
    try {
        return Identity{j.at("name").get<std::string>(), j.at("nik").get<std::string>(),
                        j.at("phone").get<std::string>(), j.at("email").get<std::string>()};
    } catch (const json::exception& e) {
        return makeError(Errc::corrupt, std::string("identity record malformed: ") + e.what());
    }
}

}  // namespace lapor::codec
