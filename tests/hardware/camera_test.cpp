// Camera tests: the simulated camera driven by a FakeClock, the factory, and libcamera with no
// camera.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "core/i18n.hpp"
#include "hardware/camera.hpp"
#include "hardware/camera_libcamera.hpp"
#include "hardware/camera_scene.hpp"
#include "hardware/camera_simulated.hpp"
#include "hardware/photo.hpp"

using namespace lapor;

namespace {

SimulatedCamera::Options testOptions() {
    SimulatedCamera::Options o;
    o.still = {800, 600};
    o.fps = 30;
    o.notifyThread = false;
    return o;
}

// A fresh empty folder under the build tree for one test.
std::filesystem::path tempFolder(const std::string& name) {
    const auto dir = std::filesystem::path(LAPOR_BINARY_DIR) / "test-tmp" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void writeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

Frame solid(std::uint32_t w, std::uint32_t h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    Frame f;
    f.width = w;
    f.height = h;
    f.rgb.resize(std::size_t{3} * w * h);
    for (std::size_t i = 0; i < f.rgb.size(); i += 3) {
        f.rgb[i] = r;
        f.rgb[i + 1] = g;
        f.rgb[i + 2] = b;
    }
    return f;
}

}  // namespace

TEST_CASE("camera state names and msgids are distinct") {
    std::set<std::string> names;
    std::set<std::string> ids;
    for (auto s : kAllCameraStates) {
        names.insert(cameraStateName(s));
        ids.insert(cameraStateMsgid(s));
    }
    CHECK(names.size() == 7);
    CHECK(ids.size() == 7);
    CHECK(std::string(cameraStateMsgid(CameraState::unplugged)) == "camera.state.unplugged");
}

TEST_CASE("camera state msgids are translated in both languages") {
    auto catalog = Catalog::loadDir(std::filesystem::path(LAPOR_SOURCE_DIR) / "po");
    REQUIRE(catalog);
    for (auto s : kAllCameraStates) {
        for (Lang lang : kAllLangs) {
            CHECK_MESSAGE(catalog->has(lang, cameraStateMsgid(s)), cameraStateMsgid(s));
        }
    }
}

TEST_CASE("simulated camera: open, preview frames follow the clock, close") {
    FakeClock clock;
    SimulatedCamera cam(clock, testOptions());
    REQUIRE(cam.simulated());
    const auto cams = cam.list();
    REQUIRE(cams.size() == 1);
    CHECK(cams[0].simulated);
    CHECK(cam.state() == CameraState::closed);
    CHECK_FALSE(cam.startPreview({320, 240}));  // not open yet

    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({320, 240}));
    CHECK(cam.state() == CameraState::streaming);

    auto first = cam.takeLatestPreview();
    REQUIRE(first);
    CHECK(first->width == 320);
    CHECK(first->height == 240);
    CHECK(first->rgb.size() == 320u * 240u * 3u);
    CHECK(first->sequence == 0);
    CHECK_FALSE(cam.takeLatestPreview());  // no time passed: no new frame

    clock.advance(34);
    auto second = cam.takeLatestPreview();
    REQUIRE(second);
    CHECK(second->sequence == 1);
    CHECK(second->timestampMs > first->timestampMs);

    // Frames pile up while nobody takes them: only the newest comes out.
    clock.advance(1000);
    auto later = cam.takeLatestPreview();
    REQUIRE(later);
    CHECK(later->sequence == 31);
    CHECK(later->rgb != first->rgb);  // the scene moves and the counter changes
    CHECK_FALSE(cam.takeLatestPreview());

    cam.close();
    CHECK(cam.state() == CameraState::closed);
    CHECK_FALSE(cam.takeLatestPreview());
}

TEST_CASE("simulated camera: at least 15 frames per second of clock time") {
    FakeClock clock;
    SimulatedCamera cam(clock, testOptions());
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({160, 120}));
    int frames = 0;
    std::int64_t lastSeq = -1;
    for (int step = 0; step < 200; ++step) {  // 2 s of clock time in 10 ms steps
        if (auto f = cam.takeLatestPreview()) {
            CHECK(f->sequence > lastSeq);
            lastSeq = f->sequence;
            ++frames;
        }
        clock.advance(10);
    }
    CHECK(frames >= 30);
    CHECK(frames <= 61);
}

TEST_CASE("simulated camera: still at the configured resolution, default 4056x3040") {
    FakeClock clock;
    SimulatedCamera::Options o;
    o.notifyThread = false;
    SimulatedCamera cam(clock, o);
    CHECK_FALSE(cam.captureStill());  // not open
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({640, 480}));
    auto still = cam.captureStill();
    REQUIRE(still);
    CHECK(still->width == 4056);
    CHECK(still->height == 3040);
    CHECK(still->rgb.size() == 4056u * 3040u * 3u);
    CHECK(cam.state() == CameraState::streaming);  // preview goes on
    CHECK(cam.takeLatestPreview());
}

TEST_CASE("simulated camera: cameras of different machines (buses) never share a device") {
    // Two test rigs in one process each get a camera "simulated:0" of their own.
    FakeClock clock;
    SimulatedCamera a(clock, testOptions());
    SimulatedCamera b(clock, testOptions());
    CHECK(a.open(""));
    CHECK(b.open(""));
}

TEST_CASE("simulated camera: a second user of the same camera is told it is busy") {
    FakeClock clock;
    auto options = testOptions();
    options.bus = std::make_shared<SimulatedCameraBus>();  // one machine, one camera
    SimulatedCamera a(clock, options);
    SimulatedCamera b(clock, options);
    REQUIRE(a.open(""));
    auto st = b.open("");
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::busy);
    CHECK(b.state() == CameraState::busy);
    CHECK_FALSE(b.stateMessage().empty());
    a.close();
    CHECK(b.open(""));
    auto wrong = a.open("no-such-camera");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Errc::unavailable);
}

TEST_CASE("simulated camera: unplug stops frames, replug resumes them") {
    FakeClock clock;
    SimulatedCamera cam(clock, testOptions());
    int notified = 0;
    cam.setFrameNotifier([&] { ++notified; });
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({160, 120}));
    REQUIRE(cam.takeLatestPreview());

    const int before = notified;
    cam.simulateUnplug();
    CHECK(cam.state() == CameraState::unplugged);
    CHECK(notified > before);  // the UI is woken to show the new state
    CHECK(cam.stateMessage().find("unplugged") != std::string::npos);
    clock.advance(500);
    CHECK_FALSE(cam.takeLatestPreview());
    auto still = cam.captureStill();
    REQUIRE_FALSE(still);
    CHECK(still.error().code == Errc::unavailable);

    cam.simulateReplug();
    CHECK(cam.state() == CameraState::streaming);
    CHECK(cam.takeLatestPreview());

    cam.simulateFailure("sensor timeout");
    CHECK(cam.state() == CameraState::error);
    CHECK(cam.stateMessage() == "sensor timeout");
    CHECK_FALSE(cam.takeLatestPreview());
    cam.close();
    REQUIRE(cam.open(""));  // close and open again is the way back from an error
    CHECK(cam.state() == CameraState::closed);
}

TEST_CASE("simulated camera: the notifier thread wakes the UI in real time") {
    SimulatedCamera::Options o = testOptions();
    o.notifyThread = true;
    SimulatedCamera cam(SystemClock::instance(), o);
    std::mutex m;
    std::condition_variable cv;
    int wakes = 0;
    cam.setFrameNotifier([&] {
        std::lock_guard lock(m);
        ++wakes;
        cv.notify_all();
    });
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({160, 120}));
    {
        std::unique_lock lock(m);
        CHECK(cv.wait_for(lock, std::chrono::seconds(5), [&] { return wakes >= 5; }));
    }
    cam.close();  // joins the thread; no wake after this
    std::lock_guard lock(m);
    const int after = wakes;
    CHECK(after >= 5);
}

TEST_CASE("simulated camera: plays a folder of JPEGs, one file per second") {
    const auto dir = tempFolder("jpeg-folder");
    auto red = encodeJpeg(solid(1000, 500, 220, 20, 20), 90);
    auto blue = encodeJpeg(solid(400, 300, 20, 20, 220), 90);
    REQUIRE(red);
    REQUIRE(blue);
    writeFile(dir / "a.jpg", *red);
    writeFile(dir / "b.JPEG", *blue);
    writeFile(dir / "notes.txt", {'h', 'i'});

    FakeClock clock;
    SimulatedCamera::Options o = testOptions();
    o.jpegFolder = dir.string();
    o.still = {4056, 3040};
    SimulatedCamera cam(clock, o);
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({320, 240}));
    auto f0 = cam.takeLatestPreview();
    REQUIRE(f0);
    CHECK(f0->width == 320);  // 1000x500 fitted inside 320x240
    CHECK(f0->height == 160);
    CHECK(f0->rgb[0] > 200);  // red
    auto still = cam.captureStill();
    REQUIRE(still);
    CHECK(still->width == 1000);  // the file's own size: never enlarged
    CHECK(still->height == 500);

    clock.advance(1000);
    auto f1 = cam.takeLatestPreview();
    REQUIRE(f1);
    CHECK(f1->width == 320);
    CHECK(f1->height == 240);
    CHECK(f1->rgb[2] > 200);  // blue
    clock.advance(1000);
    auto f2 = cam.takeLatestPreview();
    REQUIRE(f2);
    CHECK(f2->rgb[0] > 200);  // back to the first file
}

TEST_CASE("simulated camera: an empty or broken JPEG folder is an error staff can read") {
    const auto dir = tempFolder("jpeg-folder-empty");
    FakeClock clock;
    SimulatedCamera::Options o = testOptions();
    o.jpegFolder = dir.string();
    {
        SimulatedCamera cam(clock, o);
        auto st = cam.open("");
        REQUIRE_FALSE(st);
        CHECK(cam.state() == CameraState::error);
        CHECK(cam.stateMessage().find(dir.string()) != std::string::npos);
    }
    writeFile(dir / "broken.jpg", {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F'});
    SimulatedCamera cam(clock, o);
    REQUIRE(cam.open(""));
    REQUIRE(cam.startPreview({320, 240}));
    CHECK_FALSE(cam.takeLatestPreview());
    CHECK(cam.state() == CameraState::error);
    CHECK(cam.stateMessage().find("broken.jpg") != std::string::npos);
}

TEST_CASE("scene: deterministic, and the frame counter is drawn") {
    const Frame a = renderTestScene({320, 240}, 1000, 1'767'225'600'000, 7);
    const Frame b = renderTestScene({320, 240}, 1000, 1'767'225'600'000, 7);
    const Frame c = renderTestScene({320, 240}, 1000, 1'767'225'600'000, 8);
    CHECK(a.rgb == b.rgb);
    CHECK(a.rgb != c.rgb);
    // Only the text band at the top differs between counters 7 and 8.
    const std::size_t band = std::size_t{3} * 320 * 24;
    CHECK(std::equal(a.rgb.begin() + band, a.rgb.end(), c.rgb.begin() + band));
}

TEST_CASE("scene: the time drawn in is the office's local time with its zone") {
    // 2026-01-01T00:00Z is 07:00 WIB: the same instant drawn as UTC and as WIB differs, and
    // drawing it as WIB equals drawing 07:00 UTC with the zone's name.
    const Frame utc = renderTestScene({320, 240}, 1000, 1'767'225'600'000, 7);
    const Frame wib = renderTestScene({320, 240}, 1000, 1'767'225'600'000, 7, 420, "WIB");
    const Frame same =
        renderTestScene({320, 240}, 1000, 1'767'225'600'000 + 7 * 3'600'000, 7, 0, "WIB");
    CHECK(utc.rgb != wib.rgb);
    CHECK(wib.rgb == same.rgb);
}

TEST_CASE("makeCamera: configuration and fallback say which camera it is") {
    FakeClock clock;
    CameraConfig config;
    config.backend = CameraBackend::simulated;
    auto sim = makeCamera(config, clock);
    REQUIRE(sim.camera);
    CHECK(sim.camera->simulated());
    CHECK(sim.reason.find("simulated") != std::string::npos);

    config.backend = CameraBackend::automatic;
    auto autoChoice = makeCamera(config, clock);
    REQUIRE(autoChoice.camera);
    if (autoChoice.camera->simulated()) {  // this machine has no camera
        CHECK(autoChoice.reason.find("libcamera found no camera") != std::string::npos);
    } else {
        CHECK(autoChoice.reason.find("libcamera") != std::string::npos);
    }

    config.backend = CameraBackend::libcamera;
    auto real = makeCamera(config, clock);
    REQUIRE(real.camera);
    CHECK_FALSE(real.camera->simulated());
}

TEST_CASE("libcamera backend: with no camera it starts, lists none and says what to do") {
    LibcameraCamera cam(LibcameraCamera::Options{});
    if (!cam.list().empty()) {
        MESSAGE("a real camera is attached: the no-camera path is not testable here");
        return;
    }
    CHECK_FALSE(cam.simulated());
    CHECK(cam.state() == CameraState::noCamera);
    CHECK(cam.stateMessage().find("no camera found") != std::string::npos);
    auto st = cam.open("");
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Errc::unavailable);
    CHECK(st.error().message.find("no camera found") != std::string::npos);
    CHECK(cam.state() == CameraState::noCamera);
    CHECK_FALSE(cam.startPreview({640, 480}));
    CHECK_FALSE(cam.takeLatestPreview());
    auto still = cam.captureStill();
    REQUIRE_FALSE(still);
    CHECK(still.error().code == Errc::unavailable);
    cam.close();
    CHECK(cam.state() == CameraState::noCamera);

    // A second backend shares libcamera's one camera manager.
    LibcameraCamera other(LibcameraCamera::Options{});
    CHECK(other.state() == CameraState::noCamera);
    CHECK(other.list().empty());
}
