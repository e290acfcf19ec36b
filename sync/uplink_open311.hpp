// The Open311 GeoReport v2 adapter (docs/protocol.md section 6): a report becomes a service
// request; `token` answers are followed until the request has an ID; status read back by ID.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/store.hpp"
#include "sync/uplink.hpp"

namespace lapor::sync {

// baseUrl e.g. https://city.example/open311/v2 (".json" paths are added).
struct Open311Options : UplinkOptions {
    std::string apiKey;
    std::string jurisdictionId;  // empty: not sent
    std::string mediaUploadUrl;  // tus endpoint for photos (sent as media_url); empty: no photos
    // Real Open311 servers send no protocol header: an answer counts only when it is JSON of the
    // documented shape. Set to laporGuard() for lapor-sandbox, which adds the header.
    ProtocolGuard guard;
};

class Open311Uplink final : public HttpUplink {
  public:
    // `store` keeps the pending tokens across restarts (status records "syncd.open311.token.*").
    Open311Uplink(HttpClient& http, Open311Options options, Store& store, const Clock& clock);
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
    [[nodiscard]] Status probe(ExchangeNote& note) override;

  private:
    // GET/POST returning a JSON array of objects; errors classified.
    Result<nlohmann::json> call(HttpRequest req, std::string_view what, ExchangeNote& note);
    Result<std::string> followToken(const std::string& uuid, const std::string& token,
                                    ExchangeNote& note);

    Open311Options options_;
    Store& store_;
};

// The Open311 form for a report (exposed for tests): service_code "<kind>:<agency>:<topic>",
// address_string "<region> <place>", description "<title>\n\n<body>", identity only when not
// anonymous.
[[nodiscard]] std::string open311Form(const Report& report, const std::vector<PhotoRef>& photos,
                                      const Open311Options& options);

}  // namespace lapor::sync
