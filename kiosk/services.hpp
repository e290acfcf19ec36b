// The kiosk's services, wired once from its configuration (read here, once): translations,
// regions, the store, the flow, camera, printer and its queue, speech, the slip desk, the worker.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "hardware/camera.hpp"
#include "hardware/printer.hpp"
#include "hardware/speech.hpp"
#include "hardware/video.hpp"
#include "hardware/voice.hpp"
#include "kiosk/app.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/links.hpp"
#include "kiosk/slip_desk.hpp"
#include "kiosk/staff_desk.hpp"
#include "kiosk/worker.hpp"

namespace lapor::kiosk {

// A setting given on the command line (`cli`), else in the configuration under `key`, one of
// `allowed`; the first of `allowed` when absent. A value not allowed is logged and replaced by
// the first. (kiosk.camera's first is "libcamera": the simulated camera only when asked.)
std::string chooseSetting(const std::string& cli, const Config& config, std::string_view key,
                          std::initializer_list<std::string_view> allowed);

// The size the photos screen's preview asks the camera for.
inline constexpr FrameSize kPreviewSize{640, 480};

struct Services {
    Services() = default;
    // Finishes the save in progress before anything it uses goes away; stops the devices.
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    std::string renderer = "auto";  // auto | software | gpu (the option, else kiosk.renderer)
    std::unique_ptr<Catalog> catalog;
    std::unique_ptr<RegionSource> regions;
    StoreLink store;
    std::unique_ptr<Flow> flow;
    std::unique_ptr<Camera> camera;
    std::unique_ptr<hw::PrintQueue> printer;
    std::unique_ptr<hw::Speech> speech;
    std::unique_ptr<Voice> voice;         // speech as the flow's port; none without speech
    std::unique_ptr<hw::Microphone> mic;  // never null once open: an absent one says so
    hw::VideoOptions videoOptions;        // the clip's size and rate (kiosk.video_*)
    hw::VoiceOptions voiceOptions;
    std::string playbackWav;           // a note's playback into this file, not the speaker (tests)
    std::unique_ptr<SlipDesk> slips;   // used on the worker thread only
    std::unique_ptr<StaffDesk> staff;  // used on the worker thread only
    std::unique_ptr<Worker> worker;

    // Spools the slips the store still owes (on the worker).
    void recoverSlips();
};

// Reads the configuration (options.configPath, else /etc/lapor/lapor.toml when present) and opens
// everything; false when the kiosk cannot run (logged). A missing camera, printer or speech is
// not fatal. `wake(code)` wakes the main loop from any thread; code 1: a camera frame waits.
[[nodiscard]] bool openServices(Services& services, const AppOptions& options, Clock& clock,
                                std::function<void(int code)> wake);

}  // namespace lapor::kiosk
