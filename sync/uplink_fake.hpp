// ScriptedUplink: the Uplink fake that agent tests and benchmarks link (lapor_sync_fakes), beside
// the interface it fakes; its answers are scripted, and it records what the agent asked.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sync/uplink.hpp"

namespace lapor::sync {

// Single-threaded by design: tests drive the agent's deliverOne() on their own thread (or set
// onSubmit to synchronise with a worker).
struct ScriptedUplink final : Uplink {
    std::deque<std::pair<Error, ExchangeNote>> uploadFailures;  // next uploads fail with these
    std::deque<std::pair<Error, ExchangeNote>> submitFailures;
    std::vector<std::string> knownUrls;  // known upload URL seen per upload call
    std::vector<std::string> submitted;
    int created = 0;
    std::vector<StatusPage> pages;
    std::vector<std::string> cursorsSeen;
    std::optional<AgencyCatalog> catalog;
    std::vector<std::string> etagsSeen;
    bool serverUp = true;  // false: every exchange fails as a 503 would
    int probes = 0;
    std::function<void()> onSubmit;  // runs at the start of each submit (on the caller's thread)
    std::deque<std::pair<Error, ExchangeNote>> replyFailures;  // next replies fail with these
    std::vector<std::pair<std::string, std::string>> replied;  // reply id, tracking ID

    // What every exchange answers while serverUp is false.
    [[nodiscard]] static std::pair<Error, ExchangeNote> away();

    [[nodiscard]] Result<std::string> uploadPhoto(const Report& report, const PhotoUpload& photo,
                                                  ExchangeNote& note) override;
    [[nodiscard]] Result<std::string> submit(const Report& report,
                                             const std::vector<PhotoRef>& photos,
                                             ExchangeNote& note) override;
    [[nodiscard]] Status submitReply(const Reply& reply, const std::string& trackingId,
                                     const std::vector<PhotoRef>& photos,
                                     ExchangeNote& note) override;
    [[nodiscard]] Result<StatusPage> pullStatus(const std::string& cursor,
                                                const std::vector<Followed>& followed,
                                                ExchangeNote& note) override;
    [[nodiscard]] Result<std::optional<AgencyCatalog>> pullCatalog(const std::string& etag,
                                                                   ExchangeNote& note) override;
    [[nodiscard]] Status probe(ExchangeNote& note) override;
};

}  // namespace lapor::sync
