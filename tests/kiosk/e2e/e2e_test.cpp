// End-to-end: lapor-kiosk under SDL's offscreen driver, driven by scripted touches through its
// own event queue, files one report of each kind; then the store is opened and checked.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/crypto.hpp"
#include "core/store.hpp"

namespace fs = std::filesystem;
using namespace lapor;

namespace {

const fs::path kBin = fs::path(LAPOR_BINARY_DIR) / "kiosk" / "lapor-kiosk";
const fs::path kScripts = fs::path(LAPOR_SOURCE_DIR) / "tests" / "kiosk" / "e2e";
const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e";

// Runs the kiosk with a script; returns its exit code. Screenshots go to shots/<name>.
int runKiosk(const std::string& name, const std::string& script, const std::string& size,
             const std::string& extra = {}) {
    const fs::path state = kOut / name / "state";
    const fs::path shots = kOut / "screenshots" / name;
    fs::remove_all(kOut / name);
    fs::remove_all(shots);
    fs::create_directories(state);
    fs::create_directories(shots);
    const std::string cmd = "SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy timeout 900 '" +
                            kBin.string() + "' --windowed --size " + size + " --camera simulated" +
                            " --state-dir '" + state.string() + "' --shot-dir '" + shots.string() +
                            "' --script '" + (kScripts / script).string() + "' " + extra + " > '" +
                            (kOut / name / "kiosk.log").string() + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::unique_ptr<Store> openStore(const std::string& name) {
    const fs::path state = kOut / name / "state";
    crypto::KeySource ks;
    ks.keyFile = (state / "keys" / "store.key").string();
    ks.createIfMissing = false;
    auto key = crypto::loadKey(ks, "");
    REQUIRE(key.ok());
    StoreOptions o;
    o.path = (state / "store").string();
    o.key = std::move(key.value());
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    return std::move(store.value());
}

std::size_t countFiles(const fs::path& dir, const std::string& ext) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        n += e.path().extension() == ext ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_CASE("three reports, one of each kind, through the touchscreen at 1280x800") {
    REQUIRE(runKiosk("three-reports", "three_reports.script", "1280x800") == 0);
    CHECK(countFiles(kOut / "screenshots" / "three-reports", ".png") >= 20);

    auto store = openStore("three-reports");
    auto all = store->listAll();
    REQUIRE(all.ok());
    REQUIRE(all.value().size() == 3);
    int seen = 0;
    for (const OutboxEntry& e : all.value()) {
        CHECK(e.state == OutboxState::queued);
        auto loaded = store->loadReport(e.uuid);
        REQUIRE(loaded.ok());
        const Report& r = loaded.value();
        CHECK(r.receiptCode == e.receiptCode);
        CHECK(r.regionCode.rfind("11.01.01.", 0) == 0);  // a village of Bakongan, Aceh Selatan
        CHECK(r.agencyId == (r.kind == ReportKind::permintaanInformasi ? "dukcapil" : "pemda"));
        CHECK(r.deviceId == store->deviceId());
        auto photos = store->listPhotos(e.uuid);
        REQUIRE(photos.ok());
        switch (r.kind) {
            case ReportKind::pengaduan:
                seen |= 1;
                CHECK(r.title == "Jalan rusak di depan Pasar Bakongan");
                CHECK(r.body.find("tiga motor jatuh") != std::string::npos);
                CHECK(r.regionCode == "11.01.01.2001");
                CHECK(r.place == "Jl. Merdeka No. 5, RT 02/RW 03 (depan toko) & #12");
                CHECK(r.topicId == "jalan-rusak");
                CHECK_FALSE(r.anonymous);
                CHECK(r.identity.name == "Siti Aminah");
                CHECK(r.identity.nik == "1101011505900001");
                CHECK(r.identity.phone == "+6281234567890");
                CHECK(r.language == "id");
                CHECK(r.assistedBy.empty());
                REQUIRE(photos.value().size() == 3);
                for (const PhotoInfo& info : photos.value()) {
                    auto p = store->readPhoto(e.uuid, info.index);
                    REQUIRE(p.ok());
                    CHECK(p.value().jpeg.size() > 1000);
                    CHECK(p.value().jpeg[0] == 0xFF);
                    CHECK(p.value().jpeg[1] == 0xD8);
                    CHECK(crypto::sha256Hex(p.value().jpeg) == info.sha256Hex);
                    CHECK(p.value().sha256Hex == info.sha256Hex);
                }
                // Three different shots of the moving scene.
                CHECK(photos.value()[0].sha256Hex != photos.value()[1].sha256Hex);
                CHECK(photos.value()[1].sha256Hex != photos.value()[2].sha256Hex);
                break;
            case ReportKind::aspirasi:
                seen |= 2;
                CHECK(r.title == "Taman bermain untuk anak di kelurahan");
                CHECK(r.anonymous);
                CHECK(r.confidential);
                CHECK(r.identity == Identity{});
                CHECK(r.topicId == "infrastruktur");
                CHECK(photos.value().empty());
                break;
            case ReportKind::permintaanInformasi:
                seen |= 4;
                CHECK(r.title == "Schedule of the mobile KTP service");
                CHECK(r.language == "en");
                CHECK(r.assistedBy == "4711");
                CHECK(r.identity.name == "Budi Santoso");
                CHECK(r.identity.nik.empty());
                CHECK(r.identity.phone == "+6285712345678");
                CHECK(r.identity.email == "budi.santoso@contoh.id");
                CHECK(r.topicId == "ktp-el");
                CHECK(photos.value().empty());
                break;
        }
    }
    CHECK(seen == 7);
    auto verify = store->verify();
    REQUIRE(verify.ok());
    CHECK(verify.value().problems.empty());
    // The simulated printer printed one slip per report.
    CHECK(countFiles(kOut / "three-reports" / "state" / "printer", ".png") == 3);
}

TEST_CASE("idle: the warning, more time, then a wipe of everything typed") {
    REQUIRE(runKiosk("idle", "idle.script", "1280x800", "--idle-ms 2000,15000") == 0);
    auto store = openStore("idle");
    auto all = store->listAll();
    REQUIRE(all.ok());
    CHECK(all.value().empty());
    std::ifstream log(kOut / "idle" / "kiosk.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(text.find("idle timeout: wiping") != std::string::npos);
}

TEST_CASE("the same report at 800x480 and 1920x1080: every target reachable") {
    for (const char* size : {"800x480", "1920x1080"}) {
        CAPTURE(size);
        const std::string name = std::string("three-reports-") + size;
        REQUIRE(runKiosk(name, "three_reports.script", size) == 0);
        auto store = openStore(name);
        auto all = store->listAll();
        REQUIRE(all.ok());
        CHECK(all.value().size() == 3);
    }
}
