// Speech: reads text aloud (espeak-ng) on a worker thread behind an interface, with a fake beside
// it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/result.hpp"

namespace lapor::hw {

// The kiosk's languages (core/i18n.hpp); espeak-ng voices "id" and "en".
using SpeechLang = lapor::Lang;
// "id" / "en" (the codes in Report::language); anything else is invalidInput.
[[nodiscard]] Result<SpeechLang> speechLangFromCode(std::string_view code);

// Reads text aloud. Every call returns at once: synthesis and playback happen on a worker thread,
// so the UI never waits on audio.
class Speech {
  public:
    virtual ~Speech() = default;
    // Says `text`, interrupting whatever is being said.
    virtual void speak(std::string text, SpeechLang lang) = 0;
    // Stops speaking now; a no-op when silent.
    virtual void stop() = 0;
    [[nodiscard]] virtual bool isSpeaking() const = 0;
    // For operators: "espeak-ng to sound device", "espeak-ng to /tmp/x.wav", "fake".
    [[nodiscard]] virtual std::string describe() const = 0;
};

// Where synthesized 16-bit mono samples go. Called on the speech worker thread only.
class AudioSink {
  public:
    virtual ~AudioSink() = default;
    [[nodiscard]] virtual Status begin(int sampleRate) = 0;
    [[nodiscard]] virtual Status write(std::span<const std::int16_t> samples) = 0;
    // All samples written: blocks until they were played (or stored), or until abort().
    [[nodiscard]] virtual Status finish() = 0;
    // Drops what is not played yet; may be called from any thread.
    virtual void abort() = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
};

// The sound device through SDL2 audio. Fails with Errc::unavailable when there is none, so a
// kiosk with no speaker reports it instead of hanging.
[[nodiscard]] Result<std::unique_ptr<AudioSink>> openSoundDeviceSink();
// A WAV file (PCM 16-bit mono), rewritten for each utterance (tests, lapor-hwtest --wav).
[[nodiscard]] std::unique_ptr<AudioSink> makeWavFileSink(std::filesystem::path path);

// espeak-ng with voices "id" and "en", synthesizing into `sink`. Fails with Errc::unavailable when
// espeak-ng or its voice data is missing. `dataPath` empty: espeak-ng's default data.
[[nodiscard]] Result<std::unique_ptr<Speech>> openEspeakSpeech(std::unique_ptr<AudioSink> sink,
                                                               std::string dataPath = {});

// Synthesizes one text into samples synchronously (the worker's building block; also hwtest).
struct Synthesized {
    int sampleRate = 0;
    std::vector<std::int16_t> samples;
};
[[nodiscard]] Result<Synthesized> synthesizeText(std::string_view text, SpeechLang lang);

// The fake: records what was said; "speaking" lasts until finishSpeaking() or stop().
class FakeSpeech final : public Speech {
  public:
    struct Utterance {
        std::string text;
        SpeechLang lang;
        friend bool operator==(const Utterance&, const Utterance&) = default;
    };
    void speak(std::string text, SpeechLang lang) override;
    void stop() override;
    [[nodiscard]] bool isSpeaking() const override;
    [[nodiscard]] std::string describe() const override { return "fake"; }
    void finishSpeaking();
    [[nodiscard]] std::vector<Utterance> said() const;
    [[nodiscard]] int stops() const;

  private:
    mutable std::mutex mutex_;
    std::vector<Utterance> said_;
    bool speaking_ = false;
    int stops_ = 0;
};

}  // namespace lapor::hw
