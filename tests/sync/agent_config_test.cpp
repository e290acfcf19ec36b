// lapor-syncd's TOML configuration: defaults, every key, refusals, send hours.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "sync/config.hpp"

using namespace lapor::sync;

TEST_CASE("a full configuration is read") {
    const std::string tokenPath = std::string(LAPOR_BINARY_DIR) + "/agent_config_test.token";
    { std::ofstream(tokenPath) << "secret-token\n"; }
    const std::string text = R"(
[server]
url = "https://uplink.example.go.id/"
adapter = "open311"
token_file = ")" + tokenPath +
                             R"("
ca_file = "/etc/lapor/ca.pem"
proxy = "http://proxy:3128"
[open311]
api_key = "k"
jurisdiction_id = "lapor.go.id"
[send]
hours = "22:00-06:00"
max_bytes_per_second = 40000
in_flight = 2
[store]
path = "/tmp/store"
key_file = "/tmp/key"
)";
    auto c = parseSyncConfig(text, "test.toml");
    REQUIRE(c.ok());
    CHECK(c->serverUrl == "https://uplink.example.go.id");
    CHECK(c->adapter == AdapterKind::open311);
    CHECK(c->token == "secret-token");
    CHECK(c->caFile == "/etc/lapor/ca.pem");
    CHECK(c->proxy == "http://proxy:3128");
    CHECK_FALSE(c->insecureSkipTlsVerify);
    CHECK(c->open311Jurisdiction == "lapor.go.id");
    CHECK(c->inFlight == 2);
    CHECK(c->storePath == "/tmp/store");
    CHECK(c->keyFile == "/tmp/key");
    CHECK(c->hours.contains(23 * 60));
    CHECK(c->hours.contains(5 * 60 + 59));
    CHECK_FALSE(c->hours.contains(12 * 60));
    CHECK(c->httpOptions().maxSendBytesPerSecond == 20000);  // shared by the reports in flight
    std::remove(tokenPath.c_str());
}

TEST_CASE("defaults: TLS verified, lapor adapter, always sending") {
    auto c = parseSyncConfig("[server]\nurl = \"http://127.0.0.1:8080\"\ntoken = \"t\"\n", "x");
    REQUIRE(c.ok());
    CHECK(c->adapter == AdapterKind::lapor);
    CHECK_FALSE(c->insecureSkipTlsVerify);
    CHECK_FALSE(c->httpOptions().insecureSkipTlsVerify);
    CHECK(c->hours.always());
    CHECK(c->inFlight == 4);

    auto d = parseSyncConfig(
        "[server]\nurl = \"https://h\"\ninsecure_skip_tls_verify_DANGEROUS = true\n", "x");
    REQUIRE(d.ok());
    CHECK(d->httpOptions().insecureSkipTlsVerify);
}

TEST_CASE("bad configurations are refused with the key named") {
    auto noUrl = parseSyncConfig("[server]\ntoken = \"t\"\n", "x");
    REQUIRE_FALSE(noUrl.ok());
    CHECK(noUrl.error().message.find("server.url") != std::string::npos);
    CHECK_FALSE(parseSyncConfig("[server]\nurl = \"ftp://h\"\n", "x").ok());
    CHECK_FALSE(parseSyncConfig("[server]\nurl = \"http://h\"\nadapter = \"x\"\n", "x").ok());
    CHECK_FALSE(
        parseSyncConfig("[server]\nurl = \"http://h\"\n[send]\nhours = \"25:00-01:00\"\n", "x")
            .ok());
    CHECK_FALSE(parseSyncConfig("[server]\nurl = \"http://h\"\n[send]\nin_flight = 0\n", "x").ok());
    auto syntax = parseSyncConfig("[server\n", "x");
    REQUIRE_FALSE(syntax.ok());
    CHECK(syntax.error().message.find("line") != std::string::npos);
    CHECK_FALSE(loadSyncConfig("/nonexistent/lapor.toml").ok());
}

TEST_CASE("send hours") {
    auto day = parseSendHours("06:00-22:00");
    REQUIRE(day.ok());
    CHECK(day->contains(6 * 60));
    CHECK_FALSE(day->contains(22 * 60));
    CHECK(day->minutesUntilOpen(5 * 60) == 60);
    CHECK(day->minutesUntilOpen(23 * 60) == 7 * 60);
    CHECK(day->minutesUntilOpen(12 * 60) == 0);
    CHECK(parseSendHours("00:00-24:00")->always());
    CHECK_FALSE(parseSendHours("06:00").ok());
    CHECK_FALSE(parseSendHours("06:00-06:00").ok());
    CHECK_FALSE(parseSendHours("6:00-22:00").ok());
}
