// The agent's upload and link records as JSON in the store's status table.
#include "sync/upload_state.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "core/log.hpp"

namespace lapor::sync {

using nlohmann::json;

namespace {

constexpr std::string_view kComponent = "syncd";
constexpr std::string_view kLinkKey = "syncd.tus_link";

std::string uploadsKey(const std::string& uuid) {
    return "syncd.uploads." + uuid;
}

// Typed reads: a field of the wrong type reads as absent (a record from another version, or
// damaged), never as an exception.
std::uint64_t u64(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

std::int64_t i64(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool flag(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string text(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::uint32_t> slotIndex(const std::string& key) {
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
    if (ec != std::errc{} || p != key.data() + key.size() || key.empty()) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::string reportUploadsJson(const std::map<std::uint32_t, TusUploadState>& photos) {
    json j = json::object();
    for (const auto& [index, s] : photos) {
        if (s.url.empty()) {
            continue;
        }
        j[std::to_string(index)] = {{"url", s.url},
                                    {"offset", s.offset},
                                    {"sending", s.sending},
                                    {"checksummed", s.checksummed},
                                    {"length", s.length}};
    }
    return j.dump();
}

std::map<std::uint32_t, TusUploadState> parseReportUploads(std::string_view input) {
    std::map<std::uint32_t, TusUploadState> out;
    const json j = json::parse(input, nullptr, false);
    if (!j.is_object()) {
        return out;
    }
    for (const auto& [key, v] : j.items()) {
        const auto index = slotIndex(key);
        if (!index) {
            continue;
        }
        TusUploadState s;
        if (v.is_string()) {
            s.url = v.get<std::string>();  // written before offsets were kept: a URL only
        } else if (v.is_object()) {
            s.url = text(v, "url");
            s.offset = u64(v, "offset");
            s.sending = u64(v, "sending");
            s.checksummed = flag(v, "checksummed");
            s.length = u64(v, "length");
        }
        if (!s.url.empty()) {
            out[*index] = s;
        }
    }
    return out;
}

std::string linkStateJson(const TusLinkState& s) {
    json j = {{"endpoint", s.endpoint},
              {"chunk", s.chunk},
              {"ceiling", s.ceiling},
              {"plain_patches", s.plainPatches}};
    if (s.server) {
        j["server"] = {{"extensions", s.server->extensions},
                       {"checksum_algorithm", s.server->checksumAlgorithm},
                       {"max_size", s.server->maxSize},
                       {"at_ms", s.serverAtMs}};
    }
    return j.dump();
}

std::optional<TusLinkState> parseLinkState(std::string_view input) {
    const json j = json::parse(input, nullptr, false);
    if (!j.is_object()) {
        return std::nullopt;
    }
    TusLinkState s;
    s.endpoint = text(j, "endpoint");
    s.chunk = static_cast<std::size_t>(u64(j, "chunk"));
    s.ceiling = static_cast<std::size_t>(u64(j, "ceiling"));
    s.plainPatches = flag(j, "plain_patches");
    if (const auto it = j.find("server"); it != j.end() && it->is_object()) {
        TusServerInfo info;
        if (const auto e = it->find("extensions"); e != it->end() && e->is_array()) {
            for (const auto& x : *e) {
                if (x.is_string()) {
                    info.extensions.push_back(x.get<std::string>());
                }
            }
        }
        info.checksumAlgorithm = text(*it, "checksum_algorithm");
        if (info.checksumAlgorithm != "sha256" && info.checksumAlgorithm != "sha1") {
            info.checksumAlgorithm.clear();
        }
        info.maxSize = u64(*it, "max_size");
        s.serverAtMs = i64(*it, "at_ms");
        s.server = std::move(info);
    }
    return s;
}

ReportUploads ReportUploads::load(Store& store, const std::string& uuid) {
    ReportUploads r(store, uuid);
    if (auto saved = store.getStatus(uploadsKey(uuid)); saved.ok() && saved->has_value()) {
        r.photos_ = parseReportUploads(**saved);
    }
    return r;
}

Status ReportUploads::forget(Store& store, const std::string& uuid) {
    return store.eraseStatus(uploadsKey(uuid));
}

TusUploadState ReportUploads::get(std::uint32_t index) const {
    const auto it = photos_.find(index);
    return it == photos_.end() ? TusUploadState{} : it->second;
}

Status ReportUploads::save(std::uint32_t index, const TusUploadState& state) {
    if (state.url.empty()) {
        photos_.erase(index);
    } else {
        photos_[index] = state;
    }
    return store_->putStatus(uploadsKey(uuid_), reportUploadsJson(photos_));
}

void ReportUploads::complete(std::uint32_t index, const std::string& url, std::uint64_t length) {
    TusUploadState& s = photos_[index];
    s.url = url;
    s.offset = length;
    s.length = length;
    s.sending = 0;
}

std::optional<TusLinkState> StoreTusMemory::load() {
    auto saved = store_.getStatus(kLinkKey);
    if (!saved.ok() || !saved->has_value()) {
        return std::nullopt;
    }
    return parseLinkState(**saved);
}

void StoreTusMemory::save(const TusLinkState& state) {
    if (Status s = store_.putStatus(kLinkKey, linkStateJson(state)); !s.ok()) {
        log::warn(kComponent, "cannot keep what was learned about the link: " + s.error().message);
    }
}

}  // namespace lapor::sync
