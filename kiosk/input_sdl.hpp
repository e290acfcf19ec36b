// SDL input into the kiosk: touches and mouse through the pointer queue (Dear ImGui 1.86 sees one
// button change per frame), a physical keyboard into the field being edited, and every touch to the
// flow's idle timer. ImGui's own backend polls the global mouse state, which neither touches nor
// scripted events update reliably, so the pointer ImGui sees comes from here.
#pragma once

#include <SDL.h>
#include <imgui.h>

#include <cfloat>
#include <cstdint>

#include "kiosk/flow/flow.hpp"
#include "kiosk/pointer_queue.hpp"
#include "kiosk/ui.hpp"

namespace lapor::kiosk {

class SdlInput {
  public:
    // What an event asks of the loop beyond the input itself.
    struct Effect {
        bool quit = false;     // window closed, or Escape when `escapeQuits`
        bool resized = false;  // the fonts may need another size
    };
    Effect handle(const SDL_Event& e, Flow& flow, Ui& ui, bool escapeQuits);
    // Gives ImGui this frame's pointer (call between the backends' NewFrame and ImGui::NewFrame).
    void feedFrame(ImGuiIO& io);
    // No pointer event waiting and no lifted finger still hovering.
    [[nodiscard]] bool idle() const { return queue_.empty() && liftFrames_ == 0; }

    // Counts for the settled file (kiosk/test_host.hpp).
    [[nodiscard]] std::uint64_t buttonChanges() const { return buttonChanges_; }
    [[nodiscard]] std::uint64_t keyDowns() const { return keyDowns_; }
    [[nodiscard]] std::uint64_t textInputs() const { return textInputs_; }

  private:
    ImVec2 pointer_{-FLT_MAX, -FLT_MAX};
    bool pointerDown_ = false;
    int liftFrames_ = 0;               // frames left before a lifted finger stops "hovering"
    PointerQueue queue_;               // pointer events not yet given to ImGui
    std::uint64_t buttonChanges_ = 0;  // presses and releases given to ImGui
    std::uint64_t keyDowns_ = 0;       // key presses handled
    std::uint64_t textInputs_ = 0;     // text input events (one per character typed)
};

}  // namespace lapor::kiosk
