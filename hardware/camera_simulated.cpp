// The simulated camera: frame index = elapsed clock time x fps; frames are rendered when taken.
#include "hardware/camera_simulated.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/log.hpp"
#include "hardware/camera_scene.hpp"
#include "hardware/photo.hpp"

namespace lapor {
namespace {

bool isJpegName(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg";
}

// Shrinks (never enlarges) so the frame fits inside `fit`.
Frame fitInside(const Frame& frame, FrameSize fit) {
    if (frame.width <= fit.width && frame.height <= fit.height) {
        return frame;
    }
    const double sx = static_cast<double>(fit.width) / frame.width;
    const double sy = static_cast<double>(fit.height) / frame.height;
    const double s = std::min(sx, sy);
    const auto longSide = static_cast<std::uint32_t>(
        std::max(1.0, std::floor(std::max(frame.width, frame.height) * s)));
    return downscale(frame, longSide);
}

}  // namespace

bool SimulatedCameraBus::claim(const std::string& id) {
    std::lock_guard lock(mutex_);
    return open_.insert(id).second;
}

void SimulatedCameraBus::release(const std::string& id) {
    std::lock_guard lock(mutex_);
    open_.erase(id);
}

SimulatedCamera::SimulatedCamera(Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)) {
    if (!options_.bus) {
        options_.bus = std::make_shared<SimulatedCameraBus>();
    }
    options_.fps = std::clamp(options_.fps, 1, 120);
    if (options_.still.width == 0 || options_.still.height == 0) {
        options_.still = {4056, 3040};
    }
    slip_ = options_.slipPayload;
    options_.slipPollMs = std::max<std::int64_t>(options_.slipPollMs, 1);
}

SimulatedCamera::~SimulatedCamera() {
    close();
}

std::vector<CameraInfo> SimulatedCamera::list() {
    const std::string model = options_.jpegFolder.empty()
                                  ? "simulated test scene"
                                  : "simulated camera playing JPEG files from a folder";
    return {CameraInfo{options_.id, model, true}};
}

Status SimulatedCamera::scanFolder() {
    files_.clear();
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(options_.jpegFolder, ec)) {
        if (entry.is_regular_file(ec) && isJpegName(entry.path())) {
            files_.push_back(entry.path().string());
        }
    }
    if (ec) {
        return makeError(Errc::unavailable, "simulated camera: cannot read JPEG folder " +
                                                options_.jpegFolder + ": " + ec.message());
    }
    if (files_.empty()) {
        return makeError(Errc::unavailable,
                         "simulated camera: no .jpg files in folder " + options_.jpegFolder);
    }
    std::sort(files_.begin(), files_.end());
    fileCache_.assign(files_.size(), std::nullopt);
    return {};
}

Status SimulatedCamera::open(const std::string& id) {
    if (!openId_.empty()) {
        close();
    }
    if (!id.empty() && id != options_.id) {
        setState(CameraState::closed, "no camera with id " + id);
        return makeError(Errc::unavailable, message_);
    }
    if (!options_.bus->claim(options_.id)) {
        setState(CameraState::busy,
                 "camera " + options_.id + " is in use by another program; close it and retry");
        return makeError(Errc::busy, message_);
    }
    openId_ = options_.id;
    if (!options_.jpegFolder.empty()) {
        if (auto st = scanFolder(); !st) {
            options_.bus->release(openId_);
            openId_.clear();
            setState(CameraState::error, st.error().message);
            return st;
        }
    }
    setState(CameraState::closed, "camera open, preview not started");
    return {};
}

Status SimulatedCamera::startPreview(FrameSize preferred) {
    if (openId_.empty()) {
        return makeError(Errc::invalidInput, "startPreview before open");
    }
    if (state_ == CameraState::unplugged || state_ == CameraState::error) {
        return makeError(Errc::unavailable, message_);
    }
    if (preferred.width == 0 || preferred.height == 0) {
        preferred = {1280, 720};
    }
    previewSize_ = {std::min(preferred.width, options_.still.width),
                    std::min(preferred.height, options_.still.height)};
    previewWanted_ = true;
    streamStartMs_ = clock_.monotonicMs();
    lastIndex_ = -1;
    setState(CameraState::streaming, "streaming");
    startNotifyThread();
    return {};
}

void SimulatedCamera::stopPreview() {
    stopNotifyThread();
    previewWanted_ = false;
    if (state_ == CameraState::streaming) {
        setState(CameraState::closed, "camera open, preview stopped");
    }
}

Result<Frame> SimulatedCamera::loadFolderFrame(std::size_t index, FrameSize fit) {
    const std::string& path = files_[index % files_.size()];
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) {
        return makeError(Errc::ioError, "simulated camera: cannot read " + path);
    }
    auto decoded = decodeJpeg(bytes);
    if (!decoded) {
        return makeError(decoded.error().code,
                         "simulated camera: " + path + ": " + decoded.error().message);
    }
    return fitInside(*decoded, fit);
}

Result<Frame> SimulatedCamera::renderPreview(std::int64_t index) {
    if (files_.empty()) {
        const std::int64_t sceneMs = index * 1000 / options_.fps;
        Frame frame = renderTestScene(previewSize_, sceneMs, clock_.wallMs(), index,
                                      options_.utcOffsetMinutes, options_.zoneName);
        drawSlip(frame, sceneMs);
        return frame;
    }
    // Each file is shown for one second, whatever the frame rate, so a person can follow it.
    const auto file = static_cast<std::size_t>(index / options_.fps) % files_.size();
    if (!fileCache_[file]) {
        auto loaded = loadFolderFrame(file, previewSize_);
        if (!loaded) {
            return loaded.error();
        }
        fileCache_[file] = std::move(loaded).value();
    }
    Frame frame = *fileCache_[file];
    drawSlip(frame, index * 1000 / options_.fps);
    return frame;
}

std::optional<Frame> SimulatedCamera::takeLatestPreview() {
    if (state_ != CameraState::streaming) {
        return std::nullopt;
    }
    const std::int64_t elapsed = clock_.monotonicMs() - streamStartMs_;
    const std::int64_t index = std::max<std::int64_t>(0, elapsed) * options_.fps / 1000;
    if (index <= lastIndex_) {
        return std::nullopt;
    }
    lastIndex_ = index;
    pollSlipFile();
    auto frame = renderPreview(index);
    if (!frame) {
        log::warn("camera", frame.error().message);
        setState(CameraState::error, frame.error().message);
        return std::nullopt;
    }
    frame->sequence = index;
    frame->timestampMs = streamStartMs_ + index * 1000 / options_.fps;
    return std::move(frame).value();
}

Result<Frame> SimulatedCamera::captureStill() {
    if (openId_.empty()) {
        return makeError(Errc::invalidInput, "captureStill before open");
    }
    if (state_ == CameraState::unplugged || state_ == CameraState::error) {
        return makeError(Errc::unavailable, message_);
    }
    const std::int64_t now = clock_.monotonicMs();
    const std::int64_t index =
        previewWanted_ ? std::max<std::int64_t>(0, now - streamStartMs_) * options_.fps / 1000 : 0;
    Result<Frame> still =
        files_.empty()
            ? Result<Frame>(renderTestScene(options_.still, index * 1000 / options_.fps,
                                            clock_.wallMs(), index, options_.utcOffsetMinutes,
                                            options_.zoneName))
            : loadFolderFrame(static_cast<std::size_t>(index / options_.fps), options_.still);
    if (!still) {
        return still.error();
    }
    pollSlipFile();
    drawSlip(*still, index * 1000 / options_.fps);
    still->sequence = index;
    still->timestampMs = now;
    return still;
}

void SimulatedCamera::close() {
    stopNotifyThread();
    previewWanted_ = false;
    if (!openId_.empty()) {
        options_.bus->release(openId_);
        openId_.clear();
    }
    files_.clear();
    fileCache_.clear();
    setState(CameraState::closed, "camera closed");
}

CameraState SimulatedCamera::state() const {
    return state_;
}

std::string SimulatedCamera::stateMessage() const {
    return message_;
}

void SimulatedCamera::setFrameNotifier(std::function<void()> notify) {
    std::lock_guard lock(notifyMutex_);
    notify_ = std::move(notify);
}

void SimulatedCamera::simulateUnplug() {
    if (openId_.empty()) {
        return;
    }
    stopNotifyThread();
    setState(CameraState::unplugged,
             "camera " + openId_ + " was unplugged; plug it back in (it resumes by itself)");
}

void SimulatedCamera::simulateReplug() {
    if (state_ != CameraState::unplugged) {
        return;
    }
    if (previewWanted_) {
        streamStartMs_ = clock_.monotonicMs();
        lastIndex_ = -1;
        setState(CameraState::streaming, "streaming");
        startNotifyThread();
    } else {
        setState(CameraState::closed, "camera open, preview not started");
    }
}

void SimulatedCamera::simulateFailure(std::string message) {
    stopNotifyThread();
    setState(CameraState::error, std::move(message));
}

void SimulatedCamera::showSlip(std::string payload) {
    std::lock_guard lock(slipMutex_);
    slip_ = std::move(payload);
}

void SimulatedCamera::hideSlip() {
    showSlip({});
}

std::optional<std::string> SimulatedCamera::shownSlip() const {
    std::lock_guard lock(slipMutex_);
    if (slip_.empty()) {
        return std::nullopt;
    }
    return slip_;
}

void SimulatedCamera::pollSlipFile() {
    if (options_.slipFile.empty()) {
        return;
    }
    const std::int64_t now = clock_.monotonicMs();
    if (slipPolled_ && now - lastSlipPollMs_ < options_.slipPollMs) {
        return;
    }
    slipPolled_ = true;
    lastSlipPollMs_ = now;
    std::string payload;
    std::ifstream in(options_.slipFile);
    if (in && std::getline(in, payload)) {
        const auto first = payload.find_first_not_of(" \t\r");
        const auto last = payload.find_last_not_of(" \t\r");
        payload =
            first == std::string::npos ? std::string() : payload.substr(first, last - first + 1);
    }
    showSlip(std::move(payload));
}

void SimulatedCamera::drawSlip(Frame& frame, std::int64_t sceneMs) const {
    std::string payload;
    {
        std::lock_guard lock(slipMutex_);
        payload = slip_;
    }
    if (!payload.empty()) {
        (void)drawHeldSlip(frame, payload, sceneMs);
    }
}

void SimulatedCamera::setState(CameraState state, std::string message) {
    const bool changed = state != state_;
    state_ = state;
    message_ = std::move(message);
    if (changed) {
        std::function<void()> notify;
        {
            std::lock_guard lock(notifyMutex_);
            notify = notify_;
        }
        if (notify) {
            notify();
        }
    }
}

void SimulatedCamera::startNotifyThread() {
    if (!options_.notifyThread || notifyThread_.joinable()) {
        return;
    }
    {
        std::lock_guard lock(notifyMutex_);
        notifyStop_ = false;
    }
    // Real-time pacing only: the frames themselves follow clock_, this just wakes the UI loop.
    notifyThread_ = std::thread([this] {
        const auto period = std::chrono::microseconds(1'000'000 / options_.fps);
        auto next = std::chrono::steady_clock::now() + period;
        std::unique_lock lock(notifyMutex_);
        while (!notifyCv_.wait_until(lock, next, [this] { return notifyStop_; })) {
            next += period;
            if (auto notify = notify_) {
                lock.unlock();
                notify();
                lock.lock();
            }
        }
    });
}

void SimulatedCamera::stopNotifyThread() {
    {
        std::lock_guard lock(notifyMutex_);
        notifyStop_ = true;
    }
    notifyCv_.notify_all();
    if (notifyThread_.joinable()) {
        notifyThread_.join();
    }
}

}  // namespace lapor
