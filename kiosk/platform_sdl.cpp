// SDL2 window and renderer with Dear ImGui's backends (platform_sdl.hpp), after Dear ImGui's
// example_sdl_sdlrenderer.
#include "kiosk/platform_sdl.hpp"

#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>

#include <cstdlib>

#include "core/log.hpp"

namespace lapor::kiosk {

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

SdlPlatform::~SdlPlatform() {
    if (renderer_) {
        ImGui_ImplSDLRenderer_Shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
        SDL_DestroyRenderer(renderer_);
    }
    if (window_) {
        SDL_DestroyWindow(window_);
    }
    if (sdlStarted_) {
        SDL_Quit();
    }
}

bool SdlPlatform::start() {
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    sdlStarted_ = true;  // SDL_Quit is safe after a failed SDL_Init
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        log::error("kiosk", std::string("SDL: ") + SDL_GetError());
        return false;
    }
    wakeEvent_ = SDL_RegisterEvents(1);
    return true;
}

void SdlPlatform::wake(int code) const {
    SDL_Event ev{};
    ev.type = wakeEvent_;
    ev.user.code = code;
    SDL_PushEvent(&ev);  // thread-safe; only wakes the loop
}

bool SdlPlatform::open(const AppOptions& options, const std::string& renderer) {
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (!options.windowed) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    } else {
        flags |= SDL_WINDOW_RESIZABLE;
    }
    window_ = SDL_CreateWindow("LAPOR! Kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                               options.width, options.height, flags);
    if (!window_) {
        log::error("kiosk", std::string("window: ") + SDL_GetError());
        return false;
    }
    // No vsync: the loop renders only when something changed, so frames are few anyway.
    if (!preferSoftwareRenderer(renderer)) {
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
    software_ =
        SDL_GetRendererInfo(renderer_, &info) != 0 || (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    log::info("kiosk", std::string("renderer: ") + (info.name ? info.name : "?") +
                           " (kiosk.renderer = " + renderer + ")");
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing about a visitor's session is written to disk
    io.LogFilename = nullptr;
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    return true;
}

void SdlPlatform::updateMetrics(Ui& ui, bool largeText) {
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
    const Metrics m = computeMetrics(static_cast<float>(w), static_cast<float>(h), dpi, largeText);
    if (ui.prepareFonts(m)) {
        ImGui_ImplSDLRenderer_DestroyFontsTexture();
        ImGui_ImplSDLRenderer_CreateFontsTexture();
        // The atlas lives in the texture now; drop the CPU copy (memory budget).
        ImGui::GetIO().Fonts->ClearTexData();
    }
}

void SdlPlatform::newFrame() {
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
}

void SdlPlatform::render() {
    SDL_SetRenderDrawColor(renderer_, 248, 249, 252, 255);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

void SdlPlatform::present() {
    SDL_RenderPresent(renderer_);
}

std::vector<std::uint8_t> SdlPlatform::readPixels(int& w, int& h) const {
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, rgba.data(), w * 4) !=
        0) {
        return {};
    }
    return rgba;
}

}  // namespace lapor::kiosk
