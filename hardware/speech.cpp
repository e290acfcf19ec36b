// Speech: espeak-ng synthesis on a worker thread into an audio sink (sound device or WAV), and the
// fake.
#include "hardware/speech.hpp"

#include <SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <thread>

#include "core/durable_file.hpp"
#include "core/log.hpp"

namespace lapor::hw {

Result<SpeechLang> speechLangFromCode(std::string_view code) {
    if (code == "id" || code == "en") {
        return *parseLang(code);
    }
    return makeError(Errc::invalidInput,
                     "speech language must be id or en, not '" + std::string(code) + "'");
}

namespace {

// espeak-ng keeps its state in globals: one engine per process, used under one mutex.
class Engine {
  public:
    static Engine& get() {
        static Engine engine;
        return engine;
    }

    // Synthesizes `text`; `out` gets the samples and returns false to cancel.
    Status synthesize(std::string_view text, SpeechLang lang, const std::string& dataPath,
                      const std::function<bool(std::span<const std::int16_t>)>& out,
                      int* sampleRate) {
        std::lock_guard lock(mutex_);
        if (Status s = initialize(dataPath); !s) {
            return s;
        }
        if (sampleRate != nullptr) {
            *sampleRate = sampleRate_;
        }
        const char* voice = lang == SpeechLang::id ? "id" : "en";
        if (voice_ != voice) {
            espeak_ng_STATUS st = espeak_ng_SetVoiceByName(voice);
            if (st != ENS_OK) {
                return statusError(st, std::string("espeak-ng voice '") + voice + "'");
            }
            voice_ = voice;
        }
        Target target{&out, false};
        const std::string buf(text);  // NUL-terminated for espeak-ng
        espeak_ng_STATUS st = espeak_ng_Synthesize(buf.c_str(), buf.size() + 1, 0, POS_CHARACTER, 0,
                                                   espeakCHARS_UTF8, nullptr, &target);
        if (target.cancelled) {
            return makeError(Errc::cancelled, "speech stopped");
        }
        if (st != ENS_OK) {
            return statusError(st, "espeak-ng synthesis");
        }
        return {};
    }

  private:
    struct Target {
        const std::function<bool(std::span<const std::int16_t>)>* out;
        bool cancelled;
    };

    static int callback(short* wav, int count, espeak_EVENT* events) {
        if (events == nullptr || events->user_data == nullptr) {
            return 0;
        }
        auto* target = static_cast<Target*>(events->user_data);
        if (wav == nullptr || count <= 0) {
            return 0;
        }
        if (!(*target->out)(std::span<const std::int16_t>(wav, static_cast<std::size_t>(count)))) {
            target->cancelled = true;
            return 1;  // tells espeak-ng to stop this synthesis
        }
        return 0;
    }

    static Error statusError(espeak_ng_STATUS st, const std::string& what) {
        char msg[256] = {};
        espeak_ng_GetStatusCodeMessage(st, msg, sizeof msg);
        return makeError(Errc::unavailable, what + ": " + msg);
    }

    Status initialize(const std::string& dataPath) {
        if (initialized_) {
            return initStatus_;
        }
        initialized_ = true;
        espeak_ng_InitializePath(dataPath.empty() ? nullptr : dataPath.c_str());
        espeak_ng_ERROR_CONTEXT context = nullptr;
        espeak_ng_STATUS st = espeak_ng_Initialize(&context);
        espeak_ng_ClearErrorContext(&context);
        if (st != ENS_OK) {
            initStatus_ = statusError(st, "espeak-ng data");
            return initStatus_;
        }
        // Synchronous: espeak-ng hands us the samples and never touches an audio device itself,
        // so a kiosk without sound cannot make it hang.
        st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
        if (st != ENS_OK) {
            initStatus_ = statusError(st, "espeak-ng output");
            return initStatus_;
        }
        espeak_SetSynthCallback(&Engine::callback);
        sampleRate_ = espeak_ng_GetSampleRate();
        return initStatus_;
    }

    std::mutex mutex_;
    bool initialized_ = false;
    Status initStatus_;
    int sampleRate_ = 22050;
    std::string voice_;
};

// The SDL2 audio device, fed from the speech worker with SDL_QueueAudio.
class SoundDeviceSink final : public AudioSink {
  public:
    ~SoundDeviceSink() override {
        if (device_ != 0) {
            SDL_CloseAudioDevice(device_);
        }
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
    Status init() {
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
            return makeError(Errc::unavailable, std::string("no sound system: ") + SDL_GetError());
        }
        return openDevice(22050);
    }
    Status begin(int sampleRate) override {
        aborted_ = false;
        if (sampleRate != rate_) {
            if (Status s = openDevice(sampleRate); !s) {
                return s;
            }
        }
        SDL_ClearQueuedAudio(device_);
        SDL_PauseAudioDevice(device_, 0);
        return {};
    }
    Status write(std::span<const std::int16_t> samples) override {
        if (aborted_) {
            return makeError(Errc::cancelled, "speech stopped");
        }
        if (SDL_QueueAudio(device_, samples.data(),
                           static_cast<Uint32>(samples.size() * sizeof(std::int16_t))) != 0) {
            return makeError(Errc::ioError, std::string("sound device: ") + SDL_GetError());
        }
        return {};
    }
    Status finish() override {
        // Playback drains on SDL's audio thread; wait for it here on the speech worker.
        std::unique_lock lock(mutex_);
        while (!aborted_ && SDL_GetQueuedAudioSize(device_) > 0) {
            abortCv_.wait_for(lock, std::chrono::milliseconds(20));
        }
        SDL_PauseAudioDevice(device_, 1);
        return {};
    }
    void abort() override {
        {
            std::lock_guard lock(mutex_);
            aborted_ = true;
            if (device_ != 0) {
                SDL_ClearQueuedAudio(device_);
            }
        }
        abortCv_.notify_all();
    }
    std::string describe() const override { return "sound device"; }

  private:
    Status openDevice(int rate) {
        if (device_ != 0) {
            SDL_CloseAudioDevice(device_);
            device_ = 0;
        }
        SDL_AudioSpec want{};
        want.freq = rate;
        want.format = AUDIO_S16SYS;
        want.channels = 1;
        want.samples = 2048;
        SDL_AudioSpec have{};
        device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
        if (device_ == 0) {
            return makeError(Errc::unavailable, std::string("no sound device: ") + SDL_GetError());
        }
        rate_ = rate;
        return {};
    }

    SDL_AudioDeviceID device_ = 0;
    int rate_ = 0;
    std::mutex mutex_;
    std::condition_variable abortCv_;
    std::atomic<bool> aborted_{false};
};

void putLe(std::vector<std::uint8_t>& v, std::uint32_t x, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
    }
}

class WavFileSink final : public AudioSink {
  public:
    explicit WavFileSink(std::filesystem::path path) : path_(std::move(path)) {}
    Status begin(int sampleRate) override {
        aborted_ = false;
        rate_ = sampleRate;
        samples_.clear();
        return {};
    }
    Status write(std::span<const std::int16_t> samples) override {
        if (aborted_) {
            return makeError(Errc::cancelled, "speech stopped");
        }
        samples_.insert(samples_.end(), samples.begin(), samples.end());
        return {};
    }
    Status finish() override {
        if (aborted_) {
            return makeError(Errc::cancelled, "speech stopped");
        }
        const auto dataBytes = static_cast<std::uint32_t>(samples_.size() * 2);
        std::vector<std::uint8_t> out;
        out.reserve(44 + dataBytes);
        for (char c : std::string_view("RIFF")) {
            out.push_back(static_cast<std::uint8_t>(c));
        }
        putLe(out, 36 + dataBytes, 4);
        for (char c : std::string_view("WAVEfmt ")) {
            out.push_back(static_cast<std::uint8_t>(c));
        }
        putLe(out, 16, 4);                                     // fmt chunk size
        putLe(out, 1, 2);                                      // PCM
        putLe(out, 1, 2);                                      // mono
        putLe(out, static_cast<std::uint32_t>(rate_), 4);      // sample rate
        putLe(out, static_cast<std::uint32_t>(rate_) * 2, 4);  // byte rate
        putLe(out, 2, 2);                                      // block align
        putLe(out, 16, 2);                                     // bits per sample
        for (char c : std::string_view("data")) {
            out.push_back(static_cast<std::uint8_t>(c));
        }
        putLe(out, dataBytes, 4);
        for (std::int16_t s : samples_) {
            putLe(out, static_cast<std::uint16_t>(s), 2);
        }
        return writeFileDurably(path_, out);
    }
    void abort() override { aborted_ = true; }
    std::string describe() const override { return "WAV file " + path_.string(); }

  private:
    std::filesystem::path path_;
    int rate_ = 0;
    std::vector<std::int16_t> samples_;
    std::atomic<bool> aborted_{false};
};

class EspeakSpeech final : public Speech {
  public:
    EspeakSpeech(std::unique_ptr<AudioSink> sink, std::string dataPath)
        : sink_(std::move(sink)), dataPath_(std::move(dataPath)) {
        worker_ = std::thread([this] { run(); });
    }
    ~EspeakSpeech() override {
        {
            std::lock_guard lock(mutex_);
            quitting_ = true;
            ++generation_;
        }
        sink_->abort();
        cv_.notify_all();
        worker_.join();
    }
    void speak(std::string text, SpeechLang lang) override {
        {
            std::lock_guard lock(mutex_);
            request_ = std::move(text);
            lang_ = lang;
            hasRequest_ = true;
            ++generation_;
        }
        sink_->abort();  // cut the current utterance short
        cv_.notify_all();
    }
    void stop() override {
        {
            std::lock_guard lock(mutex_);
            hasRequest_ = false;
            ++generation_;
        }
        sink_->abort();
        cv_.notify_all();
    }
    bool isSpeaking() const override {
        std::lock_guard lock(mutex_);
        return hasRequest_ || busy_;
    }
    std::string describe() const override { return "espeak-ng to " + sink_->describe(); }

  private:
    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            cv_.wait(lock, [this] { return quitting_ || hasRequest_; });
            if (quitting_) {
                return;
            }
            const std::string text = std::move(request_);
            const SpeechLang lang = lang_;
            const std::uint64_t gen = generation_;
            hasRequest_ = false;
            busy_ = true;
            lock.unlock();
            sayOne(text, lang, gen);
            lock.lock();
            busy_ = false;
        }
    }

    void sayOne(const std::string& text, SpeechLang lang, std::uint64_t gen) {
        bool begun = false;
        Status result;
        auto out = [&](std::span<const std::int16_t> samples) {
            if (current() != gen) {
                return false;
            }
            if (!begun) {
                begun = true;
                if (Status s = sink_->begin(rate_); !s) {
                    result = s;
                    return false;
                }
            }
            if (Status s = sink_->write(samples); !s) {
                result = s;
                return false;
            }
            return true;
        };
        Status s = Engine::get().synthesize(text, lang, dataPath_, out, &rate_);
        if (s && result && begun && current() == gen) {
            result = sink_->finish();
        }
        if (!s && s.error().code != Errc::cancelled) {
            log::warn("speech", s.error().message);
        } else if (!result && result.error().code != Errc::cancelled) {
            log::warn("speech", result.error().message);
        }
    }

    std::uint64_t current() const {
        std::lock_guard lock(mutex_);
        return generation_;
    }

    std::unique_ptr<AudioSink> sink_;
    std::string dataPath_;
    int rate_ = 22050;  // set by the engine before the first samples arrive
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::string request_;
    SpeechLang lang_ = SpeechLang::id;
    bool hasRequest_ = false;
    bool busy_ = false;
    bool quitting_ = false;
    std::uint64_t generation_ = 0;
    std::thread worker_;
};

}  // namespace

Result<std::unique_ptr<AudioSink>> openSoundDeviceSink() {
    auto sink = std::make_unique<SoundDeviceSink>();
    if (Status s = sink->init(); !s) {
        return s.error();
    }
    return std::unique_ptr<AudioSink>(std::move(sink));
}

std::unique_ptr<AudioSink> makeWavFileSink(std::filesystem::path path) {
    return std::make_unique<WavFileSink>(std::move(path));
}

Result<std::unique_ptr<Speech>> openEspeakSpeech(std::unique_ptr<AudioSink> sink,
                                                 std::string dataPath) {
    if (!sink) {
        return makeError(Errc::invalidInput, "speech without an audio sink");
    }
    // Check up front that espeak-ng and both voices load, so the caller learns "unavailable" now
    // rather than silence later.
    for (SpeechLang lang : {SpeechLang::id, SpeechLang::en}) {
        Status s = Engine::get().synthesize(
            " ", lang, dataPath, [](std::span<const std::int16_t>) { return true; }, nullptr);
        if (!s) {
            return s.error();
        }
    }
    return std::unique_ptr<Speech>(
        std::make_unique<EspeakSpeech>(std::move(sink), std::move(dataPath)));
}

Result<Synthesized> synthesizeText(std::string_view text, SpeechLang lang) {
    Synthesized out;
    Status s = Engine::get().synthesize(
        text, lang, {},
        [&](std::span<const std::int16_t> samples) {
            out.samples.insert(out.samples.end(), samples.begin(), samples.end());
            return true;
        },
        &out.sampleRate);
    if (!s) {
        return s.error();
    }
    return out;
}

void FakeSpeech::speak(std::string text, SpeechLang lang) {
    std::lock_guard lock(mutex_);
    said_.push_back(Utterance{std::move(text), lang});
    speaking_ = true;
}

void FakeSpeech::stop() {
    std::lock_guard lock(mutex_);
    if (speaking_) {
        ++stops_;
    }
    speaking_ = false;
}

bool FakeSpeech::isSpeaking() const {
    std::lock_guard lock(mutex_);
    return speaking_;
}

void FakeSpeech::finishSpeaking() {
    std::lock_guard lock(mutex_);
    speaking_ = false;
}

std::vector<FakeSpeech::Utterance> FakeSpeech::said() const {
    std::lock_guard lock(mutex_);
    return said_;
}

int FakeSpeech::stops() const {
    std::lock_guard lock(mutex_);
    return stops_;
}

}  // namespace lapor::hw
