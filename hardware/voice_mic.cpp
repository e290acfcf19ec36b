// The microphones of hardware/voice.hpp: SDL2 audio capture, the simulated one (a WAV file or a
// synthetic voice, in real time on a thread of its own), the factory and the level meter.
#include <SDL.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <numbers>
#include <thread>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "hardware/voice.hpp"

namespace lapor::hw {

namespace {

// Every microphone delivers 48 kHz: Opus's own rate, so libopusenc does not resample.
constexpr int kMicRate = 48'000;
// What take() may fall behind before the oldest samples are dropped.
constexpr std::size_t kBufferSeconds = 4;

struct StateText {
    const char* name;
    const char* msgid;
};

// Indexed by MicState's value, in declaration order.
constexpr StateText kStateText[] = {
    {"noMicrophone", "mic.state.noMicrophone"},
    {"ready", "mic.state.ready"},
    {"capturing", "mic.state.capturing"},
    {"error", "mic.state.error"},
};

const StateText& stateText(MicState state) {
    const auto i = static_cast<std::size_t>(state);
    return i < std::size(kStateText) ? kStateText[i] : kStateText[std::size(kStateText) - 1];
}

// Captured samples between the capture thread and take(), bounded to kBufferSeconds.
class SampleBuffer {
  public:
    explicit SampleBuffer(int rate) : cap_(static_cast<std::size_t>(rate) * kBufferSeconds) {}
    ~SampleBuffer() { clear(); }  // what a visitor said is not left in freed memory
    SampleBuffer(const SampleBuffer&) = delete;
    SampleBuffer& operator=(const SampleBuffer&) = delete;
    void push(const std::int16_t* samples, std::size_t n) {
        std::lock_guard lock(mutex_);
        buf_.insert(buf_.end(), samples, samples + n);
        if (buf_.size() > cap_) {
            const auto excess = buf_.begin() + static_cast<std::ptrdiff_t>(buf_.size() - cap_);
            std::fill(buf_.begin(), excess, std::int16_t{0});
            buf_.erase(buf_.begin(), excess);
        }
    }
    std::vector<std::int16_t> take() {
        std::lock_guard lock(mutex_);
        std::vector<std::int16_t> out(buf_.begin(), buf_.end());
        std::fill(buf_.begin(), buf_.end(), std::int16_t{0});  // what was heard, not kept around
        buf_.clear();
        return out;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        std::fill(buf_.begin(), buf_.end(), std::int16_t{0});
        buf_.clear();
    }

  private:
    std::size_t cap_;
    std::mutex mutex_;
    std::deque<std::int16_t> buf_;
};

// ---- the synthetic voice ----

// A vowel's first two formants (Hz), for the harmonics' weights.
struct Vowel {
    float f1;
    float f2;
};
constexpr std::array<Vowel, 5> kVowels{
    {{730, 1090}, {530, 1840}, {270, 2290}, {570, 840}, {300, 870}}};

// Syllables of 250 ms (190 ms voiced, a short gap), eight to a phrase of which the last two are
// a pause; each syllable has its own vowel, pitch and loudness from a fixed pseudo-random series,
// and the pitch glides within it, so the signal looks like speech to the meter and to Opus.
class VoiceSynth {
  public:
    explicit VoiceSynth(int rate) : rate_(rate) {
        for (std::size_t i = 0; i < sine_.size(); ++i) {
            sine_[i] = static_cast<float>(
                std::sin(2.0 * std::numbers::pi * static_cast<double>(i) / sine_.size()));
        }
    }
    void generate(std::int16_t* out, std::size_t n) {
        const std::size_t slot = static_cast<std::size_t>(rate_) / 4;
        const std::size_t voiced = slot * 190 / 250;
        for (std::size_t i = 0; i < n; ++i, ++pos_) {
            const std::size_t s = pos_ / slot;
            const std::size_t inSlot = pos_ % slot;
            if (s != syllable_) {
                newSyllable(s);
            }
            float v = 0;
            if (s % 8 < 6 && inSlot < voiced) {
                const float x = static_cast<float>(inSlot) / static_cast<float>(voiced);
                const float env = std::sin(static_cast<float>(std::numbers::pi) * x);
                const float f0 = f0_ * (1.0F + 0.08F * (0.5F - x));  // a falling glide
                phase_ += f0 / static_cast<float>(rate_);
                phase_ -= std::floor(phase_);
                float sum = 0;
                for (std::size_t k = 0; k < harmonics_; ++k) {
                    float p = phase_ * static_cast<float>(k + 1);
                    p -= std::floor(p);
                    sum += weights_[k] *
                           sine_[static_cast<std::size_t>(p * sine_.size()) & (sine_.size() - 1)];
                }
                v = sum * env * env * loud_;
            }
            v += 0.004F * noise();  // the room
            out[i] = static_cast<std::int16_t>(std::clamp(v, -1.0F, 1.0F) * 32767.0F);
        }
    }

  private:
    float noise() {
        seed_ = seed_ * 1664525U + 1013904223U;
        return static_cast<float>(seed_ >> 8) / static_cast<float>(1U << 24) * 2.0F - 1.0F;
    }
    void newSyllable(std::size_t s) {
        syllable_ = s;
        std::uint32_t h = static_cast<std::uint32_t>(s) * 2654435761U ^ 0x9E3779B9U;
        h ^= h >> 15;
        h *= 0x85EBCA6BU;
        h ^= h >> 13;
        const Vowel vowel = kVowels[h % kVowels.size()];
        f0_ = 110.0F + static_cast<float>((h >> 8) % 70);
        loud_ = 0.35F + 0.3F * static_cast<float>((h >> 16) % 100) / 100.0F;
        harmonics_ =
            std::min<std::size_t>(weights_.size(), static_cast<std::size_t>(4000.0F / f0_));
        float total = 0;
        for (std::size_t k = 0; k < harmonics_; ++k) {
            const float f = f0_ * static_cast<float>(k + 1);
            auto peak = [f](float centre, float width) {
                const float d = (f - centre) / width;
                return 1.0F / (1.0F + d * d);
            };
            weights_[k] = (peak(vowel.f1, 90) + 0.6F * peak(vowel.f2, 120) + 0.3F) /
                          static_cast<float>(k + 1);
            total += weights_[k];
        }
        for (std::size_t k = 0; k < harmonics_; ++k) {
            weights_[k] /= total;
        }
    }

    int rate_;
    std::array<float, 4096> sine_{};
    std::array<float, 40> weights_{};
    std::size_t harmonics_ = 0;
    std::size_t pos_ = 0;
    std::size_t syllable_ = static_cast<std::size_t>(-1);
    float phase_ = 0;
    float f0_ = 120;
    float loud_ = 0.3F;
    std::uint32_t seed_ = 12345;
};

// ---- WAV files ----

std::uint32_t le(const std::vector<std::uint8_t>& b, std::size_t at, int bytes) {
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) {
        v |= static_cast<std::uint32_t>(b[at + static_cast<std::size_t>(i)]) << (8 * i);
    }
    return v;
}

// A 16-bit PCM WAV file (mono or stereo, any rate) as mono samples at `rate`.
Result<std::vector<std::int16_t>> loadWav(const std::string& path, int rate) {
    Result<std::vector<std::uint8_t>> file = readWholeFile(path);
    if (!file) {
        return file.error();
    }
    const std::vector<std::uint8_t>& b = *file;
    auto bad = [&path](const std::string& why) {
        return makeError(Errc::invalidInput, "simulated microphone file " + path + ": " + why);
    };
    if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 ||
        std::memcmp(b.data() + 8, "WAVE", 4) != 0) {
        return bad("not a WAV file");
    }
    std::uint32_t channels = 0;
    std::uint32_t fileRate = 0;
    std::size_t dataAt = 0;
    std::size_t dataBytes = 0;
    for (std::size_t at = 12; at + 8 <= b.size();) {
        const std::uint32_t size = le(b, at + 4, 4);
        const std::size_t body = at + 8;
        const std::size_t avail = std::min<std::size_t>(size, b.size() - body);
        if (std::memcmp(b.data() + at, "fmt ", 4) == 0 && avail >= 16) {
            const std::uint32_t format = le(b, body, 2);
            channels = le(b, body + 2, 2);
            fileRate = le(b, body + 4, 4);
            const std::uint32_t bits = le(b, body + 14, 2);
            if ((format != 1 && format != 0xFFFE) || bits != 16) {
                return bad("only 16-bit PCM is supported");
            }
            if (channels != 1 && channels != 2) {
                return bad("only mono or stereo is supported");
            }
            if (fileRate < 4000 || fileRate > 192'000) {
                return bad("unusual sample rate");
            }
        } else if (std::memcmp(b.data() + at, "data", 4) == 0) {
            dataAt = body;
            dataBytes = avail;
            break;
        }
        at = body + size + (size & 1U);
    }
    if (channels == 0 || dataAt == 0) {
        return bad("no fmt or data chunk");
    }
    const std::size_t frames = dataBytes / (2 * channels);
    if (frames == 0) {
        return bad("no samples");
    }
    std::vector<float> mono(frames);
    for (std::size_t i = 0; i < frames; ++i) {
        float sum = 0;
        for (std::uint32_t c = 0; c < channels; ++c) {
            sum += static_cast<float>(
                static_cast<std::int16_t>(le(b, dataAt + (i * channels + c) * 2, 2)));
        }
        mono[i] = sum / static_cast<float>(channels);
    }
    // Linear interpolation to the microphone's rate: good enough for a test signal.
    const double step = static_cast<double>(fileRate) / rate;
    const auto outFrames = static_cast<std::size_t>(static_cast<double>(frames) / step);
    std::vector<std::int16_t> out(std::max<std::size_t>(outFrames, 1));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double x = static_cast<double>(i) * step;
        const auto j = std::min(static_cast<std::size_t>(x), frames - 1);
        const std::size_t k = std::min(j + 1, frames - 1);
        const auto f = static_cast<float>(x - static_cast<double>(j));
        out[i] = static_cast<std::int16_t>(
            std::lround(std::clamp(mono[j] * (1 - f) + mono[k] * f, -32768.0F, 32767.0F)));
    }
    return out;
}

// ---- the simulated microphone ----

class SimulatedMicrophone final : public Microphone {
  public:
    // `wav` empty: the synthetic voice. `absent`: there is no microphone (LAPOR_SIM_MIC=none).
    SimulatedMicrophone(std::string wav, bool absent)
        : wavPath_(std::move(wav)), absent_(absent), buffer_(kMicRate), synth_(kMicRate) {}
    ~SimulatedMicrophone() override { stop(); }
    SimulatedMicrophone(const SimulatedMicrophone&) = delete;
    SimulatedMicrophone& operator=(const SimulatedMicrophone&) = delete;

    Status start() override {
        if (absent_) {
            return makeError(Errc::unavailable, "no microphone (LAPOR_SIM_MIC=none)");
        }
        if (worker_.joinable()) {
            return {};
        }
        if (!wavPath_.empty() && wav_.empty()) {
            Result<std::vector<std::int16_t>> loaded = loadWav(wavPath_, kMicRate);
            if (!loaded) {
                std::lock_guard lock(mutex_);
                state_ = MicState::error;
                return loaded.error();
            }
            wav_ = std::move(loaded).value();
        }
        buffer_.clear();
        {
            std::lock_guard lock(mutex_);
            stopping_ = false;
            state_ = MicState::capturing;
        }
        worker_ = std::thread([this] { run(); });
        return {};
    }
    void stop() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            if (state_ == MicState::capturing) {
                state_ = MicState::ready;
            }
        }
        cv_.notify_all();
        if (worker_.joinable()) {
            worker_.join();
        }
    }
    std::vector<std::int16_t> take() override { return buffer_.take(); }
    int sampleRate() const override { return kMicRate; }
    MicState state() const override {
        std::lock_guard lock(mutex_);
        return absent_ ? MicState::noMicrophone : state_;
    }
    std::string describe() const override {
        if (absent_) {
            return "no microphone (simulated absent: LAPOR_SIM_MIC=none)";
        }
        return wavPath_.empty() ? "simulated microphone (synthetic voice)"
                                : "simulated microphone playing " + wavPath_;
    }
    bool simulated() const override { return true; }

  private:
    // Delivers what a microphone would have heard by now, every 20 ms, as SDL's callback would.
    void run() {
        const auto begin = std::chrono::steady_clock::now();
        std::uint64_t produced = 0;
        std::vector<std::int16_t> chunk;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            cv_.wait_for(lock, std::chrono::milliseconds(20));
            if (stopping_) {
                break;
            }
            lock.unlock();
            const auto elapsed = std::chrono::steady_clock::now() - begin;
            const auto due = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() * kMicRate /
                1'000'000);
            chunk.resize(static_cast<std::size_t>(due - produced));
            fill(chunk);
            buffer_.push(chunk.data(), chunk.size());
            produced = due;
            lock.lock();
        }
    }
    void fill(std::vector<std::int16_t>& out) {
        if (wav_.empty()) {
            synth_.generate(out.data(), out.size());
            return;
        }
        for (std::int16_t& s : out) {
            s = wav_[wavPos_];
            wavPos_ = (wavPos_ + 1) % wav_.size();
        }
    }

    std::string wavPath_;
    bool absent_;
    SampleBuffer buffer_;
    VoiceSynth synth_;
    std::vector<std::int16_t> wav_;
    std::size_t wavPos_ = 0;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    MicState state_ = MicState::ready;
    std::thread worker_;
};

// ---- SDL2 capture ----

// SDL's audio subsystem, reference-counted by SDL itself and shared with the speech's sound
// device (hardware/speech.cpp): each holder inits it once and quits it once.
class SdlAudio {
  public:
    SdlAudio() : ok_(SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
        if (!ok_) {
            error_ = SDL_GetError();
        }
    }
    ~SdlAudio() {
        if (ok_) {
            SDL_QuitSubSystem(SDL_INIT_AUDIO);
        }
    }
    SdlAudio(const SdlAudio&) = delete;
    SdlAudio& operator=(const SdlAudio&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    bool ok_;
    std::string error_;
};

std::vector<std::string> sdlCaptureNames(const SdlAudio& audio) {
    std::vector<std::string> names;
    if (!audio.ok()) {
        return names;
    }
    const int n = SDL_GetNumAudioDevices(1);
    for (int i = 0; i < n; ++i) {
        const char* name = SDL_GetAudioDeviceName(i, 1);
        names.emplace_back(name != nullptr ? name : "capture device " + std::to_string(i));
    }
    return names;
}

class SdlMicrophone final : public Microphone {
  public:
    explicit SdlMicrophone(std::string deviceName)
        : deviceName_(std::move(deviceName)), buffer_(kMicRate) {
        const std::vector<std::string> names = sdlCaptureNames(audio_);
        // -1: the driver cannot list its devices, but its default one may still open.
        const bool unlisted = audio_.ok() && SDL_GetNumAudioDevices(1) < 0 && deviceName_.empty();
        const std::string driver =
            SDL_GetCurrentAudioDriver() != nullptr ? SDL_GetCurrentAudioDriver() : "none";
        if (!audio_.ok()) {
            why_ = "no microphone: no sound system (" + audio_.error() + ")";
        } else if (driver == "dummy") {
            // SDL's stand-in records silence: no one is heard through it.
            why_ = "no microphone: SDL's dummy audio driver has no capture device";
        } else if (unlisted) {
            present_ = true;
            state_ = MicState::ready;
        } else if (names.empty()) {
            why_ = std::string("no microphone: SDL lists no capture device (audio driver ") +
                   (SDL_GetCurrentAudioDriver() != nullptr ? SDL_GetCurrentAudioDriver() : "none") +
                   ")";
        } else if (!deviceName_.empty() &&
                   std::find(names.begin(), names.end(), deviceName_) == names.end()) {
            why_ = "no microphone: no capture device named '" + deviceName_ + "'";
        } else {
            present_ = true;
            state_ = MicState::ready;
        }
    }
    ~SdlMicrophone() override { stop(); }
    SdlMicrophone(const SdlMicrophone&) = delete;
    SdlMicrophone& operator=(const SdlMicrophone&) = delete;

    Status start() override {
        if (!present_) {
            return makeError(Errc::unavailable, why_);
        }
        if (device_ != 0) {
            return {};
        }
        SDL_AudioSpec want{};
        want.freq = kMicRate;
        want.format = AUDIO_S16SYS;
        want.channels = 1;
        want.samples = 960;  // 20 ms, an Opus frame
        want.callback = &SdlMicrophone::callback;
        want.userdata = this;
        SDL_AudioSpec have{};
        // No allowed changes: SDL converts whatever the device does to 48 kHz mono 16-bit.
        device_ = SDL_OpenAudioDevice(deviceName_.empty() ? nullptr : deviceName_.c_str(), 1, &want,
                                      &have, 0);
        if (device_ == 0) {
            const std::string err = SDL_GetError();
            std::lock_guard lock(mutex_);
            state_ = MicState::error;
            why_ = "the microphone could not be opened: " + err;
            return makeError(Errc::unavailable, why_);
        }
        buffer_.clear();
        {
            std::lock_guard lock(mutex_);
            state_ = MicState::capturing;
        }
        SDL_PauseAudioDevice(device_, 0);
        return {};
    }
    void stop() override {
        if (device_ != 0) {
            SDL_CloseAudioDevice(device_);  // waits for the callback to return
            device_ = 0;
        }
        std::lock_guard lock(mutex_);
        if (state_ == MicState::capturing) {
            state_ = MicState::ready;
        }
    }
    std::vector<std::int16_t> take() override {
        checkLost();
        return buffer_.take();
    }
    int sampleRate() const override { return kMicRate; }
    MicState state() const override {
        checkLost();
        std::lock_guard lock(mutex_);
        return state_;
    }
    std::string describe() const override {
        std::lock_guard lock(mutex_);
        if (!present_ || state_ == MicState::error) {
            return why_;
        }
        return deviceName_.empty() ? "SDL default capture device"
                                   : "SDL capture device '" + deviceName_ + "'";
    }
    bool simulated() const override { return false; }

  private:
    static void callback(void* self, Uint8* stream, int len) {
        // SDL's audio thread: copy and return, never block on anything but the buffer's mutex.
        static_cast<SdlMicrophone*>(self)->buffer_.push(reinterpret_cast<std::int16_t*>(stream),
                                                        static_cast<std::size_t>(len) / 2);
    }
    // A device unplugged while capturing stops (SDL marks it so): that is an error for the visitor.
    void checkLost() const {
        if (device_ == 0 || SDL_GetAudioDeviceStatus(device_) != SDL_AUDIO_STOPPED) {
            return;
        }
        std::lock_guard lock(mutex_);
        if (state_ == MicState::capturing) {
            state_ = MicState::error;
            why_ = "the microphone stopped while recording (unplugged?)";
            log::warn("voice", why_);
        }
    }

    SdlAudio audio_;
    std::string deviceName_;
    SampleBuffer buffer_;
    bool present_ = false;
    mutable std::mutex mutex_;
    mutable MicState state_ = MicState::noMicrophone;
    mutable std::string why_;
    SDL_AudioDeviceID device_ = 0;
};

}  // namespace

const char* micStateName(MicState state) noexcept {
    return stateText(state).name;
}

const char* micStateMsgid(MicState state) noexcept {
    return stateText(state).msgid;
}

std::vector<std::string> captureDeviceNames() {
    const SdlAudio audio;
    return sdlCaptureNames(audio);
}

std::vector<std::int16_t> syntheticVoice(int sampleRate, std::int64_t durationMs) {
    std::vector<std::int16_t> out(
        static_cast<std::size_t>(std::max<std::int64_t>(0, durationMs) * sampleRate / 1000));
    VoiceSynth(sampleRate).generate(out.data(), out.size());
    return out;
}

MicChoice makeMicrophone(const MicConfig& config) {
    auto simulated = [&config](std::string why) {
        const char* sim = std::getenv("LAPOR_SIM_MIC");
        if (sim != nullptr && std::string_view(sim) == "none") {
            return MicChoice{std::make_unique<SimulatedMicrophone>("", true),
                             why + "; simulated microphone absent (LAPOR_SIM_MIC=none)"};
        }
        std::string wav = config.simulatedWav;
        if (const char* file = std::getenv("LAPOR_SIM_MIC_FILE"); file != nullptr && *file != 0) {
            wav = file;
        }
        auto mic = std::make_unique<SimulatedMicrophone>(wav, false);
        std::string reason = why + "; " + mic->describe();
        return MicChoice{std::move(mic), std::move(reason)};
    };
    switch (config.backend) {
        case MicBackend::simulated: return simulated("simulated microphone configured");
        case MicBackend::sdl: {
            auto mic = std::make_unique<SdlMicrophone>(config.deviceName);
            std::string reason = "SDL capture configured: " + mic->describe();
            return MicChoice{std::move(mic), std::move(reason)};
        }
        case MicBackend::automatic: break;
    }
    auto mic = std::make_unique<SdlMicrophone>(config.deviceName);
    if (mic->state() != MicState::noMicrophone) {
        std::string reason = "SDL capture found: " + mic->describe();
        return MicChoice{std::move(mic), std::move(reason)};
    }
    return simulated(mic->describe());
}

float meterLevel(std::span<const std::int16_t> samples) noexcept {
    if (samples.empty()) {
        return 0;
    }
    double sum = 0;
    for (std::int16_t s : samples) {
        sum += static_cast<double>(s) * s;
    }
    const double rms = std::sqrt(sum / static_cast<double>(samples.size())) / 32768.0;
    if (rms <= 0) {
        return 0;
    }
    const double db = 20.0 * std::log10(rms);
    return static_cast<float>(std::clamp((db + 50.0) / 50.0, 0.0, 1.0));
}

}  // namespace lapor::hw
