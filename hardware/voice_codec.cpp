// Spoken notes as Ogg Opus: the recorder (libopusenc into memory), the decoder (libopusfile) and
// the player that paces the decoded note into an AudioSink on a thread of its own.
#include <opus/opusenc.h>
#include <opus/opusfile.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/wipe.hpp"
#include "hardware/voice.hpp"

namespace lapor::hw {

namespace {

constexpr int kDecodeRate = 48'000;  // libopusfile always decodes at 48 kHz
// A note longer than this is not one the kiosk made (kiosk.voice_max_s is minutes at most).
constexpr std::size_t kMaxDecodedSamples = static_cast<std::size_t>(kDecodeRate) * 60 * 15;

// Appends to `out`, wiping each buffer it outgrows so no copy of the note stays in freed memory.
void appendWiping(std::vector<std::uint8_t>& out, const unsigned char* data, std::size_t n) {
    if (out.size() + n > out.capacity()) {
        std::vector<std::uint8_t> bigger;
        bigger.reserve(std::max<std::size_t>({64 * 1024, out.capacity() * 2, out.size() + n}));
        bigger.assign(out.begin(), out.end());
        wipeBytes(out);
        out = std::move(bigger);
    }
    out.insert(out.end(), data, data + n);
}

class OpusRecorder final : public VoiceRecorder {
  public:
    OpusRecorder(int rate, const VoiceOptions& options)
        : rate_(rate),
          maxSamples_(options.maxDurationMs > 0 ? options.maxDurationMs * rate / 1000 : 0) {}
    ~OpusRecorder() override {
        if (enc_ != nullptr) {
            ope_encoder_destroy(enc_);
        }
        if (comments_ != nullptr) {
            ope_comments_destroy(comments_);
        }
        wipeBytes(ogg_);
    }
    OpusRecorder(const OpusRecorder&) = delete;
    OpusRecorder& operator=(const OpusRecorder&) = delete;

    Status init(const VoiceOptions& options) {
        comments_ = ope_comments_create();
        if (comments_ == nullptr) {
            return makeError(Errc::internal, "opus: no memory for the comments");
        }
        OpusEncCallbacks callbacks{&OpusRecorder::write, &OpusRecorder::close};
        int err = OPE_OK;
        // Family 0: mono or stereo Opus, the form browsers and players all read.
        enc_ = ope_encoder_create_callbacks(&callbacks, this, comments_, rate_, 1, 0, &err);
        if (enc_ == nullptr) {
            return makeError(Errc::invalidInput, std::string("opus encoder: ") + ope_strerror(err) +
                                                     " (rate " + std::to_string(rate_) + ")");
        }
        if (int e = ope_encoder_ctl(enc_, OPUS_SET_APPLICATION(OPUS_APPLICATION_VOIP));
            e != OPE_OK) {
            // Older libopusenc does not pass this on: say it is speech instead.
            (void)ope_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
        }
        if (int e = ope_encoder_ctl(enc_, OPUS_SET_BITRATE(options.bitrateBps)); e != OPE_OK) {
            return makeError(Errc::invalidInput, std::string("opus bitrate: ") + ope_strerror(e));
        }
        return {};
    }

    Status push(std::span<const std::int16_t> samples) override {
        if (finished_) {
            return makeError(Errc::invalidInput, "the note is already finished");
        }
        std::int64_t n = static_cast<std::int64_t>(samples.size());
        if (maxSamples_ > 0) {
            n = std::min(n, maxSamples_ - samples_);
        }
        if (n <= 0) {
            return {};
        }
        if (int e = ope_encoder_write(enc_, samples.data(), static_cast<int>(n)); e != OPE_OK) {
            return makeError(Errc::internal, std::string("opus encoder: ") + ope_strerror(e));
        }
        samples_ += n;
        return {};
    }
    std::int64_t elapsedMs() const override { return samples_ * 1000 / rate_; }
    bool full() const override { return maxSamples_ > 0 && samples_ >= maxSamples_; }

    Result<Clip> finish() override {
        if (finished_) {
            return makeError(Errc::invalidInput, "the note is already finished");
        }
        finished_ = true;
        if (samples_ == 0) {
            return makeError(Errc::invalidInput, "nothing was recorded");
        }
        if (int e = ope_encoder_drain(enc_); e != OPE_OK) {
            return makeError(Errc::internal, std::string("opus encoder: ") + ope_strerror(e));
        }
        if (writeFailed_ || ogg_.empty()) {
            return makeError(Errc::internal, "opus encoder wrote nothing");
        }
        Clip clip;
        clip.kind = MediaKind::voice;
        clip.sha256Hex = crypto::sha256Hex(ogg_);
        clip.durationMs = static_cast<std::uint32_t>(samples_ * 1000 / rate_);
        clip.bytes = std::move(ogg_);
        ogg_ = {};
        return clip;
    }

  private:
    static int write(void* self, const unsigned char* data, opus_int32 len) {
        auto* r = static_cast<OpusRecorder*>(self);
        try {
            appendWiping(r->ogg_, data, static_cast<std::size_t>(len));
        } catch (const std::bad_alloc&) {
            r->writeFailed_ = true;
            return 1;
        }
        return 0;
    }
    static int close(void* /*self*/) { return 0; }

    int rate_;
    std::int64_t maxSamples_;
    std::int64_t samples_ = 0;
    bool finished_ = false;
    bool writeFailed_ = false;
    OggOpusComments* comments_ = nullptr;
    OggOpusEnc* enc_ = nullptr;
    std::vector<std::uint8_t> ogg_;
};

// Releases an OggOpusFile.
struct OpusFileCloser {
    void operator()(OggOpusFile* f) const { op_free(f); }
};
using OpusFilePtr = std::unique_ptr<OggOpusFile, OpusFileCloser>;

Result<OpusFilePtr> openOgg(std::span<const std::uint8_t> ogg) {
    if (ogg.empty()) {
        return makeError(Errc::corrupt, "not an Ogg Opus file (empty)");
    }
    int err = 0;
    OpusFilePtr f(op_open_memory(ogg.data(), ogg.size(), &err));
    if (!f) {
        return makeError(Errc::corrupt,
                         "not an Ogg Opus file (opusfile error " + std::to_string(err) + ")");
    }
    return f;
}

}  // namespace

Result<std::unique_ptr<VoiceRecorder>> VoiceRecorder::start(int sampleRate,
                                                            const VoiceOptions& options) {
    if (sampleRate < 8000 || sampleRate > 192'000) {
        return makeError(Errc::invalidInput,
                         "voice: unsupported sample rate " + std::to_string(sampleRate));
    }
    if (options.bitrateBps < 6000 || options.bitrateBps > 256'000) {
        return makeError(Errc::invalidInput, "voice: bitrate must be 6000..256000, not " +
                                                 std::to_string(options.bitrateBps));
    }
    auto r = std::make_unique<OpusRecorder>(sampleRate, options);
    if (Status s = r->init(options); !s) {
        return s.error();
    }
    return std::unique_ptr<VoiceRecorder>(std::move(r));
}

Result<std::vector<std::int16_t>> decodeVoice(std::span<const std::uint8_t> ogg, int* sampleRate) {
    Result<OpusFilePtr> f = openOgg(ogg);
    if (!f) {
        return f.error();
    }
    std::vector<std::int16_t> out;
    std::vector<opus_int16> pcm(static_cast<std::size_t>(5760) * 2 * 8);  // 120 ms, 8 channels
    int holes = 0;
    while (true) {
        int link = 0;
        const int n = op_read(f->get(), pcm.data(), static_cast<int>(pcm.size()), &link);
        if (n == 0) {
            break;
        }
        if (n == OP_HOLE && ++holes < 16) {
            continue;  // a lost page: skip it, as players do
        }
        if (n < 0) {
            return makeError(Errc::corrupt,
                             "the note is damaged (opusfile error " + std::to_string(n) + ")");
        }
        const OpusHead* head = op_head(f->get(), link);
        const int channels = head != nullptr ? std::max(1, head->channel_count) : 1;
        for (int i = 0; i < n; ++i) {
            int sum = 0;
            for (int c = 0; c < channels; ++c) {
                sum += pcm[static_cast<std::size_t>(i * channels + c)];
            }
            out.push_back(static_cast<std::int16_t>(sum / channels));
        }
        if (out.size() > kMaxDecodedSamples) {
            return makeError(Errc::corrupt, "the note is longer than 15 minutes");
        }
    }
    if (out.empty()) {
        return makeError(Errc::corrupt, "the note holds no sound");
    }
    if (sampleRate != nullptr) {
        *sampleRate = kDecodeRate;
    }
    return out;
}

// ---- the player ----

struct VoicePlayer::Impl {
    explicit Impl(std::unique_ptr<AudioSink> s) : sink(std::move(s)) {
        worker = std::thread([this] { run(); });
    }
    ~Impl() {
        {
            std::lock_guard lock(mutex);
            quitting = true;
            ++generation;
        }
        sink->abort();
        cv.notify_all();
        worker.join();
        wipeBytes(pending);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void run() {
        std::unique_lock lock(mutex);
        while (true) {
            cv.wait(lock, [this] { return quitting || hasRequest; });
            if (quitting) {
                return;
            }
            hasRequest = false;
            active = true;
            std::vector<std::uint8_t> ogg = std::move(pending);
            pending = {};
            const std::uint64_t gen = generation;
            lock.unlock();
            playOne(ogg, gen);
            wipeBytes(ogg);
            lock.lock();
            // What was heard: all of it, or up to where stop() cut it short.
            finalMs = writtenSamples * 1000 / kDecodeRate;
            if (generation != gen) {
                finalMs = std::min<std::int64_t>(
                    finalMs, std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - startedAt)
                                 .count());
            }
            active = false;
            cv.notify_all();
        }
    }

    // Writes the note in 100 ms pieces no more than 300 ms ahead of the clock, so positionMs()
    // follows what is heard and stop() cuts it short at once, whatever the sink buffers.
    void playOne(const std::vector<std::uint8_t>& ogg, std::uint64_t gen) {
        int rate = kDecodeRate;
        Result<std::vector<std::int16_t>> pcm = decodeVoice(ogg, &rate);
        if (!pcm) {
            log::warn("voice", "playback: " + pcm.error().message);
            return;
        }
        auto current = [this, gen] {
            std::lock_guard lock(mutex);
            return generation == gen;
        };
        if (!current()) {
            return;
        }
        if (Status s = sink->begin(rate); !s) {
            log::warn("voice", "playback: " + s.error().message);
            return;
        }
        const std::size_t piece = static_cast<std::size_t>(rate) / 10;
        const auto begin = std::chrono::steady_clock::now();
        bool stopped = false;
        for (std::size_t at = 0; at < pcm->size() && !stopped; at += piece) {
            const std::size_t n = std::min(piece, pcm->size() - at);
            {
                std::unique_lock lock(mutex);
                const auto aheadOk = begin + std::chrono::milliseconds(
                                                 static_cast<std::int64_t>(at) * 1000 / rate - 300);
                cv.wait_until(lock, aheadOk, [this, gen] { return generation != gen; });
                if (generation != gen) {
                    stopped = true;
                    break;
                }
            }
            if (Status s = sink->write(std::span(*pcm).subspan(at, n)); !s) {
                stopped = true;
                break;
            }
            writtenSamples = static_cast<std::int64_t>(at + n);
        }
        if (!stopped && current()) {
            if (Status s = sink->finish(); !s && current()) {
                log::warn("voice", "playback: " + s.error().message);
            }
        }
        std::fill(pcm->begin(), pcm->end(), std::int16_t{0});
    }

    std::unique_ptr<AudioSink> sink;
    std::mutex mutex;
    std::condition_variable cv;
    std::thread worker;
    std::vector<std::uint8_t> pending;
    bool hasRequest = false;  // play() asked, the worker has not taken it yet
    bool active = false;      // the worker is playing a note
    bool quitting = false;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point startedAt;
    std::atomic<std::int64_t> writtenSamples{0};
    std::int64_t finalMs = 0;  // positionMs() once a note ended
};

VoicePlayer::VoicePlayer(std::unique_ptr<AudioSink> sink)
    : impl_(std::make_unique<Impl>(std::move(sink))) {}

VoicePlayer::~VoicePlayer() = default;

Status VoicePlayer::play(std::span<const std::uint8_t> ogg) {
    if (Result<OpusFilePtr> f = openOgg(ogg); !f) {
        return f.error();
    }
    stop();
    {
        std::lock_guard lock(impl_->mutex);
        wipeBytes(impl_->pending);
        impl_->pending.assign(ogg.begin(), ogg.end());
        impl_->hasRequest = true;
        impl_->writtenSamples = 0;
        impl_->finalMs = 0;
        impl_->startedAt = std::chrono::steady_clock::now();
        ++impl_->generation;
    }
    impl_->cv.notify_all();
    return {};
}

void VoicePlayer::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        if (!impl_->hasRequest && !impl_->active) {
            return;
        }
        ++impl_->generation;
        impl_->hasRequest = false;
        wipeBytes(impl_->pending);
    }
    impl_->sink->abort();
    impl_->cv.notify_all();
    // The worker notices within one piece (it checks the generation before each write).
    std::unique_lock lock(impl_->mutex);
    impl_->cv.wait(lock, [this] { return !impl_->active; });
}

bool VoicePlayer::playing() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->hasRequest || impl_->active;
}

std::int64_t VoicePlayer::positionMs() const {
    std::lock_guard lock(impl_->mutex);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - impl_->startedAt)
                             .count();
    if (!impl_->hasRequest && !impl_->active) {
        return impl_->finalMs;
    }
    return std::min<std::int64_t>(elapsed, impl_->writtenSamples * 1000 / kDecodeRate);
}

}  // namespace lapor::hw
