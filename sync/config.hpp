// lapor-syncd's configuration: the [sync] section of the appliance's TOML file, read through
// core/config (docs/operators-sync.md lists every key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "sync/backoff.hpp"
#include "sync/http_client.hpp"

namespace lapor::sync {

// A daily window of local time in which the agent may send, e.g. "06:00-22:00". A window whose end
// is before its start runs over midnight; an empty text means always.
struct SendHours {
    int startMinute = 0;      // minutes after local midnight
    int endMinute = 24 * 60;  // exclusive
    [[nodiscard]] bool always() const { return startMinute == 0 && endMinute == 24 * 60; }
    [[nodiscard]] bool contains(int minuteOfDay) const;
    // Minutes from `minuteOfDay` until the window opens (0 when inside it).
    [[nodiscard]] int minutesUntilOpen(int minuteOfDay) const;
};

[[nodiscard]] Result<SendHours> parseSendHours(std::string_view text);

enum class AdapterKind { lapor, open311 };

struct SyncConfig {
    std::string serverUrl;  // base URL, e.g. https://uplink.example.go.id
    AdapterKind adapter = AdapterKind::lapor;
    std::string token;      // device token (from `token` or read from `token_file`)
    std::string tokenFile;  // where `lapor-ctl enroll` writes the token; absent: not enrolled
    std::string caFile;
    std::string proxy;
    bool insecureSkipTlsVerify = false;
    std::int64_t maxSendBytesPerSecond = 0;
    SendHours hours;
    Config base;       // the whole file: [store] (path, key) and [device] come from here
    int inFlight = 4;  // reports worked on at once
    std::int64_t connectTimeoutMs = 15'000;
    std::int64_t stallSeconds = 30;
    std::int64_t stallBytesPerSecond = 100;  // slower than this for stallSeconds: abandoned
    // For small requests (not uploads); well inside a WatchdogSec of 60 s, though the watchdog no
    // longer depends on it (docs/operators-sync.md).
    std::int64_t requestTimeoutMs = 30'000;
    std::int64_t probeIntervalMs = 15'000;  // while the server is held
    std::int64_t leaseMs = 10 * 60'000;
    std::int64_t storePollMs = 2'000;  // how often an idle agent looks for new reports
    std::int64_t statusPollMs = 15 * 60'000;
    std::int64_t catalogPollMs = 6 * 3600'000;
    std::size_t chunkBytes = 1 << 20;  // largest tus PATCH
    BackoffPolicy backoff;
    // Open311 only.
    std::string open311ApiKey;
    std::string open311Jurisdiction;
    std::string open311MediaUploadUrl;  // a tus endpoint for photos; empty: photos not sent

    [[nodiscard]] HttpOptions httpOptions() const;
};

// Reads and checks the file's [sync] section. Errors name the key and never echo the token.
[[nodiscard]] Result<SyncConfig> loadSyncConfig(const std::string& path);
[[nodiscard]] Result<SyncConfig> parseSyncConfig(std::string_view toml, const std::string& origin);
[[nodiscard]] Result<SyncConfig> syncConfigFrom(Config base);

}  // namespace lapor::sync
