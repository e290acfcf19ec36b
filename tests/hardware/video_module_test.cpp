// The video codec module: loaded on the first recorder or player, unloaded when the last one is
// gone (libavcodec then leaves the address space), and a missing or broken module is an ordinary
// Errc::unavailable, never a crash.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "hardware/camera_scene.hpp"
#include "hardware/video.hpp"
#include "hardware/video_module.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using namespace lapor::hw;

namespace {

// Whether a mapping of a file whose name contains `name` is in this process now.
bool mapped(const std::string& name) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (line.find(name) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// Points the module search at `dir` for as long as it lives.
struct ModuleDir {
    explicit ModuleDir(const std::string& dir) {
        REQUIRE(::setenv(video_module::kDirEnv, dir.c_str(), 1) == 0);
    }
    ~ModuleDir() { ::unsetenv(video_module::kDirEnv); }
    ModuleDir(const ModuleDir&) = delete;
    ModuleDir& operator=(const ModuleDir&) = delete;
};

Clip recordFrames(int frames) {
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    CHECK(video_module::loaded());
    for (int i = 0; i < frames; ++i) {
        const std::int64_t ms = std::int64_t{i} * 1000 / 15;
        Frame f = renderTestScene({1280, 720}, ms, 1'767'225'600'000 + ms, i);
        f.sequence = i;
        f.timestampMs = 10'000 + ms;
        (*recorder)->push(f);
    }
    auto clip = (*recorder)->finish();
    REQUIRE(clip.ok());
    return std::move(clip).value();
}

}  // namespace

TEST_CASE("video module: a folder without it gives unavailable, for recording and playing") {
    test::TempDir empty;
    const ModuleDir dir(empty.path.string());
    auto recorder = VideoRecorder::start({});
    REQUIRE_FALSE(recorder.ok());
    CHECK(recorder.error().code == Errc::unavailable);
    CHECK(recorder.error().message.find("not installed") != std::string::npos);
    CHECK(recorder.error().message.find(empty.path.string()) != std::string::npos);
    const std::vector<std::uint8_t> bytes(64, 0);
    auto player = VideoPlayer::open(bytes);
    REQUIRE_FALSE(player.ok());
    CHECK(player.error().code == Errc::unavailable);
    auto thumb = firstFrame(bytes);
    REQUIRE_FALSE(thumb.ok());
    CHECK(thumb.error().code == Errc::unavailable);
    CHECK_FALSE(video_module::loaded());
    // Bad options are the caller's mistake, told before any module is looked for.
    VideoOptions odd;
    odd.width = 641;
    auto bad = VideoRecorder::start(odd);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::invalidInput);
}

TEST_CASE("video module: a damaged file in its place gives unavailable with the reason") {
    test::TempDir tmp;
    {
        std::ofstream junk(tmp.path / video_module::kFileName, std::ios::binary);
        junk << "this is not an ELF shared object";
    }
    const ModuleDir dir(tmp.path.string());
    auto recorder = VideoRecorder::start({});
    REQUIRE_FALSE(recorder.ok());
    CHECK(recorder.error().code == Errc::unavailable);
    CHECK(recorder.error().message.find("cannot load the codec module") != std::string::npos);
    CHECK_FALSE(video_module::loaded());
    CHECK(video_module::liveObjects() == 0);
}

TEST_CASE("video module: mapped while a recorder or player lives, gone after") {
    REQUIRE(video_module::liveObjects() == 0);
    CHECK_FALSE(video_module::loaded());
    CHECK_FALSE(mapped("libavcodec.so"));
    CHECK_FALSE(mapped(video_module::kFileName));

    {
        auto recorder = VideoRecorder::start({});
        REQUIRE(recorder.ok());
        CHECK(video_module::loaded());
        CHECK(video_module::liveObjects() == 1);
        CHECK(mapped("libavcodec.so"));
        CHECK(mapped(video_module::kFileName));
    }
    CHECK_FALSE(video_module::loaded());
    CHECK_FALSE(mapped("libavcodec.so"));
    CHECK_FALSE(mapped(video_module::kFileName));

    const Clip clip = recordFrames(20);
    CHECK_FALSE(video_module::loaded());
    CHECK(clip.width == 640);
    CHECK(clip.durationMs >= 1200);

    {
        auto player = VideoPlayer::open(clip.bytes);
        REQUIRE(player.ok());
        CHECK(mapped("libavcodec.so"));
        auto second = VideoPlayer::open(clip.bytes);  // two at once share the one module
        REQUIRE(second.ok());
        CHECK(video_module::liveObjects() == 2);
        player->reset();
        CHECK(video_module::loaded());
        auto frame = (*second)->frameAt(500);
        REQUIRE(frame.ok());
        CHECK(frame->has_value());
    }
    CHECK_FALSE(video_module::loaded());
    CHECK_FALSE(mapped("libavcodec.so"));

    auto thumb = firstFrame(clip.bytes);
    REQUIRE(thumb.ok());
    CHECK(thumb->width == 640);
    CHECK_FALSE(video_module::loaded());
    CHECK_FALSE(mapped("libavcodec.so"));
}
