// SDL events into the pointer queue, the open field and the flow (input_sdl.hpp).
#include "kiosk/input_sdl.hpp"

#include <imgui_impl_sdl.h>

#include "kiosk/widgets/keyboard.hpp"

namespace lapor::kiosk {

SdlInput::Effect SdlInput::handle(const SDL_Event& e, Flow& flow, Ui& ui, bool escapeQuits) {
    Effect effect;
    ImGui_ImplSDL2_ProcessEvent(&e);
    switch (e.type) {
        case SDL_QUIT: effect.quit = true; break;
        case SDL_WINDOWEVENT:
            effect.resized = e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED;
            break;
        case SDL_MOUSEMOTION:
            queue_.move(static_cast<float>(e.motion.x), static_cast<float>(e.motion.y));
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            if (e.button.button == SDL_BUTTON_LEFT) {
                const bool down = e.type == SDL_MOUSEBUTTONDOWN;
                queue_.button(static_cast<float>(e.button.x), static_cast<float>(e.button.y), down);
                if (down) {
                    flow.touch();
                }
            }
            break;
        case SDL_FINGERDOWN: flow.touch(); break;
        case SDL_TEXTINPUT:
            ++textInputs_;
            // A physical keyboard (staff) types into the open field too.
            if (auto& ed = ui.editing()) {
                if (typeInto(*ed, e.text.text) && ed->commit) {
                    ed->commit(ed->value);
                }
            }
            flow.touch();
            break;
        case SDL_KEYDOWN:
            ++keyDowns_;
            flow.touch();
            if (auto& ed = ui.editing()) {
                if (e.key.keysym.sym == SDLK_BACKSPACE) {
                    backspace(*ed);
                    if (ed->commit) {
                        ed->commit(ed->value);
                    }
                } else if (e.key.keysym.sym == SDLK_RETURN) {
                    ui.editing().reset();
                }
            } else if (e.key.keysym.sym == SDLK_ESCAPE && escapeQuits) {
                effect.quit = true;
            }
            break;
        default: break;
    }
    return effect;
}

void SdlInput::feedFrame(ImGuiIO& io) {
    // A finger that left hovers nothing, from the second frame after the lift (the first one
    // still has it where it lifted: that is where ImGui sees the click).
    if (!pointerDown_ && liftFrames_ > 0 && --liftFrames_ == 0) {
        pointer_ = ImVec2(-FLT_MAX, -FLT_MAX);
    }
    PointerState st{pointer_.x, pointer_.y, pointerDown_};
    if (queue_.take(st)) {
        ++buttonChanges_;
        liftFrames_ = st.down ? 0 : 1;
    }
    pointer_ = ImVec2(st.x, st.y);
    pointerDown_ = st.down;
    io.MousePos = pointer_;
    io.MouseDown[0] = pointerDown_;
}

}  // namespace lapor::kiosk
