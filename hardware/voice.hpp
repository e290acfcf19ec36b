// Spoken notes: the microphone (SDL2 audio capture, or a simulated twin), the level meter the
// visitor watches while speaking, Opus encoding into Ogg (libopusenc), and playback (libopusfile
// into an AudioSink, hardware/speech.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "core/result.hpp"
#include "hardware/speech.hpp"

namespace lapor::hw {

// What the microphone is doing, for the kiosk to show.
enum class MicState : std::uint8_t {
    noMicrophone,  // none found: the kiosk says so plainly and offers typing instead
    ready,         // found, not capturing
    capturing,
    error,  // it failed while capturing; stateMessage() says why
};
// Translation msgid (domain "hardware"), e.g. "mic.state.noMicrophone".
[[nodiscard]] const char* micStateMsgid(MicState state) noexcept;
[[nodiscard]] const char* micStateName(MicState state) noexcept;

// A microphone: 16-bit mono samples at sampleRate(). Thread-safe between the capture thread (SDL's
// or the simulation's) and the one caller of take().
class Microphone {
  public:
    virtual ~Microphone() = default;
    // Starts capturing; Errc::unavailable when there is no microphone (state noMicrophone).
    [[nodiscard]] virtual Status start() = 0;
    virtual void stop() = 0;
    // The samples captured since the last call (non-blocking; empty when none yet).
    [[nodiscard]] virtual std::vector<std::int16_t> take() = 0;
    [[nodiscard]] virtual int sampleRate() const = 0;
    [[nodiscard]] virtual MicState state() const = 0;
    // English, for logs and lapor-hwtest ("SDL capture device 'USB Audio'", "simulated ...").
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual bool simulated() const = 0;
};

enum class MicBackend : std::uint8_t {
    automatic,  // an SDL capture device if there is one, the simulated microphone otherwise
    sdl,        // always the real one, even with none (state noMicrophone tells the visitor)
    simulated,
};

struct MicConfig {
    MicBackend backend = MicBackend::automatic;
    std::string deviceName;  // SDL capture device; empty: the default one
    // Simulated: a WAV file (16-bit PCM, mono or stereo, any rate) played in a loop as what the
    // microphone hears; empty: a synthetic voice-like signal. LAPOR_SIM_MIC_FILE, when set, takes
    // precedence. LAPOR_SIM_MIC=none makes the simulated microphone absent (tests of "no mic").
    std::string simulatedWav;
};

struct MicChoice {
    std::unique_ptr<Microphone> mic;  // never null: an absent one says noMicrophone
    std::string reason;               // English, for the log: which backend and why
};
[[nodiscard]] MicChoice makeMicrophone(const MicConfig& config);
// The names of SDL's capture devices (empty when there are none, or no sound system), for
// lapor-hwtest and the staff panel.
[[nodiscard]] std::vector<std::string> captureDeviceNames();
// `durationMs` of the simulated microphone's synthetic voice at `sampleRate` (syllable-like bursts
// of a pitched harmonic sound with pauses), for tests and benchmarks that need speech-like input
// faster than real time.
[[nodiscard]] std::vector<std::int16_t> syntheticVoice(int sampleRate, std::int64_t durationMs);

// The level meter: 0 (silence, below -50 dBFS) to 1 (full scale), from the RMS of `samples`.
[[nodiscard]] float meterLevel(std::span<const std::int16_t> samples) noexcept;

struct VoiceOptions {
    int bitrateBps = 24'000;               // Opus VOIP at 24 kbit/s: about 180 KB per minute
    std::int64_t maxDurationMs = 120'000;  // kiosk.voice_max_s
};

// Encodes one spoken note as Ogg Opus in memory, on the caller's thread (Opus at 24 kbit/s costs
// well under 1 ms per 20 ms frame). Destroying it wipes what it held.
class VoiceRecorder {
  public:
    [[nodiscard]] static Result<std::unique_ptr<VoiceRecorder>> start(int sampleRate,
                                                                      const VoiceOptions& options);
    virtual ~VoiceRecorder() = default;
    // Samples beyond maxDurationMs are ignored (full() says so).
    [[nodiscard]] virtual Status push(std::span<const std::int16_t> samples) = 0;
    [[nodiscard]] virtual std::int64_t elapsedMs() const = 0;
    [[nodiscard]] virtual bool full() const = 0;
    // The Ogg Opus file with its SHA-256 and duration. Errc::invalidInput when nothing was heard.
    [[nodiscard]] virtual Result<Clip> finish() = 0;
};

// Decodes a note (Errc::corrupt for anything that is not Ogg Opus: never a crash).
[[nodiscard]] Result<std::vector<std::int16_t>> decodeVoice(std::span<const std::uint8_t> ogg,
                                                            int* sampleRate = nullptr);

// Plays a note back through an AudioSink on a thread of its own; play() returns at once.
class VoicePlayer {
  public:
    // `sink` is where the sound goes (openSoundDeviceSink() in the kiosk).
    explicit VoicePlayer(std::unique_ptr<AudioSink> sink);
    ~VoicePlayer();
    VoicePlayer(const VoicePlayer&) = delete;
    VoicePlayer& operator=(const VoicePlayer&) = delete;
    // Starts playing the note from its beginning (stopping one still playing).
    [[nodiscard]] Status play(std::span<const std::uint8_t> ogg);
    void stop();
    [[nodiscard]] bool playing() const;
    // Milliseconds played of the current note (for the progress bar).
    [[nodiscard]] std::int64_t positionMs() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor::hw
