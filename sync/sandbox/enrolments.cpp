// The sandbox's enrolment book: issuing codes, trading them for tokens, keeping it on disk.
#include "sync/sandbox/enrolments.hpp"

#include <array>
#include <fstream>
#include <span>

#include "core/crypto.hpp"
#include "core/device_key.hpp"
#include "core/durable_file.hpp"
#include "core/log.hpp"

namespace lapor::sandbox {

using json = nlohmann::json;

namespace {

std::string tokenHash(const std::string& token) {
    return crypto::sha256Hex(
        std::span(reinterpret_cast<const std::uint8_t*>(token.data()), token.size()));
}

}  // namespace

Result<std::unique_ptr<Enrolments>> Enrolments::open(std::filesystem::path file) {
    auto book = std::unique_ptr<Enrolments>(new Enrolments());
    book->file_ = std::move(file);
    std::ifstream in(book->file_);
    if (!in) {
        return book;  // nothing issued yet
    }
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return makeError(Errc::corrupt, book->file_.string() + " is not the enrolment book");
    }
    for (const auto& c : j.value("codes", json::array())) {
        book->codes_[c.value("code", "")] =
            Code{c.value("expires_ms", std::int64_t{0}), c.value("used_by", "")};
    }
    for (const auto& d : j.value("devices", json::array())) {
        book->devices_[d.value("token_sha256", "")] =
            Device{d.value("device_id", ""), d.value("public_key", ""),
                   d.value("enrolled_ms", std::int64_t{0})};
    }
    return book;
}

std::string Enrolments::issueCode(std::int64_t nowMs, std::int64_t ttlMs) {
    // No 0/O, 1/I/L: a technician reads it off a letter or a phone call.
    static constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    std::array<std::uint8_t, 12> random{};
    crypto::randomBytes(random);
    std::string code;
    for (std::size_t i = 0; i < random.size(); ++i) {
        if (i > 0 && i % 4 == 0) {
            code.push_back('-');
        }
        code.push_back(kAlphabet[random[i] % kAlphabet.size()]);
    }
    std::lock_guard lock(mutex_);
    codes_[crypto::normaliseEnrolmentCode(code)] = Code{nowMs + ttlMs, {}};
    saveLocked();
    return code;
}

Enrolments::Outcome Enrolments::enrol(const std::string& code, const std::string& deviceId,
                                      const std::string& publicKeyHex,
                                      const std::string& signatureHex, std::int64_t nowMs) {
    const std::string normalised = crypto::normaliseEnrolmentCode(code);
    if (normalised.empty() || deviceId.empty() || publicKeyHex.empty() || signatureHex.empty()) {
        return {400, "bad_request", "code, device_id, public_key and signature are required", {}};
    }
    // Proof that the device holds the secret half of the key it asks the token to be bound to.
    if (!crypto::verifySignatureHex(publicKeyHex, crypto::enrolmentMessage(normalised, deviceId),
                                    signatureHex)) {
        return {400, "bad_signature", "the signature does not match the public key", {}};
    }
    std::lock_guard lock(mutex_);
    auto it = codes_.find(normalised);
    if (it == codes_.end()) {
        return {404, "unknown_code", "no such enrolment code", {}};
    }
    if (!it->second.usedBy.empty()) {
        return {409, "code_used", "this enrolment code was already used", {}};
    }
    if (nowMs >= it->second.expiresMs) {
        return {410, "code_expired", "this enrolment code has expired", {}};
    }
    it->second.usedBy = deviceId;
    std::erase_if(devices_, [&](const auto& d) { return d.second.deviceId == deviceId; });
    const std::string token = crypto::randomHex(32);
    devices_[tokenHash(token)] = Device{deviceId, publicKeyHex, nowMs};
    saveLocked();
    return {201, {}, {}, token};
}

std::string Enrolments::deviceFor(const std::string& token) const {
    std::lock_guard lock(mutex_);
    auto it = devices_.find(tokenHash(token));
    return it == devices_.end() ? std::string() : it->second.deviceId;
}

bool Enrolments::anyIssued() const {
    std::lock_guard lock(mutex_);
    return !codes_.empty();
}

json Enrolments::describe(std::int64_t nowMs) const {
    std::lock_guard lock(mutex_);
    json codes = json::array();
    for (const auto& [code, c] : codes_) {
        const std::string state =
            !c.usedBy.empty() ? "used" : (nowMs >= c.expiresMs ? "expired" : "open");
        codes.push_back({{"code", code}, {"state", state}, {"used_by", c.usedBy}});
    }
    json devices = json::array();
    for (const auto& [hash, d] : devices_) {
        devices.push_back({{"device_id", d.deviceId}, {"public_key", d.publicKey}});
    }
    return {{"codes", codes}, {"devices", devices}};
}

void Enrolments::saveLocked() const {
    if (file_.empty()) {
        return;
    }
    json codes = json::array();
    for (const auto& [code, c] : codes_) {
        codes.push_back({{"code", code}, {"expires_ms", c.expiresMs}, {"used_by", c.usedBy}});
    }
    json devices = json::array();
    for (const auto& [hash, d] : devices_) {
        devices.push_back({{"token_sha256", hash},
                           {"device_id", d.deviceId},
                           {"public_key", d.publicKey},
                           {"enrolled_ms", d.enrolledMs}});
    }
    // Token hashes and public keys: 0600 like every secret of the project.
    const Status s =
        writeFileDurably(file_, json{{"codes", codes}, {"devices", devices}}.dump(1) + '\n',
                         DurableWrite{.mode = 0600});
    if (!s.ok()) {
        log::warn("sandbox", "enrolments not saved: " + s.error().message);
    }
}

}  // namespace lapor::sandbox
