// Enrolment exchange (POST /v1/enrolments) and the device token's file.
#include "sync/enrol.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

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
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    struct stat dirStat {};
    if (::stat(dir.empty() ? "." : dir.c_str(), &dirStat) != 0) {
        return makeError(Errc::notFound, "no directory for the token file " + path);
    }
    const std::string tmp = path + ".new";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return makeError(Errc::permission, "cannot write " + tmp + ": " + std::strerror(errno));
    }
    ::fchmod(fd, 0600);
    // The services read it as their own user: the directory's owner.
    if (::fchown(fd, dirStat.st_uid, dirStat.st_gid) != 0 && errno != EPERM) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return makeError(Errc::ioError, "cannot hand " + tmp + " over: " + std::strerror(err));
    }
    const std::string text = std::string(token) + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return makeError(err == ENOSPC ? Errc::diskFull : Errc::ioError,
                             "cannot write " + tmp + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return makeError(Errc::ioError, "cannot sync " + tmp + ": " + std::strerror(err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return makeError(Errc::ioError, "cannot install " + path + ": " + std::strerror(err));
    }
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

}  // namespace lapor::sync
