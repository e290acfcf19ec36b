// The LAPOR! Kiosk uplink protocol (docs/protocol.md): tus photos, idempotent report POST, status
// by cursor, catalog by ETag. Every answer must carry Lapor-Protocol: 1.
#pragma once

#include <string>

#include "sync/uplink.hpp"

namespace lapor::sync {

// baseUrl e.g. https://lapor.example.go.id (paths below /v1/ are added).
struct LaporUplinkOptions : UplinkOptions {
    std::string token;
};

class LaporUplink final : public HttpUplink {
  public:
    LaporUplink(HttpClient& http, LaporUplinkOptions options, const Clock& clock);
    [[nodiscard]] Result<std::string> uploadPhoto(const Report& report, const PhotoUpload& photo,
                                                  ExchangeNote& note) override;
    [[nodiscard]] Result<std::string> submit(const Report& report,
                                             const std::vector<PhotoRef>& photos,
                                             ExchangeNote& note) override;
    // POST /v1/reports/{tracking_id}/replies (4.5).
    [[nodiscard]] Status submitReply(const Reply& reply, const std::string& trackingId,
                                     const std::vector<PhotoRef>& photos,
                                     ExchangeNote& note) override;
    [[nodiscard]] Result<StatusPage> pullStatus(const std::string& cursor,
                                                const std::vector<Followed>& followed,
                                                ExchangeNote& note) override;
    [[nodiscard]] Result<std::optional<AgencyCatalog>> pullCatalog(const std::string& etag,
                                                                   ExchangeNote& note) override;
    // OPTIONS /v1/uploads: needs no token and touches no report.
    [[nodiscard]] Status probe(ExchangeNote& note) override;
    [[nodiscard]] TusClient& tus() { return tus_; }

  private:
    Headers auth() const;
    // POSTs a JSON body under an Idempotency-Key, wipes the body, reads a 200/201 with `read`.
    template <class Read>
    auto postIdempotent(const std::string& path, const std::string& key, std::string body,
                        std::string_view what, ExchangeNote& note, Read&& read)
        -> decltype(read(HttpResponse{}, std::string()));

    LaporUplinkOptions options_;
};

// The report as the protocol's JSON body (docs/protocol.md 4.1); identity only when not anonymous.
[[nodiscard]] std::string reportJson(const Report& report, const std::vector<PhotoRef>& photos);
// The reply as the protocol's JSON body (4.5).
[[nodiscard]] std::string replyJson(const Reply& reply, const std::vector<PhotoRef>& photos);

}  // namespace lapor::sync
