// Video clips: libx264 through libavcodec into an MP4 held in memory (libavformat, our own
// AVIOContext), RGB -> YUV 4:2:0 with libswscale; playback decodes from a span the same way.
#include "hardware/video.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/wipe.hpp"

namespace lapor::hw {
namespace {

constexpr std::uint32_t kMaxPlaySide = 4096;  // larger pictures are refused as corrupt
constexpr int kQueueSlots = 3;                // frames waiting for the encoder, at most
constexpr int kIoBufferSize = 16 * 1024;
constexpr int kEncoderNice = 5;

std::string avError(int code) {
    std::array<char, AV_ERROR_MAX_STRING_SIZE> text{};
    av_strerror(code, text.data(), text.size());
    return text.data();
}

// FFmpeg's own messages: only errors, into our log at debug level (our Result carries what an
// operator needs). They name codecs and byte positions, never picture content.
void avLogToOurs(void* avcl, int level, const char* fmt, va_list args) {
    if (level > AV_LOG_ERROR) {
        return;
    }
    std::array<char, 512> line{};
    int prefix = 1;
    av_log_format_line(avcl, level, fmt, args, line.data(), static_cast<int>(line.size()), &prefix);
    std::string text = line.data();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    if (level <= AV_LOG_FATAL) {
        log::error("video", "ffmpeg: " + text);
    } else {
        log::debug("video", "ffmpeg: " + text);
    }
}

void setUpFfmpegLogging() {
    static std::once_flag once;
    std::call_once(once, [] {
        av_log_set_level(AV_LOG_ERROR);
        av_log_set_callback(avLogToOurs);
    });
}

struct CodecContextFree {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
// A custom AVIOContext: its buffer may have been replaced by libavformat, so free that one.
struct IoFree {
    void operator()(AVIOContext* io) const {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
};
using CodecPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using AvFramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using IoPtr = std::unique_ptr<AVIOContext, IoFree>;

IoPtr makeIo(void* opaque, bool write, int (*read)(void*, std::uint8_t*, int),
             int (*writeFn)(void*, std::uint8_t*, int),
             std::int64_t (*seek)(void*, std::int64_t, int)) {
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBufferSize));
    if (buffer == nullptr) {
        return nullptr;
    }
    AVIOContext* io =
        avio_alloc_context(buffer, kIoBufferSize, write ? 1 : 0, opaque, read, writeFn, seek);
    if (io == nullptr) {
        av_free(buffer);
    }
    return IoPtr(io);
}

// ---- the MP4 in memory -------------------------------------------------------------------------

// The file being written. Grows without leaving copies behind: when it must move, the old
// buffer is wiped first (it holds the visitor's picture, compressed).
struct MemoryFile {
    std::vector<std::uint8_t> bytes;
    std::size_t pos = 0;

    void ensure(std::size_t size) {
        if (size <= bytes.capacity()) {
            return;
        }
        std::vector<std::uint8_t> bigger;
        bigger.reserve(std::max(size, bytes.capacity() * 3 / 2 + 64 * 1024));
        bigger.assign(bytes.begin(), bytes.end());
        wipeBytes(bytes);
        bytes.swap(bigger);
    }

    static int write(void* opaque, std::uint8_t* buf, int size) {
        auto* f = static_cast<MemoryFile*>(opaque);
        if (size <= 0) {
            return 0;
        }
        const std::size_t end = f->pos + static_cast<std::size_t>(size);
        f->ensure(end);
        if (end > f->bytes.size()) {
            f->bytes.resize(end);
        }
        std::memcpy(f->bytes.data() + f->pos, buf, static_cast<std::size_t>(size));
        f->pos = end;
        return size;
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* f = static_cast<MemoryFile*>(opaque);
        whence &= ~AVSEEK_FORCE;
        std::int64_t target = 0;
        switch (whence) {
            case AVSEEK_SIZE: return static_cast<std::int64_t>(f->bytes.size());
            case SEEK_SET: target = offset; break;
            case SEEK_CUR: target = static_cast<std::int64_t>(f->pos) + offset; break;
            case SEEK_END: target = static_cast<std::int64_t>(f->bytes.size()) + offset; break;
            default: return AVERROR(EINVAL);
        }
        if (target < 0) {
            return AVERROR(EINVAL);
        }
        f->pos = static_cast<std::size_t>(target);
        return target;
    }
};

// Reading a clip from the caller's bytes.
struct MemoryReader {
    std::span<const std::uint8_t> bytes;
    std::size_t pos = 0;

    static int read(void* opaque, std::uint8_t* buf, int size) {
        auto* r = static_cast<MemoryReader*>(opaque);
        const std::size_t left = r->bytes.size() - std::min(r->pos, r->bytes.size());
        const std::size_t n = std::min(left, static_cast<std::size_t>(std::max(size, 0)));
        if (n == 0) {
            return AVERROR_EOF;
        }
        std::memcpy(buf, r->bytes.data() + r->pos, n);
        r->pos += n;
        return static_cast<int>(n);
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* r = static_cast<MemoryReader*>(opaque);
        whence &= ~AVSEEK_FORCE;
        const auto size = static_cast<std::int64_t>(r->bytes.size());
        std::int64_t target = 0;
        switch (whence) {
            case AVSEEK_SIZE: return size;
            case SEEK_SET: target = offset; break;
            case SEEK_CUR: target = static_cast<std::int64_t>(r->pos) + offset; break;
            case SEEK_END: target = size + offset; break;
            default: return AVERROR(EINVAL);
        }
        if (target < 0 || target > size) {
            return AVERROR(EINVAL);
        }
        r->pos = static_cast<std::size_t>(target);
        return target;
    }
};

std::uint32_t readU32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
void writeU32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
std::uint64_t readU64(const std::uint8_t* p) {
    return std::uint64_t{readU32(p)} << 32 | readU32(p + 4);
}
void writeU64(std::uint8_t* p, std::uint64_t v) {
    writeU32(p, static_cast<std::uint32_t>(v >> 32));
    writeU32(p + 4, static_cast<std::uint32_t>(v));
}

struct Box {
    std::size_t offset = 0;  // of the box header
    std::size_t size = 0;    // whole box
    std::size_t header = 8;
    std::array<char, 4> type{};
    [[nodiscard]] bool is(const char* t) const { return std::memcmp(type.data(), t, 4) == 0; }
};

// The boxes in [begin, end); false when they do not tile it exactly.
bool parseBoxes(const std::vector<std::uint8_t>& f, std::size_t begin, std::size_t end,
                std::vector<Box>& out) {
    std::size_t at = begin;
    while (at < end) {
        if (end - at < 8) {
            return false;
        }
        Box box;
        box.offset = at;
        std::uint64_t size = readU32(f.data() + at);
        std::memcpy(box.type.data(), f.data() + at + 4, 4);
        if (size == 1) {
            if (end - at < 16) {
                return false;
            }
            size = readU64(f.data() + at + 8);
            box.header = 16;
        } else if (size == 0) {
            size = end - at;
        }
        if (size < box.header || size > end - at) {
            return false;
        }
        box.size = static_cast<std::size_t>(size);
        out.push_back(box);
        at += box.size;
    }
    return true;
}

// Adds `shift` to every chunk offset (stco, co64) inside the container box.
bool shiftChunkOffsets(std::vector<std::uint8_t>& f, const Box& container, std::uint64_t shift) {
    std::vector<Box> children;
    if (!parseBoxes(f, container.offset + container.header, container.offset + container.size,
                    children)) {
        return false;
    }
    for (const Box& b : children) {
        if (b.is("trak") || b.is("mdia") || b.is("minf") || b.is("stbl")) {
            if (!shiftChunkOffsets(f, b, shift)) {
                return false;
            }
        } else if (b.is("stco") || b.is("co64")) {
            const std::size_t entry = b.is("stco") ? 4 : 8;
            const std::size_t body = b.offset + b.header;
            if (b.size < b.header + 8) {
                return false;
            }
            const std::uint32_t count = readU32(f.data() + body + 4);
            if ((b.size - b.header - 8) / entry < count) {
                return false;
            }
            std::uint8_t* p = f.data() + body + 8;
            for (std::uint32_t i = 0; i < count; ++i, p += entry) {
                if (entry == 4) {
                    const std::uint64_t moved = readU32(p) + shift;
                    if (moved > std::numeric_limits<std::uint32_t>::max()) {
                        return false;
                    }
                    writeU32(p, static_cast<std::uint32_t>(moved));
                } else {
                    writeU64(p, readU64(p) + shift);
                }
            }
        }
    }
    return true;
}

// "Fast start": the index (moov) before the pictures (mdat), so a phone or browser can start
// playing while it still downloads. libavformat's own +faststart reopens the output by name,
// which a file in memory does not have; this does the same in place (no second copy).
// Returns false and leaves the file untouched when its layout is not the one expected.
bool moveIndexToFront(std::vector<std::uint8_t>& f) {
    std::vector<Box> top;
    if (!parseBoxes(f, 0, f.size(), top) || top.size() < 3 || !top.front().is("ftyp") ||
        !top.back().is("moov")) {
        return false;
    }
    const Box moov = top.back();
    const std::size_t insertAt = top.front().size;
    // First pass on a copy of the index only, so a refusal leaves the file as it was.
    std::vector<std::uint8_t> index(f.begin() + static_cast<std::ptrdiff_t>(moov.offset), f.end());
    Box local = moov;
    local.offset = 0;
    if (!shiftChunkOffsets(index, local, moov.size)) {
        wipeBytes(index);
        return false;
    }
    std::copy(index.begin(), index.end(), f.begin() + static_cast<std::ptrdiff_t>(moov.offset));
    wipeBytes(index);
    std::rotate(f.begin() + static_cast<std::ptrdiff_t>(insertAt),
                f.begin() + static_cast<std::ptrdiff_t>(moov.offset), f.end());
    return true;
}

// ---- recording ---------------------------------------------------------------------------------

class FfmpegVideoRecorder final : public VideoRecorder {
  public:
    explicit FfmpegVideoRecorder(const VideoOptions& options) : options_(options) {}
    FfmpegVideoRecorder(const FfmpegVideoRecorder&) = delete;
    FfmpegVideoRecorder& operator=(const FfmpegVideoRecorder&) = delete;

    ~FfmpegVideoRecorder() override {
        stopThread(true);
        release();
    }

    Status setUp() {
        setUpFfmpegLogging();
        const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
        if (codec == nullptr) {
            return makeError(Errc::unavailable, "video: libavcodec has no libx264 encoder");
        }
        AVFormatContext* fmt = nullptr;
        if (avformat_alloc_output_context2(&fmt, nullptr, "mp4", nullptr) < 0 || fmt == nullptr) {
            return makeError(Errc::unavailable, "video: libavformat has no MP4 muxer");
        }
        fmt_ = fmt;
        const std::int64_t expected = std::int64_t{options_.bitrateKbps} * 1000 / 8 *
                                      std::max<std::int64_t>(options_.maxDurationMs, 1000) / 1000;
        file_.ensure(static_cast<std::size_t>(expected + expected / 4 + 64 * 1024));
        io_ = makeIo(&file_, true, nullptr, &MemoryFile::write, &MemoryFile::seek);
        if (!io_) {
            return makeError(Errc::unavailable, "video: out of memory for the muxer");
        }
        fmt_->pb = io_.get();
        fmt_->flags |= AVFMT_FLAG_CUSTOM_IO;

        enc_.reset(avcodec_alloc_context3(codec));
        if (!enc_) {
            return makeError(Errc::unavailable, "video: out of memory for the encoder");
        }
        enc_->width = static_cast<int>(options_.width);
        enc_->height = static_cast<int>(options_.height);
        enc_->pix_fmt = AV_PIX_FMT_YUV420P;
        enc_->time_base = AVRational{1, 1000};  // Frame::timestampMs
        enc_->framerate = AVRational{options_.fps, 1};
        enc_->gop_size = 2 * options_.fps;  // a keyframe every 2 s: seeking, and resilience
        enc_->keyint_min = options_.fps;
        enc_->max_b_frames = 0;
        enc_->thread_count = 1;  // one core for the encoder, the other stays with the UI
        // Capped quality: a constant quality that a still scene reaches with few bits, and a
        // ceiling at the configured average rate for a busy or noisy one (VBV of 2 s).
        enc_->rc_max_rate = std::int64_t{options_.bitrateKbps} * 1000;
        enc_->rc_buffer_size = static_cast<int>(2 * enc_->rc_max_rate);
        enc_->profile = FF_PROFILE_H264_MAIN;
        enc_->color_range = AVCOL_RANGE_MPEG;
        enc_->colorspace = AVCOL_SPC_SMPTE170M;  // libswscale's RGB -> YUV matrix is BT.601
        enc_->color_primaries = AVCOL_PRI_BT709;
        enc_->color_trc = AVCOL_TRC_BT709;
        enc_->sample_aspect_ratio = AVRational{1, 1};
        if ((fmt_->oformat->flags & AVFMT_GLOBALHEADER) != 0) {
            enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        }
        av_opt_set(enc_->priv_data, "preset", "veryfast", 0);
        av_opt_set(enc_->priv_data, "tune", "zerolatency", 0);
        av_opt_set(enc_->priv_data, "profile", "main", 0);
        av_opt_set_double(enc_->priv_data, "crf", 26, 0);
        if (const int rc = avcodec_open2(enc_.get(), codec, nullptr); rc < 0) {
            return makeError(Errc::unavailable, "video: cannot open libx264: " + avError(rc));
        }
        AVStream* stream = avformat_new_stream(fmt_, nullptr);
        if (stream == nullptr) {
            return makeError(Errc::unavailable, "video: out of memory for the stream");
        }
        stream_ = stream;
        stream->time_base = enc_->time_base;
        if (avcodec_parameters_from_context(stream->codecpar, enc_.get()) < 0) {
            return makeError(Errc::unavailable, "video: cannot copy the encoder's parameters");
        }
        if (const int rc = avformat_write_header(fmt_, nullptr); rc < 0) {
            return makeError(Errc::unavailable,
                             "video: cannot write the MP4 header: " + avError(rc));
        }

        yuv_.reset(av_frame_alloc());
        packet_.reset(av_packet_alloc());
        if (!yuv_ || !packet_) {
            return makeError(Errc::unavailable, "video: out of memory for frames");
        }
        yuv_->format = AV_PIX_FMT_YUV420P;
        yuv_->width = enc_->width;
        yuv_->height = enc_->height;
        if (av_frame_get_buffer(yuv_.get(), 0) < 0) {
            return makeError(Errc::unavailable, "video: out of memory for frames");
        }
        intervalMs_ = 1000.0 / options_.fps;
        thread_ = std::thread([this] { encodeLoop(); });
        return {};
    }

    void push(const Frame& frame) override {
        if (finished_ || frame.width == 0 || frame.height == 0 ||
            frame.rgb.size() != std::size_t{3} * frame.width * frame.height) {
            return;
        }
        const std::int64_t ts = frame.timestampMs;
        if (kept_ > 0) {
            // Frame-rate reduction: keep the frames nearest a 1/fps grid (a quarter period's
            // slack, so a 30 fps camera gives exactly every other frame).
            if (ts <= lastKeptMs_ || static_cast<double>(ts) + intervalMs_ / 4 < nextDueMs_) {
                return;
            }
            if (static_cast<double>(ts - firstMs_) + intervalMs_ >
                static_cast<double>(options_.maxDurationMs) + intervalMs_ / 4) {
                full_ = true;
                return;
            }
            nextDueMs_ += intervalMs_;
            if (nextDueMs_ < static_cast<double>(ts)) {  // after a gap, start the grid again
                nextDueMs_ = static_cast<double>(ts) + intervalMs_;
            }
        } else {
            firstMs_ = ts;
            nextDueMs_ = static_cast<double>(ts) + intervalMs_;
        }
        int slot = -1;
        {
            std::lock_guard lock(mutex_);
            for (int i = 0; i < kQueueSlots; ++i) {
                if (slots_[i].state == SlotState::free) {
                    slot = i;
                    break;
                }
            }
            if (slot >= 0) {
                slots_[slot].state = SlotState::filling;
            }
        }
        // The grid advances even for a skipped frame, so the clip's time stays the camera's.
        kept_ += 1;
        lastKeptMs_ = ts;
        elapsedMs_.store(ts - firstMs_);
        if (slot < 0) {
            skipped_.fetch_add(1);
            return;
        }
        Slot& s = slots_[slot];
        s.width = frame.width;
        s.height = frame.height;
        s.ptsMs = ts - firstMs_;
        s.rgb.assign(frame.rgb.begin(), frame.rgb.end());  // reuses the slot's buffer
        {
            std::lock_guard lock(mutex_);
            s.state = SlotState::ready;
            ready_.push_back(slot);
        }
        wake_.notify_one();
    }

    [[nodiscard]] std::int64_t elapsedMs() const override { return elapsedMs_.load(); }
    [[nodiscard]] bool full() const override { return full_; }
    [[nodiscard]] std::uint64_t skippedFrames() const override { return skipped_.load(); }

    [[nodiscard]] Result<Clip> finish() override {
        if (finished_) {
            return makeError(Errc::invalidInput, "video: finish() called twice");
        }
        finished_ = true;
        stopThread(false);
        if (!encoderError_.empty()) {
            release();
            return makeError(Errc::internal, encoderError_);
        }
        if (encoded_ == 0) {
            release();
            return makeError(Errc::invalidInput, "video: no frame was recorded");
        }
        if (auto st = drain(nullptr); !st) {
            release();
            return st.error();
        }
        if (const int rc = av_write_trailer(fmt_); rc < 0) {
            release();
            return makeError(Errc::internal, "video: cannot finish the MP4: " + avError(rc));
        }
        Clip clip;
        clip.kind = MediaKind::video;
        clip.width = options_.width;
        clip.height = options_.height;
        clip.durationMs =
            static_cast<std::uint32_t>(lastPtsMs_ + static_cast<std::int64_t>(intervalMs_ + 0.5));
        if (!moveIndexToFront(file_.bytes)) {
            log::warn("video", "clip index left at the end of the file (unexpected layout)");
        }
        clip.bytes = std::move(file_.bytes);
        file_.bytes = {};
        clip.sha256Hex = crypto::sha256Hex(clip.bytes);
        release();
        return clip;
    }

  private:
    enum class SlotState { free, filling, ready, encoding };
    struct Slot {
        SlotState state = SlotState::free;
        std::uint32_t width = 0;
        std::uint32_t height = 0;
        std::int64_t ptsMs = 0;
        std::vector<std::uint8_t> rgb;
    };

    void encodeLoop() {
        // Below the UI thread: a late frame on screen is seen, a late frame in the encoder (it
        // has ten times the time it needs) is not. Linux gives each thread its own nice value.
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kEncoderNice);
        for (;;) {
            int slot = -1;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return cancel_ || stop_ || !ready_.empty(); });
                if (cancel_ || ready_.empty()) {
                    return;  // cancelled, or stopping with nothing left
                }
                slot = ready_.front();
                ready_.pop_front();
                slots_[slot].state = SlotState::encoding;
            }
            Slot& s = slots_[slot];
            const bool failed = !encoderError_.empty();
            if (!failed) {
                if (auto st = encodeSlot(s); !st) {
                    encoderError_ = st.error().message;
                }
            }
            {
                std::lock_guard lock(mutex_);
                s.state = SlotState::free;
            }
        }
    }

    // Scales the camera frame into the clip's picture, aspect kept, black bars where it does
    // not fill it, and encodes it.
    Status encodeSlot(const Slot& s) {
        if (av_frame_make_writable(yuv_.get()) < 0) {
            return makeError(Errc::internal, "video: out of memory for a frame");
        }
        const double scale = std::min(static_cast<double>(options_.width) / s.width,
                                      static_cast<double>(options_.height) / s.height);
        const auto evenDown = [](double v) { return std::max<int>(2, static_cast<int>(v) & ~1); };
        const int w = std::min(evenDown(s.width * scale + 0.5), enc_->width);
        const int h = std::min(evenDown(s.height * scale + 0.5), enc_->height);
        const int x = ((enc_->width - w) / 2) & ~1;
        const int y = ((enc_->height - h) / 2) & ~1;
        if (w != enc_->width || h != enc_->height) {
            for (int plane = 0; plane < 3; ++plane) {
                const int rows = plane == 0 ? enc_->height : enc_->height / 2;
                std::memset(yuv_->data[plane], plane == 0 ? 16 : 128,
                            static_cast<std::size_t>(yuv_->linesize[plane]) * rows);
            }
        }
        sws_.reset(sws_getCachedContext(
            sws_.release(), static_cast<int>(s.width), static_cast<int>(s.height), AV_PIX_FMT_RGB24,
            w, h, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
        if (!sws_) {
            return makeError(Errc::internal, "video: cannot set up the scaler");
        }
        const std::array<const std::uint8_t*, 4> src{s.rgb.data(), nullptr, nullptr, nullptr};
        const std::array<int, 4> srcStride{static_cast<int>(3 * s.width), 0, 0, 0};
        std::array<std::uint8_t*, 4> dst{
            yuv_->data[0] + static_cast<std::ptrdiff_t>(y) * yuv_->linesize[0] + x,
            yuv_->data[1] + static_cast<std::ptrdiff_t>(y / 2) * yuv_->linesize[1] + x / 2,
            yuv_->data[2] + static_cast<std::ptrdiff_t>(y / 2) * yuv_->linesize[2] + x / 2,
            nullptr};
        const std::array<int, 4> dstStride{yuv_->linesize[0], yuv_->linesize[1], yuv_->linesize[2],
                                           0};
        sws_scale(sws_.get(), src.data(), srcStride.data(), 0, static_cast<int>(s.height),
                  dst.data(), dstStride.data());
        yuv_->pts = s.ptsMs;
        lastPtsMs_ = s.ptsMs;
        ++encoded_;
        return drain(yuv_.get());
    }

    // Sends a frame (nullptr: the end) and writes every packet the encoder has ready.
    Status drain(AVFrame* frame) {
        if (const int rc = avcodec_send_frame(enc_.get(), frame); rc < 0) {
            return makeError(Errc::internal, "video: encoder refused a frame: " + avError(rc));
        }
        for (;;) {
            const int rc = avcodec_receive_packet(enc_.get(), packet_.get());
            if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
                return {};
            }
            if (rc < 0) {
                return makeError(Errc::internal, "video: encoder failed: " + avError(rc));
            }
            packet_->duration = static_cast<std::int64_t>(intervalMs_ + 0.5);
            av_packet_rescale_ts(packet_.get(), enc_->time_base, stream_->time_base);
            packet_->stream_index = stream_->index;
            const int wr = av_interleaved_write_frame(fmt_, packet_.get());
            av_packet_unref(packet_.get());
            if (wr < 0) {
                return makeError(Errc::internal, "video: cannot write to the MP4: " + avError(wr));
            }
        }
    }

    void stopThread(bool cancel) {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
            cancel_ = cancel_ || cancel;
        }
        wake_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    // Frees the libraries' state and wipes every buffer of ours that held the picture.
    void release() {
        for (Slot& s : slots_) {
            wipeBytes(s.rgb);
        }
        if (yuv_ && yuv_->buf[0] != nullptr) {
            for (int plane = 0; plane < 3; ++plane) {
                const int rows = plane == 0 ? yuv_->height : yuv_->height / 2;
                std::memset(yuv_->data[plane], 0,
                            static_cast<std::size_t>(yuv_->linesize[plane]) * rows);
            }
        }
        yuv_.reset();
        packet_.reset();
        sws_.reset();
        enc_.reset();
        if (fmt_ != nullptr) {
            fmt_->pb = nullptr;
            avformat_free_context(fmt_);
            fmt_ = nullptr;
        }
        if (io_ && io_->buffer != nullptr) {
            std::memset(io_->buffer, 0, static_cast<std::size_t>(io_->buffer_size));
        }
        io_.reset();
        wipeBytes(file_.bytes);
    }

    VideoOptions options_;
    MemoryFile file_;
    IoPtr io_;
    AVFormatContext* fmt_ = nullptr;
    AVStream* stream_ = nullptr;
    CodecPtr enc_;
    AvFramePtr yuv_;
    PacketPtr packet_;
    SwsPtr sws_;

    // The caller's side (push, elapsedMs, full, finish run on one thread).
    double intervalMs_ = 1000.0 / 15;
    double nextDueMs_ = 0;
    std::int64_t firstMs_ = 0;
    std::int64_t lastKeptMs_ = 0;
    std::uint64_t kept_ = 0;
    bool full_ = false;
    bool finished_ = false;
    std::atomic<std::int64_t> elapsedMs_{0};
    std::atomic<std::uint64_t> skipped_{0};

    // Shared with the encoder thread.
    std::mutex mutex_;
    std::condition_variable wake_;
    std::array<Slot, kQueueSlots> slots_{};
    std::deque<int> ready_;
    bool stop_ = false;
    bool cancel_ = false;
    std::thread thread_;

    // The encoder thread's own (read by finish() after the join).
    std::string encoderError_;
    std::uint64_t encoded_ = 0;
    std::int64_t lastPtsMs_ = 0;
};

// ---- playback ----------------------------------------------------------------------------------

class FfmpegVideoPlayer final : public VideoPlayer {
  public:
    explicit FfmpegVideoPlayer(std::span<const std::uint8_t> mp4) { reader_.bytes = mp4; }
    FfmpegVideoPlayer(const FfmpegVideoPlayer&) = delete;
    FfmpegVideoPlayer& operator=(const FfmpegVideoPlayer&) = delete;
    ~FfmpegVideoPlayer() override {
        dec_.reset();
        if (fmt_ != nullptr) {
            avformat_close_input(&fmt_);  // custom I/O: leaves io_ to us
        }
        io_.reset();
    }

    Status setUp() {
        setUpFfmpegLogging();
        if (reader_.bytes.size() < 16) {
            return corrupt("too short for an MP4");
        }
        io_ = makeIo(&reader_, false, &MemoryReader::read, nullptr, &MemoryReader::seek);
        AVFormatContext* fmt = avformat_alloc_context();
        if (!io_ || fmt == nullptr) {
            avformat_free_context(fmt);
            return makeError(Errc::internal, "video: out of memory for the demuxer");
        }
        fmt->pb = io_.get();
        fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
        const AVInputFormat* mp4 = av_find_input_format("mp4");
        if (const int rc = avformat_open_input(&fmt, nullptr, mp4, nullptr); rc < 0) {
            return corrupt("not an MP4 (" + avError(rc) + ")");  // fmt was freed
        }
        fmt_ = fmt;
        const AVCodec* codec = nullptr;
        const int index = av_find_best_stream(fmt_, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
        if (index < 0 || codec == nullptr) {
            return corrupt("no video stream");
        }
        stream_ = fmt_->streams[index];
        const AVCodecParameters* par = stream_->codecpar;
        if (par->codec_id != AV_CODEC_ID_H264) {
            return corrupt("not H.264");
        }
        if (par->width <= 0 || par->height <= 0 || par->width > static_cast<int>(kMaxPlaySide) ||
            par->height > static_cast<int>(kMaxPlaySide)) {
            return corrupt("picture size out of range");
        }
        // Every picture's bytes must lie inside the file: a truncated clip is refused here,
        // not found out halfway through playback.
        const int samples = avformat_index_get_entries_count(stream_);
        if (samples <= 0) {
            return corrupt("no pictures");
        }
        for (int i = 0; i < samples; ++i) {
            const AVIndexEntry* e = avformat_index_get_entry(stream_, i);
            if (e == nullptr || e->pos < 0 || e->size < 0 ||
                static_cast<std::uint64_t>(e->pos) + static_cast<std::uint64_t>(e->size) >
                    reader_.bytes.size()) {
                return corrupt("truncated");
            }
        }
        const std::int64_t start = stream_->start_time == AV_NOPTS_VALUE ? 0 : stream_->start_time;
        startPts_ = start;
        std::int64_t duration = 0;
        if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0) {
            duration = av_rescale_q(stream_->duration, stream_->time_base, AVRational{1, 1000});
        } else if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) {
            duration =
                av_rescale_q(fmt_->duration, AVRational{1, AV_TIME_BASE}, AVRational{1, 1000});
        }
        if (duration <= 0 || duration > std::numeric_limits<std::uint32_t>::max()) {
            return corrupt("no duration");
        }
        durationMs_ = static_cast<std::uint32_t>(duration);

        dec_.reset(avcodec_alloc_context3(codec));
        decoded_.reset(av_frame_alloc());
        packet_.reset(av_packet_alloc());
        if (!dec_ || !decoded_ || !packet_) {
            return makeError(Errc::internal, "video: out of memory for the decoder");
        }
        if (avcodec_parameters_to_context(dec_.get(), par) < 0) {
            return corrupt("bad codec parameters");
        }
        dec_->thread_count = 1;
        if (const int rc = avcodec_open2(dec_.get(), codec, nullptr); rc < 0) {
            return corrupt("cannot open the H.264 decoder (" + avError(rc) + ")");
        }
        size_ = {static_cast<std::uint32_t>(par->width), static_cast<std::uint32_t>(par->height)};
        // The first picture must decode: what cannot show a thumbnail is not a clip.
        auto first = decodeNext();
        if (!first) {
            return first.error();
        }
        if (!*first) {
            return corrupt("no picture decodes");
        }
        return {};
    }

    [[nodiscard]] std::uint32_t durationMs() const override { return durationMs_; }
    [[nodiscard]] FrameSize size() const override { return size_; }

    [[nodiscard]] Result<std::optional<Frame>> frameAt(std::int64_t ms) override {
        ms = std::max<std::int64_t>(ms, 0);
        if (ms >= durationMs_) {
            return std::optional<Frame>{};
        }
        if (current_ && ms < currentMs_) {
            if (auto st = rewind(ms); !st) {
                return st.error();
            }
        }
        // Decode forward until the next picture would be later than `ms`.
        for (;;) {
            if (next_ && nextMs_ <= ms) {
                current_ = std::move(next_);
                currentMs_ = nextMs_;
                currentIndex_ = nextIndex_;
            }
            if (next_ || atEnd_) {
                break;
            }
            auto more = decodeNext();
            if (!more) {
                return more.error();
            }
            if (!*more) {
                break;
            }
        }
        if (!current_) {
            // Before the first picture (its time is after 0): show the first one.
            if (!next_) {
                return std::optional<Frame>{};
            }
            current_ = std::move(next_);
            currentMs_ = nextMs_;
            currentIndex_ = nextIndex_;
        }
        auto rgb = toRgb(*current_);
        if (!rgb) {
            return rgb.error();
        }
        rgb->timestampMs = currentMs_;
        rgb->sequence = currentIndex_;
        return std::optional<Frame>(std::move(rgb).value());
    }

  private:
    static Error corrupt(const std::string& why) {
        return makeError(Errc::corrupt, "video: not a playable clip: " + why);
    }

    // Decodes the next picture into next_. false: the end.
    Result<bool> decodeNext() {
        for (;;) {
            const int rc = avcodec_receive_frame(dec_.get(), decoded_.get());
            if (rc == 0) {
                if (decoded_->width <= 0 || decoded_->height <= 0 ||
                    decoded_->width > static_cast<int>(kMaxPlaySide) ||
                    decoded_->height > static_cast<int>(kMaxPlaySide) || decoded_->format < 0) {
                    av_frame_unref(decoded_.get());
                    return corrupt("picture size out of range");
                }
                std::int64_t pts = decoded_->best_effort_timestamp;
                if (pts == AV_NOPTS_VALUE) {
                    pts = decoded_->pts;
                }
                nextMs_ = pts == AV_NOPTS_VALUE ? currentMs_
                                                : av_rescale_q(pts - startPts_, stream_->time_base,
                                                               AVRational{1, 1000});
                nextIndex_ = decodedCount_++;
                next_.reset(av_frame_alloc());
                if (!next_) {
                    return makeError(Errc::internal, "video: out of memory for a frame");
                }
                av_frame_move_ref(next_.get(), decoded_.get());
                return true;
            }
            if (rc == AVERROR_EOF) {
                atEnd_ = true;
                return false;
            }
            if (rc != AVERROR(EAGAIN)) {
                return corrupt("decoding failed (" + avError(rc) + ")");
            }
            if (draining_) {
                atEnd_ = true;
                return false;
            }
            const int rd = av_read_frame(fmt_, packet_.get());
            if (rd == AVERROR_EOF) {
                draining_ = true;
                if (const int sd = avcodec_send_packet(dec_.get(), nullptr); sd < 0) {
                    return corrupt("decoder refused the end (" + avError(sd) + ")");
                }
                continue;
            }
            if (rd < 0) {
                return corrupt("reading failed (" + avError(rd) + ")");
            }
            if (packet_->stream_index != stream_->index) {
                av_packet_unref(packet_.get());
                continue;
            }
            const int sd = avcodec_send_packet(dec_.get(), packet_.get());
            av_packet_unref(packet_.get());
            if (sd < 0 && sd != AVERROR(EAGAIN)) {
                return corrupt("damaged picture (" + avError(sd) + ")");
            }
        }
    }

    // Back to the keyframe at or before `ms`.
    Status rewind(std::int64_t ms) {
        const std::int64_t target =
            startPts_ + av_rescale_q(ms, AVRational{1, 1000}, stream_->time_base);
        if (av_seek_frame(fmt_, stream_->index, target, AVSEEK_FLAG_BACKWARD) < 0 &&
            av_seek_frame(fmt_, stream_->index, startPts_, AVSEEK_FLAG_BACKWARD) < 0) {
            return corrupt("cannot seek back");
        }
        avcodec_flush_buffers(dec_.get());
        current_.reset();
        next_.reset();
        currentMs_ = 0;
        atEnd_ = false;
        draining_ = false;
        // The index of a picture is its place in the file's sample table, found from its time.
        decodedCount_ = 0;
        const int samples = avformat_index_get_entries_count(stream_);
        for (int i = 0; i < samples; ++i) {
            const AVIndexEntry* e = avformat_index_get_entry(stream_, i);
            if (e != nullptr && e->timestamp <= target && (e->flags & AVINDEX_KEYFRAME) != 0) {
                decodedCount_ = i;
            }
        }
        return {};
    }

    Result<Frame> toRgb(const AVFrame& picture) {
        Frame out;
        out.width = static_cast<std::uint32_t>(picture.width);
        out.height = static_cast<std::uint32_t>(picture.height);
        out.rgb.resize(std::size_t{3} * out.width * out.height);
        sws_.reset(sws_getCachedContext(sws_.release(), picture.width, picture.height,
                                        static_cast<AVPixelFormat>(picture.format), picture.width,
                                        picture.height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                        nullptr, nullptr));
        if (!sws_) {
            return corrupt("unsupported picture format");
        }
        const std::array<std::uint8_t*, 4> dst{out.rgb.data(), nullptr, nullptr, nullptr};
        const std::array<int, 4> dstStride{static_cast<int>(3 * out.width), 0, 0, 0};
        sws_scale(sws_.get(), picture.data, picture.linesize, 0, picture.height, dst.data(),
                  dstStride.data());
        return out;
    }

    MemoryReader reader_;
    IoPtr io_;
    AVFormatContext* fmt_ = nullptr;
    AVStream* stream_ = nullptr;
    CodecPtr dec_;
    AvFramePtr decoded_;
    PacketPtr packet_;
    SwsPtr sws_;
    std::uint32_t durationMs_ = 0;
    FrameSize size_;
    std::int64_t startPts_ = 0;

    AvFramePtr current_;  // the picture shown at currentMs_
    std::int64_t currentMs_ = 0;
    std::int64_t currentIndex_ = 0;
    AvFramePtr next_;  // decoded, not yet due
    std::int64_t nextMs_ = 0;
    std::int64_t nextIndex_ = 0;
    std::int64_t decodedCount_ = 0;
    bool draining_ = false;
    bool atEnd_ = false;
};

}  // namespace

Result<std::unique_ptr<VideoRecorder>> VideoRecorder::start(const VideoOptions& options) {
    if (options.width < 16 || options.height < 16 || options.width > 1920 ||
        options.height > 1088 || options.width % 2 != 0 || options.height % 2 != 0 ||
        options.fps < 1 || options.fps > 60 || options.bitrateKbps < 32 ||
        options.bitrateKbps > 20'000 || options.maxDurationMs <= 0) {
        return makeError(Errc::invalidInput,
                         "video: options out of range (even size 16..1920x1088, 1..60 fps, "
                         "32..20000 kbit/s, a positive length)");
    }
    auto recorder = std::make_unique<FfmpegVideoRecorder>(options);
    if (auto st = recorder->setUp(); !st) {
        return st.error();
    }
    return std::unique_ptr<VideoRecorder>(std::move(recorder));
}

Result<std::unique_ptr<VideoPlayer>> VideoPlayer::open(std::span<const std::uint8_t> mp4) {
    auto player = std::make_unique<FfmpegVideoPlayer>(mp4);
    if (auto st = player->setUp(); !st) {
        return st.error();
    }
    return std::unique_ptr<VideoPlayer>(std::move(player));
}

Result<Frame> firstFrame(std::span<const std::uint8_t> mp4) {
    auto player = VideoPlayer::open(mp4);
    if (!player) {
        return player.error();
    }
    auto frame = (*player)->frameAt(0);
    if (!frame) {
        return frame.error();
    }
    if (!*frame) {
        return makeError(Errc::corrupt, "video: not a playable clip: no picture");
    }
    return std::move(**frame);
}

}  // namespace lapor::hw
