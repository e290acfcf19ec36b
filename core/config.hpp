// The appliance's configuration: one TOML file (docs/configuration.md lists every key).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.hpp"

namespace lapor {

// Default location of the configuration file on the appliance.
inline constexpr std::string_view defaultConfigPath = "/etc/lapor/lapor.toml";

struct Config {
    // [store]
    std::string storePath = "/var/lib/lapor/store";         // directory of the LMDB environment
    std::string keyFile = "/var/lib/lapor/keys/store.key";  // created 0600 on first start
    std::string keyCredential = "lapor-store-key";          // name under $CREDENTIALS_DIRECTORY
    std::uint64_t mapSizeMiB = 64;                          // initial LMDB map size
    std::uint64_t maxMapSizeMiB = 8192;                     // the map never grows past this
    std::uint64_t reserveMiB = 16;  // zero-filled room kept ahead of the store's use; 0 = none
    int retentionDays = 90;  // photos and identity purged this long after delivery; 0 = never

    // [device]
    std::string deviceId;         // empty: the ID the store drew when it was created
    std::string office;           // office name shown on receipts, e.g. "Kantor Kecamatan Bakongan"
    std::string language = "id";  // the kiosk's starting language ("id" or "en")
    std::string timeZone = "Asia/Jakarta";  // the office's zone (core/time_zone.hpp): dates, slips

    // [paths]
    std::string dataDir = LAPOR_SOURCE_DIR;  // translations, regions, default catalog

    // Every scalar in the file under its dotted name ("sync.server_url"), so that other parts
    // (kiosk, agent) read their own sections without this struct knowing them.
    using Value = std::variant<bool, std::int64_t, double, std::string>;
    std::map<std::string, Value, std::less<>> values;

    // Typed lookups of `values`: the default when absent; Errc::invalidInput when of another type.
    [[nodiscard]] Result<std::string> getString(std::string_view key, std::string fallback) const;
    [[nodiscard]] Result<std::int64_t> getInt(std::string_view key, std::int64_t fallback) const;
    [[nodiscard]] Result<bool> getBool(std::string_view key, bool fallback) const;
    [[nodiscard]] Result<double> getDouble(std::string_view key, double fallback) const;
};

// Parses TOML text. Errors name the source and line: "lapor.toml:12:5: ...".
[[nodiscard]] Result<Config> parseConfig(std::string_view text, std::string_view sourceName);
// Reads and parses a file; Errc::notFound when it does not exist.
[[nodiscard]] Result<Config> loadConfig(const std::string& path);

}  // namespace lapor
