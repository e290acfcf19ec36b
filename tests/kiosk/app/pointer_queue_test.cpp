// PointerQueue: what each frame gives Dear ImGui 1.86 of the pointer events that arrived.
#include <doctest/doctest.h>

#include "kiosk/pointer_queue.hpp"

using lapor::kiosk::PointerQueue;
using lapor::kiosk::PointerState;

TEST_CASE("a press and its release that arrive together reach ImGui in two frames") {
    PointerQueue q;
    PointerState st;
    q.move(100, 200);
    q.button(100, 200, true);
    q.button(100, 200, false);
    CHECK(q.take(st));  // frame 1: down where it landed
    CHECK(st.down);
    CHECK(st.x == 100);
    CHECK(st.y == 200);
    CHECK_FALSE(q.empty());  // the loop must draw again
    CHECK(q.take(st));       // frame 2: up, a click
    CHECK_FALSE(st.down);
    CHECK(q.empty());
    CHECK_FALSE(q.take(st));  // nothing more
}

TEST_CASE("two quick taps in one frame's events are two clicks over four frames") {
    PointerQueue q;
    PointerState st;
    for (int i = 0; i < 2; ++i) {
        q.button(10, 10, true);
        q.button(10, 10, false);
    }
    int changes = 0;
    int frames = 0;
    while (!q.empty()) {
        changes += q.take(st) ? 1 : 0;
        ++frames;
    }
    CHECK(changes == 4);
    CHECK(frames == 4);
}

TEST_CASE("a drag: the moves reach ImGui with the finger down, the release a frame later") {
    PointerQueue q;
    PointerState st;
    q.button(50, 300, true);
    CHECK(q.take(st));
    q.move(50, 280);
    q.move(50, 250);
    q.button(50, 250, false);
    CHECK_FALSE(q.take(st));  // the moves, coalesced, still down
    CHECK(st.down);
    CHECK(st.y == 250);
    CHECK(q.take(st));  // then the lift
    CHECK_FALSE(st.down);
}

TEST_CASE("moves without a button are coalesced into one frame") {
    PointerQueue q;
    PointerState st;
    for (int i = 0; i < 10; ++i) {
        q.move(static_cast<float>(i), 0);
    }
    CHECK_FALSE(q.take(st));
    CHECK(q.empty());
    CHECK(st.x == 9);
}
