// One frame's worth of pointer events for Dear ImGui 1.86 (see pointer_queue.hpp).
#include "kiosk/pointer_queue.hpp"

namespace lapor::kiosk {

bool PointerQueue::take(PointerState& state) {
    bool moved = false;
    while (!events_.empty()) {
        const Event ev = events_.front();
        const bool change = ev.down >= 0 && (ev.down == 1) != state.down;
        if (change && ev.down == 0 && moved) {
            return false;  // ImGui sees the finger where it moved, still down, before it lifts
        }
        events_.pop_front();
        moved = moved || (state.down && (ev.x != state.x || ev.y != state.y));
        state.x = ev.x;
        state.y = ev.y;
        if (change) {
            state.down = ev.down == 1;
            return true;  // the next change in the next frame
        }
    }
    return false;
}

}  // namespace lapor::kiosk
