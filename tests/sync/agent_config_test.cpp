// lapor-syncd's configuration ([sync] of the appliance's TOML): defaults, every key, refusals.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "sync/config.hpp"

using namespace lapor::sync;

TEST_CASE("a full configuration is read") {
    const std::string tokenPath = std::string(LAPOR_BINARY_DIR) + "/agent_config_test.token";
    { std::ofstream(tokenPath) << "secret-token\n"; }
    const std::string text = R"(
[store]
path = "/tmp/store"
key_file = "/tmp/key"
[sync]
server_url = "https://uplink.example.go.id/"
adapter = "open311"
token_file = ")" + tokenPath +
                             R"("
ca_file = "/etc/lapor/ca.pem"
proxy = "http://proxy:3128"
hours = "22:00-06:00"
max_bytes_per_second = 40000
in_flight = 2
[sync.open311]
api_key = "k"
jurisdiction_id = "lapor.go.id"
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
    CHECK(c->base.storePath == "/tmp/store");
    CHECK(c->base.keyFile == "/tmp/key");
    CHECK(c->hours.contains(23 * 60));
    CHECK(c->hours.contains(5 * 60 + 59));
    CHECK_FALSE(c->hours.contains(12 * 60));
    CHECK(c->httpOptions().maxSendBytesPerSecond == 20000);  // shared by the reports in flight
    std::remove(tokenPath.c_str());
}

TEST_CASE("defaults: TLS verified, lapor adapter, always sending") {
    auto c =
        parseSyncConfig("[sync]\nserver_url = \"http://127.0.0.1:8080\"\ntoken = \"t\"\n", "x");
    REQUIRE(c.ok());
    CHECK(c->adapter == AdapterKind::lapor);
    CHECK_FALSE(c->insecureSkipTlsVerify);
    CHECK_FALSE(c->httpOptions().insecureSkipTlsVerify);
    CHECK(c->hours.always());
    CHECK(c->inFlight == 4);

    auto d = parseSyncConfig(
        "[sync]\nserver_url = \"https://h\"\ninsecure_skip_tls_verify_DANGEROUS = true\n", "x");
    REQUIRE(d.ok());
    CHECK(d->httpOptions().insecureSkipTlsVerify);
}

TEST_CASE("bad configurations are refused with the key named") {
    auto noUrl = parseSyncConfig("[sync]\ntoken = \"t\"\n", "x");
    REQUIRE_FALSE(noUrl.ok());
    CHECK(noUrl.error().message.find("sync.server_url") != std::string::npos);
    const std::string head = "[sync]\nserver_url = \"http://h\"\n";
    CHECK_FALSE(parseSyncConfig("[sync]\nserver_url = \"ftp://h\"\n", "x").ok());
    CHECK_FALSE(parseSyncConfig(head + "adapter = \"x\"\n", "x").ok());
    CHECK_FALSE(parseSyncConfig(head + "hours = \"25:00-01:00\"\n", "x").ok());
    CHECK_FALSE(parseSyncConfig(head + "in_flight = 0\n", "x").ok());
    auto wrongType = parseSyncConfig(head + "in_flight = \"four\"\n", "x");
    REQUIRE_FALSE(wrongType.ok());
    CHECK(wrongType.error().message.find("sync.in_flight") != std::string::npos);
    auto syntax = parseSyncConfig("[sync\n", "x");
    REQUIRE_FALSE(syntax.ok());
    CHECK(syntax.error().message.find("x:") == 0);
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

TEST_CASE("a token file not written yet means not enrolled, not a broken configuration") {
    const std::string tokenPath = std::string(LAPOR_BINARY_DIR) + "/agent_config_test.absent";
    std::remove(tokenPath.c_str());
    auto c = parseSyncConfig("[sync]\nserver_url = \"https://u.example\"\ntoken_file = \"" +
                                 tokenPath + "\"\nin_flight = 3\n",
                             "test.toml");
    REQUIRE(c.ok());
    CHECK(c->token.empty());
    CHECK(c->tokenFile == tokenPath);
    CHECK(c->inFlight == 3);  // the keys after it are still read
}
