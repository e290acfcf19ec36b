// Video clips: record the moving test scene, check the MP4 and its hash, play it back (forward,
// rewind, thumbnail), refuse damaged bytes, respect the length limit, cancel cleanly.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "hardware/camera_scene.hpp"
#include "hardware/camera_simulated.hpp"
#include "hardware/video.hpp"

using namespace lapor;
using namespace lapor::hw;

namespace {

constexpr std::int64_t kWallMs = 1'767'225'600'000;

// Camera frame `index` of a 30 fps stream of the moving test scene.
Frame cameraFrame(FrameSize size, std::int64_t index) {
    const std::int64_t ms = index * 1000 / 30;
    Frame f = renderTestScene(size, ms, kWallMs + ms, index);
    f.sequence = index;
    f.timestampMs = 50'000 + ms;
    return f;
}

// Pushes `seconds` of a 30 fps camera at the camera's pace (the encoder runs in real time
// beside it, as on the kiosk), and returns how many frames the recorder was offered.
int recordPaced(VideoRecorder& recorder, FrameSize size, double seconds) {
    const auto start = std::chrono::steady_clock::now();
    const int frames = static_cast<int>(seconds * 30);
    for (int i = 0; i < frames; ++i) {
        recorder.push(cameraFrame(size, i));
        std::this_thread::sleep_until(start + std::chrono::microseconds((i + 1) * 1'000'000 / 30));
    }
    return frames;
}

Clip recordClip(FrameSize size, double seconds, std::uint64_t* skipped = nullptr) {
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    recordPaced(**recorder, size, seconds);
    if (skipped != nullptr) {
        *skipped = (*recorder)->skippedFrames();
    }
    auto clip = (*recorder)->finish();
    REQUIRE(clip.ok());
    return std::move(clip).value();
}

// The recorded 3 s clip, made once for the playback tests.
const Clip& threeSeconds(std::uint64_t* skipped = nullptr) {
    static std::uint64_t skippedFrames = 0;
    static const Clip clip = recordClip({1280, 720}, 3.0, &skippedFrames);
    if (skipped != nullptr) {
        *skipped = skippedFrames;
    }
    return clip;
}

std::size_t findBox(const std::vector<std::uint8_t>& bytes, const char* type) {
    for (std::size_t i = 0; i + 4 <= bytes.size(); ++i) {
        if (std::memcmp(bytes.data() + i, type, 4) == 0) {
            return i;
        }
    }
    return bytes.size();
}

double meanAbsDiff(const Frame& a, const Frame& b) {
    REQUIRE(a.rgb.size() == b.rgb.size());
    double sum = 0;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) {
        sum += std::abs(static_cast<int>(a.rgb[i]) - static_cast<int>(b.rgb[i]));
    }
    return sum / static_cast<double>(a.rgb.size());
}

}  // namespace

TEST_CASE("video: the simulated camera's scene moves from frame to frame") {
    FakeClock clock;
    SimulatedCamera::Options o;
    o.still = {640, 360};
    o.notifyThread = false;
    SimulatedCamera camera(clock, o);
    REQUIRE(camera.open("").ok());
    REQUIRE(camera.startPreview({640, 360}).ok());
    auto a = camera.takeLatestPreview();
    clock.advance(67);
    auto b = camera.takeLatestPreview();
    REQUIRE(a);
    REQUIRE(b);
    std::size_t changed = 0;
    for (std::size_t i = 0; i < a->rgb.size(); i += 3) {
        changed += a->rgb[i] != b->rgb[i] || a->rgb[i + 1] != b->rgb[i + 1] ||
                   a->rgb[i + 2] != b->rgb[i + 2];
    }
    // The drifting background alone changes most pixels; the ball and bar move on top.
    CHECK(changed > a->rgb.size() / 3 / 2);
}

TEST_CASE("video: a 3 s recording is an H.264 MP4 with its hash, length and size") {
    std::uint64_t skipped = 0;
    const Clip& clip = threeSeconds(&skipped);
    CHECK(clip.kind == MediaKind::video);
    CHECK(clip.width == 640);
    CHECK(clip.height == 360);
    REQUIRE(clip.bytes.size() > 16);
    CHECK(std::memcmp(clip.bytes.data() + 4, "ftyp", 4) == 0);
    // Fast start: the index comes before the pictures, so a phone can play while downloading.
    CHECK(findBox(clip.bytes, "moov") < findBox(clip.bytes, "mdat"));
    CHECK(clip.sha256Hex == crypto::sha256Hex(clip.bytes));
    // H.264 Main profile (77), which every phone and browser plays: the avcC record's byte 1.
    const std::size_t avcc = findBox(clip.bytes, "avcC");
    REQUIRE(avcc + 6 < clip.bytes.size());
    CHECK(clip.bytes[avcc + 4] == 1);   // configurationVersion
    CHECK(clip.bytes[avcc + 5] == 77);  // AVCProfileIndication
    // No time stamp of when it was filmed: the movie header's creation and modification times
    // (version 0: 32-bit fields after version and flags) stay 0.
    const std::size_t mvhd = findBox(clip.bytes, "mvhd");
    REQUIRE(mvhd + 16 < clip.bytes.size());
    CHECK(clip.bytes[mvhd + 4] == 0);
    for (std::size_t i = mvhd + 8; i < mvhd + 16; ++i) {
        CHECK(clip.bytes[i] == 0);
    }
    CHECK(clip.durationMs >= 2700);
    CHECK(clip.durationMs <= 3300);
    // 350 kbit/s at most on average: about 130 KB for 3 s; the test scene takes less.
    CHECK(clip.bytes.size() > 5'000);
    CHECK(clip.bytes.size() < 200'000);
    MESSAGE("3 s clip: " << clip.bytes.size() << " bytes, " << clip.durationMs << " ms, " << skipped
                         << " frames skipped");
}

TEST_CASE("video: playback has the recorded frames, forward and after a rewind") {
    std::uint64_t skipped = 0;
    const Clip& clip = threeSeconds(&skipped);
    auto player = VideoPlayer::open(clip.bytes);
    REQUIRE(player.ok());
    VideoPlayer& p = **player;
    CHECK(p.size() == FrameSize{640, 360});
    CHECK(p.durationMs() >= 2700);
    CHECK(p.durationMs() <= 3300);
    CHECK(std::abs(static_cast<std::int64_t>(p.durationMs()) -
                   static_cast<std::int64_t>(clip.durationMs)) <= 67);

    // Walk the clip in steps of half a frame: every frame shows up once, in order.
    std::int64_t lastSequence = -1;
    int frames = 0;
    for (std::int64_t ms = 0; ms < 4000; ms += 33) {
        auto frame = p.frameAt(ms);
        REQUIRE(frame.ok());
        if (!*frame) {
            CHECK(ms >= p.durationMs());
            break;
        }
        CHECK((*frame)->width == 640);
        CHECK((*frame)->height == 360);
        CHECK((*frame)->rgb.size() == std::size_t{3} * 640 * 360);
        CHECK((*frame)->timestampMs <= ms);
        CHECK((*frame)->sequence >= lastSequence);
        if ((*frame)->sequence != lastSequence) {
            ++frames;
            lastSequence = (*frame)->sequence;
        }
    }
    // 3 s at 15 fps, less those the encoder had no room for.
    CHECK(frames == 45 - static_cast<int>(skipped));
    CHECK(frames >= 35);

    // Rewind: the frame at 0.5 s after the end was shown equals a fresh player's.
    auto again = p.frameAt(500);
    REQUIRE(again.ok());
    REQUIRE(*again);
    CHECK((*again)->timestampMs <= 500);
    CHECK((*again)->timestampMs > 500 - 200);
    auto fresh = VideoPlayer::open(clip.bytes);
    REQUIRE(fresh.ok());
    auto expected = (*fresh)->frameAt(500);
    REQUIRE(expected.ok());
    REQUIRE(*expected);
    CHECK((*again)->timestampMs == (*expected)->timestampMs);
    CHECK((*again)->sequence == (*expected)->sequence);
    CHECK((*again)->rgb == (*expected)->rgb);

    // Forward again from there, and asking for the same time twice gives the same picture.
    auto later = p.frameAt(2000);
    REQUIRE(later.ok());
    REQUIRE(*later);
    CHECK((*later)->timestampMs <= 2000);
    CHECK((*later)->timestampMs > 2000 - 200);
    auto same = p.frameAt(2000);
    REQUIRE(same.ok());
    REQUIRE(*same);
    CHECK((*same)->rgb == (*later)->rgb);

    // The picture is the scene (colours and positions right), within what compression loses.
    const std::int64_t sceneMs = (*later)->timestampMs;
    const Frame source = renderTestScene({640, 360}, sceneMs, kWallMs + sceneMs, 0);
    CHECK(meanAbsDiff(**later, source) < 12.0);

    auto past = p.frameAt(p.durationMs() + 10);
    REQUIRE(past.ok());
    CHECK(!*past);
}

TEST_CASE("video: firstFrame is the clip's first picture") {
    const Clip& clip = threeSeconds();
    auto first = firstFrame(clip.bytes);
    REQUIRE(first.ok());
    CHECK(first->width == 640);
    CHECK(first->height == 360);
    CHECK(first->timestampMs == 0);
    const Frame source = renderTestScene({640, 360}, 0, kWallMs, 0);
    CHECK(meanAbsDiff(*first, source) < 12.0);
}

TEST_CASE("video: a 4:3 camera is letterboxed, not stretched") {
    const Clip clip = recordClip({800, 600}, 0.5);
    auto first = firstFrame(clip.bytes);
    REQUIRE(first.ok());
    REQUIRE(first->width == 640);
    REQUIRE(first->height == 360);
    // 800x600 fits as 480x360 in the middle: 80 px of black either side.
    const auto at = [&](std::uint32_t x, std::uint32_t y) {
        const std::uint8_t* p = first->rgb.data() + (std::size_t{y} * 640 + x) * 3;
        return static_cast<int>(p[0]) + p[1] + p[2];
    };
    CHECK(at(20, 200) < 30);
    CHECK(at(620, 200) < 30);
    CHECK(at(320, 200) > 100);
}

TEST_CASE("video: damaged, truncated and random bytes are refused as corrupt") {
    const Clip& clip = threeSeconds();
    const auto refused = [](const std::vector<std::uint8_t>& bytes) {
        auto player = VideoPlayer::open(bytes);
        auto first = firstFrame(bytes);
        return !player.ok() && player.error().code == Errc::corrupt && !first.ok() &&
               first.error().code == Errc::corrupt;
    };
    CHECK(refused({}));
    for (const std::size_t keep : {std::size_t{8}, std::size_t{100}, clip.bytes.size() / 3,
                                   clip.bytes.size() / 2, clip.bytes.size() - 1}) {
        std::vector<std::uint8_t> cut(clip.bytes.begin(),
                                      clip.bytes.begin() + static_cast<std::ptrdiff_t>(keep));
        CHECK_MESSAGE(refused(cut), "cut at " << keep);
    }
    std::mt19937 rng(15);
    for (int round = 0; round < 20; ++round) {
        std::vector<std::uint8_t> noise(1000 + rng() % 50'000);
        for (auto& b : noise) {
            b = static_cast<std::uint8_t>(rng());
        }
        if (round % 2 == 1) {
            std::memcpy(noise.data() + 4, "ftyp", 4);  // looks like an MP4 at first glance
        }
        CHECK(refused(noise));
    }
    // Damage inside the pictures: may still play (the decoder conceals), but never crashes.
    for (int round = 0; round < 10; ++round) {
        std::vector<std::uint8_t> damaged = clip.bytes;
        for (int i = 0; i < 40; ++i) {
            damaged[rng() % damaged.size()] = static_cast<std::uint8_t>(rng());
        }
        auto player = VideoPlayer::open(damaged);
        if (!player) {
            CHECK(player.error().code == Errc::corrupt);
            continue;
        }
        for (std::int64_t ms = 0; ms < 3500; ms += 100) {
            auto frame = (*player)->frameAt(ms);
            if (!frame) {
                CHECK(frame.error().code == Errc::corrupt);
                break;
            }
            if (!*frame) {
                break;
            }
        }
        (void)(*player)->frameAt(0);  // rewind over damaged data
    }
}

TEST_CASE("video: pure noise, the hardest picture, stays within the bitrate cap") {
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    std::uint32_t x = 2463534242U;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 45; ++i) {  // 3 s at 15 fps
        Frame f;
        f.width = 640;
        f.height = 360;
        f.rgb.resize(std::size_t{3} * 640 * 360);
        for (auto& v : f.rgb) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v = static_cast<std::uint8_t>(x);
        }
        f.timestampMs = std::int64_t{i} * 1000 / 15;
        (*recorder)->push(f);
        std::this_thread::sleep_until(start + std::chrono::microseconds((i + 1) * 1'000'000 / 15));
    }
    auto clip = (*recorder)->finish();
    REQUIRE(clip.ok());
    // 350 kbit/s for 3 s plus the 2 s rate buffer: (3 x 350 + 700) kbit = 218,750 bytes.
    CHECK(clip->bytes.size() <= 218'750);
    CHECK(clip->bytes.size() > 50'000);  // the cap was reached: noise takes all it may
    MESSAGE("3 s of noise: " << clip->bytes.size() << " bytes");
}

TEST_CASE("video: frames beyond the maximum length are not taken") {
    VideoOptions o;
    o.maxDurationMs = 1000;
    auto recorder = VideoRecorder::start(o);
    REQUIRE(recorder.ok());
    VideoRecorder& r = **recorder;
    CHECK(!r.full());
    recordPaced(r, {640, 360}, 1.6);
    CHECK(r.full());
    CHECK(r.elapsedMs() <= 1000);
    CHECK(r.elapsedMs() >= 900);
    auto clip = r.finish();
    REQUIRE(clip.ok());
    CHECK(clip->durationMs <= 1050);
    CHECK(clip->durationMs >= 900);
}

TEST_CASE("video: a camera faster than the clip's rate gives the clip's rate") {
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    // 60 fps camera, 1 s, pushed as fast as possible: at most 15 frames are kept; whatever the
    // encoder had no room for is counted, never queued.
    for (int i = 0; i < 60; ++i) {
        Frame f = renderTestScene({320, 180}, i * 1000 / 60, kWallMs, i);
        f.timestampMs = i * 1000 / 60;
        (*recorder)->push(f);
    }
    CHECK((*recorder)->elapsedMs() >= 900);
    CHECK((*recorder)->elapsedMs() <= 1000);
    const std::uint64_t skipped = (*recorder)->skippedFrames();
    CHECK(skipped <= 14);
    auto clip = (*recorder)->finish();
    REQUIRE(clip.ok());
    auto player = VideoPlayer::open(clip->bytes);
    REQUIRE(player.ok());
    std::int64_t last = -1;
    int frames = 0;
    for (std::int64_t ms = 0; ms < 1200; ms += 10) {
        auto frame = (*player)->frameAt(ms);
        REQUIRE(frame.ok());
        if (!*frame) {
            break;
        }
        if ((*frame)->sequence != last) {
            ++frames;
            last = (*frame)->sequence;
        }
    }
    CHECK(frames == 15 - static_cast<int>(skipped));
}

TEST_CASE("video: finishing without frames, twice, or with bad options") {
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    auto empty = (*recorder)->finish();
    REQUIRE(!empty.ok());
    CHECK(empty.error().code == Errc::invalidInput);
    auto twice = (*recorder)->finish();
    REQUIRE(!twice.ok());
    CHECK(twice.error().code == Errc::invalidInput);
    (*recorder)->push(cameraFrame({320, 180}, 0));  // after finish: ignored

    VideoOptions odd;
    odd.width = 641;
    auto bad = VideoRecorder::start(odd);
    REQUIRE(!bad.ok());
    CHECK(bad.error().code == Errc::invalidInput);

    // A frame whose pixels do not match its size is ignored, not read past its end.
    auto other = VideoRecorder::start({});
    REQUIRE(other.ok());
    Frame broken = cameraFrame({320, 180}, 0);
    broken.rgb.resize(100);
    (*other)->push(broken);
    auto none = (*other)->finish();
    REQUIRE(!none.ok());
    CHECK(none.error().code == Errc::invalidInput);
}

TEST_CASE("video: destroying a recorder mid-recording cancels it cleanly") {
    for (int round = 0; round < 3; ++round) {
        auto recorder = VideoRecorder::start({});
        REQUIRE(recorder.ok());
        for (int i = 0; i < 10 + round * 7; ++i) {
            (*recorder)->push(cameraFrame({640, 360}, i));
        }
        recorder->reset();  // the encoder thread may be busy with a frame right now
    }
    auto recorder = VideoRecorder::start({});
    REQUIRE(recorder.ok());
    CHECK((*recorder)->elapsedMs() == 0);
}
