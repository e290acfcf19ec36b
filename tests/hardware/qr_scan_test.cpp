// QR scanning: the simulated camera's slip scene read back by QrScanner frame after frame, plain
// scenes and garbage frames read as nothing, the slip file and the environment switch.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "hardware/camera.hpp"
#include "hardware/camera_scene.hpp"
#include "hardware/camera_simulated.hpp"
#include "hardware/qr_scan.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using lapor::hw::QrScanner;

namespace {

SimulatedCamera::Options scanOptions() {
    SimulatedCamera::Options o;
    o.still = {1280, 960};
    o.fps = 30;
    o.notifyThread = false;
    return o;
}

// Opens and starts the preview at 640x480; the next advance gives a frame.
void startPreview(SimulatedCamera& cam) {
    REQUIRE(cam.open("").ok());
    REQUIRE(cam.startPreview({640, 480}).ok());
}

}  // namespace

TEST_CASE("QrScanner reads the simulated camera's slip scene over consecutive preview frames") {
    FakeClock clock;
    SimulatedCamera cam(clock, scanOptions());
    startPreview(cam);
    QrScanner scanner;
    CHECK_FALSE(cam.shownSlip().has_value());
    cam.showSlip("LPR-7K3M-Q9");
    CHECK(cam.shownSlip() == std::optional<std::string>("LPR-7K3M-Q9"));
    int decoded = 0;
    constexpr int kFrames = 12;
    for (int i = 0; i < kFrames; ++i) {
        clock.advance(97);  // about three frames apart, so the slip sways between scans
        std::optional<Frame> frame = cam.takeLatestPreview();
        REQUIRE(frame.has_value());
        CHECK(frame->width == 640);
        CHECK(frame->height == 480);
        const std::vector<std::string> found = scanner.scan(*frame);
        CHECK(found.size() <= 1);
        if (!found.empty()) {
            CHECK(found.front() == "LPR-7K3M-Q9");
            ++decoded;
        }
    }
    // A person holds the slip for a second or two: every frame of it should read.
    CHECK(decoded == kFrames);

    // A still shows it too, and the scanner scales the big frame down first.
    Result<Frame> still = cam.captureStill();
    REQUIRE(still.ok());
    CHECK(scanner.scanFirst(*still) == std::optional<std::string>("LPR-7K3M-Q9"));

    // Another code, then none.
    cam.showSlip("https://lapor.example.id/s/ABC-123");
    clock.advance(100);
    std::optional<Frame> other = cam.takeLatestPreview();
    REQUIRE(other.has_value());
    CHECK(scanner.scanFirst(*other) ==
          std::optional<std::string>("https://lapor.example.id/s/ABC-123"));
    cam.hideSlip();
    CHECK_FALSE(cam.shownSlip().has_value());
    clock.advance(100);
    std::optional<Frame> plain = cam.takeLatestPreview();
    REQUIRE(plain.has_value());
    CHECK(scanner.scan(*plain).empty());
}

TEST_CASE("QrScanner finds nothing in plain scenes") {
    QrScanner scanner;
    for (std::int64_t t : {0, 333, 5000, 61'000}) {
        for (FrameSize size : {FrameSize{640, 480}, FrameSize{1280, 720}, FrameSize{320, 240}}) {
            const Frame frame = renderTestScene(size, t, 1'767'225'600'000 + t, t / 33);
            CHECK(scanner.scan(frame).empty());
        }
    }
}

TEST_CASE("QrScanner survives empty, odd and inconsistent frames") {
    QrScanner scanner;
    CHECK(scanner.scan(Frame{}).empty());
    Frame tooShort;
    tooShort.width = 640;
    tooShort.height = 480;
    tooShort.rgb.resize(100);
    CHECK(scanner.scan(tooShort).empty());
    Frame huge;
    huge.width = 0xFFFFFFFFU;
    huge.height = 0xFFFFFFFFU;
    CHECK(scanner.scan(huge).empty());
    std::mt19937 rng(1234);
    for (std::uint32_t w : {1U, 2U, 3U, 7U, 31U, 641U, 2000U}) {
        for (std::uint32_t h : {1U, 5U, 479U, 1U}) {
            Frame f;
            f.width = w;
            f.height = h;
            f.rgb.resize(std::size_t{3} * w * h);
            for (auto& b : f.rgb) {
                b = static_cast<std::uint8_t>(rng());
            }
            CHECK(scanner.scan(f).empty());
        }
    }
    // Scaled down below one pixel: nothing, no crash.
    hw::QrScanner tiny(16);
    Frame strip;
    strip.width = 4000;
    strip.height = 3;
    strip.rgb.assign(std::size_t{3} * 4000 * 3, 0);
    CHECK(tiny.scan(strip).empty());
    // The scanner still works after all that.
    Frame slip = renderTestScene({640, 480}, 0, 0, 0);
    REQUIRE(drawHeldSlip(slip, "AFTER-GARBAGE", 0));
    CHECK(scanner.scanFirst(slip) == std::optional<std::string>("AFTER-GARBAGE"));
    CHECK_FALSE(drawHeldSlip(strip, "", 0));
    Frame empty;
    CHECK_FALSE(drawHeldSlip(empty, "X", 0));
}

TEST_CASE("toGrey converts BT.601 luma and box-averages by whole factors") {
    Frame f;
    f.width = 4;
    f.height = 2;
    f.rgb = {255, 255, 255, 0, 0, 0, 255, 0, 0,   0,  255, 0,
             255, 255, 255, 0, 0, 0, 0,   0, 255, 10, 10,  10};
    const hw::GreyImage full = hw::toGrey(f, 100);
    REQUIRE(full.width == 4);
    REQUIRE(full.height == 2);
    CHECK(full.pixels[0] == 255);
    CHECK(full.pixels[1] == 0);
    CHECK(full.pixels[2] == 76);   // red
    CHECK(full.pixels[3] == 149);  // green
    const hw::GreyImage half = hw::toGrey(f, 2);
    REQUIRE(half.width == 2);
    REQUIRE(half.height == 1);
    CHECK(half.pixels[0] == 127);  // two white, two black
}

TEST_CASE("the slip scene follows a polled file and the factory's environment switch") {
    hw::test::TempDir tmp;
    const auto file = tmp.path / "slip.txt";
    FakeClock clock;
    SimulatedCamera::Options o = scanOptions();
    o.slipFile = file.string();
    SimulatedCamera cam(clock, o);
    startPreview(cam);
    QrScanner scanner;
    clock.advance(100);
    std::optional<Frame> frame = cam.takeLatestPreview();
    REQUIRE(frame.has_value());
    CHECK(scanner.scan(*frame).empty());  // no file: no slip
    { std::ofstream(file) << "  LPR-FILE-01 \n"; }
    clock.advance(300);  // past the poll interval
    frame = cam.takeLatestPreview();
    REQUIRE(frame.has_value());
    CHECK(cam.shownSlip() == std::optional<std::string>("LPR-FILE-01"));
    CHECK(scanner.scanFirst(*frame) == std::optional<std::string>("LPR-FILE-01"));
    std::filesystem::remove(file);
    clock.advance(300);
    frame = cam.takeLatestPreview();
    REQUIRE(frame.has_value());
    CHECK_FALSE(cam.shownSlip().has_value());
    CHECK(scanner.scan(*frame).empty());

    // LAPOR_SIM_CAMERA_SLIP reaches a camera made by makeCamera.
    REQUIRE(::setenv("LAPOR_SIM_CAMERA_SLIP", "LPR-ENV-42", 1) == 0);
    CameraConfig config;
    config.backend = CameraBackend::simulated;
    config.still = {1280, 960};
    CameraChoice choice = makeCamera(config, clock);
    ::unsetenv("LAPOR_SIM_CAMERA_SLIP");
    auto* sim = dynamic_cast<SimulatedCamera*>(choice.camera.get());
    REQUIRE(sim != nullptr);
    CHECK(sim->shownSlip() == std::optional<std::string>("LPR-ENV-42"));
    REQUIRE(sim->open("").ok());
    REQUIRE(sim->startPreview({640, 480}).ok());
    clock.advance(100);
    frame = sim->takeLatestPreview();
    REQUIRE(frame.has_value());
    CHECK(scanner.scanFirst(*frame) == std::optional<std::string>("LPR-ENV-42"));
}
