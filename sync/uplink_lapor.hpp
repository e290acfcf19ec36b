// The LAPOR! Kiosk uplink protocol (docs/protocol.md): tus photos, idempotent report POST, status
// by cursor, catalog by ETag. Every answer must carry Lapor-Protocol: 1.
#pragma once

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "sync/http_client.hpp"
#include "sync/uplink.hpp"

namespace lapor::sync {

struct LaporUplinkOptions {
    std::string baseUrl;  // e.g. https://lapor.example.go.id (paths below /v1/ are added)
    std::string token;
    std::size_t chunkBytes = 1 << 20;
    std::int64_t requestTimeoutMs = 120'000;
};

class LaporUplink final : public Uplink {
  public:
    LaporUplink(HttpClient& http, LaporUplinkOptions options, const Clock& clock);
    [[nodiscard]] Result<std::string> uploadPhoto(const Report& report, const PhotoUpload& photo,
                                                  ExchangeNote& note) override;
    [[nodiscard]] Result<std::string> submit(const Report& report,
                                             const std::vector<PhotoRef>& photos,
                                             ExchangeNote& note) override;
    [[nodiscard]] Result<StatusPage> pullStatus(const std::string& cursor,
                                                const std::vector<Followed>& followed,
                                                ExchangeNote& note) override;
    [[nodiscard]] Result<std::optional<AgencyCatalog>> pullCatalog(const std::string& etag,
                                                                   ExchangeNote& note) override;
    [[nodiscard]] TusClient& tus() { return tus_; }

  private:
    Headers auth() const;
    // sendGuarded with this uplink's HTTP client, the Lapor-Protocol guard and the clock.
    Result<HttpResponse> send(const HttpRequest& req, std::string_view what,
                              std::initializer_list<long> expected, ExchangeNote& note);

    HttpClient& http_;
    LaporUplinkOptions options_;
    const Clock& clock_;
    TusClient tus_;
};

// The report as the protocol's JSON body (docs/protocol.md 4.1); identity only when not anonymous.
[[nodiscard]] std::string reportJson(const Report& report, const std::vector<PhotoRef>& photos);

}  // namespace lapor::sync
