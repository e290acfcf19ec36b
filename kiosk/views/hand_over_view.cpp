// Hand-over: an assisted report goes back to the citizen before its review, so that the citizen
// (not the staff member) reads it, or hears it read aloud, and gives the consent.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class HandOverView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const Metrics& m = ui.metrics();
        const float w = fullWidth();
        ImGui::Dummy(ImVec2(0, m.pad));
        ui.heading(ui.tr("kiosk.handOver.give"));
        ui.text(ui.tr("kiosk.handOver.help"));
        ImGui::Dummy(ImVec2(0, m.pad));
        if (ui.button("handOver.continue", ui.tr("kiosk.handOver.continue"),
                      ImVec2(w, m.target * 1.6f), Tone::primary, ui.headingFont())) {
            ctx.flow.handOverDone();
        }
        ImGui::Dummy(ImVec2(0, m.pad));
        const float half = (w - ImGui::GetStyle().ItemSpacing.x) / 2;
        if (ui.button("handOver.read_aloud",
                      ui.tr(ctx.flow.speechUnavailable() ? "kiosk.bar.no_sound"
                                                         : "kiosk.handOver.read_aloud"),
                      ImVec2(half, m.target), Tone::quiet)) {
            ctx.app.readAloud();
        }
        ImGui::SameLine();
        if (ui.button("nav.back", ui.tr("kiosk.nav.back"), ImVec2(half, m.target), Tone::quiet)) {
            ctx.flow.back();
        }
    }
};

}  // namespace

std::unique_ptr<View> makeHandOverView() {
    return std::make_unique<HandOverView>();
}

}  // namespace lapor::kiosk
