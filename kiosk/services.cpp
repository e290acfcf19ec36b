// Wiring of the kiosk's services from its configuration (services.hpp).
#include "kiosk/services.hpp"

#include <algorithm>
#include <filesystem>

#include "core/log.hpp"
#include "core/time_zone.hpp"

namespace lapor::kiosk {

namespace {

// The flow's Voice port over the kiosk's speech device.
class SpeechVoice final : public Voice {
  public:
    explicit SpeechVoice(hw::Speech& speech) : speech_(speech) {}
    void say(std::string text, Lang lang) override { speech_.speak(std::move(text), lang); }

  private:
    hw::Speech& speech_;
};

// The slip of a stored report: in the language the visitor filed in, with the time in the zone
// the report carries.
hw::SlipContent slipFor(const Report& r, const Catalog& catalog) {
    hw::SlipContent slip;
    const Lang lang = parseLang(r.language).value_or(Lang::id);
    slip.office = r.office;
    slip.receiptCode = r.receiptCode;
    slip.kindName = catalog.tr(lang, kindMsgid(r.kind));
    slip.title = r.title;
    slip.filedAtMs = r.createdAtMs;
    slip.utcOffsetMinutes = r.utcOffsetMinutes;
    slip.zoneName = zoneForOffset(r.utcOffsetMinutes).abbrev;
    slip.labels = hw::slipLabelsFrom(
        [&catalog, lang](std::string_view key) { return catalog.tr(lang, key); });
    return slip;
}

// The configuration file, with --state-dir's store and key in place of the configured ones.
Result<Config> readConfig(const AppOptions& options) {
    Config config;
    std::string path = options.configPath;
    if (path.empty() && std::filesystem::exists(std::string(defaultConfigPath))) {
        path = std::string(defaultConfigPath);
    }
    if (!path.empty()) {
        auto loaded = loadConfig(path);
        if (!loaded) {
            return loaded.error();
        }
        config = std::move(loaded.value());
    }
    if (!options.stateDir.empty()) {
        config.storePath = options.stateDir + "/store";
        config.keyFile = options.stateDir + "/keys/store.key";
    }
    return config;
}

std::unique_ptr<hw::Speech> openSpeech(const AppOptions& options) {
    // espeak-ng to the sound device (or a WAV file); none is not fatal.
    if (!options.speechWav.empty()) {
        if (auto s = hw::openEspeakSpeech(hw::makeWavFileSink(options.speechWav))) {
            return std::move(s.value());
        }
    } else if (auto sink = hw::openSoundDeviceSink(); sink) {
        if (auto s = hw::openEspeakSpeech(std::move(sink.value()))) {
            return std::move(s.value());
        }
    }
    log::warn("kiosk", "speech: not available; read-aloud is silent");
    return nullptr;
}

// The configured printer ([printer] section), else the simulated printer in the state dir, behind
// its print queue; none when neither opens (the receipt screen says so).
std::unique_ptr<hw::PrintQueue> openPrinter(const Config& config, const std::string& spoolBase,
                                            const std::function<void(int)>& wake) {
    hw::PrinterConfig pc;
    if (auto fromConfig = hw::printerConfigFrom(config, spoolBase + "/printer"); fromConfig) {
        pc = std::move(fromConfig.value());
    } else {
        log::warn("kiosk", "printer configuration: " + fromConfig.error().message +
                               "; using the simulated printer");
        pc.simulatedDir = spoolBase + "/printer";
    }
    auto p = hw::openPrinter(pc);
    if (!p) {
        log::warn("kiosk", "printer: " + p.error().message);
        return nullptr;
    }
    auto q = hw::PrintQueue::open(spoolBase + "/print-spool", std::move(p.value()));
    if (!q) {
        log::warn("kiosk", "print queue: " + q.error().message);
        return nullptr;
    }
    q.value()->setOnChange([wake] { wake(0); });
    q.value()->start();
    return std::move(q.value());
}

}  // namespace

std::string chooseSetting(const std::string& cli, const Config& config, std::string_view key,
                          std::initializer_list<std::string_view> allowed) {
    const std::string fallback(*allowed.begin());
    std::string names;
    for (std::string_view a : allowed) {
        names += (names.empty() ? "\"" : ", \"") + std::string(a) + "\"";
    }
    auto value = cli.empty() ? config.getString(key, fallback) : Result<std::string>(cli);
    if (!value || std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
        log::warn("kiosk", std::string(cli.empty() ? "config: " : "option: ") + std::string(key) +
                               " must be one of " + names + "; using \"" + fallback + "\"");
        return fallback;
    }
    return *value;
}

Services::~Services() {
    worker.reset();  // finish a save in progress before anything it uses goes away
    if (camera) {
        camera->setFrameNotifier({});
        camera->close();
    }
    if (printer) {
        printer->stop();
    }
}

void Services::recoverSlips() {
    if (slips) {
        (void)slips->recover();
    }
}

bool openServices(Services& s, const AppOptions& options, Clock& clock,
                  std::function<void(int)> wake) {
    auto read = readConfig(options);
    if (!read) {
        log::error("kiosk", "config: " + read.error().message);
        return false;
    }
    const Config& config = read.value();
    s.renderer =
        chooseSetting(options.renderer, config, "kiosk.renderer", {"auto", "software", "gpu"});
    const std::string cameraChoice =
        chooseSetting(options.camera, config, "kiosk.camera", {"libcamera", "simulated", "auto"});
    const std::string micChoice =
        chooseSetting(options.microphone, config, "kiosk.microphone", {"sdl", "simulated", "auto"});

    auto cat = Catalog::loadDir(defaultPoDir());
    if (!cat) {
        log::error("kiosk", "translations: " + cat.error().message);
        return false;
    }
    s.catalog = std::make_unique<Catalog>(std::move(cat.value()));

    auto regions = openRegionSource("");
    if (!regions) {
        log::error("kiosk", "regions: " + regions.error().message);
        return false;
    }
    s.regions = std::move(regions.value());

    auto store = openStoreLink(config, clock);
    if (!store) {
        log::error("kiosk", "store: " + store.error().message);
        return false;
    }
    s.store = std::move(store.value());

    FlowConfig fc;
    fc.deviceId = s.store.sink->deviceId();
    fc.office = config.office;
    if (auto zone = parseTimeZone(config.timeZone)) {  // loadConfig refused a bad one
        fc.zone = std::move(zone.value());
    }
    if (config.office.empty()) {
        log::error("kiosk",
                   "device.office is not set: the kiosk shows staff what is missing and "
                   "takes no reports until it is set");
    }
    if (auto idle = config.getInt("kiosk.staff_idle_s", 120); idle && *idle > 0) {
        fc.staffIdleMs = *idle * 1000;
    } else {
        log::warn("kiosk",
                  "config: kiosk.staff_idle_s must be a number of seconds above 0; "
                  "using 120");
    }
    // Clips and notes: their longest length (seconds), within what the store takes.
    const auto seconds = [&config](std::string_view key, std::int64_t fallback, std::int64_t most) {
        auto v = config.getInt(key, fallback);
        if (!v || *v < 3 || *v > most) {
            log::warn("kiosk", "config: " + std::string(key) + " must be 3 to " +
                                   std::to_string(most) + " seconds; using " +
                                   std::to_string(fallback));
            return fallback * 1000;
        }
        return *v * 1000;
    };
    fc.videoMaxMs = seconds("kiosk.video_max_s", 30, 120);
    fc.voiceMaxMs = seconds("kiosk.voice_max_s", 120, 600);
    // The camera's preview is 4:3: the clip keeps its shape, small for a slow uplink.
    s.videoOptions.width = 480;
    s.videoOptions.height = 360;
    s.playbackWav = options.playbackWav;
    fc.idleWarnMs = options.idleWarnMs;
    fc.idleWipeMs = options.idleWipeMs;
    s.flow = std::make_unique<Flow>(clock, *s.catalog, *s.regions, *s.store.catalog, fc);
    if (auto lang = parseLang(config.language)) {
        s.flow->setLang(*lang);
    }

    // Camera: the real one by default, even when none is plugged in yet (the photos screen says
    // so, and libcamera picks it up when it appears). Never the simulated camera unless asked:
    // its pictures would go to the national system as a visitor's evidence.
    CameraConfig cc;
    cc.backend = cameraChoice == "simulated" ? CameraBackend::simulated
                 : cameraChoice == "auto"    ? CameraBackend::automatic
                                             : CameraBackend::libcamera;
    cc.preview = kPreviewSize;
    cc.still = FrameSize{1600, 1200};
    cc.utcOffsetMinutes = fc.zone.utcOffsetMinutes;  // a photo's time in the office's zone
    cc.zoneName = fc.zone.abbrev;
    auto choice = makeCamera(cc, clock);
    log::info("kiosk", "camera: " + choice.reason);
    s.camera = std::move(choice.camera);
    if (s.camera) {
        s.camera->setFrameNotifier([wake] { wake(1); });
    }

    const std::string spoolBase =
        options.stateDir.empty() ? std::string("/var/lib/lapor") : options.stateDir;
    s.printer = openPrinter(config, spoolBase, wake);
    // Microphone: the real one by default (the voice screen says plainly when there is none);
    // the simulated one only when asked, like the camera.
    hw::MicConfig mc;
    mc.backend = micChoice == "simulated" ? hw::MicBackend::simulated
                 : micChoice == "auto"    ? hw::MicBackend::automatic
                                          : hw::MicBackend::sdl;
    auto mic = hw::makeMicrophone(mc);
    log::info("kiosk", "microphone: " + mic.reason);
    s.mic = std::move(mic.mic);
    s.speech = openSpeech(options);
    if (s.speech) {
        s.voice = std::make_unique<SpeechVoice>(*s.speech);
    }
    if (s.printer) {
        s.slips = std::make_unique<SlipDesk>(
            *s.store.store, *s.printer,
            [catalog = s.catalog.get()](const Report& r) { return slipFor(r, *catalog); });
    }
    s.staff = std::make_unique<StaffDesk>(*s.store.store, clock);
    s.staff->setEnrolment(config, s.store.sink->deviceId());  // the panel's enrolment
    s.worker = std::make_unique<Worker>();
    s.worker->run([&s] { s.recoverSlips(); });
    s.worker->run([sink = s.store.sink] { sink->prepareForNextSave(); });
    return true;
}

}  // namespace lapor::kiosk
