// Spoken notes: the simulated microphone (synthetic voice, WAV file, absent), the meter, Opus
// encoding and decoding round trips, damaged notes, and playback into a WAV file.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numbers>
#include <set>

#include "core/crypto.hpp"
#include "core/durable_file.hpp"
#include "core/i18n.hpp"
#include "hardware/voice.hpp"
#include "printer_test_support.hpp"

using namespace lapor;
using namespace lapor::hw;
using lapor::hw::test::TempDir;
using lapor::hw::test::waitUntil;

namespace {

constexpr MicState kAllMicStates[] = {MicState::noMicrophone, MicState::ready, MicState::capturing,
                                      MicState::error};

// Sets an environment variable for one scope.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const char* value) : name(std::move(n)) {
        REQUIRE(::setenv(name.c_str(), value, 1) == 0);
    }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
};

void putLe(std::vector<std::uint8_t>& v, std::uint32_t x, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
    }
}

// A 16-bit PCM WAV file of a sine at `hz`, amplitude 0.5, `channels` channels.
std::vector<std::uint8_t> sineWav(int rate, int channels, double hz, double seconds) {
    const auto frames = static_cast<std::uint32_t>(rate * seconds);
    const std::uint32_t dataBytes = frames * 2 * static_cast<std::uint32_t>(channels);
    std::vector<std::uint8_t> w;
    for (char c : std::string_view("RIFF")) {
        w.push_back(static_cast<std::uint8_t>(c));
    }
    putLe(w, 36 + dataBytes, 4);
    for (char c : std::string_view("WAVEfmt ")) {
        w.push_back(static_cast<std::uint8_t>(c));
    }
    putLe(w, 16, 4);
    putLe(w, 1, 2);
    putLe(w, static_cast<std::uint32_t>(channels), 2);
    putLe(w, static_cast<std::uint32_t>(rate), 4);
    putLe(w, static_cast<std::uint32_t>(rate * 2 * channels), 4);
    putLe(w, static_cast<std::uint32_t>(2 * channels), 2);
    putLe(w, 16, 2);
    for (char c : std::string_view("data")) {
        w.push_back(static_cast<std::uint8_t>(c));
    }
    putLe(w, dataBytes, 4);
    for (std::uint32_t i = 0; i < frames; ++i) {
        const double v = 0.5 * std::sin(2 * std::numbers::pi * hz * i / rate);
        for (int c = 0; c < channels; ++c) {
            putLe(w, static_cast<std::uint16_t>(static_cast<std::int16_t>(v * 32767)), 2);
        }
    }
    return w;
}

// Captures from `mic` until it delivered `samples` samples (bounded), returns them.
std::vector<std::int16_t> captureAtLeast(Microphone& mic, std::size_t samples) {
    std::vector<std::int16_t> all;
    CHECK(waitUntil(
        [&] {
            std::vector<std::int16_t> got = mic.take();
            all.insert(all.end(), got.begin(), got.end());
            return all.size() >= samples;
        },
        std::chrono::seconds(10)));
    return all;
}

double energy(std::span<const std::int16_t> s) {
    double e = 0;
    for (std::int16_t x : s) {
        e += static_cast<double>(x) * x;
    }
    return e;
}

// The best normalised cross-correlation of a and b over lags -maxLag..maxLag.
double bestCorrelation(std::span<const std::int16_t> a, std::span<const std::int16_t> b,
                       int maxLag) {
    const std::size_t n = std::min(a.size(), b.size());
    double best = -1;
    for (int lag = -maxLag; lag <= maxLag; lag += 1) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (std::size_t i = static_cast<std::size_t>(maxLag);
             i + static_cast<std::size_t>(maxLag) < n; i += 1) {
            const double x = a[i];
            const double y = b[static_cast<std::size_t>(static_cast<std::ptrdiff_t>(i) + lag)];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        if (aa > 0 && bb > 0) {
            best = std::max(best, ab / std::sqrt(aa * bb));
        }
    }
    return best;
}

Clip record(std::span<const std::int16_t> pcm, int rate, VoiceOptions options = {}) {
    auto rec = VoiceRecorder::start(rate, options);
    REQUIRE(rec);
    // Pieces of uneven size, as take() delivers them.
    for (std::size_t at = 0; at < pcm.size();) {
        const std::size_t n = std::min<std::size_t>(pcm.size() - at, 700 + (at / 7) % 1300);
        REQUIRE((*rec)->push(pcm.subspan(at, n)));
        at += n;
    }
    auto clip = (*rec)->finish();
    REQUIRE(clip);
    return std::move(clip).value();
}

}  // namespace

TEST_CASE("mic state names and msgids are distinct and translated") {
    std::set<std::string> names;
    std::set<std::string> ids;
    auto catalog = Catalog::loadDir(std::filesystem::path(LAPOR_SOURCE_DIR) / "po");
    REQUIRE(catalog);
    for (MicState s : kAllMicStates) {
        names.insert(micStateName(s));
        ids.insert(micStateMsgid(s));
        for (Lang lang : kAllLangs) {
            CHECK_MESSAGE(catalog->has(lang, micStateMsgid(s)), micStateMsgid(s));
        }
    }
    CHECK(names.size() == 4);
    CHECK(ids.size() == 4);
    CHECK(std::string(micStateMsgid(MicState::noMicrophone)) == "mic.state.noMicrophone");
}

TEST_CASE("meter: silence is 0, full scale is 1, -25 dBFS is half way") {
    std::vector<std::int16_t> s(4800, 0);
    CHECK(meterLevel(s) == 0.0F);
    CHECK(meterLevel({}) == 0.0F);
    std::fill(s.begin(), s.end(), std::int16_t{32767});
    CHECK(meterLevel(s) == doctest::Approx(1.0).epsilon(0.01));
    const auto quiet = static_cast<std::int16_t>(32768 * std::pow(10.0, -25.0 / 20));  // DC
    std::fill(s.begin(), s.end(), quiet);
    CHECK(meterLevel(s) == doctest::Approx(0.5).epsilon(0.01));
    std::fill(s.begin(), s.end(), std::int16_t{30});  // about -61 dBFS
    CHECK(meterLevel(s) == 0.0F);
}

TEST_CASE("synthetic voice: syllables above the meter's floor, pauses near silence") {
    const std::vector<std::int16_t> v = syntheticVoice(48'000, 4000);
    REQUIRE(v.size() == 192'000);
    float loudest = 0;
    float quietest = 1;
    for (std::size_t at = 0; at + 960 <= v.size(); at += 960) {
        const float level = meterLevel(std::span(v).subspan(at, 960));
        loudest = std::max(loudest, level);
        quietest = std::min(quietest, level);
    }
    CHECK(loudest > 0.6F);
    CHECK(quietest < 0.1F);
    CHECK(syntheticVoice(16'000, 1000).size() == 16'000);
}

TEST_CASE("simulated microphone: samples at about real time, and the meter moves") {
    MicConfig config;
    config.backend = MicBackend::simulated;
    MicChoice choice = makeMicrophone(config);
    Microphone& mic = *choice.mic;
    CHECK(mic.simulated());
    CHECK(mic.state() == MicState::ready);
    CHECK(mic.describe().find("synthetic voice") != std::string::npos);
    const int rate = mic.sampleRate();
    CHECK((rate == 48'000 || rate == 16'000));
    const auto begin = std::chrono::steady_clock::now();
    REQUIRE(mic.start());
    CHECK(mic.state() == MicState::capturing);
    const std::vector<std::int16_t> got =
        captureAtLeast(mic, static_cast<std::size_t>(rate) * 6 / 10);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    mic.stop();
    CHECK(mic.state() == MicState::ready);
    // Not faster than real time; on a loaded machine it may lag a little.
    const double perSecond = static_cast<double>(got.size()) / seconds;
    CHECK(perSecond < rate * 1.1);
    CHECK(perSecond > rate * 0.5);
    CHECK(meterLevel(got) > 0.3F);
    CHECK(mic.take().empty());  // stopped: nothing more arrives
}

TEST_CASE("LAPOR_SIM_MIC=none: no microphone, start() is unavailable") {
    const ScopedEnv none("LAPOR_SIM_MIC", "none");
    for (MicBackend backend : {MicBackend::simulated, MicBackend::automatic}) {
        MicConfig config;
        config.backend = backend;
        MicChoice choice = makeMicrophone(config);
        if (backend == MicBackend::automatic && !choice.mic->simulated()) {
            continue;  // this machine has a real microphone
        }
        CHECK(choice.mic->state() == MicState::noMicrophone);
        Status s = choice.mic->start();
        REQUIRE_FALSE(s);
        CHECK(s.error().code == Errc::unavailable);
        CHECK(choice.mic->describe().find("no microphone") != std::string::npos);
        CHECK(choice.reason.find("LAPOR_SIM_MIC=none") != std::string::npos);
    }
}

TEST_CASE("SDL microphone: none on this machine says noMicrophone, never hangs") {
    if (!captureDeviceNames().empty()) {
        return;  // a machine with a microphone: lapor-hwtest mic checks it
    }
    MicConfig config;
    config.backend = MicBackend::sdl;
    MicChoice choice = makeMicrophone(config);
    CHECK_FALSE(choice.mic->simulated());
    CHECK(choice.mic->state() == MicState::noMicrophone);
    Status s = choice.mic->start();
    REQUIRE_FALSE(s);
    CHECK(s.error().code == Errc::unavailable);
    CHECK(choice.mic->describe().find("no microphone") != std::string::npos);
    // Automatic falls back to the simulated one.
    config.backend = MicBackend::automatic;
    CHECK(makeMicrophone(config).mic->simulated());
}

TEST_CASE("SDL microphone: real capture through SDL's disk audio driver") {
    // SDL's "disk" driver reads capture samples from a raw file at the device's rate and pace:
    // the whole SDL path (open, callback, buffer, stop) without a sound card.
    TempDir tmp;
    const auto raw = tmp.path / "in.raw";
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < 48'000; ++i) {
        const auto v =
            static_cast<std::int16_t>(16383 * std::sin(2 * std::numbers::pi * 440 * i / 48'000));
        std::uint16_t u = 0;
        std::memcpy(&u, &v, sizeof u);
        putLe(bytes, u, 2);  // SDL's disk driver: AUDIO_S16SYS, little-endian on our machines
    }
    REQUIRE(writeFileDurably(raw, bytes));
    const ScopedEnv driver("SDL_AUDIODRIVER", "disk");
    const ScopedEnv in("SDL_DISKAUDIOFILEIN", raw.c_str());
    const ScopedEnv out("SDL_DISKAUDIOFILE", (tmp.path / "out.raw").c_str());
    REQUIRE(captureDeviceNames().size() == 1);
    MicConfig config;
    config.backend = MicBackend::automatic;
    MicChoice choice = makeMicrophone(config);
    Microphone& mic = *choice.mic;
    REQUIRE_FALSE(mic.simulated());
    CHECK(mic.state() == MicState::ready);
    CHECK(mic.describe() == "SDL default capture device");
    CHECK(choice.reason.find("SDL capture found") != std::string::npos);
    const auto begin = std::chrono::steady_clock::now();
    REQUIRE(mic.start());
    CHECK(mic.state() == MicState::capturing);
    const std::vector<std::int16_t> got = captureAtLeast(mic, 24'000);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    mic.stop();
    CHECK(mic.state() == MicState::ready);
    CHECK(static_cast<double>(got.size()) / seconds < 48'000 * 1.5);
    // A 0.5 sine: RMS -9 dBFS, as written.
    CHECK(meterLevel(std::span(got).first(24'000)) == doctest::Approx(0.82).epsilon(0.03));
    // Another name than SDL's is no microphone.
    config.backend = MicBackend::sdl;
    config.deviceName = "USB Audio";
    MicChoice named = makeMicrophone(config);
    CHECK(named.mic->state() == MicState::noMicrophone);
    CHECK(named.mic->describe().find("USB Audio") != std::string::npos);
}

TEST_CASE("simulated microphone plays a WAV file (stereo 22.05 kHz, resampled)") {
    TempDir tmp;
    const auto wav = tmp.path / "tone.wav";
    REQUIRE(writeFileDurably(wav, sineWav(22'050, 2, 440, 0.5)));
    MicConfig config;
    config.backend = MicBackend::simulated;
    config.simulatedWav = wav.string();
    MicChoice choice = makeMicrophone(config);
    Microphone& mic = *choice.mic;
    CHECK(mic.describe().find("tone.wav") != std::string::npos);
    REQUIRE(mic.start());
    const std::vector<std::int16_t> got =
        captureAtLeast(mic, static_cast<std::size_t>(mic.sampleRate()) * 3 / 10);
    mic.stop();
    // A 0.5 sine: RMS -9 dBFS.
    CHECK(meterLevel(got) == doctest::Approx(0.82).epsilon(0.03));
    // 440 Hz after resampling: 880 sign changes a second (the loop's seam adds at most a few).
    int crossings = 0;
    for (std::size_t i = 1; i < got.size(); ++i) {
        crossings += (got[i - 1] < 0) != (got[i] < 0) ? 1 : 0;
    }
    const double seconds = static_cast<double>(got.size()) / mic.sampleRate();
    CHECK(crossings / seconds == doctest::Approx(880).epsilon(0.03));

    SUBCASE("LAPOR_SIM_MIC_FILE takes precedence; a bad file fails start() and says why") {
        const auto junk = tmp.path / "junk.wav";
        REQUIRE(writeFileDurably(junk, std::string_view("RIFF....WAVEnothing")));
        const ScopedEnv file("LAPOR_SIM_MIC_FILE", junk.c_str());
        MicChoice bad = makeMicrophone(config);
        CHECK(bad.mic->describe().find("junk.wav") != std::string::npos);
        Status s = bad.mic->start();
        REQUIRE_FALSE(s);
        CHECK(s.error().code == Errc::invalidInput);
        CHECK(bad.mic->state() == MicState::error);
    }
}

TEST_CASE("recorder: Ogg Opus, duration, SHA-256, and the decoded note matches") {
    constexpr int kRate = 48'000;
    const std::vector<std::int16_t> pcm = syntheticVoice(kRate, 10'000);
    const Clip clip = record(pcm, kRate);
    CHECK(clip.kind == MediaKind::voice);
    REQUIRE(clip.bytes.size() > 64);
    CHECK(std::memcmp(clip.bytes.data(), "OggS", 4) == 0);
    CHECK(std::memcmp(clip.bytes.data() + 28, "OpusHead", 8) == 0);
    CHECK(clip.durationMs == doctest::Approx(10'000).epsilon(0.05));
    CHECK(clip.sha256Hex == crypto::sha256Hex(clip.bytes));
    // 24 kbit/s for 10 s is 30 KB; speech with pauses lands near it.
    MESSAGE("10 s note: " << clip.bytes.size() << " bytes");
    CHECK(clip.bytes.size() > 10'000);
    CHECK(clip.bytes.size() < 45'000);

    int rate = 0;
    auto decoded = decodeVoice(clip.bytes, &rate);
    REQUIRE(decoded);
    CHECK(rate == 48'000);
    CHECK(std::abs(static_cast<long>(decoded->size()) - static_cast<long>(pcm.size())) <= 960);
    const double ratio = energy(*decoded) / energy(pcm);
    CHECK(ratio > 0.5);
    CHECK(ratio < 1.5);
    // One voiced second, compared sample by sample (Opus keeps the timing: pre-skip).
    const auto a = std::span(pcm).subspan(48'000, 48'000);
    const auto b = std::span(*decoded).subspan(48'000, 48'000);
    const double corr = bestCorrelation(a, b, 48);
    MESSAGE("correlation " << corr << ", energy ratio " << ratio);
    CHECK(corr > 0.5);
}

TEST_CASE("recorder: a 16 kHz microphone is fine too (libopusenc resamples)") {
    const std::vector<std::int16_t> pcm = syntheticVoice(16'000, 2000);
    const Clip clip = record(pcm, 16'000);
    CHECK(clip.durationMs == 2000);
    auto decoded = decodeVoice(clip.bytes);
    REQUIRE(decoded);
    CHECK(std::abs(static_cast<long>(decoded->size()) - 96'000) <= 960);
}

TEST_CASE("recorder: maxDurationMs, nothing heard, bad options") {
    VoiceOptions options;
    options.maxDurationMs = 1000;
    auto rec = VoiceRecorder::start(48'000, options);
    REQUIRE(rec);
    const std::vector<std::int16_t> pcm = syntheticVoice(48'000, 2000);
    REQUIRE((*rec)->push(std::span(pcm).first(30'000)));
    CHECK_FALSE((*rec)->full());
    CHECK((*rec)->elapsedMs() == 625);
    REQUIRE((*rec)->push(std::span(pcm).subspan(30'000)));
    CHECK((*rec)->full());
    CHECK((*rec)->elapsedMs() == 1000);
    REQUIRE((*rec)->push(pcm));  // ignored
    auto clip = (*rec)->finish();
    REQUIRE(clip);
    CHECK(clip->durationMs == 1000);
    auto decoded = decodeVoice(clip->bytes);
    REQUIRE(decoded);
    CHECK(std::abs(static_cast<long>(decoded->size()) - 48'000) <= 960);
    CHECK_FALSE((*rec)->finish());  // once

    auto empty = VoiceRecorder::start(48'000, {});
    REQUIRE(empty);
    REQUIRE((*empty)->push({}));
    auto none = (*empty)->finish();
    REQUIRE_FALSE(none);
    CHECK(none.error().code == Errc::invalidInput);

    CHECK_FALSE(VoiceRecorder::start(0, {}));
    VoiceOptions silly;
    silly.bitrateBps = 1;
    CHECK_FALSE(VoiceRecorder::start(48'000, silly));
}

TEST_CASE("decodeVoice: junk, truncated and damaged notes are corrupt, never a crash") {
    auto isCorrupt = [](std::span<const std::uint8_t> bytes) {
        auto r = decodeVoice(bytes);
        return !r && r.error().code == Errc::corrupt;
    };
    CHECK(isCorrupt({}));
    std::vector<std::uint8_t> junk(5000);
    std::uint32_t x = 7;
    for (std::uint8_t& b : junk) {
        x = x * 1664525U + 1013904223U;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    CHECK(isCorrupt(junk));
    std::memcpy(junk.data(), "OggS", 4);
    CHECK(isCorrupt(junk));

    const Clip clip = record(syntheticVoice(48'000, 3000), 48'000);
    CHECK(isCorrupt(std::span(clip.bytes).first(40)));
    CHECK(isCorrupt(std::span(clip.bytes).first(100)));
    // Cut in the middle: whatever is there decodes (shorter), or it is corrupt.
    auto half = decodeVoice(std::span(clip.bytes).first(clip.bytes.size() / 2));
    if (half) {
        CHECK(half->size() < 144'000);
    } else {
        CHECK(half.error().code == Errc::corrupt);
    }
    // Damaged bytes all through: no crash (ASan watches), a result either way.
    for (std::size_t step : {97U, 501U, 2001U}) {
        std::vector<std::uint8_t> damaged = clip.bytes;
        for (std::size_t i = 200; i < damaged.size(); i += step) {
            damaged[i] ^= 0x5A;
        }
        auto r = decodeVoice(damaged);
        CHECK((r.ok() || r.error().code == Errc::corrupt));
    }
}

TEST_CASE("player: a note into a WAV file, and stop() part way") {
    TempDir tmp;
    const auto wav = tmp.path / "played.wav";
    const Clip shortNote = record(syntheticVoice(48'000, 800), 48'000);
    VoicePlayer player(makeWavFileSink(wav));
    CHECK_FALSE(player.playing());
    auto bad = player.play(std::vector<std::uint8_t>{1, 2, 3});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::corrupt);

    REQUIRE(player.play(shortNote.bytes));
    CHECK(player.playing());
    REQUIRE(waitUntil([&] { return !player.playing(); }, std::chrono::seconds(10)));
    CHECK(player.positionMs() == doctest::Approx(800).epsilon(0.05));
    auto written = readWholeFile(wav);
    REQUIRE(written);
    CHECK(written->size() == doctest::Approx(44 + 2 * 38'400).epsilon(0.03));

    const Clip longNote = record(syntheticVoice(48'000, 5000), 48'000);
    std::filesystem::remove(wav);
    REQUIRE(player.play(longNote.bytes));
    REQUIRE(waitUntil([&] { return player.positionMs() >= 300; }, std::chrono::seconds(10)));
    const auto before = std::chrono::steady_clock::now();
    player.stop();
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(1));
    CHECK_FALSE(player.playing());
    CHECK(player.positionMs() < 4000);
    CHECK_FALSE(std::filesystem::exists(wav));  // cut short: the sink wrote nothing

    // Playing again starts from the beginning; a second play() replaces the first.
    REQUIRE(player.play(longNote.bytes));
    REQUIRE(player.play(shortNote.bytes));
    REQUIRE(waitUntil([&] { return !player.playing(); }, std::chrono::seconds(10)));
    CHECK(player.positionMs() == doctest::Approx(800).epsilon(0.05));
}
