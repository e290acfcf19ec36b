// SDL2 and Dear ImGui set up and torn down: the window, the renderer (software or GPU), ImGui's
// SDL2 backends over them, the fonts for the screen's size, and reading back what was drawn.
#pragma once

#include <SDL.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/app.hpp"
#include "kiosk/ui.hpp"

namespace lapor::kiosk {

// The renderer for kiosk.renderer / --renderer ("auto", "software" or "gpu"): true for SDL's
// software renderer. "auto" takes software when `driDir` has no DRM render node (no GPU): OpenGL
// there would be Mesa's llvmpipe, no faster on the same CPU for a 2D interface, and it maps about
// 65 MB of libLLVM and the swrast driver into the kiosk (docs/performance.md).
bool preferSoftwareRenderer(const std::string& choice,
                            const std::filesystem::path& driDir = "/dev/dri");

class SdlPlatform {
  public:
    SdlPlatform() = default;
    ~SdlPlatform();  // ImGui's backends and context, the renderer, the window, SDL
    SdlPlatform(const SdlPlatform&) = delete;
    SdlPlatform& operator=(const SdlPlatform&) = delete;

    // SDL's video and timer subsystems, and the user event that wakes the loop.
    [[nodiscard]] bool start();
    // The window (full screen, or options' size with --windowed), its renderer (`renderer`: auto,
    // software or gpu) and an ImGui context drawing into it.
    [[nodiscard]] bool open(const AppOptions& options, const std::string& renderer);

    [[nodiscard]] Uint32 wakeEvent() const { return wakeEvent_; }
    [[nodiscard]] SDL_Renderer* renderer() const { return renderer_; }
    [[nodiscard]] bool software() const { return software_; }
    // Pushes the wake event (any thread): `code` 1 says a camera frame is waiting.
    void wake(int code = 0) const;

    // Fonts for the window's size and DPI (LAPOR_KIOSK_DPI overrides the display's).
    void updateMetrics(Ui& ui, bool largeText);
    void newFrame();
    // Clears, draws ImGui's draw data; present() shows it.
    void render();
    void present();
    // The pixels just rendered, RGBA, rows top to bottom; empty when SDL cannot read them.
    [[nodiscard]] std::vector<std::uint8_t> readPixels(int& w, int& h) const;

  private:
    bool sdlStarted_ = false;
    Uint32 wakeEvent_ = 0;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    bool software_ = false;
};

}  // namespace lapor::kiosk
