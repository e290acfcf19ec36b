// Saving, and a save that failed: plain words, call staff, nothing typed is lost.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class SavingView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        ImGui::Dummy(ImVec2(0, ctx.ui.metrics().height * 0.2f));
        ctx.ui.heading(ctx.ui.tr("kiosk.saving.help"));
    }
};

class SaveFailedView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const float w = fullWidth();
        const float t = ui.metrics().target;
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.69f, 0.0f, 0.06f, 1.0f));
        ui.heading(ui.tr("kiosk.saveFailed.help"));
        ImGui::PopStyleColor();
        for (const Text& line : ctx.flow.saveFailedLines()) {
            ui.text(ui.tr(line));
        }
        if (ui.button("failed.retry", ui.tr("kiosk.saveFailed.retry"), ImVec2(w, t * 1.4f),
                      Tone::primary)) {
            ctx.flow.retrySave();
            ctx.app.startSave();
        }
        if (ui.button("failed.back", ui.tr("kiosk.saveFailed.back"), ImVec2(w, t), Tone::quiet)) {
            ctx.flow.back();
        }
    }
};

}  // namespace

std::unique_ptr<View> makeSavingView() {
    return std::make_unique<SavingView>();
}
std::unique_ptr<View> makeSaveFailedView() {
    return std::make_unique<SaveFailedView>();
}

}  // namespace lapor::kiosk
