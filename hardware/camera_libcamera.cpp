// libcamera backend. libcamera's own thread only copies a finished buffer out and re-queues it;
// conversion, reconfiguration and unplug recovery happen on the caller's (UI) thread.
#include "hardware/camera_libcamera.hpp"

#include <libcamera/libcamera.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "core/log.hpp"
#include "hardware/camera_convert.hpp"
#include "hardware/camera_hotplug.hpp"

namespace lapor {
namespace {

namespace lc = libcamera;

// libcamera allows one CameraManager per process; every backend instance shares it.
std::shared_ptr<lc::CameraManager> sharedManager(std::string& error) {
    static std::mutex mutex;
    static std::weak_ptr<lc::CameraManager> weak;
    std::lock_guard lock(mutex);
    if (auto existing = weak.lock()) {
        return existing;
    }
    // libcamera logs every INFO line to stderr; keep the operator log to warnings unless a
    // technician asks for more with LIBCAMERA_LOG_LEVELS.
    if (std::getenv("LIBCAMERA_LOG_LEVELS") == nullptr) {
        lc::logSetLevel("*", "WARN");
    }
    auto manager = std::make_shared<lc::CameraManager>();
    if (const int rc = manager->start(); rc < 0) {
        error = std::string("libcamera camera manager did not start: ") + std::strerror(-rc);
        return nullptr;
    }
    weak = manager;
    return manager;
}

// The formats this backend reads, in order of preference: packed RGB first (no conversion), then
// MJPEG (UVC's only way to full frame rate at HD over USB 2), then raw YUV. libcamera names
// formats by DRM fourcc (little-endian words), so its RGB888 is B,G,R in memory.
struct FormatMapping {
    lc::PixelFormat libcamera;
    RawPixelFormat raw;
};

const std::vector<FormatMapping>& knownFormats() {
    static const std::vector<FormatMapping> list{
        {lc::formats::BGR888, RawPixelFormat::rgb24},
        {lc::formats::RGB888, RawPixelFormat::bgr24},
        {lc::formats::XRGB8888, RawPixelFormat::bgrx32},
        {lc::formats::MJPEG, RawPixelFormat::mjpeg},
        {lc::formats::YUYV, RawPixelFormat::yuyv},
        {lc::formats::NV12, RawPixelFormat::nv12},
        {lc::formats::YUV420, RawPixelFormat::yuv420},
    };
    return list;
}

std::optional<RawPixelFormat> rawFormat(const lc::PixelFormat& f) {
    for (const FormatMapping& m : knownFormats()) {
        if (m.libcamera == f) {
            return m.raw;
        }
    }
    return std::nullopt;
}

constexpr const char* kNoCameraMessage =
    "no camera found: connect the USB camera (or the CSI ribbon cable) and check that it is "
    "powered; it is picked up when plugged in, or restart the kiosk";

// A still is taken from this many frames after start, so auto exposure has settled a little.
constexpr int kStillWarmupFrames = 2;

struct Mapping {
    void* base = MAP_FAILED;
    std::size_t length = 0;
};

}  // namespace

struct LibcameraCamera::Impl {
    Options options;
    std::shared_ptr<lc::CameraManager> manager;
    std::shared_ptr<lc::Camera> camera;
    std::string openId;
    CameraState state = CameraState::noCamera;
    std::string message;
    bool previewWanted = false;
    FrameSize previewPreferred{1280, 720};

    // Stream set-up: written on the UI thread only while the camera is stopped, read by the
    // completion handler while it runs.
    std::unique_ptr<lc::CameraConfiguration> config;
    std::unique_ptr<lc::FrameBufferAllocator> allocator;
    std::vector<std::unique_ptr<lc::Request>> requests;
    std::map<const lc::FrameBuffer*, std::vector<std::pair<const std::uint8_t*, std::size_t>>>
        planes;
    std::vector<Mapping> mappings;
    RawPixelFormat format = RawPixelFormat::rgb24;
    FrameSize size{};
    std::uint32_t stride = 0;
    bool running = false;

    // Hand-over between libcamera's thread and the UI thread (short critical sections only).
    std::mutex mutex;
    std::condition_variable stillCv;
    std::vector<std::uint8_t> handlerBytes;  // touched by the handler only, swapped under mutex
    RawImage latest;
    bool haveLatest = false;
    bool stillWanted = false;
    int stillFramesSeen = 0;
    std::optional<RawImage> still;
    std::vector<std::pair<bool, std::string>> hotplug;  // (added?, camera id), newest last
    std::function<void()> notify;

    void setState(CameraState s, std::string text) {
        if (s != state || text != message) {
            log::info("camera", std::string(cameraStateName(s)) + ": " + text);
        }
        state = s;
        message = std::move(text);
    }

    void wake() {
        std::function<void()> n;
        {
            std::lock_guard lock(mutex);
            n = notify;
        }
        if (n) {
            n();
        }
    }

    // --- libcamera's thread ---------------------------------------------------------------

    void onRequestCompleted(lc::Request* request) {
        if (request->status() == lc::Request::RequestCancelled || request->buffers().empty()) {
            return;
        }
        const lc::FrameBuffer* buffer = request->buffers().begin()->second;
        const lc::FrameMetadata& meta = buffer->metadata();
        bool delivered = false;
        if (meta.status == lc::FrameMetadata::FrameSuccess) {
            const auto found = planes.find(buffer);
            if (found != planes.end()) {
                handlerBytes.clear();
                const auto& metaPlanes = meta.planes();
                for (std::size_t i = 0; i < found->second.size(); ++i) {
                    const auto [data, length] = found->second[i];
                    std::size_t used = i < metaPlanes.size() ? metaPlanes[i].bytesused : 0;
                    used = used == 0 ? length : std::min(used, length);
                    handlerBytes.insert(handlerBytes.end(), data, data + used);
                }
                std::lock_guard lock(mutex);
                RawImage* target = &latest;
                if (stillWanted) {
                    if (++stillFramesSeen <= kStillWarmupFrames || still) {
                        target = nullptr;
                    } else {
                        still.emplace();
                        target = &*still;
                    }
                }
                if (target) {
                    target->format = format;
                    target->width = size.width;
                    target->height = size.height;
                    target->stride = stride;
                    target->sequence = meta.sequence;
                    target->timestampMs = static_cast<std::int64_t>(meta.timestamp / 1'000'000);
                    std::swap(target->bytes, handlerBytes);
                    haveLatest = haveLatest || target == &latest;
                    delivered = true;
                }
            }
        }
        request->reuse(lc::Request::ReuseBuffers);
        (void)camera->queueRequest(request);  // fails only when stopping: fine
        if (delivered) {
            stillCv.notify_all();
            wake();
        }
    }

    void onCameraAdded(std::shared_ptr<lc::Camera> cam) {
        {
            std::lock_guard lock(mutex);
            hotplug.emplace_back(true, cam->id());
        }
        wake();
    }

    void onCameraRemoved(std::shared_ptr<lc::Camera> cam) {
        {
            std::lock_guard lock(mutex);
            hotplug.emplace_back(false, cam->id());
        }
        wake();
    }

    // --- UI thread ------------------------------------------------------------------------

    void unmapAll() {
        for (const Mapping& m : mappings) {
            if (m.base != MAP_FAILED) {
                munmap(m.base, m.length);
            }
        }
        mappings.clear();
        planes.clear();
    }

    void stopStream() {
        if (running && camera) {
            (void)camera->stop();  // completes the queued requests as cancelled
        }
        running = false;
        requests.clear();
        unmapAll();
        allocator.reset();
        config.reset();
        std::lock_guard lock(mutex);
        haveLatest = false;
    }

    Status fail(Errc code, std::string text, CameraState s = CameraState::error) {
        stopStream();
        setState(s, text);
        return makeError(code, std::move(text));
    }

    Status mapBuffers(lc::Stream* stream) {
        for (const auto& buffer : allocator->buffers(stream)) {
            auto& list = planes[buffer.get()];
            for (const lc::FrameBuffer::Plane& plane : buffer->planes()) {
                const std::size_t length = std::size_t{plane.offset} + plane.length;
                void* base = mmap(nullptr, length, PROT_READ, MAP_SHARED, plane.fd.get(), 0);
                if (base == MAP_FAILED) {
                    return makeError(Errc::ioError, std::string("cannot map a camera buffer: ") +
                                                        std::strerror(errno));
                }
                mappings.push_back({base, length});
                list.emplace_back(static_cast<const std::uint8_t*>(base) + plane.offset,
                                  plane.length);
            }
        }
        return {};
    }

    // Configure one stream for `role` near `want` and start it; undoes everything on failure.
    Status startStream(lc::StreamRole role, FrameSize want) {
        stopStream();
        config = camera->generateConfiguration({role});
        if (!config || config->size() != 1) {
            return fail(Errc::unavailable, "camera " + openId + " offers no stream for this use");
        }
        lc::StreamConfiguration& sc = config->at(0);
        const auto offered = sc.formats().pixelformats();
        for (const FormatMapping& m : knownFormats()) {
            if (std::find(offered.begin(), offered.end(), m.libcamera) != offered.end()) {
                sc.pixelFormat = m.libcamera;
                break;
            }
        }
        sc.size = lc::Size(want.width, want.height);
        if (config->validate() == lc::CameraConfiguration::Invalid) {
            return fail(Errc::unavailable, "camera " + openId + " rejected every configuration");
        }
        const auto raw = rawFormat(sc.pixelFormat);
        if (!raw) {
            return fail(Errc::unavailable, "camera " + openId + " only offers pixel format " +
                                               sc.pixelFormat.toString() +
                                               ", which this kiosk cannot read");
        }
        if (const int rc = camera->configure(config.get()); rc < 0) {
            return fail(Errc::unavailable, std::string("cannot configure camera ") + openId + ": " +
                                               std::strerror(-rc));
        }
        format = *raw;
        size = {sc.size.width, sc.size.height};
        stride = sc.stride;
        lc::Stream* stream = sc.stream();
        allocator = std::make_unique<lc::FrameBufferAllocator>(camera);
        if (allocator->allocate(stream) <= 0) {
            return fail(Errc::unavailable, "cannot allocate camera buffers for " + openId);
        }
        if (auto st = mapBuffers(stream); !st) {
            return fail(st.error().code, st.error().message);
        }
        for (const auto& buffer : allocator->buffers(stream)) {
            auto request = camera->createRequest();
            if (!request || request->addBuffer(stream, buffer.get()) < 0) {
                return fail(Errc::internal, "cannot create a camera request");
            }
            requests.push_back(std::move(request));
        }
        if (const int rc = camera->start(); rc < 0) {
            return fail(Errc::unavailable,
                        std::string("camera ") + openId + " did not start: " + std::strerror(-rc));
        }
        running = true;
        for (const auto& request : requests) {
            if (const int rc = camera->queueRequest(request.get()); rc < 0) {
                return fail(Errc::unavailable, std::string("camera ") + openId +
                                                   " refused a request: " + std::strerror(-rc));
            }
        }
        log::info("camera", "stream " + sc.toString() + " on " + openId);
        return {};
    }

    void dropCamera() {
        stopStream();
        if (camera) {
            camera->requestCompleted.disconnect(this);
            camera->release();
            camera.reset();
        }
    }

    Status openCamera(const std::string& id) {
        if (!manager) {
            return makeError(Errc::unavailable, message);
        }
        const auto cameras = manager->cameras();
        if (cameras.empty()) {
            setState(CameraState::noCamera, kNoCameraMessage);
            return makeError(Errc::unavailable, kNoCameraMessage);
        }
        std::shared_ptr<lc::Camera> cam = id.empty() ? cameras.front() : manager->get(id);
        if (!cam) {
            const std::string text =
                "no camera with id " + id + "; lapor-hwtest --list-cameras shows the ids";
            setState(CameraState::closed, text);
            return makeError(Errc::unavailable, text);
        }
        setState(CameraState::opening, "opening camera " + cam->id());
        if (const int rc = cam->acquire(); rc < 0) {
            if (rc == -EBUSY) {
                const std::string text =
                    "camera " + cam->id() + " is in use by another program; stop it and retry";
                setState(CameraState::busy, text);
                return makeError(Errc::busy, text);
            }
            const std::string text = "cannot open camera " + cam->id() + ": " + std::strerror(-rc);
            setState(CameraState::error, text);
            return makeError(Errc::unavailable, text);
        }
        camera = std::move(cam);
        openId = camera->id();
        camera->requestCompleted.connect(this, &Impl::onRequestCompleted);
        setState(CameraState::closed, "camera " + openId + " open");
        return {};
    }

    Status beginPreview() {
        setState(CameraState::opening, "starting preview on " + openId);
        if (auto st = startStream(lc::StreamRole::Viewfinder, previewPreferred); !st) {
            return st;
        }
        setState(CameraState::streaming, "streaming from " + openId);
        return {};
    }

    // Applies hot-plug events from libcamera's thread.
    void poll() {
        std::vector<std::pair<bool, std::string>> events;
        {
            std::lock_guard lock(mutex);
            events.swap(hotplug);
        }
        for (const auto& [added, id] : events) {
            const HotplugSituation now{state, openId, camera != nullptr,
                                       !manager->cameras().empty()};
            switch (decideHotplug(now, HotplugEvent{added, id})) {
                case HotplugAction::none: break;
                case HotplugAction::dropAsUnplugged:
                    dropCamera();
                    setState(CameraState::unplugged,
                             "camera " + openId +
                                 " was unplugged; plug it back in (it resumes by itself)");
                    break;
                case HotplugAction::noCameraLeft:
                    setState(CameraState::noCamera, kNoCameraMessage);
                    break;
                case HotplugAction::reopen:
                    if (openCamera(id) && previewWanted) {
                        (void)beginPreview();
                    }
                    break;
                case HotplugAction::cameraAppeared:
                    setState(CameraState::closed, "camera " + id + " found");
                    break;
            }
        }
    }
};

LibcameraCamera::LibcameraCamera(Options options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    std::string error;
    impl_->manager = sharedManager(error);
    if (!impl_->manager) {
        impl_->setState(CameraState::error, error);
        return;
    }
    impl_->manager->cameraAdded.connect(impl_.get(), &Impl::onCameraAdded);
    impl_->manager->cameraRemoved.connect(impl_.get(), &Impl::onCameraRemoved);
    if (impl_->manager->cameras().empty()) {
        impl_->setState(CameraState::noCamera, kNoCameraMessage);
    } else {
        impl_->setState(CameraState::closed, "camera found, not open");
    }
}

LibcameraCamera::~LibcameraCamera() {
    impl_->dropCamera();
    if (impl_->manager) {
        impl_->manager->cameraAdded.disconnect(impl_.get());
        impl_->manager->cameraRemoved.disconnect(impl_.get());
    }
}

std::vector<CameraInfo> LibcameraCamera::list() {
    std::vector<CameraInfo> out;
    if (!impl_->manager) {
        return out;
    }
    for (const auto& cam : impl_->manager->cameras()) {
        const auto model = cam->properties().get(lc::properties::Model);
        out.push_back({cam->id(), model.value_or("camera"), false});
    }
    return out;
}

Status LibcameraCamera::open(const std::string& id) {
    impl_->poll();
    impl_->dropCamera();
    impl_->previewWanted = false;
    return impl_->openCamera(id);
}

Status LibcameraCamera::startPreview(FrameSize preferred) {
    impl_->poll();
    if (!impl_->camera) {
        return makeError(
            impl_->state == CameraState::unplugged ? Errc::unavailable : Errc::invalidInput,
            impl_->state == CameraState::unplugged ? impl_->message : "startPreview before open");
    }
    if (preferred.width != 0 && preferred.height != 0) {
        impl_->previewPreferred = preferred;
    }
    impl_->previewWanted = true;
    return impl_->beginPreview();
}

void LibcameraCamera::stopPreview() {
    impl_->previewWanted = false;
    impl_->stopStream();
    if (impl_->camera) {
        impl_->setState(CameraState::closed, "camera " + impl_->openId + " open, preview stopped");
    }
}

std::optional<Frame> LibcameraCamera::takeLatestPreview() {
    impl_->poll();
    RawImage raw;
    {
        std::lock_guard lock(impl_->mutex);
        if (!impl_->haveLatest || impl_->stillWanted) {
            return std::nullopt;
        }
        std::swap(raw, impl_->latest);
        impl_->haveLatest = false;
    }
    auto frame = convertToRgb(raw);
    if (!frame) {
        // A damaged MJPEG frame happens on busy USB buses; skip it, the next one comes shortly.
        log::debug("camera", "preview frame dropped: " + frame.error().message);
        return std::nullopt;
    }
    return std::move(frame).value();
}

Result<Frame> LibcameraCamera::captureStill() {
    impl_->poll();
    if (!impl_->camera) {
        return makeError(Errc::unavailable,
                         impl_->message.empty() ? "no camera open" : impl_->message);
    }
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stillWanted = true;
        impl_->stillFramesSeen = 0;
        impl_->still.reset();
    }
    auto finish = [this](Result<Frame> result) -> Result<Frame> {
        impl_->stopStream();
        {
            std::lock_guard lock(impl_->mutex);
            impl_->stillWanted = false;
            impl_->still.reset();
        }
        if (impl_->previewWanted) {
            if (auto st = impl_->beginPreview(); !st && result) {
                log::warn("camera", "preview did not resume after a still: " + st.error().message);
            }
        } else if (impl_->camera && impl_->state != CameraState::error) {
            impl_->setState(CameraState::closed, "camera " + impl_->openId + " open");
        }
        return result;
    };
    impl_->setState(CameraState::busy, "taking a photo");
    if (auto st = impl_->startStream(lc::StreamRole::StillCapture, impl_->options.still); !st) {
        return finish(st.error());
    }
    std::optional<RawImage> raw;
    {
        std::unique_lock lock(impl_->mutex);
        impl_->stillCv.wait_for(lock, std::chrono::milliseconds(impl_->options.stillTimeoutMs),
                                [this] { return impl_->still.has_value(); });
        raw.swap(impl_->still);
    }
    if (!raw) {
        return finish(makeError(Errc::timeout, "camera " + impl_->openId +
                                                   " delivered no picture in time; unplug it "
                                                   "and plug it back in"));
    }
    auto frame = convertToRgb(*raw);
    if (!frame) {
        return finish(makeError(
            frame.error().code,
            "camera " + impl_->openId + " sent an unreadable picture: " + frame.error().message));
    }
    return finish(std::move(frame));
}

void LibcameraCamera::close() {
    impl_->poll();
    impl_->previewWanted = false;
    impl_->dropCamera();
    impl_->openId.clear();
    if (!impl_->manager) {
        return;
    }
    if (impl_->manager->cameras().empty()) {
        impl_->setState(CameraState::noCamera, kNoCameraMessage);
    } else {
        impl_->setState(CameraState::closed, "camera closed");
    }
}

CameraState LibcameraCamera::state() const {
    return impl_->state;
}

std::string LibcameraCamera::stateMessage() const {
    return impl_->message;
}

void LibcameraCamera::setFrameNotifier(std::function<void()> notify) {
    std::lock_guard lock(impl_->mutex);
    impl_->notify = std::move(notify);
}

}  // namespace lapor
