// TOML configuration for lapor-syncd via toml++.
#include "sync/config.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lapor::sync {

namespace {

Result<int> parseClock(std::string_view hhmm) {
    // HH:MM, 00:00 .. 24:00
    if (hhmm.size() != 5 || hhmm[2] != ':') {
        return makeError(Errc::invalidInput, "hours: expected HH:MM");
    }
    int h = 0;
    int m = 0;
    auto r1 = std::from_chars(hhmm.data(), hhmm.data() + 2, h);
    auto r2 = std::from_chars(hhmm.data() + 3, hhmm.data() + 5, m);
    if (r1.ec != std::errc{} || r2.ec != std::errc{} || r1.ptr != hhmm.data() + 2 ||
        r2.ptr != hhmm.data() + 5 || h > 24 || m > 59 || (h == 24 && m != 0)) {
        return makeError(Errc::invalidInput, "hours: expected HH:MM");
    }
    return h * 60 + m;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

}  // namespace

bool SendHours::contains(int minute) const {
    if (startMinute <= endMinute) {
        return minute >= startMinute && minute < endMinute;
    }
    return minute >= startMinute || minute < endMinute;  // over midnight
}

int SendHours::minutesUntilOpen(int minute) const {
    if (contains(minute)) {
        return 0;
    }
    return (startMinute - minute + 24 * 60) % (24 * 60);
}

Result<SendHours> parseSendHours(std::string_view text) {
    if (text.empty()) {
        return SendHours{};
    }
    auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        return makeError(Errc::invalidInput, "hours: expected HH:MM-HH:MM");
    }
    auto a = parseClock(text.substr(0, dash));
    auto b = parseClock(text.substr(dash + 1));
    if (!a.ok()) {
        return a.error();
    }
    if (!b.ok()) {
        return b.error();
    }
    if (*a == *b) {
        return makeError(Errc::invalidInput, "hours: an empty window never sends");
    }
    return SendHours{*a, *b};
}

HttpOptions SyncConfig::httpOptions() const {
    HttpOptions o;
    o.connectTimeoutMs = connectTimeoutMs;
    o.stallSeconds = stallSeconds;
    o.caFile = caFile;
    o.proxy = proxy;
    // libcurl caps each transfer; the configured cap is for the whole agent.
    o.maxSendBytesPerSecond =
        maxSendBytesPerSecond > 0 ? std::max<std::int64_t>(1, maxSendBytesPerSecond / inFlight) : 0;
    // A transfer held to its send cap must never look stalled: the stall limit stays well below.
    o.stallBytesPerSecond =
        o.maxSendBytesPerSecond > 0
            ? std::clamp<std::int64_t>(o.maxSendBytesPerSecond / 4, 1, stallBytesPerSecond)
            : stallBytesPerSecond;
    o.insecureSkipTlsVerify = insecureSkipTlsVerify;
    o.maxConnections = inFlight + 2;
    return o;
}

Result<SyncConfig> syncConfigFrom(Config base) {
    SyncConfig c;
    Status failed;
    // Typed lookups; the first wrong type is kept and reported.
    auto str = [&](const char* key, std::string fallback) {
        auto r = base.getString(key, fallback);
        if (!r.ok()) {
            failed = r.error();
            return fallback;
        }
        return *r;
    };
    auto num = [&](const char* key, std::int64_t fallback) {
        auto r = base.getInt(key, fallback);
        if (!r.ok()) {
            failed = r.error();
            return fallback;
        }
        return *r;
    };
    auto bad = [](const std::string& key, const std::string& why) {
        return makeError(Errc::invalidInput, "sync." + key + ": " + why);
    };

    c.serverUrl = str("sync.server_url", "");
    if (c.serverUrl.rfind("http://", 0) != 0 && c.serverUrl.rfind("https://", 0) != 0) {
        return bad("server_url", "an http:// or https:// URL is required");
    }
    while (!c.serverUrl.empty() && c.serverUrl.back() == '/') {
        c.serverUrl.pop_back();
    }
    const std::string adapter = str("sync.adapter", "lapor");
    if (adapter == "lapor") {
        c.adapter = AdapterKind::lapor;
    } else if (adapter == "open311") {
        c.adapter = AdapterKind::open311;
    } else {
        return bad("adapter", "expected \"lapor\" or \"open311\"");
    }
    c.token = str("sync.token", "");
    const std::string tokenFile = str("sync.token_file", "");
    if (!tokenFile.empty()) {
        c.tokenFile = tokenFile;
        std::error_code ec;
        // Absent: not enrolled yet (`lapor-ctl enroll CODE` writes it); the agent then waits.
        if (std::filesystem::exists(tokenFile, ec) || ec) {
            std::ifstream in(tokenFile);
            if (!in) {
                return bad("token_file", "cannot read " + tokenFile);
            }
            std::ostringstream ss;
            ss << in.rdbuf();
            c.token = trimmed(ss.str());
        }
    }
    c.caFile = str("sync.ca_file", "");
    c.proxy = str("sync.proxy", "");
    auto insecure = base.getBool("sync.insecure_skip_tls_verify_DANGEROUS", false);
    if (!insecure.ok()) {
        return insecure.error();
    }
    c.insecureSkipTlsVerify = *insecure;
    c.open311ApiKey = str("sync.open311.api_key", "");
    c.open311Jurisdiction = str("sync.open311.jurisdiction_id", "");
    c.open311MediaUploadUrl = str("sync.open311.media_upload_url", "");

    auto hours = parseSendHours(str("sync.hours", ""));
    if (!hours.ok()) {
        return bad("hours", hours.error().message);
    }
    c.hours = *hours;
    c.maxSendBytesPerSecond = num("sync.max_bytes_per_second", 0);
    c.inFlight = static_cast<int>(num("sync.in_flight", 4));
    c.connectTimeoutMs = num("sync.connect_timeout_ms", c.connectTimeoutMs);
    c.stallSeconds = num("sync.stall_seconds", c.stallSeconds);
    c.stallBytesPerSecond = num("sync.stall_bytes_per_second", c.stallBytesPerSecond);
    c.requestTimeoutMs = num("sync.request_timeout_ms", c.requestTimeoutMs);
    c.probeIntervalMs = num("sync.probe_interval_ms", c.probeIntervalMs);
    c.leaseMs = num("sync.lease_ms", c.leaseMs);
    c.storePollMs = num("sync.store_poll_ms", c.storePollMs);
    c.statusPollMs = num("sync.status_poll_ms", c.statusPollMs);
    c.catalogPollMs = num("sync.catalog_poll_ms", c.catalogPollMs);
    c.chunkBytes =
        static_cast<std::size_t>(num("sync.chunk_bytes", static_cast<std::int64_t>(c.chunkBytes)));
    c.backoff.baseMs = num("sync.backoff_base_ms", c.backoff.baseMs);
    c.backoff.capMs = num("sync.backoff_cap_ms", c.backoff.capMs);
    if (!failed.ok()) {
        return failed.error();
    }
    if (c.inFlight < 1 || c.inFlight > 32) {
        return bad("in_flight", "expected 1..32");
    }
    if (c.maxSendBytesPerSecond < 0 || c.connectTimeoutMs <= 0 || c.stallSeconds <= 0 ||
        c.stallBytesPerSecond < 1 || c.requestTimeoutMs <= 0 || c.probeIntervalMs < 0 ||
        c.leaseMs <= 0 || c.storePollMs <= 0 || c.statusPollMs <= 0 || c.catalogPollMs <= 0 ||
        c.chunkBytes < 1024 || c.backoff.baseMs <= 0 || c.backoff.capMs < c.backoff.baseMs) {
        return bad("*", "a limit is out of range");
    }
    c.base = std::move(base);
    return c;
}

Result<SyncConfig> parseSyncConfig(std::string_view text, const std::string& origin) {
    auto base = parseConfig(text, origin);
    if (!base.ok()) {
        return base.error();
    }
    return syncConfigFrom(std::move(*base));
}

Result<SyncConfig> loadSyncConfig(const std::string& path) {
    auto base = loadConfig(path);
    if (!base.ok()) {
        return base.error();
    }
    return syncConfigFrom(std::move(*base));
}

}  // namespace lapor::sync
