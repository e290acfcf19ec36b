// lapor-store-soak: saves reports with photos into a store, one transaction each, without pause,
// printing "saved N" after each commit; for the image test's hard reset in the middle of a save.
//   lapor-store-soak [--config FILE] [--count N] [--photo-kib K]
// The key comes as for the services ($CREDENTIALS_DIRECTORY/lapor-store-key, else store.key_file).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/store.hpp"
#include "tests/core/store_test_support.hpp"

using namespace lapor;

int main(int argc, char** argv) {
    std::string configPath(defaultConfigPath);
    long count = 1000;
    long photoKib = 512;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--config") {
            configPath = argv[i + 1];
        } else if (a == "--count") {
            count = std::atol(argv[i + 1]);
        } else if (a == "--photo-kib") {
            photoKib = std::atol(argv[i + 1]);
        } else {
            std::fprintf(stderr,
                         "usage: lapor-store-soak [--config F] [--count N] [--photo-kib K]\n");
            return 2;
        }
    }
    auto cfg = loadConfig(configPath);
    if (!cfg.ok()) {
        std::fprintf(stderr, "lapor-store-soak: %s\n", cfg.error().message.c_str());
        return 1;
    }
    auto key = crypto::loadKey(crypto::KeySource{cfg->keyFile, cfg->keyCredential, false});
    if (!key.ok()) {
        std::fprintf(stderr, "lapor-store-soak: store key: %s\n", key.error().message.c_str());
        return 1;
    }
    StoreOptions so;
    so.path = cfg->storePath;
    so.key = std::move(*key);
    so.mapSize = cfg->mapSizeMiB << 20;
    so.maxMapSize = cfg->maxMapSizeMiB << 20;
    auto store = Store::open(std::move(so));
    if (!store.ok()) {
        std::fprintf(stderr, "lapor-store-soak: store: %s\n", store.error().message.c_str());
        return 1;
    }
    // Saves are what matters here, not their contents: the test suites' sample report and photo.
    const Photo photo = testing::samplePhoto(static_cast<std::size_t>(photoKib) * 1024, 7);
    std::uint32_t salt = 0;
    crypto::randomBytes(std::span(reinterpret_cast<std::uint8_t*>(&salt), sizeof salt));
    for (long n = 0; n < count; ++n) {
        Report r = testing::sampleReport(static_cast<std::uint64_t>(n), salt);
        r.deviceId = (*store)->deviceId();
        r.createdAtMs = SystemClock::instance().wallMs();
        if (Status s = (*store)->saveReport(r, std::span(&photo, 1)); !s.ok()) {
            std::fprintf(stderr, "lapor-store-soak: save %ld: %s\n", n, s.error().message.c_str());
            return 1;
        }
        std::printf("saved %ld\n", n + 1);
        std::fflush(stdout);
    }
    return 0;
}
