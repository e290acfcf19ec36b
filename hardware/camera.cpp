// Camera state names and the factory that picks libcamera or the simulated camera.
#include "hardware/camera.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "core/log.hpp"
#include "hardware/camera_libcamera.hpp"
#include "hardware/camera_simulated.hpp"

namespace lapor {

namespace {

struct StateText {
    const char* name;
    const char* msgid;
};

// Indexed by CameraState's value, in declaration order.
constexpr StateText kStateText[] = {
    {"noCamera", "camera.state.noCamera"}, {"closed", "camera.state.closed"},
    {"opening", "camera.state.opening"},   {"streaming", "camera.state.streaming"},
    {"busy", "camera.state.busy"},         {"unplugged", "camera.state.unplugged"},
    {"error", "camera.state.error"},
};

const StateText& stateText(CameraState state) {
    const auto i = static_cast<std::size_t>(state);
    return i < std::size(kStateText) ? kStateText[i] : kStateText[std::size(kStateText) - 1];
}

}  // namespace

const char* cameraStateName(CameraState state) noexcept {
    return stateText(state).name;
}

const char* cameraStateMsgid(CameraState state) noexcept {
    return stateText(state).msgid;
}

CameraChoice makeCamera(const CameraConfig& config, Clock& clock) {
    const auto simulated = [&](std::string reason) {
        SimulatedCamera::Options options;
        options.still = config.still;
        options.fps = std::max(config.simulatedFps, 15);
        options.jpegFolder = config.simulatedJpegFolder;
        options.utcOffsetMinutes = config.utcOffsetMinutes;
        options.zoneName = config.zoneName;
        options.slipPayload = config.simulatedSlip;
        options.slipFile = config.simulatedSlipFile;
        if (const char* env = std::getenv("LAPOR_SIM_CAMERA_SLIP"); env != nullptr) {
            options.slipPayload = env;
        }
        if (const char* env = std::getenv("LAPOR_SIM_CAMERA_SLIP_FILE"); env != nullptr) {
            options.slipFile = env;
        }
        CameraChoice choice{std::make_unique<SimulatedCamera>(clock, options), std::move(reason)};
        log::info("camera", choice.reason);
        return choice;
    };
    if (config.backend == CameraBackend::simulated) {
        return simulated("simulated camera (chosen by configuration)");
    }
    auto real = std::make_unique<LibcameraCamera>(
        LibcameraCamera::Options{config.still, config.stillTimeoutMs});
    if (config.backend == CameraBackend::libcamera) {
        CameraChoice choice{std::move(real), "libcamera (chosen by configuration)"};
        log::info("camera", choice.reason);
        return choice;
    }
    if (real->list().empty()) {
        return simulated("simulated camera: libcamera found no camera (" + real->stateMessage() +
                         ")");
    }
    CameraChoice choice{std::move(real), "libcamera: a camera was found"};
    log::info("camera", choice.reason);
    return choice;
}

}  // namespace lapor
