// Recording and playing video clips and spoken notes (media_desk.hpp).
#include "kiosk/media_desk.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "hardware/photo.hpp"
#include "kiosk/services.hpp"

namespace lapor::kiosk {

namespace {

// The meter and the clock of a note move this often; a clip plays at its own rate (15 fps).
constexpr std::int64_t kMeterMs = 50;
constexpr std::int64_t kClipFrameMs = 33;

Text msg(std::string key) {
    return Text{std::move(key), {}};
}

}  // namespace

MediaDesk::MediaDesk(Services& services, TextureCache& textures, const Clock& clock, Post post)
    : s_(services), textures_(textures), clock_(clock), post_(std::move(post)) {}

MediaDesk::~MediaDesk() {
    cancel();
}

void MediaDesk::start(Recording what) {
    Flow& flow = *s_.flow;
    if (finishing_ || !flow.canRecord(what)) {
        return;
    }
    stopPlayback();
    if (what == Recording::video) {
        if (!s_.camera || s_.camera->state() != CameraState::streaming) {
            flow.recordingFailed(what, msg(cameraStateMsgid(s_.camera ? s_.camera->state()
                                                                      : CameraState::noCamera)));
            return;
        }
        hw::VideoOptions options = s_.videoOptions;
        options.maxDurationMs = flow.maxRecordMs(what);
        auto recorder = hw::VideoRecorder::start(options);
        if (!recorder) {
            log::error("kiosk", "video: the encoder did not start: " + recorder.error().message);
            flow.recordingFailed(what, msg("kiosk.video.failed"));
            return;
        }
        video_ = std::move(recorder.value());
        (void)flow.recordingStarted(what);
        log::info("kiosk", "video: recording");
        return;
    }
    if (!s_.mic) {
        flow.recordingFailed(what, msg(hw::micStateMsgid(hw::MicState::noMicrophone)));
        return;
    }
    if (Status st = s_.mic->start(); !st.ok()) {
        log::warn("kiosk", "microphone: " + st.error().message);
        flow.recordingFailed(what, msg(hw::micStateMsgid(s_.mic->state())));
        return;
    }
    micOn_ = true;
    hw::VoiceOptions options = s_.voiceOptions;
    options.maxDurationMs = flow.maxRecordMs(what);
    auto recorder = hw::VoiceRecorder::start(s_.mic->sampleRate(), options);
    if (!recorder) {
        log::error("kiosk", "voice: the encoder did not start: " + recorder.error().message);
        s_.mic->stop();
        micOn_ = false;
        flow.recordingFailed(what, msg("kiosk.voice.failed"));
        return;
    }
    (void)s_.mic->take();  // what it heard before the button
    voice_ = std::move(recorder.value());
    level_ = 0;
    (void)flow.recordingStarted(what);
    log::info("kiosk", "voice: recording");
}

void MediaDesk::stop() {
    if (video_) {
        finishVideo();
    } else if (voice_) {
        finishVoice();
    }
}

void MediaDesk::onPreviewFrame(const Frame& frame) {
    if (video_ && !finishing_) {
        video_->push(frame);
    }
}

// The encoder drains on the worker (up to a second for the frames still queued); its first frame
// becomes the picture the screens show. The flow gets the clip, or why there is none.
void MediaDesk::finishVideo() {
    finishing_ = true;
    std::shared_ptr<hw::VideoRecorder> recorder(std::move(video_));
    s_.worker->run([this, recorder]() mutable {
        const std::uint64_t skipped = recorder->skippedFrames();
        Result<Clip> clip = recorder->finish();
        recorder.reset();
        Result<DraftClip> out = makeError(Errc::internal, "no clip");
        if (clip) {
            DraftClip draft;
            draft.clip = std::move(clip.value());
            if (auto first = hw::firstFrame(draft.clip.bytes)) {
                if (auto jpeg = encodeJpeg(first.value(), 80)) {
                    draft.thumbnail.jpeg = std::move(jpeg.value());
                    draft.thumbnail.sha256Hex = sha256Hex(draft.thumbnail.jpeg);
                    draft.thumbnail.width = first.value().width;
                    draft.thumbnail.height = first.value().height;
                }
                wipeBytes(first.value().rgb);
            }
            log::info("kiosk", "video: " + std::to_string(draft.clip.durationMs) + " ms, " +
                                   std::to_string(draft.clip.bytes.size()) + " bytes, " +
                                   std::to_string(skipped) + " frames skipped");
            out = std::move(draft);
        } else {
            log::warn("kiosk", "video: no clip: " + clip.error().message);
            out = clip.error();
        }
        post_([this, out = std::move(out)]() mutable {
            finishing_ = false;
            Flow& flow = *s_.flow;
            if (out) {
                flow.clipRecorded(Recording::video, std::move(out.value()));
            } else {
                flow.recordingFailed(Recording::video, msg(out.error().code == Errc::invalidInput
                                                               ? "kiosk.video.too_short"
                                                               : "kiosk.video.failed"));
            }
        });
    });
}

void MediaDesk::finishVoice() {
    if (micOn_) {
        if (voice_) {
            const auto rest = s_.mic->take();
            (void)voice_->push(rest);
        }
        s_.mic->stop();
        micOn_ = false;
    }
    finishing_ = true;
    level_ = 0;
    std::shared_ptr<hw::VoiceRecorder> recorder(std::move(voice_));
    s_.worker->run([this, recorder]() mutable {
        Result<Clip> clip = recorder->finish();
        recorder.reset();
        if (clip) {
            log::info("kiosk", "voice: " + std::to_string(clip.value().durationMs) + " ms, " +
                                   std::to_string(clip.value().bytes.size()) + " bytes");
        } else {
            log::warn("kiosk", "voice: no note: " + clip.error().message);
        }
        post_([this, clip = std::move(clip)]() mutable {
            finishing_ = false;
            Flow& flow = *s_.flow;
            if (clip) {
                flow.clipRecorded(Recording::voice, DraftClip{std::move(clip.value()), {}});
            } else {
                flow.recordingFailed(Recording::voice, msg(clip.error().code == Errc::invalidInput
                                                               ? "kiosk.voice.too_short"
                                                               : "kiosk.voice.failed"));
            }
        });
    });
}

bool MediaDesk::pump() {
    bool changed = false;
    const std::int64_t now = clock_.monotonicMs();
    if (s_.flow->recording() == Recording::none && (video_ || voice_) && !finishing_) {
        cancel();  // the flow ended it (a walk-away): nothing of it is kept
        return true;
    }
    if (voice_ && micOn_) {
        std::vector<std::int16_t> samples = s_.mic->take();
        if (!samples.empty()) {
            if (Status st = voice_->push(samples); !st.ok()) {
                log::warn("kiosk", "voice: " + st.error().message);
            }
            // Quick to rise, slow to fall, as a meter on a recorder.
            const float heard = hw::meterLevel(samples);
            level_ = heard > level_ ? heard : std::max(heard, level_ - 0.08f);
            std::fill(samples.begin(), samples.end(), std::int16_t{0});
        }
        if (s_.mic->state() == hw::MicState::error) {
            log::warn("kiosk", "microphone failed while recording: " + s_.mic->describe());
        }
        if (voice_->full() || s_.mic->state() == hw::MicState::error) {
            finishVoice();
        }
        if (now - levelAtMs_ >= kMeterMs) {
            levelAtMs_ = now;
            changed = true;
        }
    }
    if (video_ && video_->full()) {
        finishVideo();
        changed = true;
    }
    if (player_) {
        auto frame = player_->frameAt(now - playStartMs_);
        if (!frame || !frame.value()) {
            player_.reset();  // the end (or a frame that would not decode): the picture again
            textures_.dropClip();
        } else {
            textures_.updateClip(*frame.value());
            wipeBytes(frame.value()->rgb);
        }
        changed = true;
    }
    if (notePlayer_) {
        // The progress bar moves; at the end the player goes (once), or the loop would redraw
        // without pause for as long as it stayed.
        if (!notePlayer_->playing()) {
            notePlayer_.reset();
        }
        changed = true;
    }
    return changed;
}

std::int64_t MediaDesk::waitMs() const {
    if (voice_) {
        return kMeterMs;
    }
    if (player_) {
        return kClipFrameMs;
    }
    if (notePlayer_ && notePlayer_->playing()) {
        return 200;
    }
    return 3'600'000;
}

void MediaDesk::cancel() {
    if (micOn_ && s_.mic) {
        s_.mic->stop();
        auto rest = s_.mic->take();
        std::fill(rest.begin(), rest.end(), std::int16_t{0});
    }
    micOn_ = false;
    video_.reset();  // the recorders wipe what they held
    voice_.reset();
    level_ = 0;
    stopPlayback();
    playMessage_.clear();
}

std::int64_t MediaDesk::recordedMs() const {
    if (video_) {
        return video_->elapsedMs();
    }
    if (voice_) {
        return voice_->elapsedMs();
    }
    return 0;
}

std::string MediaDesk::micMessageKey() const {
    if (!s_.mic || s_.mic->state() == hw::MicState::noMicrophone) {
        return hw::micStateMsgid(hw::MicState::noMicrophone);
    }
    return s_.mic->state() == hw::MicState::error ? hw::micStateMsgid(hw::MicState::error) : "";
}

std::unique_ptr<hw::AudioSink> MediaDesk::playbackSink() {
    if (!s_.playbackWav.empty()) {
        return hw::makeWavFileSink(s_.playbackWav);
    }
    auto sink = hw::openSoundDeviceSink();
    if (!sink) {
        log::warn("kiosk", "note playback: " + sink.error().message);
        return nullptr;
    }
    return std::move(sink.value());
}

void MediaDesk::togglePlay(Recording what) {
    const Draft& d = s_.flow->draft();
    if (playing(what)) {
        stopPlayback();
        return;
    }
    stopPlayback();
    playMessage_.clear();
    if (what == Recording::video && d.video) {
        auto player = hw::VideoPlayer::open(d.video->clip.bytes);
        if (!player) {
            log::warn("kiosk", "video playback: " + player.error().message);
            playMessage_ = "kiosk.video.cannot_play";
            return;
        }
        player_ = std::move(player.value());
        playStartMs_ = clock_.monotonicMs();
    } else if (what == Recording::voice && d.voice) {
        auto sink = playbackSink();
        if (!sink) {
            playMessage_ = "kiosk.voice.no_speaker";
            return;
        }
        if (s_.speech) {
            s_.speech->stop();  // one voice at a time
        }
        notePlayer_ = std::make_unique<hw::VoicePlayer>(std::move(sink));
        if (Status st = notePlayer_->play(d.voice->clip.bytes); !st.ok()) {
            log::warn("kiosk", "note playback: " + st.error().message);
            notePlayer_.reset();
            playMessage_ = "kiosk.voice.cannot_play";
        }
    }
}

bool MediaDesk::playing(Recording what) const {
    if (what == Recording::video) {
        return player_ != nullptr;
    }
    return notePlayer_ && notePlayer_->playing();
}

std::int64_t MediaDesk::playedMs(Recording what) const {
    if (what == Recording::video) {
        return player_ ? clock_.monotonicMs() - playStartMs_ : 0;
    }
    return notePlayer_ ? notePlayer_->positionMs() : 0;
}

SDL_Texture* MediaDesk::clipTexture(int& w, int& h) {
    if (player_) {
        if (SDL_Texture* tex = textures_.clip(w, h)) {
            return tex;
        }
    }
    const Draft& d = s_.flow->draft();
    if (!d.video || d.video->thumbnail.jpeg.empty()) {
        return nullptr;
    }
    return textures_.photo(d.video->thumbnail, true, w, h);
}

void MediaDesk::stopPlayback() {
    player_.reset();
    textures_.dropClip();
    if (notePlayer_) {
        notePlayer_->stop();
        notePlayer_.reset();
    }
}

}  // namespace lapor::kiosk
