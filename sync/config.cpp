// TOML configuration for lapor-syncd via toml++.
#include "sync/config.hpp"

#include <toml++/toml.h>

#include <charconv>
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
    o.insecureSkipTlsVerify = insecureSkipTlsVerify;
    o.maxConnections = inFlight + 2;
    return o;
}

Result<SyncConfig> parseSyncConfig(std::string_view text, const std::string& origin) {
    toml::table t;
    try {
        t = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << origin << ": " << e.description() << " at line " << e.source().begin.line;
        return makeError(Errc::invalidInput, msg.str());
    }
    SyncConfig c;
    auto bad = [&](const std::string& key, const std::string& why) {
        return makeError(Errc::invalidInput, origin + ": " + key + ": " + why);
    };

    c.serverUrl = t["server"]["url"].value_or(std::string{});
    if (c.serverUrl.rfind("http://", 0) != 0 && c.serverUrl.rfind("https://", 0) != 0) {
        return bad("server.url", "an http:// or https:// URL is required");
    }
    while (!c.serverUrl.empty() && c.serverUrl.back() == '/') {
        c.serverUrl.pop_back();
    }
    const std::string adapter = t["server"]["adapter"].value_or(std::string("lapor"));
    if (adapter == "lapor") {
        c.adapter = AdapterKind::lapor;
    } else if (adapter == "open311") {
        c.adapter = AdapterKind::open311;
    } else {
        return bad("server.adapter", "expected \"lapor\" or \"open311\"");
    }
    c.token = t["server"]["token"].value_or(std::string{});
    if (auto file = t["server"]["token_file"].value<std::string>()) {
        std::ifstream in(*file);
        if (!in) {
            return bad("server.token_file", "cannot read " + *file);
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        c.token = trimmed(ss.str());
    }
    c.caFile = t["server"]["ca_file"].value_or(std::string{});
    c.proxy = t["server"]["proxy"].value_or(std::string{});
    c.insecureSkipTlsVerify = t["server"]["insecure_skip_tls_verify_DANGEROUS"].value_or(false);
    c.open311ApiKey = t["open311"]["api_key"].value_or(std::string{});
    c.open311Jurisdiction = t["open311"]["jurisdiction_id"].value_or(std::string{});

    auto hours = parseSendHours(t["send"]["hours"].value_or(std::string{}));
    if (!hours.ok()) {
        return bad("send.hours", hours.error().message);
    }
    c.hours = *hours;
    c.maxSendBytesPerSecond = t["send"]["max_bytes_per_second"].value_or(std::int64_t{0});
    c.inFlight = static_cast<int>(t["send"]["in_flight"].value_or(std::int64_t{4}));
    if (c.inFlight < 1 || c.inFlight > 32) {
        return bad("send.in_flight", "expected 1..32");
    }
    c.connectTimeoutMs = t["send"]["connect_timeout_ms"].value_or(c.connectTimeoutMs);
    c.stallSeconds = t["send"]["stall_seconds"].value_or(c.stallSeconds);
    c.requestTimeoutMs = t["send"]["request_timeout_ms"].value_or(c.requestTimeoutMs);
    c.leaseMs = t["send"]["lease_ms"].value_or(c.leaseMs);
    c.storePollMs = t["send"]["store_poll_ms"].value_or(c.storePollMs);
    c.statusPollMs = t["send"]["status_poll_ms"].value_or(c.statusPollMs);
    c.catalogPollMs = t["send"]["catalog_poll_ms"].value_or(c.catalogPollMs);
    c.chunkBytes = static_cast<std::size_t>(
        t["send"]["chunk_bytes"].value_or(static_cast<std::int64_t>(c.chunkBytes)));
    c.backoff.baseMs = t["send"]["backoff_base_ms"].value_or(c.backoff.baseMs);
    c.backoff.capMs = t["send"]["backoff_cap_ms"].value_or(c.backoff.capMs);
    if (c.maxSendBytesPerSecond < 0 || c.connectTimeoutMs <= 0 || c.stallSeconds <= 0 ||
        c.leaseMs <= 0 || c.storePollMs <= 0 || c.chunkBytes < 1024 || c.backoff.baseMs <= 0 ||
        c.backoff.capMs < c.backoff.baseMs) {
        return bad("send", "a limit is out of range");
    }
    c.storePath = t["store"]["path"].value_or(c.storePath);
    c.keyFile = t["store"]["key_file"].value_or(c.keyFile);
    return c;
}

Result<SyncConfig> loadSyncConfig(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return makeError(Errc::notFound, "cannot read " + path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseSyncConfig(ss.str(), path);
}

}  // namespace lapor::sync
