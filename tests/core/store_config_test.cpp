// Configuration: defaults, known keys, other sections' values, and errors with line numbers.
#include <doctest/doctest.h>

#include "core/config.hpp"

using namespace lapor;

TEST_CASE("config: an empty file gives the defaults") {
    auto c = parseConfig("", "lapor.toml");
    REQUIRE(c.ok());
    CHECK(c->storePath == "/var/lib/lapor/store");
    CHECK(c->retentionDays == 90);
    CHECK(c->language == "id");
}

TEST_CASE("config: known keys and other sections") {
    auto c = parseConfig(R"(
[store]
path = "/data/store"
key_file = "/data/key"
retention_days = 30
map_size_mib = 16
max_map_size_mib = 1024
reserve_mib = 4

[device]
id = "kiosk-bakongan-1"
office = "Kantor Kecamatan Bakongan"
language = "en"

[sync]
server_url = "https://127.0.0.1:8443"
interval_s = 30
verbose = true
)",
                         "lapor.toml");
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    CHECK(c->storePath == "/data/store");
    CHECK(c->keyFile == "/data/key");
    CHECK(c->retentionDays == 30);
    CHECK(c->mapSizeMiB == 16);
    CHECK(c->maxMapSizeMiB == 1024);
    CHECK(c->reserveMiB == 4);
    CHECK(c->deviceId == "kiosk-bakongan-1");
    CHECK(c->office == "Kantor Kecamatan Bakongan");
    CHECK(c->language == "en");
    CHECK(*c->getString("sync.server_url", "") == "https://127.0.0.1:8443");
    CHECK(*c->getInt("sync.interval_s", 0) == 30);
    CHECK(*c->getBool("sync.verbose", false));
    CHECK(*c->getDouble("sync.interval_s", 0) == 30.0);
    CHECK(*c->getInt("sync.absent", 7) == 7);
    CHECK(c->getInt("sync.server_url", 0).error().code == Errc::invalidInput);
}

TEST_CASE("config: errors name the file, line and column") {
    auto bad = parseConfig("[store]\npath = \"/x\"\nretention_days = = 3\n", "lapor.toml");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::invalidInput);
    CHECK(bad.error().message.rfind("lapor.toml:3:", 0) == 0);

    auto wrongType = parseConfig("\n[store]\nretention_days = \"thirty\"\n", "lapor.toml");
    REQUIRE_FALSE(wrongType.ok());
    CHECK(wrongType.error().message.rfind("lapor.toml:3:", 0) == 0);
    CHECK(wrongType.error().message.find("store.retention_days") != std::string::npos);

    CHECK_FALSE(parseConfig("[store]\nretention_days = -1\n", "f").ok());
    CHECK_FALSE(parseConfig("[device]\nlanguage = \"fr\"\n", "f").ok());
    CHECK_FALSE(parseConfig("[store]\nmap_size_mib = 100\nmax_map_size_mib = 10\n", "f").ok());
    CHECK(loadConfig("/nonexistent/lapor.toml").error().code == Errc::notFound);
}
