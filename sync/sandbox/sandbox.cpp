// Starting and stopping the sandbox, and what every API request goes through: the request count,
// the answer faults, the device token, the protocol header.
#include "sync/sandbox/sandbox.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>

#include "core/log.hpp"
#include "sync/sandbox/digest.hpp"
#include "sync/sandbox/sandbox_impl.hpp"

namespace lapor::sandbox {

using nlohmann::json;

namespace {

// What the post-routing hook must do to the answer this thread is writing (an answer fault
// decided when the request was admitted; the hook runs later on the same thread).
struct AnswerFault {
    bool active = false;
    FaultKind kind = FaultKind::malformed;
    double bytesPerSecond = 0;
    std::string value;
};
thread_local AnswerFault tAnswerFault;

constexpr const char* kPortalPage =
    "<!DOCTYPE html><html><head><title>Wi-Fi Login</title></head><body>"
    "<form method=\"post\" action=\"/login\"><input name=\"voucher\"><button>Masuk</button>"
    "</form></body></html>";

std::string requestTemplate(const std::string& path) {
    static const std::pair<const char*, const char*> kTemplates[] = {
        {"/v1/uploads/", "/v1/uploads/{id}"},
        {"/open311/v2/requests/", "/open311/v2/requests/{id}.json"},
        {"/open311/v2/tokens/", "/open311/v2/tokens/{token}.json"},
    };
    for (const auto& [prefix, name] : kTemplates) {
        if (path.rfind(prefix, 0) == 0 && path.size() > std::string(prefix).size()) {
            return name;
        }
    }
    const std::string replies = "/replies";
    if (path.rfind("/v1/reports/", 0) == 0 && path.size() > replies.size() &&
        path.compare(path.size() - replies.size(), replies.size(), replies) == 0) {
        return "/v1/reports/{tracking_id}/replies";
    }
    if (path.rfind("/v1/reports/", 0) == 0 && path != "/v1/reports/status") {
        return "/v1/reports/{tracking_id}";
    }
    return path;
}

bool waitRunning(const httplib::Server& server) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server.is_running()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::yield();
    }
    return true;
}

}  // namespace

std::string codeForStatus(int status) {
    switch (status) {
        case 400: return "bad_request";
        case 401: return "unauthorized";
        case 403: return "forbidden";
        case 404: return "not_found";
        case 405: return "method_not_allowed";
        case 409: return "conflict";
        case 412: return "tus_version";
        case 413: return "too_large";
        case 415: return "unsupported_media_type";
        case 422: return "validation_failed";
        case 429: return "rate_limited";
        case 460: return "checksum_mismatch";
        case 503: return "unavailable";
        default: return status >= 500 ? "internal" : "bad_request";
    }
}

std::optional<std::uint64_t> parseUnsigned(const std::string& text) {
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::stoull(text);
}

void sendJson(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void apiError(httplib::Response& res, int status, const std::string& code,
              const std::string& message, int retryAfter, const json& fields) {
    json body = {{"code", code}, {"message", message}};
    if (!fields.is_null()) {
        body["fields"] = fields;
    }
    if (retryAfter >= 0) {
        res.set_header("Retry-After", std::to_string(retryAfter));
    }
    sendJson(res, status, body);
}

void open311Error(httplib::Response& res, int status, const std::string& description) {
    sendJson(res, status, json::array({{{"code", status}, {"description", description}}}));
}

void Sandbox::Impl::setCatalog(json c) {
    const std::string etag = "\"" + sha256Hex(c.dump()).substr(0, 32) + "\"";
    std::lock_guard lock(catalogMutex);
    catalog = std::move(c);
    catalogEtag = etag;
}

std::pair<json, std::string> Sandbox::Impl::currentCatalog() {
    std::lock_guard lock(catalogMutex);
    return {catalog, catalogEtag};
}

void Sandbox::Impl::pause(double seconds) {
    std::unique_lock lock(stopMutex);
    stopCv.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stopping; });
}

void Sandbox::Impl::countRequest(const httplib::Request& req) {
    std::lock_guard lock(requestsMutex);
    ++requests[req.method + " " + requestTemplate(req.path)];
}

bool Sandbox::Impl::tokenAllowed(const std::string& token, int& status) const {
    const auto& revoked = options.revokedTokens;
    if (std::find(revoked.begin(), revoked.end(), token) != revoked.end()) {
        status = 403;
        return false;
    }
    if (!token.empty() && enrolments && !enrolments->deviceFor(token).empty()) {
        return true;  // minted by enrolment for a device's key
    }
    const auto& allowed = options.tokens;
    const bool listed = std::find(allowed.begin(), allowed.end(), token) != allowed.end();
    if (token.empty() || ((!allowed.empty() || options.requireEnrolment) && !listed)) {
        status = 401;
        return false;
    }
    return true;
}

bool Sandbox::Impl::admit(const httplib::Request& req, httplib::Response& res, Auth auth,
                          std::string& token) {
    tAnswerFault = AnswerFault{};
    countRequest(req);
    const bool open311 = req.path.rfind("/open311/", 0) == 0;
    if (auto fault = faults.take(req.method, req.path)) {
        switch (fault->kind) {
            case FaultKind::status: {
                int retryAfter = fault->retryAfter;
                if (retryAfter < 0 && (fault->status == 429 || fault->status == 503)) {
                    retryAfter = 1;
                }
                const std::string code =
                    fault->code.empty() ? codeForStatus(fault->status) : fault->code;
                if (open311) {
                    open311Error(res, fault->status, "injected fault");
                    if (retryAfter >= 0) {
                        res.set_header("Retry-After", std::to_string(retryAfter));
                    }
                } else {
                    apiError(res, fault->status, code, "injected fault", retryAfter);
                }
                return false;
            }
            case FaultKind::stall: pause(fault->seconds); break;
            case FaultKind::expire: {
                // The upload this request names expires now; the route then answers for it.
                const std::string marker = "/v1/uploads/";
                if (req.path.rfind(marker, 0) == 0) {
                    (void)store->expireUpload(req.path.substr(marker.size()), fault->status);
                }
                break;
            }
            case FaultKind::portal:
                res.status = 200;
                res.set_content(kPortalPage, "text/html");
                tAnswerFault = AnswerFault{true, FaultKind::noHeader, 0, {}};
                return false;
            case FaultKind::slow:
            case FaultKind::malformed:
            case FaultKind::noHeader:
            case FaultKind::wrongHeader:
                tAnswerFault = AnswerFault{true, fault->kind, fault->bytesPerSecond, fault->value};
                break;
            default: break;  // link faults never sit in the book
        }
    }
    if (auth == Auth::none) {
        return true;
    }
    if (auth == Auth::bearer) {
        const std::string header = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        token = header.rfind(prefix, 0) == 0 ? header.substr(prefix.size()) : std::string();
    } else {
        token = req.get_param_value("api_key");
    }
    int status = 0;
    if (!tokenAllowed(token, status)) {
        const std::string message =
            status == 401 ? "missing or unknown device token" : "device token revoked";
        if (open311) {
            open311Error(res, status, message);
        } else {
            apiError(res, status, codeForStatus(status), message);
        }
        return false;
    }
    return true;
}

void Sandbox::Impl::installAnswerHooks(httplib::Server& server) {
    server.set_default_headers({{kProtocolHeader, kProtocolVersion}});
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || req.method == "HEAD" || res.status < 400) {
            return;
        }
        if (req.path.rfind("/open311/", 0) == 0) {
            open311Error(res, res.status, codeForStatus(res.status));
        } else {
            apiError(res, res.status, codeForStatus(res.status), "no such resource or method");
        }
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            apiError(res, 500, "internal", "sandbox bug: " + what);
        });
    server.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        const AnswerFault fault = tAnswerFault;
        tAnswerFault = AnswerFault{};
        if (!fault.active) {
            return;
        }
        switch (fault.kind) {
            case FaultKind::noHeader: res.headers.erase(kProtocolHeader); break;
            case FaultKind::wrongHeader:
                res.headers.erase(kProtocolHeader);
                res.set_header(kProtocolHeader, fault.value);
                break;
            case FaultKind::malformed: {
                // Half the body, and never valid JSON: the client must not take it as success.
                std::string cut = res.body.substr(0, res.body.size() / 2) + "\x01{";
                res.body = std::move(cut);
                res.headers.erase("Content-Length");
                res.set_header("Content-Length", std::to_string(res.body.size()));
                break;
            }
            case FaultKind::slow: {
                if (res.body.empty() || req.method == "HEAD") {
                    break;
                }
                auto body = std::make_shared<std::string>(std::move(res.body));
                res.body.clear();
                const std::string type = res.get_header_value("Content-Type");
                res.headers.erase("Content-Type");
                const double rate = fault.bytesPerSecond;
                res.set_content_provider(
                    body->size(), type,
                    [this, body, rate](std::size_t offset, std::size_t length,
                                       httplib::DataSink& sink) {
                        const auto step = std::min<std::size_t>(
                            length, std::max<std::size_t>(1, static_cast<std::size_t>(rate / 20)));
                        pause(static_cast<double>(step) / rate);
                        sink.write(body->data() + offset, step);
                        return true;
                    });
                break;
            }
            default: break;
        }
    });
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Sandbox::~Sandbox() {
    {
        std::lock_guard lock(impl_->stopMutex);
        impl_->stopping = true;
    }
    impl_->stopCv.notify_all();
    impl_->link.reset();  // first, so no new request arrives while the servers stop
    if (impl_->api) {
        impl_->api->stop();
    }
    if (impl_->admin) {
        impl_->admin->stop();
    }
    if (impl_->apiThread.joinable()) {
        impl_->apiThread.join();
    }
    if (impl_->adminThread.joinable()) {
        impl_->adminThread.join();
    }
}

Result<std::unique_ptr<Sandbox>> Sandbox::start(const SandboxOptions& options, const Clock& clock) {
    // A peer that resets mid-answer must not kill the process hosting the sandbox (TLS writes go
    // through write(), which raises SIGPIPE).
    std::signal(SIGPIPE, SIG_IGN);
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->clock = &clock;
    impl->open311TokenMode = options.open311TokenMode;
    impl->open311PendingQueries = options.open311TokenPendingQueries;

    const std::filesystem::path catalogPath = options.catalogFile.empty()
                                                  ? std::filesystem::path(LAPOR_SANDBOX_CATALOG)
                                                  : options.catalogFile;
    std::ifstream catalogIn(catalogPath);
    json catalog = json::parse(catalogIn, nullptr, false);
    if (!catalogIn || catalog.is_discarded() || !catalog.contains("agencies")) {
        return makeError(Errc::invalidInput, "cannot read catalog " + catalogPath.string());
    }
    impl->setCatalog(std::move(catalog));

    auto store = SandboxStore::open(options.dataDir, clock, options.timeScale, options.fsync);
    if (!store) {
        return store.error();
    }
    impl->store = std::move(*store);
    auto enrolments = Enrolments::open(options.dataDir / "enrolments.json");
    if (!enrolments) {
        return enrolments.error();
    }
    impl->enrolments = std::move(*enrolments);

    if (!options.tlsCert.empty() || !options.tlsKey.empty()) {
        impl->api =
            std::make_unique<httplib::SSLServer>(options.tlsCert.c_str(), options.tlsKey.c_str());
    } else {
        impl->api = std::make_unique<httplib::Server>();
    }
    if (!impl->api->is_valid()) {
        return makeError(Errc::invalidInput, "cannot load the TLS certificate or key");
    }
    impl->admin = std::make_unique<httplib::Server>();
    for (auto* server : {impl->api.get(), impl->admin.get()}) {
        server->new_task_queue = [] { return new httplib::ThreadPool(32); };
        server->set_keep_alive_max_count(100000);
        server->set_keep_alive_timeout(30);
        server->set_payload_max_length(2 * kTusMaxSize);
        // httplib writes an answer's headers and body separately: without this, Nagle holds the
        // body until the client's delayed ACK (40 ms per request on loopback).
        server->set_tcp_nodelay(true);
    }
    Impl* raw = impl.get();
    raw->installAnswerHooks(*raw->api);
    raw->registerApi(*raw->api);
    raw->registerOpen311(*raw->api);
    raw->admin->set_default_headers({{kProtocolHeader, kProtocolVersion}});
    raw->registerAdmin(*raw->admin);
    raw->registerEnrolment(*raw->api, *raw->admin);
    raw->registerReplies(*raw->api, *raw->admin);

    const int internalPort = raw->api->bind_to_any_port("127.0.0.1");
    if (internalPort <= 0) {
        return makeError(Errc::ioError, "cannot bind the API listener");
    }
    int adminPort = 0;
    if (options.adminPort != 0) {
        adminPort = raw->admin->bind_to_port(options.bind.c_str(), options.adminPort)
                        ? options.adminPort
                        : -1;
    } else {
        adminPort = raw->admin->bind_to_any_port(options.bind.c_str());
    }
    if (adminPort <= 0) {
        return makeError(Errc::ioError, "cannot bind the admin port");
    }
    raw->adminPort = static_cast<std::uint16_t>(adminPort);
    auto link = linkemu::LinkEmulator::start(options.bind, options.port, "127.0.0.1",
                                             static_cast<std::uint16_t>(internalPort));
    if (!link) {
        return link.error();
    }
    raw->link = std::move(*link);
    raw->apiThread = std::thread([raw] { (void)raw->api->listen_after_bind(); });
    raw->adminThread = std::thread([raw] { (void)raw->admin->listen_after_bind(); });
    auto sandbox = std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
    if (!waitRunning(*raw->api) || !waitRunning(*raw->admin)) {
        return makeError(Errc::internal, "the HTTP listeners did not start");
    }
    log::info("sandbox", "listening on " + options.bind + ":" + std::to_string(sandbox->port()) +
                             ", admin on port " + std::to_string(raw->adminPort));
    return sandbox;
}

std::uint16_t Sandbox::port() const {
    return impl_->link->port();
}
std::uint16_t Sandbox::adminPort() const {
    return impl_->adminPort;
}

std::string Sandbox::baseUrl() const {
    const bool tls = !impl_->options.tlsCert.empty();
    return std::string(tls ? "https://" : "http://") + impl_->options.bind + ":" +
           std::to_string(port());
}

std::string Sandbox::adminUrl() const {
    return "http://" + impl_->options.bind + ":" + std::to_string(adminPort());
}

linkemu::LinkEmulator& Sandbox::link() {
    return *impl_->link;
}
SandboxStore& Sandbox::store() {
    return *impl_->store;
}

}  // namespace lapor::sandbox
