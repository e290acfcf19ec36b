// The kiosk's main loop (after Dear ImGui's example_sdl_sdlrenderer), sleeping on events when
// nothing moves; devices and the store around the flow; background work handed back as closures.
#include "kiosk/app.hpp"

#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <png.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "core/config.hpp"
#include "core/log.hpp"
#include "core/time_zone.hpp"
#include "core/wipe.hpp"
#include "hardware/camera.hpp"
#include "hardware/photo.hpp"
#include "hardware/printer.hpp"
#include "hardware/speech.hpp"
#include "kiosk/links.hpp"
#include "kiosk/pointer_queue.hpp"
#include "kiosk/script.hpp"
#include "kiosk/slip_desk.hpp"
#include "kiosk/watchdog.hpp"

namespace lapor::kiosk {

namespace {

// One background thread running closures in order (saves, photo processing).
class Worker {
  public:
    Worker() : thread_([this] { loop(); }) {}
    ~Worker() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    void run(std::function<void()> job) {
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
    }

  private:
    void loop() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (jobs_.empty()) {
                    return;
                }
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job();
        }
    }
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread thread_;
};

struct Texture {
    SDL_Texture* tex = nullptr;
    int w = 0;
    int h = 0;
};

void destroy(Texture& t) {
    if (t.tex) {
        SDL_DestroyTexture(t.tex);
    }
    t = Texture{};
}

// Everything ImGui is about to draw (vertices, indices, clip rectangles, textures), hashed: two
// frames with the same hash look the same.
std::uint64_t hashDrawData(const ImDrawData* dd) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::string_view bytes) {
        h = (h ^ std::hash<std::string_view>{}(bytes)) * 1099511628211ull;
    };
    if (dd == nullptr) {
        return h;
    }
    for (int i = 0; i < dd->CmdListsCount; ++i) {
        const ImDrawList* l = dd->CmdLists[i];
        mix({reinterpret_cast<const char*>(l->VtxBuffer.Data),
             static_cast<std::size_t>(l->VtxBuffer.Size) * sizeof(ImDrawVert)});
        mix({reinterpret_cast<const char*>(l->IdxBuffer.Data),
             static_cast<std::size_t>(l->IdxBuffer.Size) * sizeof(ImDrawIdx)});
        for (const ImDrawCmd& c : l->CmdBuffer) {
            const float clip[4] = {c.ClipRect.x, c.ClipRect.y, c.ClipRect.z, c.ClipRect.w};
            mix({reinterpret_cast<const char*>(clip), sizeof clip});
            const std::uintptr_t tex = reinterpret_cast<std::uintptr_t>(c.TextureId);
            const unsigned counts[2] = {c.ElemCount, c.IdxOffset};
            mix({reinterpret_cast<const char*>(&tex), sizeof tex});
            mix({reinterpret_cast<const char*>(counts), sizeof counts});
        }
    }
    return h;
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

bool preferSoftwareRenderer(const std::string& choice, const std::filesystem::path& driDir) {
    if (choice != "auto") {
        return choice == "software";
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(driDir, ec)) {
        if (entry.path().filename().string().rfind("renderD", 0) == 0) {
            return false;
        }
    }
    return true;
}

bool writePng(const std::string& path, int width, int height,
              const std::vector<std::uint8_t>& rgba) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        return false;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        std::fclose(f);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
                 PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y) {
        png_write_row(png, rgba.data() + static_cast<std::size_t>(y) * width * 4);
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return std::fclose(f) == 0;
}

class App final : public AppActions, public ScriptHost {
  public:
    explicit App(AppOptions options) : options_(std::move(options)) {}
    ~App() override;
    int run();

    // ---- AppActions
    void takePhoto() override;
    [[nodiscard]] bool takingPhoto() const override { return takingPhoto_; }
    void readAloud() override;
    void startSave() override;
    void sealPhotosAhead();
    void recoverSlips();  // on the worker
    SDL_Texture* preview(int& w, int& h) override;
    [[nodiscard]] std::string cameraMessageKey() const override;
    SDL_Texture* photoTexture(std::size_t index, bool full, int& w, int& h) override;
    [[nodiscard]] std::string printerMessageKey() const override;
    [[nodiscard]] std::int64_t nowMs() const override { return clock_.monotonicMs(); }

    // ---- ScriptHost
    Ui& scriptUi() override { return *ui_; }
    Flow& scriptFlow() override { return *flow_; }
    [[nodiscard]] bool hasPreview() const override { return previewTex_.tex != nullptr; }
    [[nodiscard]] bool busy() const override {
        return takingPhoto_ || flow_->screen() == Screen::saving;
    }
    void requestShot(std::string name) override { shotName_ = std::move(name); }
    void quit(int code) override {
        quit_ = true;
        exitCode_ = code;
    }

  private:
    bool init();
    bool initServices();
    void handle(const SDL_Event& e);
    void frame();
    void post(std::function<void()> fn);
    void runPosted();
    [[nodiscard]] std::int64_t waitMs() const;
    // A script that is acting (not just sleeping) needs a frame after each of its steps.
    [[nodiscard]] bool scriptDriving() const {
        return script_ && !script_->done() && !script_->sleeping();
    }
    void updateMetrics();
    void syncCamera();
    void dropPhotoTextures();
    void saveShot();
    [[nodiscard]] hw::SlipContent makeSlip(const Report& report) const;

    AppOptions options_;
    SystemClock& clock_ = SystemClock::instance();
    std::int64_t startMs_ = 0;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    Uint32 wakeEvent_ = 0;  // posted closures and camera frames wake the loop with this

    std::unique_ptr<Catalog> catalog_;
    std::unique_ptr<RegionSource> regions_;
    StoreLink store_;
    std::unique_ptr<Ui> ui_;
    std::unique_ptr<Flow> flow_;
    Keyboard keyboard_;
    std::map<Screen, std::unique_ptr<View>> views_;

    std::unique_ptr<Camera> camera_;
    std::string rendererChoice_ = "auto";     // auto | software | gpu (options, else configuration)
    std::string cameraChoice_ = "libcamera";  // libcamera | simulated | auto (likewise)
    bool previewOn_ = false;
    // The camera state in which starting the preview last failed: not tried again (nor logged)
    // every frame until the state changes (a camera plugged in) or the visitor comes back.
    std::optional<CameraState> previewFailedIn_;
    Texture previewTex_;
    bool takingPhoto_ = false;
    std::map<std::string, Texture> photoTex_;  // by "<sha256>:<full?>"
    int seenWipes_ = 0;

    std::unique_ptr<hw::PrintQueue> printer_;
    std::unique_ptr<SlipDesk> slips_;  // on the worker thread only
    std::unique_ptr<hw::Speech> speech_;
    std::unique_ptr<Worker> worker_;

    std::mutex postedMutex_;
    std::vector<std::function<void()>> posted_;

    // Touch/mouse as the loop saw it: the SDL backend of ImGui 1.86 polls the global mouse
    // state, which neither touch-synthesized nor scripted events update reliably.
    ImVec2 pointer_{-FLT_MAX, -FLT_MAX};
    bool pointerDown_ = false;
    int liftFrames_ = 0;  // frames left before a lifted finger stops "hovering"
    // Pointer events not yet given to ImGui: one button change per frame (pointer_queue.hpp).
    PointerQueue pointerQueue_;
    void applyPointer();

    // The loop sleeps only once the screen has settled: a click, a state change, a new window,
    // a scroll reset each show only a frame or two after the event. Settled = no input waiting
    // and the last two frames drew the same (compared by a hash of ImGui's draw data).
    [[nodiscard]] bool settled() const override {
        return framesPending_ == 0 && pointerQueue_.empty() && liftFrames_ == 0 &&
               drawnHash_ == previousHash_;
    }
    [[nodiscard]] std::uint64_t drawnHash() const override { return drawnHash_; }
    void requestFrame() override { framesPending_ = std::max(framesPending_, 1); }
    void writeSettledFile();
    // The chores of every turn of the loop, whether it drew or not (a watchdog ping fits here).
    void afterTurn();
    std::uint64_t drawnHash_ = 0;
    std::uint64_t previousHash_ = 1;
    int unsettledFrames_ = 0;  // frames in a row that differed without new input
    std::uint64_t settledSeq_ = 0;
    bool drawnSinceWrite_ = true;
    std::uint64_t buttonChanges_ = 0;  // presses and releases given to ImGui (the settled file)
    std::uint64_t keyDowns_ = 0;       // key presses handled
    std::uint64_t textInputs_ = 0;     // text input events handled (one per character typed)

    int framesPending_ = 2;
    std::int64_t agentCheckedMs_ = INT64_MIN / 2;  // when the agent's state was last read
    bool quit_ = false;
    int exitCode_ = 0;
    bool firstFrame_ = true;
    Screen shownScreen_ = Screen::welcome;  // the screen of the last frame
    std::string shotName_;
    int shotCount_ = 0;
    std::unique_ptr<ScriptPlayer> script_;
    std::ofstream frameLog_;
};

int runKiosk(const AppOptions& options) {
    App app(options);
    return app.run();
}

App::~App() {
    worker_.reset();  // finish a save in progress before anything it uses goes away
    if (camera_) {
        camera_->setFrameNotifier({});
        camera_->close();
    }
    if (printer_) {
        printer_->stop();
    }
    destroy(previewTex_);
    dropPhotoTextures();
    if (renderer_) {
        ImGui_ImplSDLRenderer_Shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
        SDL_DestroyRenderer(renderer_);
    }
    if (window_) {
        SDL_DestroyWindow(window_);
    }
    SDL_Quit();
}

bool App::initServices() {
    Config config;
    std::string configPath = options_.configPath;
    if (configPath.empty() && std::filesystem::exists(std::string(defaultConfigPath))) {
        configPath = std::string(defaultConfigPath);
    }
    if (!configPath.empty()) {
        auto loaded = loadConfig(configPath);
        if (!loaded) {
            log::error("kiosk", "config: " + loaded.error().message);
            return false;
        }
        config = std::move(loaded.value());
    }
    rendererChoice_ =
        chooseSetting(options_.renderer, config, "kiosk.renderer", {"auto", "software", "gpu"});
    cameraChoice_ =
        chooseSetting(options_.camera, config, "kiosk.camera", {"libcamera", "simulated", "auto"});
    if (!options_.stateDir.empty()) {
        config.storePath = options_.stateDir + "/store";
        config.keyFile = options_.stateDir + "/keys/store.key";
    }

    auto cat = Catalog::loadDir(defaultPoDir());
    if (!cat) {
        log::error("kiosk", "translations: " + cat.error().message);
        return false;
    }
    catalog_ = std::make_unique<Catalog>(std::move(cat.value()));

    auto regions = openRegionSource("");
    if (!regions) {
        log::error("kiosk", "regions: " + regions.error().message);
        return false;
    }
    regions_ = std::move(regions.value());

    StoreLinkOptions so;
    so.storePath = config.storePath;
    so.keyFile = config.keyFile;
    so.keyCredential = config.keyCredential;
    so.dataDir = config.dataDir;
    so.mapSize = config.mapSizeMiB << 20;
    so.maxMapSize = config.maxMapSizeMiB << 20;
    so.reserveBytes = config.reserveMiB << 20;
    so.clock = &clock_;
    auto store = openStoreLink(so);
    if (!store) {
        log::error("kiosk", "store: " + store.error().message);
        return false;
    }
    store_ = std::move(store.value());

    FlowConfig fc;
    fc.deviceId = store_.sink->deviceId();
    fc.office = config.office;
    if (auto zone = parseTimeZone(config.timeZone)) {  // loadConfig refused a bad one
        fc.zone = std::move(zone.value());
    }
    if (config.office.empty()) {
        log::error("kiosk",
                   "device.office is not set: the kiosk shows staff what is missing and "
                   "takes no reports until it is set");
    }
    fc.idleWarnMs = options_.idleWarnMs;
    fc.idleWipeMs = options_.idleWipeMs;
    flow_ = std::make_unique<Flow>(clock_, *catalog_, *regions_, *store_.catalog, fc);
    if (auto lang = parseLang(config.language)) {
        flow_->setLang(*lang);
    }

    // Camera: the real one by default, even when none is plugged in yet (the photos screen says
    // so, and libcamera picks it up when it appears). Never the simulated camera unless asked:
    // its pictures would go to the national system as a visitor's evidence.
    CameraConfig cc;
    cc.backend = cameraChoice_ == "simulated" ? CameraBackend::simulated
                 : cameraChoice_ == "auto"    ? CameraBackend::automatic
                                              : CameraBackend::libcamera;
    cc.preview = FrameSize{640, 480};
    cc.still = FrameSize{1600, 1200};
    cc.utcOffsetMinutes = fc.zone.utcOffsetMinutes;  // a photo's time in the office's zone
    cc.zoneName = fc.zone.abbrev;
    auto choice = makeCamera(cc, clock_);
    log::info("kiosk", "camera: " + choice.reason);
    camera_ = std::move(choice.camera);
    if (camera_) {
        const Uint32 wake = wakeEvent_;
        camera_->setFrameNotifier([wake] {
            SDL_Event ev{};
            ev.type = wake;
            ev.user.code = 1;
            SDL_PushEvent(&ev);  // thread-safe; only wakes the loop
        });
    }

    // Printer: the configured one ([printer] section), else the simulated printer writing into
    // the state dir.
    const std::string spoolBase =
        options_.stateDir.empty() ? std::string("/var/lib/lapor") : options_.stateDir;
    hw::PrinterConfig pc;
    if (auto fromConfig = hw::printerConfigFrom(config, spoolBase + "/printer"); fromConfig) {
        pc = std::move(fromConfig.value());
    } else {
        log::warn("kiosk", "printer configuration: " + fromConfig.error().message +
                               "; using the simulated printer");
        pc.simulatedDir = spoolBase + "/printer";
    }
    if (auto p = hw::openPrinter(pc); p) {
        auto q = hw::PrintQueue::open(spoolBase + "/print-spool", std::move(p.value()));
        if (q) {
            printer_ = std::move(q.value());
            const Uint32 wake = wakeEvent_;
            printer_->setOnChange([wake] {
                SDL_Event ev{};
                ev.type = wake;
                SDL_PushEvent(&ev);
            });
            printer_->start();
        } else {
            log::warn("kiosk", "print queue: " + q.error().message);
        }
    } else {
        log::warn("kiosk", "printer: " + p.error().message);
    }

    // Speech: espeak-ng to the sound device (or a WAV file); none is not fatal.
    if (!options_.speechWav.empty()) {
        auto s = hw::openEspeakSpeech(hw::makeWavFileSink(options_.speechWav));
        if (s) {
            speech_ = std::move(s.value());
        }
    } else if (auto sink = hw::openSoundDeviceSink(); sink) {
        auto s = hw::openEspeakSpeech(std::move(sink.value()));
        if (s) {
            speech_ = std::move(s.value());
        }
    }
    if (!speech_) {
        log::warn("kiosk", "speech: not available; read-aloud is silent");
    }
    if (printer_) {
        slips_ = std::make_unique<SlipDesk>(*store_.store, *printer_,
                                            [this](const Report& r) { return makeSlip(r); });
    }
    worker_ = std::make_unique<Worker>();
    worker_->run([this] { recoverSlips(); });
    worker_->run([sink = store_.sink] { sink->prepareForNextSave(); });
    return true;
}

bool App::init() {
    startMs_ = clock_.monotonicMs();
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        log::error("kiosk", std::string("SDL: ") + SDL_GetError());
        return false;
    }
    wakeEvent_ = SDL_RegisterEvents(1);
    if (!initServices()) {
        return false;
    }
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    int w = options_.width;
    int h = options_.height;
    if (!options_.windowed) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    } else {
        flags |= SDL_WINDOW_RESIZABLE;
    }
    window_ = SDL_CreateWindow("LAPOR! Kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                               flags);
    if (!window_) {
        log::error("kiosk", std::string("window: ") + SDL_GetError());
        return false;
    }
    // No vsync: the loop renders only when something changed, so frames are few anyway.
    if (!preferSoftwareRenderer(rendererChoice_)) {
        renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_ACCELERATED);
    }
    if (!renderer_) {
        // SDL's software renderer draws into the window's framebuffer. Unless told otherwise SDL
        // backs that framebuffer with an OpenGL texture, which loads Mesa and libLLVM after all.
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!renderer_) {
        log::error("kiosk", std::string("renderer: ") + SDL_GetError());
        return false;
    }
    SDL_RendererInfo info{};
    const bool software =
        SDL_GetRendererInfo(renderer_, &info) != 0 || (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    log::info("kiosk", std::string("renderer: ") + (info.name ? info.name : "?") +
                           " (kiosk.renderer = " + rendererChoice_ + ")");
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing about a visitor's session is written to disk
    io.LogFilename = nullptr;
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    ui_ = std::make_unique<Ui>(*catalog_);
    ui_->setFlatShapes(software);
    updateMetrics();

    views_[Screen::welcome] = makeWelcomeView();
    views_[Screen::kind] = makeKindView();
    views_[Screen::what] = makeWhatView();
    views_[Screen::whom] = makeWhomView();
    views_[Screen::privacy] = makePrivacyView();
    views_[Screen::about] = makeAboutView();
    views_[Screen::photos] = makePhotosView();
    views_[Screen::review] = makeReviewView();
    views_[Screen::saving] = makeSavingView();
    views_[Screen::saveFailed] = makeSaveFailedView();
    views_[Screen::receipt] = makeReceiptView();

    if (!options_.scriptPath.empty()) {
        auto s = ScriptPlayer::load(options_.scriptPath);
        if (!s) {
            log::error("kiosk", "script: " + s.error().message);
            return false;
        }
        script_ = std::move(s.value());
        ui_->recordShownText(true);  // wait-text and wait-msg read what is on screen
    }
    if (!options_.frameLog.empty()) {
        frameLog_.open(options_.frameLog);
    }
    return true;
}

void App::updateMetrics() {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    float dpi = 0;
    const int display = SDL_GetWindowDisplayIndex(window_);
    if (SDL_GetDisplayDPI(display < 0 ? 0 : display, &dpi, nullptr, nullptr) != 0) {
        dpi = 0;
    }
    if (const char* env = std::getenv("LAPOR_KIOSK_DPI")) {
        dpi = static_cast<float>(std::atof(env));
    }
    const Metrics m =
        computeMetrics(static_cast<float>(w), static_cast<float>(h), dpi, flow_->largeText());
    if (ui_->prepareFonts(m)) {
        ImGui_ImplSDLRenderer_DestroyFontsTexture();
        ImGui_ImplSDLRenderer_CreateFontsTexture();
        // The atlas lives in the texture now; drop the CPU copy (memory budget).
        ImGui::GetIO().Fonts->ClearTexData();
    }
}

void App::post(std::function<void()> fn) {
    {
        std::lock_guard lock(postedMutex_);
        posted_.push_back(std::move(fn));
    }
    SDL_Event ev{};
    ev.type = wakeEvent_;
    SDL_PushEvent(&ev);
}

void App::runPosted() {
    std::vector<std::function<void()>> run;
    {
        std::lock_guard lock(postedMutex_);
        run.swap(posted_);
    }
    for (auto& fn : run) {
        fn();
        framesPending_ = std::max(framesPending_, 2);
    }
}

void App::handle(const SDL_Event& e) {
    if (e.type == wakeEvent_) {
        if (e.user.code == 1 && camera_ && previewOn_) {
            if (auto frame = camera_->takeLatestPreview()) {
                const int fw = static_cast<int>(frame->width);
                const int fh = static_cast<int>(frame->height);
                if (previewTex_.w != fw || previewTex_.h != fh) {
                    destroy(previewTex_);
                    previewTex_.tex = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB24,
                                                        SDL_TEXTUREACCESS_STREAMING, fw, fh);
                    previewTex_.w = fw;
                    previewTex_.h = fh;
                }
                SDL_UpdateTexture(previewTex_.tex, nullptr, frame->rgb.data(), fw * 3);
                framesPending_ = std::max(framesPending_, 1);
            }
        }
        framesPending_ = std::max(framesPending_, 1);
        return;
    }
    ImGui_ImplSDL2_ProcessEvent(&e);
    switch (e.type) {
        case SDL_QUIT: quit_ = true; break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                updateMetrics();
            }
            break;
        case SDL_MOUSEMOTION:
            pointerQueue_.move(static_cast<float>(e.motion.x), static_cast<float>(e.motion.y));
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            if (e.button.button == SDL_BUTTON_LEFT) {
                const bool down = e.type == SDL_MOUSEBUTTONDOWN;
                pointerQueue_.button(static_cast<float>(e.button.x), static_cast<float>(e.button.y),
                                     down);
                if (down) {
                    flow_->touch();
                }
            }
            break;
        case SDL_FINGERDOWN: flow_->touch(); break;
        case SDL_TEXTINPUT:
            ++textInputs_;
            // A physical keyboard (staff) types into the open field too.
            if (auto& ed = ui_->editing()) {
                if (typeInto(*ed, e.text.text) && ed->commit) {
                    ed->commit(ed->value);
                }
            }
            flow_->touch();
            break;
        case SDL_KEYDOWN:
            ++keyDowns_;
            flow_->touch();
            if (auto& ed = ui_->editing()) {
                if (e.key.keysym.sym == SDLK_BACKSPACE) {
                    backspace(*ed);
                    if (ed->commit) {
                        ed->commit(ed->value);
                    }
                } else if (e.key.keysym.sym == SDLK_RETURN) {
                    ui_->editing().reset();
                }
            } else if (e.key.keysym.sym == SDLK_ESCAPE && options_.windowed) {
                quit_ = true;
            }
            break;
        default: break;
    }
    framesPending_ = std::max(framesPending_, 2);
}

void App::applyPointer() {
    PointerState st{pointer_.x, pointer_.y, pointerDown_};
    if (pointerQueue_.take(st)) {
        ++buttonChanges_;
        liftFrames_ = st.down ? 0 : 1;
    }
    pointer_ = ImVec2(st.x, st.y);
    pointerDown_ = st.down;
}

std::int64_t App::waitMs() const {
    if (!settled() || !options_.eventSleep || scriptDriving()) {
        return 0;
    }
    const std::int64_t now = clock_.monotonicMs();
    std::int64_t until = flow_->nextDeadlineMs() - now;
    if (script_ && !script_->done()) {
        until = std::min<std::int64_t>(until, 10);  // a sleeping script checks its clock
    }
    until = std::min(until, keyboard_.repeatWaitMs(now));
    return std::clamp<std::int64_t>(until, 0, 3'600'000);
}

void App::syncCamera() {
    const bool want = flow_->screen() == Screen::photos && !flow_->viewedPhoto() && camera_;
    if (!want) {
        previewFailedIn_.reset();
    }
    if (want && !previewOn_ && previewFailedIn_ != camera_->state()) {
        if (camera_->state() != CameraState::streaming) {
            if (auto s = camera_->open(""); !s) {
                log::warn("kiosk", "camera: " + s.error().message);
            }
        }
        if (auto s = camera_->startPreview(FrameSize{640, 480}); !s) {
            log::warn("kiosk", "camera preview: " + s.error().message);
            previewFailedIn_ = camera_->state();
        } else {
            previewOn_ = true;
            previewFailedIn_.reset();
        }
    } else if (!want && previewOn_) {
        camera_->stopPreview();
        previewOn_ = false;
        destroy(previewTex_);  // never show an old frame when coming back
    }
}

void App::dropPhotoTextures() {
    for (auto& [k, t] : photoTex_) {
        destroy(t);
    }
    photoTex_.clear();
}

void App::frame() {
    const auto t0 = std::chrono::steady_clock::now();
    if (flow_->wipeCount() != seenWipes_) {
        // Everything of the last visitor leaves the screen and the GPU with the draft.
        seenWipes_ = flow_->wipeCount();
        dropPhotoTextures();
        destroy(previewTex_);
        if (auto& ed = ui_->editing()) {
            wipeString(ed->value);  // a short value lives inside the optional, past its reset
        }
        ui_->editing().reset();
        keyboard_.reset();
        // Photos sealed ahead for a report never sent: ciphertext, but nothing keeps it.
        worker_->run([sink = store_.sink] { sink->sealAhead({}, {}); });
        // Between visitors: a reprint staff asked for (lapor-ctl reprint) comes out now.
        worker_->run([this] { recoverSlips(); });
    }
    if (flow_->screen() != shownScreen_) {
        shownScreen_ = flow_->screen();
        if (shownScreen_ == Screen::review) {
            sealPhotosAhead();
        }
    }
    ui_->setLang(flow_->lang());
    updateMetrics();
    syncCamera();

    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    // A finger that left hovers nothing, from the second frame after the lift (the first one
    // still has it where it lifted: that is where ImGui sees the click).
    if (!pointerDown_ && liftFrames_ > 0 && --liftFrames_ == 0) {
        pointer_ = ImVec2(-FLT_MAX, -FLT_MAX);
    }
    applyPointer();
    io.MousePos = pointer_;
    io.MouseDown[0] = pointerDown_;
    ImGui::NewFrame();
    ui_->beginFrame();
    ViewContext ctx{*flow_, *ui_, *this, keyboard_};
    views_.at(flow_->screen())->draw(ctx);
    ImGui::Render();
    previousHash_ = drawnHash_;
    drawnHash_ = hashDrawData(ImGui::GetDrawData());
    drawnSinceWrite_ = true;
    // A screen that changes in every frame on its own would keep the loop from ever sleeping:
    // after a second's worth of such frames without input it counts as settled.
    unsettledFrames_ = drawnHash_ == previousHash_ ? 0 : unsettledFrames_ + 1;
    if (unsettledFrames_ > 60) {
        previousHash_ = drawnHash_;
        unsettledFrames_ = 0;
    }
    SDL_SetRenderDrawColor(renderer_, 248, 249, 252, 255);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    if (!shotName_.empty()) {
        saveShot();
    }
    SDL_RenderPresent(renderer_);
    const auto t1 = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (firstFrame_) {
        firstFrame_ = false;
        std::printf("first-frame %lld ms\n",
                    static_cast<long long>(clock_.monotonicMs() - startMs_));
        std::fflush(stdout);
    }
    if (frameLog_) {
        frameLog_ << (clock_.monotonicMs() - startMs_) << ' ' << ms << ' '
                  << screenName(flow_->screen()) << (ui_->editing() ? " typing" : "")
                  << (previewOn_ ? " preview" : "") << '\n';
    }
    if (framesPending_ > 0) {
        --framesPending_;
    }
    // The preview keeps the loop drawing at the camera's rate through its frame events only.
}

void App::afterTurn() {
    if (settled() && !options_.settledFile.empty()) {
        writeSettledFile();
    }
}

// What the screen settled on, for a driver outside the process (xdotool tests): the screen, the
// content's scroll, and each widget's visible rectangle. Ids and places only, never text.
void App::writeSettledFile() {
    if (!drawnSinceWrite_) {
        return;
    }
    drawnSinceWrite_ = false;
    const std::string tmp = options_.settledFile + ".new";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "seq " << ++settledSeq_ << "\nscreen " << screenName(flow_->screen()) << "\nediting "
            << (ui_->editing() ? ui_->editing()->id : "-") << "\nscroll " << ui_->contentScroll().y
            << ' ' << ui_->contentScroll().max << "\ninput " << buttonChanges_ << ' ' << keyDowns_
            << ' ' << textInputs_ << '\n';
        ui_->forEachWidget([&out](const std::string& id, const ImRect& r) {
            out << "widget " << id << ' ' << r.Min.x << ' ' << r.Min.y << ' ' << r.Max.x << ' '
                << r.Max.y << '\n';
        });
    }
    std::error_code ec;
    std::filesystem::rename(tmp, options_.settledFile, ec);
}

void App::saveShot() {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, rgba.data(), w * 4) ==
        0) {
        char name[512];
        std::snprintf(name, sizeof name, "%s/%02d-%s.png", options_.shotDir.c_str(), ++shotCount_,
                      shotName_.c_str());
        if (!writePng(name, w, h, rgba)) {
            log::warn("kiosk", std::string("screenshot not written: ") + name);
        }
    }
    shotName_.clear();
}

int App::run() {
    if (!init()) {
        return 1;
    }
    FrameWatchdog watchdog = FrameWatchdog::fromEnvironment();  // systemd's, when under it
    while (!quit_) {
        const std::int64_t wait = watchdog.capWait(waitMs(), clock_.monotonicMs());
        SDL_Event e;
        bool got =
            wait == 0 ? SDL_PollEvent(&e) : SDL_WaitEventTimeout(&e, static_cast<int>(wait)) != 0;
        while (got) {
            handle(e);
            got = SDL_PollEvent(&e);
        }
        runPosted();
        if (const std::int64_t now = clock_.monotonicMs(); now - agentCheckedMs_ >= 10'000) {
            agentCheckedMs_ = now;  // the agent's word in the store, for staff (not enrolled)
            if (flow_->setAgentWaitsForEnrolment(store_.sink->agentWaitsForEnrolment())) {
                framesPending_ = std::max(framesPending_, 1);
            }
        }
        if (flow_->tick()) {
            framesPending_ = std::max(framesPending_, 1);
        }
        if (keyboard_.repeating()) {
            framesPending_ = std::max(framesPending_, 1);
        }
        const bool draw = !settled() || !options_.eventSleep || scriptDriving();
        if (draw) {
            frame();
        }
        afterTurn();
        watchdog.turn(clock_.monotonicMs(), draw);
        if (script_ && !script_->done()) {
            script_->step(*this);
            if (script_->done() && !quit_) {
                quit_ = true;  // a script without a final "quit" ends the run too (as documented)
            }
        }
    }
    return exitCode_;
}

// ---------------------------------------------------------------- actions

void App::takePhoto() {
    if (!camera_ || takingPhoto_ || !flow_->canTakePhoto()) {
        return;
    }
    takingPhoto_ = true;
    auto still = camera_->captureStill();
    if (!still) {
        log::warn("kiosk", "capture failed: " + still.error().message);
        takingPhoto_ = false;
        return;
    }
    // JPEG encoding takes tens of milliseconds: off the UI thread.
    worker_->run([this, frame = std::move(still.value())]() mutable {
        auto processed = processPhoto(frame);
        post([this, processed = std::move(processed)]() mutable {
            takingPhoto_ = false;
            if (!processed) {
                log::warn("kiosk", "photo processing failed: " + processed.error().message);
                return;
            }
            flow_->addPhoto(DraftPhoto{std::move(processed.value().photo),
                                       std::move(processed.value().thumbnail)});
        });
    });
}

void App::readAloud() {
    flow_->readAloud(speech_.get());  // none: the flow says so on screen
}

hw::SlipContent App::makeSlip(const Report& r) const {
    // In the language the visitor filed in, with the time in the zone the report carries.
    hw::SlipContent slip;
    const Lang lang = parseLang(r.language).value_or(Lang::id);
    slip.office = r.office;
    slip.receiptCode = r.receiptCode;
    slip.kindName = catalog_->tr(lang, kindMsgid(r.kind));
    slip.title = r.title;
    slip.filedAtMs = r.createdAtMs;
    slip.utcOffsetMinutes = r.utcOffsetMinutes;
    slip.zoneName = zoneForOffset(r.utcOffsetMinutes).abbrev;
    slip.labels =
        hw::slipLabelsFrom([this, lang](std::string_view key) { return catalog_->tr(lang, key); });
    return slip;
}

void App::recoverSlips() {
    if (slips_) {
        (void)slips_->recover();
    }
}

void App::startSave() {
    auto job = flow_->beginSave(*store_.sink);
    if (!job) {
        return;
    }
    auto sink = store_.sink;
    worker_->run([this, sink, job = std::move(*job)]() mutable {
        Status result = sink->save(job.report, job.photos);
        if (result.ok() && slips_) {
            // Owed by the store from the save on: a failure here is recovered at the next start.
            if (Status s = slips_->queue(job.report); !s.ok()) {
                log::warn("kiosk", "slip not queued yet: " + s.error().message);
            }
        }
        // The job is a copy of the visitor's data; the flow keeps (or wipes) the original.
        wipeReport(job.report);
        wipePhotos(job.photos);
        post([this, result]() { flow_->saveFinished(result); });
        sink->prepareForNextSave();  // while the visitor reads the receipt
    });
}

// The photos are final on the review screen (an edit goes back to it): they are encrypted for the
// report now, while the visitor reads, so that the save after "Kirim" only copies and commits.
void App::sealPhotosAhead() {
    const Draft& draft = flow_->draft();
    if (draft.photos.empty() || draft.uuid.empty()) {
        return;
    }
    std::vector<Photo> photos;
    photos.reserve(draft.photos.size());
    for (const auto& p : draft.photos) {
        photos.push_back(p.photo);
    }
    worker_->run([sink = store_.sink, uuid = draft.uuid, photos = std::move(photos)]() mutable {
        sink->sealAhead(uuid, photos);
        wipePhotos(photos);
    });
}

SDL_Texture* App::preview(int& w, int& h) {
    w = previewTex_.w;
    h = previewTex_.h;
    return previewTex_.tex;
}

std::string App::cameraMessageKey() const {
    if (!camera_) {
        return cameraStateMsgid(CameraState::noCamera);
    }
    return cameraStateMsgid(camera_->state());
}

SDL_Texture* App::photoTexture(std::size_t index, bool full, int& w, int& h) {
    const auto& photos = flow_->draft().photos;
    if (index >= photos.size()) {
        return nullptr;
    }
    const Photo& p = full ? photos[index].photo : photos[index].thumbnail;
    const std::string key = p.sha256Hex + (full ? ":full" : ":thumb");
    auto it = photoTex_.find(key);
    if (it == photoTex_.end()) {
        Texture t;
        if (auto frame = decodeJpeg(p.jpeg)) {
            t.w = static_cast<int>(frame->width);
            t.h = static_cast<int>(frame->height);
            t.tex = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STATIC,
                                      t.w, t.h);
            SDL_UpdateTexture(t.tex, nullptr, frame->rgb.data(), t.w * 3);
        }
        it = photoTex_.emplace(key, t).first;
    }
    w = it->second.w;
    h = it->second.h;
    return it->second.tex;
}

std::string App::printerMessageKey() const {
    if (!printer_) {
        return "kiosk.receipt.no_printer";
    }
    const auto st = printer_->status();
    if (!st.printer.canPrint()) {
        return st.printer.staffMessageMsgid();
    }
    return st.pending > 0 ? "kiosk.receipt.printing" : "kiosk.receipt.printed";
}

}  // namespace lapor::kiosk
