// Hot-plug decisions for the camera backends (see camera_hotplug.hpp).
#include "hardware/camera_hotplug.hpp"

namespace lapor {

HotplugAction decideHotplug(const HotplugSituation& now, const HotplugEvent& event) {
    const bool ours = !now.openId.empty() && event.cameraId == now.openId;
    if (!event.added) {
        if (ours && now.holdsCamera) {
            return HotplugAction::dropAsUnplugged;
        }
        if (!now.holdsCamera && !now.camerasLeft &&
            (now.state == CameraState::closed || now.state == CameraState::busy)) {
            return HotplugAction::noCameraLeft;
        }
        return HotplugAction::none;
    }
    if (ours && now.state == CameraState::unplugged) {
        return HotplugAction::reopen;
    }
    if (now.state == CameraState::noCamera) {
        return HotplugAction::cameraAppeared;
    }
    return HotplugAction::none;
}

}  // namespace lapor
