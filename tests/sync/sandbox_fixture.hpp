// Shared by the sandbox and link emulator tests: a sandbox in a temporary data directory, raw
// HTTP clients for its API and admin ports, and helpers to upload photos and post reports.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "sync/sandbox/digest.hpp"
#include "sync/sandbox/sandbox.hpp"

namespace lapor::sandbox::test {

using nlohmann::json;

inline constexpr const char* kToken = "device-token-1";

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "lapor-sbx-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Polls `done` until it holds or `limit` passes: waiting on a condition with a bound.
inline bool waitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Deterministic pseudo-random bytes (a photo stand-in).
inline std::string makeBytes(std::size_t n, unsigned seed = 1) {
    std::string out(n, '\0');
    unsigned x = seed * 2654435761u + 1;
    for (auto& c : out) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 16);
    }
    return out;
}

inline std::string uuidFor(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n, n);
    return buf;
}

class SandboxFixture {
  public:
    explicit SandboxFixture(SandboxOptions options = {},
                            const Clock& clock = SystemClock::instance())
        : options_(std::move(options)), clock_(&clock) {
        options_.dataDir = dir_.path / "data";
        start();
    }

    void start() {
        auto s = Sandbox::start(options_, *clock_);
        REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
        sandbox_ = std::move(*s);
        options_.port = sandbox_->port();  // a restart keeps the same port
        api_ = makeApiClient();
        admin_ = std::make_unique<httplib::Client>("127.0.0.1", sandbox_->adminPort());
    }

    void restart() {
        api_.reset();
        admin_.reset();
        sandbox_.reset();
        start();
    }

    std::unique_ptr<httplib::Client> makeApiClient() const {
        auto c = std::make_unique<httplib::Client>("127.0.0.1", sandbox_->port());
        c->set_read_timeout(10, 0);
        return c;
    }

    Sandbox& sandbox() { return *sandbox_; }
    httplib::Client& api() { return *api_; }
    httplib::Client& admin() { return *admin_; }
    const std::filesystem::path& dataDir() const { return options_.dataDir; }

    static httplib::Headers auth(const std::string& token = kToken) {
        return {{"Authorization", "Bearer " + token}};
    }
    static httplib::Headers tus(const std::string& token = kToken) {
        auto h = auth(token);
        h.emplace("Tus-Resumable", "1.0.0");
        return h;
    }

    json adminGet(const std::string& path) {
        auto r = admin_->Get(path.c_str());
        REQUIRE(r);
        REQUIRE(r->status == 200);
        return json::parse(r->body);
    }
    json adminPost(const std::string& path, const json& body) {
        auto r = admin_->Post(path.c_str(), body.dump(), "application/json");
        REQUIRE(r);
        REQUIRE_MESSAGE(r->status == 200, r->body);
        return json::parse(r->body);
    }
    void fault(const json& f) { (void)adminPost("/admin/faults", f); }

    static std::string metadata(const std::string& uuid, int index, const std::string& sha) {
        return "report_uuid " + base64Encode(uuid) + ",photo_index " +
               base64Encode(std::to_string(index)) + ",sha256 " + base64Encode(sha) + ",filename " +
               base64Encode("photo-" + std::to_string(index) + ".jpg");
    }

    // POST /v1/uploads; returns the Location.
    std::string createUpload(const std::string& bytes, const std::string& uuid, int index) {
        auto h = tus();
        h.emplace("Upload-Length", std::to_string(bytes.size()));
        h.emplace("Upload-Metadata", metadata(uuid, index, sha256Hex(bytes)));
        auto r = api_->Post("/v1/uploads", h, "", "");
        REQUIRE(r);
        REQUIRE_MESSAGE(r->status == 201, r->body);
        return r->get_header_value("Location");
    }

    httplib::Result patch(const std::string& location, std::uint64_t offset,
                          const std::string& chunk, httplib::Headers extra = {}) {
        auto h = tus();
        h.emplace("Upload-Offset", std::to_string(offset));
        for (auto& kv : extra) {
            h.insert(kv);
        }
        return api_->Patch(location.c_str(), h, chunk, "application/offset+octet-stream");
    }

    std::uint64_t headOffset(const std::string& location) {
        auto r = api_->Head(location.c_str(), tus());
        REQUIRE(r);
        REQUIRE(r->status == 200);
        return std::stoull(r->get_header_value("Upload-Offset"));
    }

    // A whole upload in one PATCH; returns the photo entry for a report.
    json uploadPhoto(const std::string& bytes, const std::string& uuid, int index) {
        const std::string location = createUpload(bytes, uuid, index);
        auto r = patch(location, 0, bytes);
        REQUIRE(r);
        REQUIRE_MESSAGE(r->status == 204, r->body);
        return {{"upload", location}, {"sha256", sha256Hex(bytes)}, {"bytes", bytes.size()}};
    }

    static json reportBody(json photos = json::array()) {
        return {{"kind", "pengaduan"},
                {"title", "Jalan berlubang di depan sekolah"},
                {"body", "Sudah tiga bulan tidak diperbaiki."},
                {"incident_date", "2026-11-20"},
                {"region_code", "11.01.01.2001"},
                {"place", "Jl. Merdeka 5"},
                {"agency_id", "kemen-pupr"},
                {"topic_id", "jalan-rusak"},
                {"anonymous", false},
                {"confidential", false},
                {"reporter",
                 {{"name", "Siti Aminah"},
                  {"nik", "1101014101900001"},
                  {"phone", "+6281234567890"},
                  {"email", "siti@example.id"}}},
                {"photos", std::move(photos)},
                {"device_id", "kiosk-test-1"},
                {"office", "Kantor Bupati"},
                {"language", "id"},
                {"assisted_by", ""},
                {"created_at", "2026-11-29T20:30:22.123Z"},
                {"receipt_code", "K7Q-4MX-92A"},
                {"replaces", nullptr}};
    }

    httplib::Result postReport(const std::string& uuid, const json& body,
                               const std::string& token = kToken) {
        auto h = auth(token);
        h.emplace("Idempotency-Key", uuid);
        return api_->Post("/v1/reports", h, body.dump(), "application/json");
    }

  private:
    TempDir dir_;
    SandboxOptions options_;
    const Clock* clock_;
    std::unique_ptr<Sandbox> sandbox_;
    std::unique_ptr<httplib::Client> api_;
    std::unique_ptr<httplib::Client> admin_;
};

}  // namespace lapor::sandbox::test
