// The sandbox's insides, shared by its route files (sandbox_api.cpp, sandbox_open311.cpp,
// sandbox_admin.cpp); not for use outside sync/sandbox/.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "sync/sandbox/enrolments.hpp"
#include "sync/sandbox/faults.hpp"
#include "sync/sandbox/sandbox.hpp"

namespace lapor::sandbox {

constexpr const char* kProtocolHeader = "Lapor-Protocol";
constexpr const char* kProtocolVersion = "1";
constexpr std::uint64_t kTusMaxSize = 16 * 1024 * 1024;

// The media an upload may carry (its `filetype`; none: a photo, as kiosks before clips sent) and
// the largest upload of each (docs/protocol.md 2.2).
struct MediaLimit {
    const char* type;
    std::uint64_t maxBytes;
};
inline constexpr MediaLimit kMediaLimits[] = {
    {"image/jpeg", kTusMaxSize},
    {"video/mp4", kTusMaxSize},
    {"audio/ogg", 4 * 1024 * 1024},
};

enum class Auth { none, bearer, open311Key };

struct Sandbox::Impl {
    SandboxOptions options;
    const Clock* clock = nullptr;
    std::unique_ptr<SandboxStore> store;
    std::unique_ptr<linkemu::LinkEmulator> link;
    std::unique_ptr<httplib::Server> api;
    std::unique_ptr<httplib::Server> admin;
    std::thread apiThread;
    std::thread adminThread;
    std::uint16_t adminPort = 0;
    FaultBook faults;
    std::unique_ptr<Enrolments> enrolments;

    std::mutex catalogMutex;
    nlohmann::json catalog;
    std::string catalogEtag;

    std::atomic<bool> open311TokenMode{false};
    std::atomic<int> open311PendingQueries{1};

    std::mutex requestsMutex;
    std::map<std::string, std::uint64_t> requests;  // "POST /v1/reports" -> count

    std::mutex stopMutex;
    std::condition_variable stopCv;
    bool stopping = false;

    // Catalog.
    void setCatalog(nlohmann::json catalog);
    [[nodiscard]] std::pair<nlohmann::json, std::string> currentCatalog();

    // Shared by the route files.
    // Counts the request, plays its answer fault, checks the token. False: already answered
    // (the caller must still drain a body it has not read).
    [[nodiscard]] bool admit(const httplib::Request& req, httplib::Response& res, Auth auth,
                             std::string& token);
    // Sleeps up to `seconds`, returning early when the sandbox stops.
    void pause(double seconds);
    void countRequest(const httplib::Request& req);
    [[nodiscard]] bool tokenAllowed(const std::string& token, int& status) const;

    void registerApi(httplib::Server& server);
    void registerOpen311(httplib::Server& server);
    void registerAdmin(httplib::Server& server);
    void registerEnrolment(httplib::Server& api, httplib::Server& admin);
    void registerReplies(httplib::Server& api, httplib::Server& admin);
    void installAnswerHooks(httplib::Server& server);
};

// {"code","message"[,"fields"]} with the status; Retry-After when given (>= 0).
void apiError(httplib::Response& res, int status, const std::string& code,
              const std::string& message, int retryAfter = -1,
              const nlohmann::json& fields = nullptr);
// Open311's [{"code","description"}].
void open311Error(httplib::Response& res, int status, const std::string& description);
void sendJson(httplib::Response& res, int status, const nlohmann::json& body);
// The error code a status stands for when the sandbox has nothing more specific to say.
[[nodiscard]] std::string codeForStatus(int status);
// The Idempotency-Key header as a lowercase UUID, or nullopt after answering 400.
[[nodiscard]] std::optional<std::string> idempotencyKeyOf(const httplib::Request& req,
                                                          httplib::Response& res,
                                                          const std::string& what);
// The body as a JSON object, or nullopt after answering 400.
[[nodiscard]] std::optional<nlohmann::json> jsonObjectOf(const httplib::Request& req,
                                                         httplib::Response& res);
// The answer of a report's or a reply's POST: `accepted` on 201/200, else the error of 1.3.
void answerSubmit(httplib::Response& res, SubmitOutcome outcome, const std::string& message,
                  const std::vector<FieldError>& fields, const nlohmann::json& accepted);
// One entry of the status feed (section 4.3), agency names taken from `catalog`.
[[nodiscard]] nlohmann::json updateJson(const StatusEvent& e, const nlohmann::json& catalog);
[[nodiscard]] nlohmann::json replyJson(const ReplyView& r);
// Parses a whole unsigned decimal number.
[[nodiscard]] std::optional<std::uint64_t> parseUnsigned(const std::string& text);

}  // namespace lapor::sandbox
