// lapor-hwtest: field technicians' check of the kiosk's devices (camera, receipt printer, speech).
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
  -h, --help           this text
)";

struct Options {
    std::string command;
    std::map<std::string, std::string> values;
    bool noStatus = false;
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
    static const char* withValue[] = {
        "--config",   "--lang", "--camera-backend", "--camera", "--printer",    "--path",
        "--host",     "--port", "--baud",           "--paper",  "--timeout-ms", "--sim-dir",
        "--simulate", "--png",  "--code",           "--wav",    "--text",       "--out"};
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            o.command = "help";
            return o;
        }
        if (a == "--no-status") {
            o.noStatus = true;
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
    std::cerr << "lapor-hwtest: unknown command '" << cmd << "'\n\n" << kUsageText;
    return kUsage;
}
