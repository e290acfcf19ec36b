// Enrolment exchange (POST /v1/enrolments) and the device token's file.
#include "sync/enrol.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/durable_file.hpp"
#include "core/wipe.hpp"

namespace lapor::sync {

Result<std::string> enrol(HttpClient& http, const EnrolRequest& request,
                          const crypto::DeviceKey& key) {
    const std::string code = crypto::normaliseEnrolmentCode(request.code);
    if (code.empty()) {
        return makeError(Errc::invalidInput, "the enrolment code is empty");
    }
    const std::string message = crypto::enrolmentMessage(code, request.deviceId);
    const auto signature =
        key.sign(std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
    nlohmann::json body = {{"code", code},
                           {"device_id", request.deviceId},
                           {"public_key", key.publicKeyHex()},
                           {"signature", crypto::toHex(signature)}};
    HttpRequest req;
    req.method = "POST";
    req.url = request.serverUrl + "/v1/enrolments";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.dump();
    req.timeoutMs = request.timeoutMs;
    auto res = http.send(req);
    if (!res.ok()) {
        return res.error();
    }
    const std::string* protocol = res->header("lapor-protocol");
    if (protocol == nullptr || *protocol != "1") {
        return makeError(Errc::protocol,
                         "the answer is not from the LAPOR! uplink (no Lapor-Protocol header: a "
                         "captive portal or proxy?)");
    }
    const auto answer = nlohmann::json::parse(res->body, nullptr, false);
    if (res->status == 201 || res->status == 200) {
        if (!answer.is_object() || !answer.contains("device_token") ||
            !answer["device_token"].is_string() ||
            answer["device_token"].get<std::string>().empty()) {
            return makeError(Errc::protocol, "the enrolment answer has no device_token");
        }
        return answer["device_token"].get<std::string>();
    }
    std::string why = "HTTP " + std::to_string(res->status);
    if (answer.is_object() && answer.contains("code") && answer["code"].is_string()) {
        why += " " + answer["code"].get<std::string>();
        if (answer.contains("message") && answer["message"].is_string()) {
            why += ": " + answer["message"].get<std::string>();
        }
    }
    return makeError(res->status >= 500 ? Errc::unavailable : Errc::rejected,
                     "enrolment refused (" + why + ")");
}

Status writeTokenFile(const std::string& path, std::string_view token) {
    // A secret (0600), read by the services as their own user: the directory's owner.
    Status s = writeFileDurably(path, std::string(token) + "\n",
                                DurableWrite{.mode = 0600, .ownerOfParent = true});
    if (!s.ok() && s.error().code == Errc::notFound) {
        return makeError(Errc::notFound, "no directory for the token file " + path);
    }
    return s;
}

std::string deviceKeyPath(const Config& config) {
    // The kiosk's staff panel runs as the service user, and the key is root's (0600): its unit
    // hands the key over as a systemd credential (image/systemd/lapor-kiosk.service).
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) {
        const std::filesystem::path credential = std::filesystem::path(dir) / "lapor-device-key";
        std::error_code ec;
        if (std::filesystem::exists(credential, ec)) {
            return credential.string();
        }
    }
    const std::string beside =
        (std::filesystem::path(config.keyFile).parent_path() / "device.key").string();
    auto path = config.getString("device.key_file", beside);
    return path.ok() ? *path : beside;
}

std::optional<EnrolFailure> enrolDevice(const Config& config, const std::string& deviceId,
                                        std::string_view code, HttpClient* http) {
    auto sync = syncConfigFrom(config);
    if (!sync.ok()) {
        return EnrolFailure{EnrolStep::config, sync.error()};
    }
    if (sync->tokenFile.empty()) {
        return EnrolFailure{EnrolStep::config,
                            Error{Errc::invalidInput,
                                  "sync.token_file is not set: nowhere to keep the device token"}};
    }
    auto device = crypto::loadDeviceKey(deviceKeyPath(config), false);
    if (!device.ok()) {
        return EnrolFailure{EnrolStep::deviceKey, device.error()};
    }
    std::unique_ptr<HttpClient> own;
    if (http == nullptr) {
        own = std::make_unique<CurlHttpClient>(sync->httpOptions());
        http = own.get();
    }
    auto token = enrol(*http, EnrolRequest{sync->serverUrl, std::string(code), deviceId}, *device);
    if (!token.ok()) {
        return EnrolFailure{EnrolStep::exchange, token.error()};
    }
    Status written = writeTokenFile(sync->tokenFile, *token);
    wipeString(*token);
    if (!written.ok()) {
        return EnrolFailure{EnrolStep::tokenFile, written.error()};
    }
    return std::nullopt;
}

}  // namespace lapor::sync
