// The agent's durable notes on its uploads, in the store's status table (synchronous LMDB commits,
// so they survive a kill or a power cut): per report, each photo's tus upload; and what the tus
// client learned about the link. A crash loop on a slow link then goes on where it stopped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/store.hpp"
#include "sync/tus_client.hpp"

namespace lapor::sync {

// Each photo's upload of one report not yet delivered: status record `syncd.uploads.<uuid>`.
class ReportUploads {
  public:
    // What the store holds for `uuid`; nothing when absent or unreadable (the photos then go up
    // again as new uploads, which loses no report).
    [[nodiscard]] static ReportUploads load(Store& store, const std::string& uuid);
    // Forgets a report's uploads (delivered, or the server lost them).
    static Status forget(Store& store, const std::string& uuid);

    [[nodiscard]] TusUploadState get(std::uint32_t index) const;
    // Records `state` for photo `index`, with the others, durably.
    [[nodiscard]] Status save(std::uint32_t index, const TusUploadState& state);
    // The server holds all of photo `index`: kept in memory and written with the next save (a
    // crash before then costs one HEAD for that photo, not a write per photo now).
    void complete(std::uint32_t index, const std::string& url, std::uint64_t length);
    [[nodiscard]] bool empty() const { return photos_.empty(); }

  private:
    ReportUploads(Store& store, std::string uuid) : store_(&store), uuid_(std::move(uuid)) {}
    Store* store_;
    std::string uuid_;
    std::map<std::uint32_t, TusUploadState> photos_;
};

// TusLinkState in status record `syncd.tus_link`.
class StoreTusMemory final : public TusMemory {
  public:
    explicit StoreTusMemory(Store& store) : store_(store) {}
    [[nodiscard]] std::optional<TusLinkState> load() override;
    // A failed write is logged; the state is only an optimisation and is learned again.
    void save(const TusLinkState& state) override;

  private:
    Store& store_;
};

// The records' JSON, for tests. Unreadable input gives nullopt, never an exception.
[[nodiscard]] std::string linkStateJson(const TusLinkState& state);
[[nodiscard]] std::optional<TusLinkState> parseLinkState(std::string_view text);
[[nodiscard]] std::string reportUploadsJson(const std::map<std::uint32_t, TusUploadState>& photos);
[[nodiscard]] std::map<std::uint32_t, TusUploadState> parseReportUploads(std::string_view text);

}  // namespace lapor::sync
