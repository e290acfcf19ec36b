// TOML configuration (toml++): known keys into Config, every scalar into Config::values.
#include "core/config.hpp"

#include "core/time_zone.hpp"

#include <toml++/toml.h>
#include <fstream>
#include <sstream>

namespace lapor {

namespace {

// Flattens every scalar of `table` under its dotted key.
void flatten(const toml::table& table, const std::string& prefix, Config& cfg) {
    for (const auto& [k, node] : table) {
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const auto* t = node.as_table()) {
            flatten(*t, key, cfg);
        } else if (const auto* s = node.as_string()) {
            cfg.values.emplace(key, s->get());
        } else if (const auto* i = node.as_integer()) {
            cfg.values.emplace(key, i->get());
        } else if (const auto* f = node.as_floating_point()) {
            cfg.values.emplace(key, f->get());
        } else if (const auto* b = node.as_boolean()) {
            cfg.values.emplace(key, b->get());
        }
        // Arrays and dates are not used by any key today; ignore rather than refuse.
    }
}

std::string where(std::string_view source, const toml::source_region& region) {
    std::ostringstream out;
    out << source << ":" << region.begin.line << ":" << region.begin.column;
    return out.str();
}

// Reads a known key, checking its type; absent keeps the default.
template <class T>
Status take(const toml::table& root, std::string_view source, std::string_view dotted, T& out) {
    toml::node_view<const toml::node> node = root.at_path(dotted);
    if (!node)
        return {};
    const toml::node* n = node.node();
    if constexpr (std::is_same_v<T, std::string>) {
        if (const auto* s = n->as_string()) {
            out = s->get();
            return {};
        }
        return makeError(Errc::invalidInput, where(source, n->source()) + ": " +
                                                 std::string(dotted) + " must be a string");
    } else {
        if (const auto* i = n->as_integer()) {
            if (i->get() < 0) {
                return makeError(Errc::invalidInput, where(source, n->source()) + ": " +
                                                         std::string(dotted) +
                                                         " must not be negative");
            }
            out = static_cast<T>(i->get());
            return {};
        }
        return makeError(Errc::invalidInput, where(source, n->source()) + ": " +
                                                 std::string(dotted) + " must be an integer");
    }
}

template <class T>
Result<T> lookup(const Config& cfg, std::string_view key, T fallback, const char* typeName) {
    auto it = cfg.values.find(key);
    if (it == cfg.values.end())
        return fallback;
    if (const T* v = std::get_if<T>(&it->second))
        return *v;
    return makeError(Errc::invalidInput,
                     "configuration key " + std::string(key) + " must be " + typeName);
}

}  // namespace

Result<std::string> Config::getString(std::string_view key, std::string fallback) const {
    return lookup<std::string>(*this, key, std::move(fallback), "a string");
}
Result<std::int64_t> Config::getInt(std::string_view key, std::int64_t fallback) const {
    return lookup<std::int64_t>(*this, key, fallback, "an integer");
}
Result<bool> Config::getBool(std::string_view key, bool fallback) const {
    return lookup<bool>(*this, key, fallback, "true or false");
}
Result<double> Config::getDouble(std::string_view key, double fallback) const {
    auto it = values.find(key);
    if (it != values.end()) {
        if (const auto* i = std::get_if<std::int64_t>(&it->second))
            return static_cast<double>(*i);
    }
    return lookup<double>(*this, key, fallback, "a number");
}

Result<Config> parseConfig(std::string_view text, std::string_view sourceName) {
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& e) {
        return makeError(Errc::invalidInput,
                         where(sourceName, e.source()) + ": " + std::string(e.description()));
    }
    Config cfg;
    flatten(root, "", cfg);
    for (const Status& s : {take(root, sourceName, "store.path", cfg.storePath),
                            take(root, sourceName, "store.key_file", cfg.keyFile),
                            take(root, sourceName, "store.key_credential", cfg.keyCredential),
                            take(root, sourceName, "store.map_size_mib", cfg.mapSizeMiB),
                            take(root, sourceName, "store.max_map_size_mib", cfg.maxMapSizeMiB),
                            take(root, sourceName, "store.reserve_mib", cfg.reserveMiB),
                            take(root, sourceName, "store.retention_days", cfg.retentionDays),
                            take(root, sourceName, "device.id", cfg.deviceId),
                            take(root, sourceName, "device.office", cfg.office),
                            take(root, sourceName, "device.language", cfg.language),
                            take(root, sourceName, "device.time_zone", cfg.timeZone),
                            take(root, sourceName, "paths.data_dir", cfg.dataDir)}) {
        if (!s.ok())
            return s.error();
    }
    if (cfg.storePath.empty()) {
        return makeError(Errc::invalidInput,
                         std::string(sourceName) + ": store.path must not be empty");
    }
    if (cfg.mapSizeMiB == 0 || cfg.maxMapSizeMiB < cfg.mapSizeMiB) {
        return makeError(Errc::invalidInput,
                         std::string(sourceName) +
                             ": store.map_size_mib must be positive and at most "
                             "store.max_map_size_mib");
    }
    if (cfg.language != "id" && cfg.language != "en") {
        return makeError(Errc::invalidInput,
                         std::string(sourceName) + ": device.language must be \"id\" or \"en\"");
    }
    if (auto zone = parseTimeZone(cfg.timeZone); !zone) {
        return makeError(Errc::invalidInput,
                         std::string(sourceName) + ": device.time_zone: " + zone.error().message);
    }
    return cfg;
}

Result<Config> loadConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(Errc::notFound, "cannot read configuration file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parseConfig(text.str(), path);
}

}  // namespace lapor
