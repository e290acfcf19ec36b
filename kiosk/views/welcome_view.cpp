// Welcome: the language (Bahasa Indonesia by default, English one touch away), a big start button;
// for staff, a corner held for two seconds (no visible button that invites visitors) opens the
// sign-in, and while staff are signed in a bar with their name, assisted filing and the panel.
#include <algorithm>

#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class WelcomeView final : public View {
    bool showTopBar() const override { return false; }
    bool showFooter() const override { return false; }

    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Metrics& m = ui.metrics();
        const float w = fullWidth();
        ImGui::PushFont(ui.hugeFont());
        ImGui::TextUnformatted("LAPOR!");
        ImGui::PopFont();
        ui.heading(ui.tr("kiosk.welcome.title"));
        ui.text(ui.tr("kiosk.welcome.help"));
        // A line for staff that does not stop visitors (e.g. not enrolled yet: reports wait).
        // Drawn before the rest is measured, so the buttons below still fit.
        for (const std::string& key : flow.setupNotices()) {
            ui.textSmall(ui.tr(key));
            ui.registerRect("welcome.notice", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        }
        // The rest fits the screen, large text and small windows included: the start button and
        // the gaps give up height first (down to a plain touch target and none), so that no
        // scrollbar appears and the large-text toggle stays in view to be turned off again.
        const float spacing = ImGui::GetStyle().ItemSpacing.y;
        const float half = (w - ImGui::GetStyle().ItemSpacing.x) / 2;
        const std::string largeLabel = ui.tr("kiosk.bar.large_text");
        const std::string readLabel =
            ui.tr(flow.speechUnavailable() ? "kiosk.bar.no_sound" : "kiosk.bar.read_aloud");
        float toolsH = m.target;
        for (const std::string* label : {&largeLabel, &readLabel}) {
            toolsH = std::max(toolsH, ui.buttonHeight(*label, half, m.target));
        }
        const float rows = m.target + toolsH + 2 * spacing;  // languages, tools, between rows
        if (flow.staff()) {
            staffBar(ctx, w);  // drawn before the rest is measured, like the notices
        }
        const float rest = ImGui::GetContentRegionAvail().y;
        const float startH =
            std::clamp(rest - rows - 3 * (m.pad + spacing), m.target, m.target * 2.0f);
        const float gap = std::clamp((rest - rows - startH) / 3 - spacing, 0.0f, m.pad);
        const auto space = [gap] {
            if (gap > 0) {
                ImGui::Dummy(ImVec2(0, gap));
            }
        };
        space();
        if (const auto missing = flow.setupProblems(); !missing.empty()) {
            // No start button: say what staff must set, so nobody files reports the server
            // refuses for good.
            ui.heading(ui.tr("kiosk.setup.title"));
            for (const std::string& key : missing) {
                ui.text(ui.tr(key));
            }
            ui.textSmall(ui.tr("kiosk.setup.restart"));
            ui.registerRect("welcome.not_ready", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
            if (ui.button("welcome.status", ui.tr("kiosk.welcome.status"), ImVec2(w, m.target),
                          Tone::normal)) {
                flow.openStatus();
            }
        } else {
            // A returning visitor's door is as large as a new visitor's.
            const std::string startLabel = ui.tr("kiosk.welcome.start");
            const std::string statusLabel = ui.tr("kiosk.welcome.status");
            const float h =
                std::max({startH, ui.buttonHeight(startLabel, half, startH, ui.headingFont()),
                          ui.buttonHeight(statusLabel, half, startH, ui.headingFont())});
            if (ui.button("welcome.start", startLabel, ImVec2(half, h), Tone::primary,
                          ui.headingFont())) {
                flow.start();
            }
            ImGui::SameLine();
            if (ui.button("welcome.status", statusLabel, ImVec2(half, h), Tone::normal,
                          ui.headingFont())) {
                flow.openStatus();
            }
        }
        space();
        if (ui.button("welcome.lang_id", ui.tr("kiosk.lang.id"), ImVec2(half, m.target),
                      flow.lang() == Lang::id ? Tone::selected : Tone::quiet)) {
            flow.setLang(Lang::id);
        }
        ImGui::SameLine();
        if (ui.button("welcome.lang_en", ui.tr("kiosk.lang.en"), ImVec2(half, m.target),
                      flow.lang() == Lang::en ? Tone::selected : Tone::quiet)) {
            flow.setLang(Lang::en);
        }
        space();
        if (ui.button("welcome.large_text", largeLabel, ImVec2(half, toolsH),
                      flow.largeText() ? Tone::selected : Tone::quiet)) {
            flow.toggleLargeText();
        }
        ImGui::SameLine();
        if (ui.button("welcome.read_aloud", readLabel, ImVec2(half, toolsH), Tone::quiet)) {
            ctx.app.readAloud();
        }
        if (!flow.staff()) {
            staffCorner(ctx);
        }
    }

    // Signed-in staff: who, and their three doors.
    static void staffBar(ViewContext& ctx, float w) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Metrics& m = ui.metrics();
        // Who is signed in is the sign-out button's own label: one row, so that the screen still
        // fits with large text on a small panel.
        const std::string who = ui.tr(Text{
            "kiosk.staff.sign_out_who", {{"name", flow.staff()->name}, {"id", flow.staff()->id}}});
        const std::string assist = ui.tr("kiosk.staff.assist");
        const std::string panel = ui.tr("kiosk.staff.panel");
        const float third = (w - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
        float h = m.target;
        for (const std::string* label : {&who, &assist, &panel}) {
            h = std::max(h, ui.buttonHeight(*label, third, m.target));
        }
        if (flow.setupProblems().empty()) {
            if (ui.button("welcome.assist", assist, ImVec2(third, h), Tone::selected)) {
                flow.startAssisted();
            }
            ImGui::SameLine();
        }
        if (ui.button("welcome.panel", panel, ImVec2(third, h), Tone::normal)) {
            flow.openPanel();
        }
        ImGui::SameLine();
        if (ui.button("welcome.sign_out", who, ImVec2(third, h), Tone::quiet)) {
            flow.signOut("signed out");
        }
    }

    // The top-right corner, held for Flow::staffPressMs(): a ring shows only once pressed and
    // fills while held; then the keypad opens. Nothing is drawn at rest.
    void staffCorner(ViewContext& ctx) {
        Ui& ui = ctx.ui;
        const Metrics& m = ui.metrics();
        const float s = m.target * 1.5f;
        const ImVec2 wp = ImGui::GetWindowPos();
        const ImVec2 ws = ImGui::GetWindowSize();
        // Drawn last, over nothing: the cursor is not put back (that would grow the content).
        ImGui::SetCursorScreenPos(ImVec2(wp.x + ws.x - s, wp.y));
        ImGui::InvisibleButton("welcome.staff_corner", ImVec2(s, s));
        ui.registerRect("welcome.staff_corner", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        const bool held = ImGui::IsItemActive() && !ui.dragged();
        if (!held) {
            pressedAtMs_ = -1;
            return;
        }
        const std::int64_t now = ctx.app.nowMs();
        if (pressedAtMs_ < 0) {
            pressedAtMs_ = now;
        }
        const float done = static_cast<float>(now - pressedAtMs_) /
                           static_cast<float>(std::max<std::int64_t>(1, ctx.flow.staffPressMs()));
        if (done >= 1.0f) {
            pressedAtMs_ = -1;
            ctx.flow.openStaffSignIn();
            return;
        }
        // Around the finger, kept inside the screen so it shows beside it.
        const float r = m.target * 0.9f;
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        const ImVec2 c(std::min(mouse.x, m.width - r - 6), std::max(mouse.y, r + 6));
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        constexpr float kTop = -1.5707964f;
        dl->PathArcTo(c, r, kTop, kTop + 6.2831853f, 48);
        dl->PathStroke(IM_COL32(200, 200, 200, 200), 0, m.pad * 0.6f);
        dl->PathArcTo(c, r, kTop, kTop + 6.2831853f * done, 48);
        dl->PathStroke(IM_COL32(22, 80, 160, 255), 0, m.pad * 0.6f);
        ui.keepAnimating();
    }

    std::int64_t pressedAtMs_ = -1;  // screen memory: when the corner went down
};

}  // namespace

std::unique_ptr<View> makeWelcomeView() {
    return std::make_unique<WelcomeView>();
}

}  // namespace lapor::kiosk
