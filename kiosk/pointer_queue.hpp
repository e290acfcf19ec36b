// Pointer events (mouse, or touch as SDL turns it into mouse events) queued for Dear ImGui 1.86,
// which has no input queue of its own: it sees one button state per frame.
#pragma once

#include <deque>

namespace lapor::kiosk {

struct PointerState {
    float x = -1e30f;  // nowhere: a lifted finger hovers nothing
    float y = -1e30f;
    bool down = false;
};

// A press and its release that arrive together (a quick tap, or any tap during a slow frame) must
// reach ImGui in two frames, or the click is lost; a release after a move must come a frame after
// the move, or ImGui never sees the drag. take() applies what one frame may see.
class PointerQueue {
  public:
    void move(float x, float y) { events_.push_back({x, y, -1}); }
    void button(float x, float y, bool down) { events_.push_back({x, y, down ? 1 : 0}); }
    [[nodiscard]] bool empty() const { return events_.empty(); }

    // Applies the events of one frame to `state`: moves up to and including the next change of
    // the button; a release waits for the next frame when the finger moved in this one. True when
    // the button changed.
    bool take(PointerState& state);

  private:
    struct Event {
        float x, y;
        int down;  // -1: a move only, 0: release, 1: press
    };
    std::deque<Event> events_;
};

}  // namespace lapor::kiosk
