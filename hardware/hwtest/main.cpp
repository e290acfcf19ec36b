// lapor-hwtest: field technicians' check of the kiosk's devices (camera, receipt printer, speech,
// microphone).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/durable_file.hpp"
#include "core/i18n.hpp"
#include "core/log.hpp"
#include "hardware/camera.hpp"
#include "hardware/escpos_render.hpp"
#include "hardware/photo.hpp"
#include "hardware/printer.hpp"
#include "hardware/printer_transport.hpp"
#include "hardware/speech.hpp"
#include "hardware/voice.hpp"

namespace {

using namespace lapor;
using namespace lapor::hw;

// Exit codes: docs/technicians.md explains each and what to do about it.
enum Exit : int {
    kOk = 0,
    kUsage = 2,        // wrong command line
    kNotFound = 3,     // device not there / not connected / no sound device
    kAttention = 4,    // the device is there but needs a person (paper, cover, fault)
    kPermission = 5,   // the kiosk user may not open the device
    kBusy = 6,         // another program holds the device
    kDeviceError = 7,  // the device failed or timed out during the test
    kFileError = 8,    // an output file could not be written
    kConfigError = 9,  // the config file or translations could not be read
};

constexpr const char* kUsageText = R"(Usage: lapor-hwtest COMMAND [OPTIONS]

Checks the kiosk's devices. Every command prints what it found and exits with a code a technician
can act on (docs/technicians.md).

Commands:
  list                 list cameras and printer ports, and say which are simulated
  photo --out FILE     take one photo with the camera and store it as a JPEG (as the kiosk would)
  printer-status       ask the printer for its state (paper, cover, faults)
  print                print a test slip with a QR code
  speak                say a test sentence through the speaker (or into a WAV file)
  mic                  record from the microphone with a level meter, as a spoken note would

Options:
  --config FILE        the kiosk's config (default /etc/lapor/lapor.toml when it exists);
                       its [printer] section is the default printer
  --lang id|en         language of the test slip and sentence (default id)
  camera (photo):
    --camera-backend auto|libcamera|simulated   (default auto)
    --camera ID        which camera (default: the first one; see `list`)
  printer (print, printer-status):
    --printer simulated|device|serial|tcp
    --path PATH        device file (/dev/usb/lp0) or serial port (/dev/ttyUSB0)
    --host HOST --port N     network printer (port default 9100)
    --baud N           serial speed (default 19200)
    --paper 58|80      paper width in mm (default 58)
    --timeout-ms N     per connect, write and status answer (default 3000)
    --no-status        do not send status queries (for printers that print them as garbage)
    --sim-dir DIR      where the simulated printer writes slip-NNNN.bin/.png
    --simulate COND    set the simulated printer to ready, near-end, paper-out, cover-open,
                       offline or unplugged first (for training and tests)
    --png FILE         also render the test slip to this PNG (what the slip looks like)
    --code CODE        receipt code to print (default TEST-<time>)
  speech (speak):
    --wav FILE         synthesize into a WAV file instead of the speaker
    --text TEXT        say this instead of the test sentence
  microphone (mic):
    --seconds N        how long to record (default 3)
    --simulated        the simulated microphone instead of the real one
    --mic NAME         which capture device (default: the system's default; see `list`)
    --wav FILE         also write what it heard as a WAV file
    --opus FILE        also write the spoken note as the kiosk stores it (Ogg Opus)
    --play             play the note back through the speaker afterwards
  -h, --help           this text
)";

struct Options {
    std::string command;
    std::map<std::string, std::string> values;
    bool noStatus = false;
    bool simulated = false;
    bool play = false;
    [[nodiscard]] std::optional<std::string> get(const std::string& k) const {
        auto it = values.find(k);
        if (it == values.end()) {
            return std::nullopt;
        }
        return it->second;
    }
};

int fail(int code, const std::string& message) {
    std::cerr << "lapor-hwtest: " << message << "\n";
    return code;
}

int exitFor(const Error& e) {
    switch (e.code) {
        case Errc::unavailable:
        case Errc::notFound: return kNotFound;
        case Errc::permission: return kPermission;
        case Errc::busy: return kBusy;
        case Errc::diskFull: return kFileError;
        case Errc::invalidInput: return kUsage;
        default: return kDeviceError;
    }
}

// What a technician should try for a failed device, by exit code.
std::string hintFor(int code, const std::string& device) {
    switch (code) {
        case kNotFound:
            return "check the " + device + "'s cable and power, and the configured port";
        case kPermission:
            return "the kiosk user needs access: add it to the group of the device node "
                   "(lp for printers, dialout for serial ports, video for cameras)";
        case kBusy: return "another program holds the " + device + ": stop lapor-kiosk first";
        default: return "see docs/technicians.md";
    }
}

Result<Options> parseArgs(int argc, char** argv) {
    static const char* withValue[] = {"--config",   "--lang",  "--camera-backend", "--camera",
                                      "--printer",  "--path",  "--host",           "--port",
                                      "--baud",     "--paper", "--timeout-ms",     "--sim-dir",
                                      "--simulate", "--png",   "--code",           "--wav",
                                      "--text",     "--out",   "--seconds",        "--mic",
                                      "--opus"};
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            o.command = "help";
            return o;
        }
        if (a == "--no-status" || a == "--simulated" || a == "--play") {
            (a == "--no-status" ? o.noStatus : a == "--simulated" ? o.simulated : o.play) = true;
            continue;
        }
        bool known = false;
        for (const char* w : withValue) {
            if (a == w) {
                known = true;
            }
        }
        if (known) {
            if (i + 1 >= argc) {
                return makeError(Errc::invalidInput, a + " needs a value");
            }
            o.values[a.substr(2)] = argv[++i];
            continue;
        }
        if (a.rfind("-", 0) == 0) {
            return makeError(Errc::invalidInput, "unknown option " + a);
        }
        if (!o.command.empty()) {
            return makeError(Errc::invalidInput,
                             "one command at a time (got " + o.command + " and " + a + ")");
        }
        o.command = a;
    }
    if (o.command.empty()) {
        return makeError(Errc::invalidInput, "no command given");
    }
    return o;
}

Result<Config> loadKioskConfig(const Options& o) {
    if (auto path = o.get("config")) {
        return loadConfig(*path);
    }
    if (std::filesystem::exists(std::string(defaultConfigPath))) {
        return loadConfig(std::string(defaultConfigPath));
    }
    return Config{};
}

Result<Lang> langOption(const Options& o) {
    const std::string code = o.get("lang").value_or("id");
    if (code != "id" && code != "en") {
        return makeError(Errc::invalidInput, "--lang must be id or en");
    }
    return *parseLang(code);
}

Result<int> intOption(const Options& o, const std::string& key, int fallback) {
    auto v = o.get(key);
    if (!v) {
        return fallback;
    }
    char* end = nullptr;
    const long n = std::strtol(v->c_str(), &end, 10);
    if (end == v->c_str() || *end != '\0' || n <= 0 || n > 1'000'000) {
        return makeError(Errc::invalidInput, "--" + key + " needs a positive number");
    }
    return static_cast<int>(n);
}

// ---- microphone ----

void listMicrophones() {
    std::cout << "Microphones:\n";
    const std::vector<std::string> names = captureDeviceNames();
    if (names.empty()) {
        MicConfig mc;
        mc.backend = MicBackend::sdl;
        std::cout << "  (no real microphone: " << makeMicrophone(mc).mic->describe() << ")\n";
    }
    for (const std::string& name : names) {
        std::cout << "  " << name << "\n";
    }
    std::cout << "  simulated microphone  [simulated] (always available)\n";
}

double dbfs(double amplitude) {
    return amplitude <= 0 ? -120.0 : 20.0 * std::log10(amplitude / 32768.0);
}

// The level meter as the kiosk shows it, as text: [########------------]  -23.4 dBFS.
std::string meterText(std::span<const std::int16_t> samples) {
    const float level = meterLevel(samples);
    const int filled = static_cast<int>(std::lround(level * 20));
    double sum = 0;
    for (std::int16_t s : samples) {
        sum += static_cast<double>(s) * s;
    }
    const double rms = samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
    char db[32];
    std::snprintf(db, sizeof db, "%6.1f dBFS", dbfs(rms));
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(20 - filled), '-') + "] " + db;
}

int cmdMic(const Options& o) {
    Result<int> seconds = intOption(o, "seconds", 3);
    if (!seconds || *seconds > 600) {
        return fail(kUsage, "--seconds needs a number from 1 to 600");
    }
    MicConfig mc;
    mc.backend = o.simulated ? MicBackend::simulated : MicBackend::sdl;
    mc.deviceName = o.get("mic").value_or("");
    if (!o.simulated) {
        const std::vector<std::string> names = captureDeviceNames();
        std::cout << "capture devices:" << (names.empty() ? " none" : "") << "\n";
        for (const std::string& name : names) {
            std::cout << "  " << name << "\n";
        }
    }
    MicChoice choice = makeMicrophone(mc);
    Microphone& mic = *choice.mic;
    if (mic.state() == MicState::noMicrophone) {
        std::string why = mic.describe();
        if (why.rfind("no microphone: ", 0) == 0) {
            why = why.substr(15);
        }
        return fail(kNotFound, "no microphone found: " + why +
                                   " (check that it is plugged in and not muted; "
                                   "`--simulated` tests the rest without one)");
    }
    std::cout << "microphone: " << mic.describe() << (mic.simulated() ? " [simulated]" : "") << ", "
              << mic.sampleRate() << " Hz\n";
    VoiceOptions vo;
    vo.maxDurationMs = static_cast<std::int64_t>(*seconds) * 1000;
    Result<std::unique_ptr<VoiceRecorder>> recorder = VoiceRecorder::start(mic.sampleRate(), vo);
    if (!recorder) {
        return fail(kDeviceError, "voice encoder: " + recorder.error().message);
    }
    if (Status s = mic.start(); !s) {
        const int code = exitFor(s.error());
        return fail(code, "the microphone does not record: " + s.error().message);
    }
    std::cout << "recording " << *seconds << " s: speak now\n";
    std::vector<std::int16_t> heard;
    std::vector<std::int16_t> window;
    const auto begin = std::chrono::steady_clock::now();
    // Bounded: a microphone that delivers nothing must not hang the test.
    const auto deadline = begin + std::chrono::seconds(*seconds + 5);
    while (!(*recorder)->full() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (mic.state() == MicState::error) {
            break;
        }
        std::vector<std::int16_t> got = mic.take();
        if (Status s = (*recorder)->push(got); !s) {
            mic.stop();
            return fail(kDeviceError, "voice encoder: " + s.error().message);
        }
        heard.insert(heard.end(), got.begin(), got.end());
        window.insert(window.end(), got.begin(), got.end());
        if (window.size() >= static_cast<std::size_t>(mic.sampleRate()) / 4) {
            std::cout << "  " << meterText(window) << "\n" << std::flush;
            window.clear();
        }
    }
    const MicState end = mic.state();
    const std::string endMessage = mic.describe();
    mic.stop();
    const std::size_t wanted = static_cast<std::size_t>(mic.sampleRate()) * *seconds;
    heard.resize(std::min(heard.size(), wanted));
    if (end == MicState::error) {
        return fail(kDeviceError, "the microphone failed while recording: " + endMessage);
    }
    if (heard.empty()) {
        return fail(kDeviceError, "the microphone delivered no sound in " +
                                      std::to_string(*seconds + 5) +
                                      " s (check the sound system's capture settings)");
    }
    int peak = 0;
    double sum = 0;
    for (std::int16_t s : heard) {
        peak = std::max(peak, std::abs(static_cast<int>(s)));
        sum += static_cast<double>(s) * s;
    }
    const double rms = std::sqrt(sum / static_cast<double>(heard.size()));
    char line[96];
    std::snprintf(line, sizeof line, "heard %.2f s: peak %.1f dBFS, RMS %.1f dBFS",
                  static_cast<double>(heard.size()) / mic.sampleRate(), dbfs(peak), dbfs(rms));
    std::cout << line << "\n";
    Result<Clip> note = (*recorder)->finish();
    if (!note) {
        return fail(kDeviceError, "voice encoder: " + note.error().message);
    }
    std::cout << "spoken note: " << note->bytes.size() << " bytes Ogg Opus, " << note->durationMs
              << " ms ("
              << note->bytes.size() * 60'000 / std::max<std::uint32_t>(1, note->durationMs) / 1024
              << " KB per minute)\n";
    if (auto wav = o.get("wav")) {
        std::unique_ptr<AudioSink> sink = makeWavFileSink(*wav);
        Status s = sink->begin(mic.sampleRate());
        if (s) {
            s = sink->write(heard);
        }
        if (s) {
            s = sink->finish();
        }
        if (!s) {
            return fail(kFileError, s.error().message);
        }
        std::cout << "wrote " << *wav << "\n";
    }
    if (auto opus = o.get("opus")) {
        if (Status s = writeFileDurably(*opus, note->bytes); !s) {
            return fail(kFileError, s.error().message);
        }
        std::cout << "wrote " << *opus << "\n";
    }
    if (o.play) {
        Result<std::unique_ptr<AudioSink>> dev = openSoundDeviceSink();
        if (!dev) {
            return fail(kNotFound, "cannot play the note back: " + dev.error().message +
                                       " (check the speaker and its cable)");
        }
        VoicePlayer player(std::move(dev).value());
        if (Status s = player.play(note->bytes); !s) {
            return fail(kDeviceError, "cannot play the note back: " + s.error().message);
        }
        const auto playDeadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(note->durationMs + 10'000);
        while (player.playing()) {
            if (std::chrono::steady_clock::now() > playDeadline) {
                player.stop();
                return fail(kDeviceError,
                            "playback did not finish: the sound device does not play");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        std::cout << "played the note back; did you hear it?\n";
    }
    // A muted or dead microphone gives digital silence: the device is there, a person must look.
    if (dbfs(peak) < -60.0) {
        return fail(kAttention,
                    "the microphone heard only silence (muted? check the mute switch "
                    "and the capture volume with alsamixer)");
    }
    return kOk;
}

// ---- list ----

int cmdList() {
    std::cout << "Cameras:\n";
    for (CameraBackend backend : {CameraBackend::libcamera, CameraBackend::simulated}) {
        CameraConfig cc;
        cc.backend = backend;
        CameraChoice choice = makeCamera(cc, SystemClock::instance());
        const std::vector<CameraInfo> cams = choice.camera->list();
        if (cams.empty()) {
            std::cout << "  (no " << (backend == CameraBackend::libcamera ? "real" : "simulated")
                      << " camera: " << choice.camera->stateMessage() << ")\n";
        }
        for (const CameraInfo& c : cams) {
            std::cout << "  " << c.id << "  " << c.model << (c.simulated ? "  [simulated]" : "")
                      << "\n";
        }
    }
    std::cout << "Printer ports (ESC/POS printers cannot be enumerated; these are candidates):\n";
    bool any = false;
    std::error_code ec;
    std::vector<std::string> ports;
    for (const char* dir : {"/dev/usb", "/dev"}) {
        for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind("lp", 0) == 0 || name.rfind("ttyUSB", 0) == 0 ||
                name.rfind("ttyACM", 0) == 0) {
                ports.push_back(e.path().string());
            }
        }
    }
    std::sort(ports.begin(), ports.end());
    for (const std::string& p : ports) {
        const bool serial = p.find("tty") != std::string::npos;
        std::cout << "  " << p << "  (" << (serial ? "serial" : "device") << ", "
                  << (::access(p.c_str(), W_OK) == 0 ? "writable" : "not writable by this user")
                  << ")\n";
        any = true;
    }
    if (!any) {
        std::cout << "  (no USB printer or serial port found)\n";
    }
    std::cout << "  network printers: give --printer tcp --host ADDRESS (port 9100)\n";
    std::cout << "  simulated printer  [simulated] (always available)\n";
    Result<std::unique_ptr<AudioSink>> sink = openSoundDeviceSink();
    std::cout << "Speech:\n  espeak-ng to "
              << (sink ? "the sound device" : "no sound device (" + sink.error().message + ")")
              << "; WAV files always possible (--wav)\n";
    listMicrophones();
    return kOk;
}

// ---- photo ----

int cmdPhoto(const Options& o) {
    auto out = o.get("out");
    if (!out) {
        return fail(kUsage, "photo needs --out FILE");
    }
    CameraConfig cc;
    const std::string backend = o.get("camera-backend").value_or("auto");
    if (backend == "auto") {
        cc.backend = CameraBackend::automatic;
    } else if (backend == "libcamera") {
        cc.backend = CameraBackend::libcamera;
    } else if (backend == "simulated") {
        cc.backend = CameraBackend::simulated;
    } else {
        return fail(kUsage, "--camera-backend must be auto, libcamera or simulated");
    }
    cc.cameraId = o.get("camera").value_or("");
    CameraChoice choice = makeCamera(cc, SystemClock::instance());
    Camera& cam = *choice.camera;
    std::cout << "camera: " << choice.reason << (cam.simulated() ? " [simulated]" : "") << "\n";
    if (Status s = cam.open(cc.cameraId); !s) {
        const int code = exitFor(s.error());
        return fail(code, "cannot open the camera: " + cam.stateMessage() + " (" +
                              hintFor(code, "camera") + ")");
    }
    Result<Frame> still = cam.captureStill();
    if (!still) {
        const int code = exitFor(still.error());
        cam.close();
        return fail(code, "camera took no photo: " + still.error().message);
    }
    Result<ProcessedPhoto> photo = processPhoto(*still);
    cam.close();
    if (!photo) {
        return fail(kDeviceError, "photo could not be processed: " + photo.error().message);
    }
    if (Status s = writeFileDurably(*out, photo->photo.jpeg); !s) {
        return fail(kFileError, s.error().message);
    }
    std::cout << "photo: " << *out << " (" << photo->photo.width << "x" << photo->photo.height
              << ", " << photo->photo.jpeg.size() << " bytes, captured at " << still->width << "x"
              << still->height << ")\n";
    return kOk;
}

// ---- printer ----

// The config's printer with the command line's overrides; a bad config file sets kConfigError.
Result<PrinterConfig> printerOptions(const Options& o, int& exitCode) {
    exitCode = kConfigError;
    Result<Config> cfg = loadKioskConfig(o);
    if (!cfg) {
        return makeError(cfg.error().code, "config: " + cfg.error().message);
    }
    Result<PrinterConfig> pcr =
        printerConfigFrom(*cfg, std::filesystem::temp_directory_path() / "lapor-hwtest-printer");
    if (!pcr) {
        return makeError(pcr.error().code, "config [printer]: " + pcr.error().message);
    }
    exitCode = kUsage;
    PrinterConfig pc = *pcr;
    if (auto k = o.get("printer")) {
        Result<PrinterConfig::Kind> kind = parsePrinterKind(*k);
        if (!kind) {
            return kind.error();
        }
        pc.kind = *kind;
    }
    if (auto v = o.get("path")) {
        pc.path = *v;
    }
    if (auto v = o.get("host")) {
        pc.host = *v;
    }
    if (auto v = o.get("sim-dir")) {
        pc.simulatedDir = *v;
    }
    if (auto v = o.get("paper")) {
        Result<PaperWidth> w = parsePaperWidth(*v);
        if (!w) {
            return w.error();
        }
        pc.paper = *w;
    }
    Result<int> port = intOption(o, "port", pc.port);
    Result<int> baud = intOption(o, "baud", pc.baud);
    Result<int> timeout = intOption(o, "timeout-ms", pc.timeoutMs);
    if (!port || !baud || !timeout) {
        return !port ? port.error() : !baud ? baud.error() : timeout.error();
    }
    pc.port = *port;
    pc.baud = *baud;
    pc.timeoutMs = *timeout;
    if (o.noStatus) {
        pc.statusQueries = false;
    }
    return pc;
}

// Exit code and message for a printer state that stops printing (kOk when it may print).
int reportState(const PrinterState& st) {
    std::cout << "printer state: " << conditionName(st.condition)
              << (st.paperNearEnd ? " (paper near end)" : "") << " - " << st.detail << "\n";
    switch (st.condition) {
        case PrinterCondition::ready:
        case PrinterCondition::unknown: return kOk;
        case PrinterCondition::unreachable: return kNotFound;
        case PrinterCondition::paperOut:
        case PrinterCondition::coverOpen:
        case PrinterCondition::offline: return kAttention;
    }
    return kDeviceError;
}

struct OpenedPrinter {
    PrinterConfig config;
    std::unique_ptr<Printer> printer;
};

// Opens the printer; on failure `exitCode` says why (config, usage or device).
Result<OpenedPrinter> openFromOptions(const Options& o, int& exitCode) {
    Result<PrinterConfig> pc = printerOptions(o, exitCode);
    if (!pc) {
        return pc.error();
    }
    if (auto sim = o.get("simulate")) {
        if (pc->kind != PrinterConfig::Kind::simulated) {
            return makeError(Errc::invalidInput,
                             "--simulate works only with the simulated printer");
        }
        if (Status s = setSimulatedCondition(pc->simulatedDir, *sim); !s) {
            exitCode = exitFor(s.error());
            return s.error();
        }
    }
    Result<std::unique_ptr<Printer>> p = openPrinter(*pc);
    if (!p) {
        return p.error();
    }
    std::cout << "printer: " << (*p)->describe() << ((*p)->simulated() ? " [simulated]" : "")
              << ", " << (pc->paper == PaperWidth::mm80 ? "80" : "58") << " mm paper\n";
    return OpenedPrinter{*pc, std::move(p).value()};
}

// The language of the test's visitor- and staff-facing text, and the translations.
struct Texts {
    Lang lang;
    Catalog catalog;
};

Result<Texts> loadTexts(const Options& o) {
    Result<Lang> lang = langOption(o);
    if (!lang) {
        return lang.error();
    }
    Result<Catalog> catalog = Catalog::loadDir(defaultPoDir());
    if (!catalog) {
        return makeError(Errc::corrupt, "translations: " + catalog.error().message);
    }
    return Texts{*lang, std::move(catalog).value()};
}

int textsExit(const Error& e) {
    return e.code == Errc::invalidInput ? kUsage : kConfigError;
}

// What staff are told for a state (po/hardware.*.po), or the technician's hint.
std::string stateHint(const Catalog& catalog, Lang lang, const PrinterState& st, int code) {
    if (code == kAttention) {
        return catalog.tr(lang, st.staffMessageMsgid());
    }
    return hintFor(code, "printer");
}

// printer-status (printSlip false) and print.
int cmdPrinter(const Options& o, bool printSlip) {
    Result<Texts> texts = loadTexts(o);
    if (!texts) {
        return fail(textsExit(texts.error()), texts.error().message);
    }
    const Lang lang = texts->lang;
    const Catalog& catalog = texts->catalog;
    int openExit = kOk;
    Result<OpenedPrinter> p = openFromOptions(o, openExit);
    if (!p) {
        return fail(openExit, p.error().message);
    }
    if (!printSlip) {
        const PrinterState st = p->printer->queryState();
        const int code = reportState(st);
        return code == kOk
                   ? kOk
                   : fail(code, "printer needs attention: " + stateHint(catalog, lang, st, code));
    }
    const std::int64_t now = SystemClock::instance().wallMs();
    SlipContent slip;
    auto tr = [&](std::string_view key) { return catalog.tr(lang, key); };
    slip.labels = slipLabelsFrom(tr);
    slip.office = tr("slip.test.office");
    slip.kindName = tr("slip.test.kind");
    slip.title = tr("slip.test.title");
    slip.filedAtMs = now;
    if (auto code = o.get("code")) {
        slip.receiptCode = *code;
    } else {
        const std::time_t t = static_cast<std::time_t>(now / 1000);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "TEST-%H%M%S", &tm);
        slip.receiptCode = buf;
    }
    Result<std::vector<std::uint8_t>> bytes = renderSlip(slip, p->config.paper);
    if (!bytes) {
        return fail(kUsage, "test slip: " + bytes.error().message);
    }
    if (auto png = o.get("png")) {
        Result<Bitmap> image = renderEscPos(*bytes, p->config.paper);
        if (!image) {
            return fail(kDeviceError, "rendering the slip: " + image.error().message);
        }
        if (Status s = writePng(*image, *png); !s) {
            return fail(kFileError, s.error().message);
        }
        std::cout << "slip image: " << *png << "\n";
    }
    const PrinterState st = p->printer->queryState();
    const int stateCode = reportState(st);
    if (stateCode != kOk) {
        return fail(stateCode, "not printed: " + stateHint(catalog, lang, st, stateCode));
    }
    if (Status s = p->printer->print(*bytes); !s) {
        const int code = s.error().code == Errc::unavailable ? kAttention : exitFor(s.error());
        return fail(code, "not printed: " + s.error().message);
    }
    std::cout << "printed test slip " << slip.receiptCode << " (" << bytes->size()
              << " bytes). Scan its QR code: it must read " << slip.receiptCode << "\n";
    if (p->printer->simulated()) {
        std::cout << "simulated printer output: " << p->config.simulatedDir.string() << "\n";
    }
    return kOk;
}

// ---- speech ----

int cmdSpeak(const Options& o) {
    Result<Texts> texts = loadTexts(o);
    if (!texts) {
        return fail(textsExit(texts.error()), texts.error().message);
    }
    const Lang lang = texts->lang;
    const std::string text =
        o.get("text").value_or(texts->catalog.tr(lang, "speech.test_sentence"));
    std::unique_ptr<AudioSink> sink;
    const std::optional<std::string> wav = o.get("wav");
    if (wav) {
        sink = makeWavFileSink(*wav);
    } else {
        Result<std::unique_ptr<AudioSink>> dev = openSoundDeviceSink();
        if (!dev) {
            return fail(kNotFound, dev.error().message +
                                       " (check the speaker and its cable; `--wav FILE` tests "
                                       "the voice without a speaker)");
        }
        sink = std::move(dev).value();
    }
    Result<std::unique_ptr<Speech>> speech = openEspeakSpeech(std::move(sink));
    if (!speech) {
        return fail(kNotFound,
                    speech.error().message + " (install espeak-ng-data: tools/install-deps.sh)");
    }
    std::cout << "speech: " << (*speech)->describe() << "\n";
    (*speech)->speak(text, lang);
    // Bounded: a test sentence lasts seconds; anything near a minute means the audio is stuck.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((*speech)->isSpeaking()) {
        if (std::chrono::steady_clock::now() > deadline) {
            (*speech)->stop();
            return fail(kDeviceError,
                        "speech did not finish within 60 s: the sound device "
                        "does not play (check the mixer and the device)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (wav) {
        Result<std::vector<std::uint8_t>> bytes = readWholeFile(*wav);
        if (!bytes || bytes->size() <= 44) {
            return fail(kFileError, "no WAV written to " + *wav);
        }
        std::cout << "wrote " << *wav << " (" << bytes->size() << " bytes)\n";
    } else {
        std::cout << "said the test sentence; did you hear it?\n";
    }
    return kOk;
}

}  // namespace

int main(int argc, char** argv) {
    log::setMinLevel(log::Level::warn);
    Result<Options> opts = parseArgs(argc, argv);
    if (!opts) {
        std::cerr << "lapor-hwtest: " << opts.error().message << "\n\n" << kUsageText;
        return kUsage;
    }
    const std::string& cmd = opts->command;
    if (cmd == "help") {
        std::cout << kUsageText;
        return kOk;
    }
    if (cmd == "list") {
        return cmdList();
    }
    if (cmd == "photo") {
        return cmdPhoto(*opts);
    }
    if (cmd == "printer-status") {
        return cmdPrinter(*opts, false);
    }
    if (cmd == "print") {
        return cmdPrinter(*opts, true);
    }
    if (cmd == "speak") {
        return cmdSpeak(*opts);
    }
    if (cmd == "mic") {
        return cmdMic(*opts);
    }
    std::cerr << "lapor-hwtest: unknown command '" << cmd << "'\n\n" << kUsageText;
    return kUsage;
}
