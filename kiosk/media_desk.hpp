// Video clips and spoken notes at the kiosk: the recorders while the visitor films or speaks (the
// camera's preview frames into the video encoder, the microphone's samples into Opus and the
// level meter), finishing them on the worker, and playing them back (the clip into a texture,
// the note to the speaker). The flow (kiosk/flow/flow_media.cpp) holds the rules; this holds
// the devices. Everything of a visitor's goes on a walk-away (cancel()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "hardware/video.hpp"
#include "hardware/voice.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/texture_cache.hpp"

namespace lapor::kiosk {

struct Services;

class MediaDesk {
  public:
    using Post = std::function<void(std::function<void()>)>;
    MediaDesk(Services& services, TextureCache& textures, const Clock& clock, Post post);
    ~MediaDesk();
    MediaDesk(const MediaDesk&) = delete;
    MediaDesk& operator=(const MediaDesk&) = delete;

    // The record button: a video on the photos screen, a note on the voice screen.
    void start(Recording what);
    // The stop button (and the end of the allowed length): finished on the worker, then handed
    // to the flow.
    void stop();
    // A preview frame the camera gave (the UI loop): into the clip while one records.
    void onPreviewFrame(const Frame& frame);
    // Each turn of the loop: the microphone's samples into the note and the meter, a recording
    // that reached its length stopped, the next frame of a clip being played. True when the
    // screen changed.
    bool pump();
    // How long the loop may sleep before pump() has work (the meter, the clip's next frame).
    [[nodiscard]] std::int64_t waitMs() const;
    // A walk-away or a save: recorders and players dropped, their bytes wiped.
    void cancel();

    [[nodiscard]] std::int64_t recordedMs() const;
    [[nodiscard]] bool finishing() const { return finishing_; }
    [[nodiscard]] float micLevel() const { return level_; }
    // Why a note cannot be recorded here ("mic.state.noMicrophone"), or empty.
    [[nodiscard]] std::string micMessageKey() const;

    // Playback: starts, or stops when playing.
    void togglePlay(Recording what);
    [[nodiscard]] bool playing(Recording what) const;
    [[nodiscard]] std::int64_t playedMs(Recording what) const;
    // The clip's frame being played, else its first frame (nullptr when there is no clip).
    [[nodiscard]] SDL_Texture* clipTexture(int& w, int& h);
    // Why the last playback could not sound ("kiosk.voice.no_speaker"), or empty.
    [[nodiscard]] const std::string& playMessageKey() const { return playMessage_; }

  private:
    void finishVideo();
    void finishVoice();
    void stopPlayback();
    [[nodiscard]] std::unique_ptr<hw::AudioSink> playbackSink();

    Services& s_;
    TextureCache& textures_;
    const Clock& clock_;
    Post post_;
    std::unique_ptr<hw::VideoRecorder> video_;
    std::unique_ptr<hw::VoiceRecorder> voice_;
    bool micOn_ = false;
    bool finishing_ = false;
    float level_ = 0;
    std::int64_t levelAtMs_ = 0;
    std::unique_ptr<hw::VideoPlayer> player_;
    std::int64_t playStartMs_ = 0;  // monotonic, of the clip being played
    std::unique_ptr<hw::VoicePlayer> notePlayer_;
    std::string playMessage_;
};

}  // namespace lapor::kiosk
