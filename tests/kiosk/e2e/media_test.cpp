// Video and voice evidence, end to end under Xvfb with real xdotool input, lapor-sandbox and
// lapor-syncd beside the kiosk, the agent's link through lapor-linkemu (1 Mbit/s, resets): a
// visitor speaks the report instead of typing its body, listens to it, films a clip from the
// (simulated) camera, plays it back, and files the report; the store holds the photo, the clip
// and the note in that order; the agent uploads them over a link that drops every 128 KB and the
// sandbox holds each with the SHA-256 the store has. A second report with a clip is filed and
// the kiosk SIGKILLed as the save runs: after a restart the report is there whole or not at all,
// and `verify` finds nothing wrong. Nothing the visitor said or filmed is in any log.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/kiosk/e2e/e2e_support.hpp"
#include "tests/kiosk/e2e/sandbox_json.hpp"
#include "tests/kiosk/e2e/x_driver.hpp"

namespace fs = std::filesystem;
using namespace lapor;
using namespace lapor::testing::e2e;
using lapor::testing::x::Driver;
using lapor::testing::x::placeAnonymousReport;
using lapor::testing::x::run;
using json = nlohmann::json;

namespace {

const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e" / "media";
const fs::path kSandbox = fs::path(LAPOR_BINARY_DIR) / "sync" / "sandbox" / "lapor-sandbox";
const fs::path kSyncd = fs::path(LAPOR_BINARY_DIR) / "sync" / "syncd" / "lapor-syncd";
const fs::path kLinkemu = fs::path(LAPOR_BINARY_DIR) / "sync" / "linkemu" / "lapor-linkemu";
constexpr const char* kToken = "media-e2e-token";

// What happened, with a spoken note instead of the body, then to whom and Anonim: up to photos.
void speakReport(Driver& d, const std::string& title, bool listen, const fs::path& playback) {
    d.tap("kind.pengaduan", "what");
    d.tap("what.title", "what");
    d.typeKeys(title, "what");
    d.key("Return", "what");
    d.tap("what.voice", "voice");
    d.tap("voice.record", "voice");
    CHECK(d.last().widgets.count("voice.meter"));
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the visitor speaks
    d.tap("voice.stop", "voice");
    d.waitUntil([](const auto& s) { return s.visible("voice.play").has_value(); }, "the note");
    if (listen) {
        d.tap("voice.play", "voice");
        // The note comes out of the speaker (here a WAV file): more than its header.
        REQUIRE(
            waitFor([&] { return fs::exists(playback) && fs::file_size(playback) > 20'000; }, 20));
    }
    d.tap("voice.done", "what");
    CHECK(d.last().visible("what.voice"));
    placeAnonymousReport(d);
}

// A clip of about three seconds from the camera, ready to play.
void filmClip(Driver& d) {
    d.tap("photos.video.record", "photos");
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // the visitor films
    d.tap("photos.video.stop", "photos");
    d.waitUntil([](const auto& s) { return s.visible("photos.video.play").has_value(); },
                "the clip");
}

}  // namespace

TEST_CASE(
    "a visitor speaks the report, films a clip, plays both back and files it, the clip and "
    "the note reach the sandbox intact over a link with resets, a kill mid-save loses nothing") {
    REQUIRE(run("command -v xdotool >/dev/null && command -v Xvfb >/dev/null && "
                "command -v import >/dev/null && command -v curl >/dev/null") == 0);
    REQUIRE(fs::exists(kSandbox));
    REQUIRE(fs::exists(kSyncd));
    REQUIRE(fs::exists(kLinkemu));
    const fs::path sbxDir = fs::path(kOut.string() + "-sandbox");
    fs::remove_all(sbxDir);
    fs::create_directories(sbxDir);
    const SandboxProcess sandbox = startSandbox(kSandbox, sbxDir, {"--token", kToken});
    // The agent reaches the sandbox through the link emulator: 1 Mbit/s, 50 ms, and every
    // connection cut after 24 KB, so each upload (the clip is about 75 KB) must resume.
    const std::string upstream = sandbox.api.substr(std::string("http://").size());
    Process link({kLinkemu.string(), "--upstream", upstream, "--listen", "127.0.0.1:0",
                  "--rate-kbit", "1000", "--latency-ms", "50", "--reset-every", "24576"},
                 sbxDir / "linkemu.log");
    std::smatch port;
    const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
    std::string linkLog;
    REQUIRE(waitFor(
        [&] {
            linkLog = readFile(sbxDir / "linkemu.log");
            return std::regex_search(linkLog, port, listening);
        },
        20));
    const std::string linked = "http://127.0.0.1:" + port[1].str();
    const std::string config = "[device]\noffice = \"Kantor Uji e2e\"\n\n[store]\npath = \"" +
                               (kOut / "state" / "store").string() + "\"\nkey_file = \"" +
                               (kOut / "state" / "keys" / "store.key").string() +
                               "\"\n\n[sync]\nserver_url = \"" + linked + "\"\ntoken = \"" +
                               kToken +
                               "\"\nstore_poll_ms = 300\nbackoff_base_ms = 200\n"
                               "backoff_cap_ms = 1000\nprobe_interval_ms = 500\n";
    const fs::path playback = kOut.string() + "-playback.wav";
    fs::remove(playback);
    Driver d(kOut, config, nullptr,
             {"--microphone", "simulated", "--playback-wav", playback.string()});
    const fs::path shots = kOut / "shots";

    d.settle("welcome", "start");
    d.tap("welcome.start", "kind");
    speakReport(d, "Jembatan kayu di desa hampir roboh", true, playback);
    d.tap("photos.take", "photos");
    d.waitUntil([](const auto& s) { return s.widgets.count("photos.thumb.0") > 0; }, "photo");
    filmClip(d);
    CHECK(d.last().visible("photos.video.thumb"));
    d.tap("photos.video.play", "photos");
    d.keep(shots / "clip-playing.png");
    d.tap("nav.next", "review");
    d.tap("review.consent", "review");
    d.tap("review.send", "");
    d.settle("receipt", "saved");
    d.tap("receipt.done", "welcome");

    // The store: one report, its photo, then the clip, then the note, each as recorded.
    std::string uuid;
    std::vector<PhotoInfo> items;
    {
        auto store = openStore(d.state(), false);
        auto all = store->listAll();
        REQUIRE(all.ok());
        REQUIRE(all->size() == 1);
        uuid = all->front().uuid;
        CHECK(all->front().photoCount == 1);
        CHECK(all->front().clipCount == 2);
        auto listed = store->listPhotos(uuid);
        REQUIRE(listed.ok());
        items = *listed;
        REQUIRE(items.size() == 3);
        CHECK(items[0].kind == MediaKind::photo);
        CHECK(items[1].kind == MediaKind::video);
        CHECK(items[2].kind == MediaKind::voice);
        CHECK(items[1].durationMs >= 2000);
        CHECK(items[2].durationMs >= 1500);
        auto clip = store->readClip(uuid, 1);
        REQUIRE(clip.ok());
        CHECK(std::string(clip->bytes.begin() + 4, clip->bytes.begin() + 8) == "ftyp");
        auto note = store->readClip(uuid, 2);
        REQUIRE(note.ok());
        CHECK(std::string(note->bytes.begin(), note->bytes.begin() + 4) == "OggS");
        auto report = store->loadReport(uuid);
        REQUIRE(report.ok());
        CHECK(report->body.find("rekaman suara") != std::string::npos);  // the note, in words
    }

    // Delivered over the cut link: the sandbox holds each item with the store's SHA-256.
    Process syncd({kSyncd.string(), "--config", (kOut / "lapor.toml").string()},
                  kOut / "syncd.log");
    REQUIRE(waitFor(
        [&] {
            auto store = openStore(d.state(), false);
            auto e = store->outboxEntry(uuid);
            return e.ok() && isDelivered(e->state);
        },
        120));
    const json held = getJson(sandbox.admin + "/admin/reports/" + uuid, sbxDir / "report.json");
    INFO(held.dump());
    const json& media = held["body"]["photos"];
    REQUIRE(media.size() == items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        CHECK(media[i]["sha256"] == items[i].sha256Hex);
        CHECK(media[i]["bytes"] == items[i].size);
        CHECK(media[i]["type"] == mediaTypeOf(items[i].kind));
    }
    // The link did cut the uploads (its counters, printed when it stops).
    kill(link.pid, SIGTERM);
    waitpid(link.pid, nullptr, 0);
    link.pid = -1;
    std::smatch resets;
    const std::string linkStats = readFile(sbxDir / "linkemu.log");
    REQUIRE(std::regex_search(linkStats, resets, std::regex(R"(resets (\d+))")));
    CHECK(std::stoi(resets[1].str()) >= 3);
    MESSAGE("link: " << linkStats.substr(linkStats.rfind("bytes_up")));

    // A second report with a clip; the kiosk is killed as its save runs.
    d.tap("welcome.start", "kind");
    speakReport(d, "Lampu jalan mati di simpang pasar", false, playback);
    filmClip(d);
    d.tap("nav.next", "review");
    d.tap("review.consent", "review");
    d.tapNoWait("review.send");
    d.killKiosk();
    d.restartKiosk();
    d.settle("welcome", "restarted");
    {
        auto store = openStore(d.state(), false);
        auto all = store->listAll();
        REQUIRE(all.ok());
        REQUIRE((all->size() == 1 || all->size() == 2));
        if (all->size() == 2) {
            const OutboxEntry& second = all->back();
            CHECK(second.clipCount == 2);
            auto listed = store->listPhotos(second.uuid);
            REQUIRE(listed.ok());
            CHECK(listed->size() == 2);
        }
        auto checked = store->verify();
        REQUIRE(checked.ok());
        CHECK(checked->problems.empty());
        MESSAGE("after the kill: " << all->size() - 1 << " of 1 second report stored whole");
    }

    // Nothing of the visitor's in any log: no title, no note's words, no sample of the clip.
    for (const fs::path& f : {kOut / "kiosk.log", kOut / "syncd.log"}) {
        const std::string text = readFile(f);
        CHECK(text.find("Jembatan kayu") == std::string::npos);
        CHECK(text.find("Lampu jalan") == std::string::npos);
        CHECK(text.find("OggS") == std::string::npos);
    }
}
