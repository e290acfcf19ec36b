// Video clips from the kiosk's camera: H.264 (libx264 through libavcodec) in MP4 (libavformat),
// encoded on a thread of its own while the visitor records, and decoded again for playback on
// the review screen. Why this codec: docs/camera.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/report.hpp"
#include "core/result.hpp"
#include "hardware/camera.hpp"

namespace lapor::hw {

struct VideoOptions {
    // The clip's picture: preview frames are scaled (keeping their aspect, padded if needed) to
    // this size. Small, for a slow uplink: target and measured MB per 30 s in docs/performance.md.
    std::uint32_t width = 640;
    std::uint32_t height = 360;
    int fps = 15;           // frames kept per second (extra preview frames are skipped)
    int bitrateKbps = 350;  // the most on average (a cap); a still scene takes less
    std::int64_t maxDurationMs = 30'000;  // kiosk.video_max_s; frames beyond it are not taken
};

// Records one clip. push() is called from the UI thread with each preview frame and returns at
// once: frames go to the encoder's own thread (when it lags, frames are skipped and counted,
// never queued without bound). Not copyable; destroying it cancels the recording and wipes it.
class VideoRecorder {
  public:
    // Errc::unavailable when the encoder cannot be set up (the reason in the message, English).
    [[nodiscard]] static Result<std::unique_ptr<VideoRecorder>> start(const VideoOptions& options);
    virtual ~VideoRecorder() = default;
    // A camera frame (any size, RGB888); its timestampMs sets the clip's timing. Frames after
    // maxDurationMs are ignored (full() says so).
    virtual void push(const Frame& frame) = 0;
    // Milliseconds recorded so far (from the first frame's timestamp to the last one's).
    [[nodiscard]] virtual std::int64_t elapsedMs() const = 0;
    [[nodiscard]] virtual bool full() const = 0;
    // Frames skipped because the encoder was behind (for the log and the benchmark).
    [[nodiscard]] virtual std::uint64_t skippedFrames() const = 0;
    // Stops, drains the encoder and returns the MP4 with its SHA-256, duration and size; blocks
    // for the frames still queued (well under a second). Errc::invalidInput when no frame came.
    [[nodiscard]] virtual Result<Clip> finish() = 0;
};

// Plays a clip back for the review screen: decodes frames in order, on the caller's thread.
class VideoPlayer {
  public:
    // Errc::corrupt for bytes that are not an H.264 MP4 this kiosk can play (never a crash).
    // The player reads `mp4` in place (no copy): keep the bytes alive and unchanged while it lives.
    [[nodiscard]] static Result<std::unique_ptr<VideoPlayer>> open(
        std::span<const std::uint8_t> mp4);
    virtual ~VideoPlayer() = default;
    [[nodiscard]] virtual std::uint32_t durationMs() const = 0;
    [[nodiscard]] virtual FrameSize size() const = 0;
    // The frame to show `ms` after the start (the last one at or before it), decoding forward
    // from the previous call; a time before the previous one rewinds. nullopt past the end.
    [[nodiscard]] virtual Result<std::optional<Frame>> frameAt(std::int64_t ms) = 0;
};

// The first frame of a clip, for its thumbnail.
[[nodiscard]] Result<Frame> firstFrame(std::span<const std::uint8_t> mp4);

}  // namespace lapor::hw
