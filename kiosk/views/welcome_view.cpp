// Welcome: the language (Bahasa Indonesia by default, English one touch away), a big start button,
// and staff assisted mode.
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
        const float third = (w - 2 * ImGui::GetStyle().ItemSpacing.x) / 3;
        const std::string largeLabel = ui.tr("kiosk.bar.large_text");
        const std::string readLabel =
            ui.tr(flow.speechUnavailable() ? "kiosk.bar.no_sound" : "kiosk.bar.read_aloud");
        // Staff assisted mode: staff type their id once; it is recorded with the report.
        const std::string staffLabel =
            flow.assistedBy().empty()
                ? ui.tr("kiosk.welcome.staff")
                : ui.tr(Text{"kiosk.welcome.staff_on", {{"id", flow.assistedBy()}}});
        float toolsH = m.target;
        for (const std::string* label : {&largeLabel, &readLabel, &staffLabel}) {
            toolsH = std::max(toolsH, ui.buttonHeight(*label, third, m.target));
        }
        const float rows = m.target + toolsH + 2 * spacing;  // languages, tools, between rows
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
        } else if (ui.button("welcome.start", ui.tr("kiosk.welcome.start"), ImVec2(w, startH),
                             Tone::primary, ui.headingFont())) {
            flow.start();
        }
        space();
        const float half = (w - ImGui::GetStyle().ItemSpacing.x) / 2;
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
        if (ui.button("welcome.large_text", largeLabel, ImVec2(third, toolsH),
                      flow.largeText() ? Tone::selected : Tone::quiet)) {
            flow.toggleLargeText();
        }
        ImGui::SameLine();
        if (ui.button("welcome.read_aloud", readLabel, ImVec2(third, toolsH), Tone::quiet)) {
            ctx.app.readAloud();
        }
        ImGui::SameLine();
        if (ui.button("welcome.staff", staffLabel, ImVec2(third, toolsH),
                      flow.assistedBy().empty() ? Tone::quiet : Tone::selected)) {
            Editing e;
            e.id = "welcome.staff_id";
            e.labelKey = "kiosk.welcome.staff_id";
            e.value = flow.assistedBy();
            e.numeric = true;
            e.rule = InputRule::digits;
            e.maxLength = 20;
            e.commit = [&flow](const std::string& v) { flow.setAssistedBy(v); };
            ui.editing() = std::move(e);
        }
    }
};

}  // namespace

std::unique_ptr<View> makeWelcomeView() {
    return std::make_unique<WelcomeView>();
}

}  // namespace lapor::kiosk
