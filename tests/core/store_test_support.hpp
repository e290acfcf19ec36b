// Helpers shared by the store tests: a temporary directory, sample reports and photos.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.hpp"
#include "core/report.hpp"
#include "core/store.hpp"

namespace lapor::testing {

// A fresh directory removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = std::filesystem::temp_directory_path().string() + "/lapor-store-XXXXXX";
        if (!::mkdtemp(tmpl.data()))
            std::abort();
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string sub(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// A UUID-shaped string unique per `n` (v4 layout; tests need no randomness here).
inline std::string testUuid(std::uint64_t n, std::uint32_t salt = 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", static_cast<unsigned>(salt),
                  static_cast<unsigned long long>(n & 0xffffffffffffull));
    return buf;
}

inline Report sampleReport(std::uint64_t n, std::uint32_t salt = 0) {
    Report r;
    r.uuid = testUuid(n, salt);
    r.receiptCode = "T" + std::to_string(salt) + "-" + std::to_string(n);
    r.kind = ReportKind::pengaduan;
    r.title = "Jalan berlubang di depan sekolah";
    r.body = "Lubang besar di jalan desa membahayakan anak-anak yang berangkat ke sekolah.";
    r.incidentDate = Date{2025, 10, 30};
    r.regionCode = "11.01.01.2001";
    r.place = "Depan SD Negeri 1";
    r.agencyId = "pemda";
    r.topicId = "jalan-rusak";
    r.identity = Identity{"Siti Rahayu Planted", "3171234567890123", "+6281299887766",
                          "siti.planted@example.id"};
    r.deviceId = "kiosk-test";
    r.office = "Kantor Kecamatan Bakongan";
    r.language = "id";
    r.createdAtMs = 1'767'225'600'000 + static_cast<std::int64_t>(n);
    return r;
}

// Deterministic pseudo-random bytes (not a real JPEG: the store does not care).
inline Photo samplePhoto(std::size_t size, std::uint32_t seed) {
    Photo p;
    p.jpeg.resize(size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : p.jpeg) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
    p.sha256Hex = crypto::sha256Hex(p.jpeg);
    p.width = 640;
    p.height = 480;
    return p;
}

inline crypto::Key testKey() {
    std::array<std::uint8_t, crypto::keyBytes> k{};
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return crypto::Key(k);
}

inline StoreOptions storeOptions(const std::string& path, const Clock* clock = nullptr) {
    StoreOptions o;
    o.path = path;
    o.key = testKey();
    o.clock = clock;
    o.mapSize = 1ull << 20;
    return o;
}

// Calls save(i) for i = 0, 1, ... until one fails or `most` succeeded; returns how many did and
// the status of the last call (ok when none failed).
template <class Save>
std::pair<std::uint64_t, Status> saveUntilFailure(std::uint64_t most, Save&& save) {
    std::uint64_t saved = 0;
    Status last;
    for (std::uint64_t i = 0; i < most && last.ok(); ++i) {
        last = save(i);
        if (last.ok())
            ++saved;
    }
    return {saved, last};
}

}  // namespace lapor::testing
