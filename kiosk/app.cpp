// The kiosk's main loop (after Dear ImGui's example_sdl_sdlrenderer), sleeping on events when
// nothing moves; it wires the services, the platform, input, textures, actions and test host, and
// runs the closures background threads hand back after each frame.
#include "kiosk/app.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "core/clock.hpp"
#include "core/wipe.hpp"
#include "kiosk/actions.hpp"
#include "kiosk/input_sdl.hpp"
#include "kiosk/platform_sdl.hpp"
#include "kiosk/services.hpp"
#include "kiosk/test_host.hpp"
#include "kiosk/texture_cache.hpp"
#include "kiosk/ui.hpp"
#include "kiosk/views/view.hpp"
#include "kiosk/watchdog.hpp"
#include "kiosk/widgets/keyboard.hpp"

namespace lapor::kiosk {

namespace {

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

// How often the staff panel reads the store, the agent's record and the printer again.
constexpr std::int64_t kPanelRefreshMs = 3'000;

class App final : public ScriptHost {
  public:
    explicit App(const AppOptions& options) : options_(options) {}
    ~App() override;
    int run();

    // ---- ScriptHost
    Ui& scriptUi() override { return *ui_; }
    Flow& scriptFlow() override { return *services_.flow; }
    [[nodiscard]] bool hasPreview() const override { return textures_ && textures_->hasPreview(); }
    [[nodiscard]] bool busy() const override { return actions_->busy(); }
    void requestShot(std::string name) override { testHost_.requestShot(std::move(name)); }
    void quit(int code) override {
        quit_ = true;
        exitCode_ = code;
    }
    // The loop sleeps only once the screen has settled: a click, a state change, a new window,
    // a scroll reset each show only a frame or two after the event. Settled = no input waiting
    // and the last two frames drew the same (compared by a hash of ImGui's draw data).
    [[nodiscard]] bool settled() const override {
        return framesPending_ == 0 && input_.idle() && drawnHash_ == previousHash_;
    }
    [[nodiscard]] std::uint64_t drawnHash() const override { return drawnHash_; }
    void requestFrame() override { framesPending_ = std::max(framesPending_, 1); }

  private:
    bool init();
    void handle(const SDL_Event& e);
    void frame();
    void post(std::function<void()> fn);
    void runPosted();
    [[nodiscard]] std::int64_t waitMs() const;
    [[nodiscard]] Flow& flow() { return *services_.flow; }

    const AppOptions& options_;
    SystemClock& clock_ = SystemClock::instance();
    std::int64_t startMs_ = 0;

    // Declared in the order they are made; destroyed the other way round (the platform last).
    SdlPlatform platform_;
    Services services_;
    std::unique_ptr<TextureCache> textures_;
    std::unique_ptr<KioskActions> actions_;
    std::unique_ptr<Ui> ui_;
    Keyboard keyboard_;
    std::map<Screen, std::unique_ptr<View>> views_;
    SdlInput input_;
    TestHost testHost_;

    std::mutex postedMutex_;
    std::vector<std::function<void()>> posted_;

    int seenWipes_ = 0;
    Screen shownScreen_ = Screen::welcome;  // the screen of the last frame
    std::uint64_t drawnHash_ = 0;
    std::uint64_t previousHash_ = 1;
    int unsettledFrames_ = 0;  // frames in a row that differed without new input
    int framesPending_ = 2;
    std::int64_t agentCheckedMs_ = INT64_MIN / 2;  // when the agent's state was last read
    std::int64_t panelReadMs_ = INT64_MIN / 2;     // when the staff panel was last read
    bool quit_ = false;
    int exitCode_ = 0;
    bool firstFrame_ = true;
};

App::~App() {
    // The worker may still post into this object and draw on textures: it stops first.
    services_.worker.reset();
    textures_.reset();
}

bool App::init() {
    startMs_ = clock_.monotonicMs();
    if (!platform_.start()) {
        return false;
    }
    if (!openServices(services_, options_, clock_, [this](int code) { platform_.wake(code); })) {
        return false;
    }
    if (!platform_.open(options_, services_.renderer)) {
        return false;
    }
    textures_ = std::make_unique<TextureCache>(platform_.renderer());
    actions_ = std::make_unique<KioskActions>(
        services_, *textures_, clock_, [this](std::function<void()> fn) { post(std::move(fn)); });
    ui_ = std::make_unique<Ui>(*services_.catalog);
    ui_->setFlatShapes(platform_.software());
    platform_.updateMetrics(*ui_, flow().largeText());

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
    views_[Screen::staffSignIn] = makeStaffSignInView();
    views_[Screen::staffPanel] = makeStaffPanelView();
    views_[Screen::handOver] = makeHandOverView();
    views_[Screen::statusCode] = makeStatusCodeView();
    views_[Screen::status] = makeStatusView();
    views_[Screen::reply] = makeReplyView();
    views_[Screen::replyReview] = makeReplyReviewView();
    views_[Screen::replySaving] = makeReplySavingView();
    views_[Screen::replyDone] = makeReplyDoneView();
    views_[Screen::voice] = makeVoiceView();

    return testHost_.open(options_, clock_, *ui_);
}

void App::post(std::function<void()> fn) {
    {
        std::lock_guard lock(postedMutex_);
        posted_.push_back(std::move(fn));
    }
    platform_.wake();
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
    if (e.type == platform_.wakeEvent()) {
        if (e.user.code == 1) {
            actions_->takePreviewFrame();
        }
        framesPending_ = std::max(framesPending_, 1);
        return;
    }
    const SdlInput::Effect effect = input_.handle(e, flow(), *ui_, options_.windowed);
    if (effect.quit) {
        quit_ = true;
    }
    if (effect.resized) {
        platform_.updateMetrics(*ui_, flow().largeText());
    }
    framesPending_ = std::max(framesPending_, 2);
}

std::int64_t App::waitMs() const {
    if (!settled() || !options_.eventSleep || testHost_.scriptDriving()) {
        return 0;
    }
    const std::int64_t now = clock_.monotonicMs();
    std::int64_t until = services_.flow->nextDeadlineMs() - now;
    if (testHost_.scripting()) {
        until = std::min<std::int64_t>(until, 10);  // a sleeping script checks its clock
    }
    until = std::min(until, keyboard_.repeatWaitMs(now));
    until = std::min(until, actions_->media().waitMs());  // a note's meter, a clip playing
    if (services_.flow->screen() == Screen::staffPanel) {
        until = std::min(until, panelReadMs_ + kPanelRefreshMs - now);
    }
    if (ui_->animating()) {
        until = 0;  // a press ring grows: keep drawing
    }
    return std::clamp<std::int64_t>(until, 0, 3'600'000);
}

void App::frame() {
    const auto t0 = std::chrono::steady_clock::now();
    if (flow().wipeCount() != seenWipes_) {
        // Everything of the last visitor leaves the screen and the GPU with the draft.
        seenWipes_ = flow().wipeCount();
        if (auto& ed = ui_->editing()) {
            wipeString(ed->value);  // a short value lives inside the optional, past its reset
        }
        ui_->editing().reset();
        keyboard_.reset();
        actions_->afterWipe();
    }
    if (flow().screen() != shownScreen_) {
        shownScreen_ = flow().screen();
        if (shownScreen_ == Screen::staffPanel) {
            panelReadMs_ = clock_.monotonicMs();
            actions_->refreshPanel();
        }
        if (shownScreen_ == Screen::review) {
            actions_->sealPhotosAhead();
        }
    }
    ui_->setLang(flow().lang());
    platform_.updateMetrics(*ui_, flow().largeText());
    actions_->syncCamera();

    platform_.newFrame();
    input_.feedFrame(ImGui::GetIO());
    ImGui::NewFrame();
    ui_->beginFrame();
    ViewContext ctx{flow(), *ui_, *actions_, keyboard_};
    views_.at(flow().screen())->draw(ctx);
    ImGui::Render();
    previousHash_ = drawnHash_;
    drawnHash_ = hashDrawData(ImGui::GetDrawData());
    testHost_.frameDrawn();
    // A screen that changes in every frame on its own would keep the loop from ever sleeping:
    // after a second's worth of such frames without input it counts as settled.
    unsettledFrames_ = drawnHash_ == previousHash_ ? 0 : unsettledFrames_ + 1;
    if (unsettledFrames_ > 60) {
        previousHash_ = drawnHash_;
        unsettledFrames_ = 0;
    }
    platform_.render();
    testHost_.afterRender(platform_);
    platform_.present();
    const auto t1 = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (firstFrame_) {
        firstFrame_ = false;
        std::printf("first-frame %lld ms\n",
                    static_cast<long long>(clock_.monotonicMs() - startMs_));
        std::fflush(stdout);
    }
    testHost_.logFrame(clock_.monotonicMs() - startMs_, ms, flow().screen(),
                       ui_->editing().has_value(), actions_->previewOn(),
                       flow().recording() != Recording::none);
    if (framesPending_ > 0) {
        --framesPending_;
    }
    // The preview keeps the loop drawing at the camera's rate through its frame events only.
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
            if (flow().setAgentWaitsForEnrolment(services_.store.sink->agentWaitsForEnrolment())) {
                framesPending_ = std::max(framesPending_, 1);
            }
        }
        if (flow().tick()) {
            framesPending_ = std::max(framesPending_, 1);
        }
        if (actions_->media().pump()) {
            framesPending_ = std::max(framesPending_, 1);
        }
        actions_->writeStaffNotes();
        if (const std::int64_t now = clock_.monotonicMs();
            flow().screen() == Screen::staffPanel && now - panelReadMs_ >= kPanelRefreshMs) {
            panelReadMs_ = now;  // what the agent and the printer say changes on its own
            actions_->refreshPanel();
        }
        if (keyboard_.repeating() || ui_->animating()) {
            framesPending_ = std::max(framesPending_, 1);
        }
        const bool draw = !settled() || !options_.eventSleep || testHost_.scriptDriving();
        if (draw) {
            frame();
        }
        // The chores of every turn of the loop, whether it drew or not.
        if (settled()) {
            testHost_.writeSettled(flow(), *ui_, input_);
        }
        watchdog.turn(clock_.monotonicMs(), draw);
        // A script without a final "quit" ends the run too (as documented).
        if (testHost_.stepScript(*this) && !quit_) {
            quit_ = true;
        }
    }
    return exitCode_;
}

}  // namespace

int runKiosk(const AppOptions& options) {
    App app(options);
    return app.run();
}

}  // namespace lapor::kiosk
