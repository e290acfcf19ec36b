// Receipt: the code large, a QR code, the printed slip, where to check the status; then done.
#include "core/receipt_code.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class ReceiptView final : public View {
    bool showFooter() const override { return false; }
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        if (!flow.receipt()) {
            return;
        }
        const Receipt& r = *flow.receipt();
        const Metrics& m = ui.metrics();
        const float avail = fullWidth();
        const float qr = std::min(avail * 0.35f, ImGui::GetContentRegionAvail().y * 0.8f);
        const float textW = avail - qr - ImGui::GetStyle().ItemSpacing.x * 2;
        ImGui::BeginGroup();
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + textW);
        ui.text(ui.tr("kiosk.receipt.help"));
        ui.textSmall(ui.tr("kiosk.receipt.code"));
        ImGui::PushFont(ui.hugeFont());
        const std::string shown = receipt::format(r.receiptCode);
        ImGui::TextUnformatted(shown.c_str());
        ImGui::PopFont();
        ui.registerRect("receipt.code", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        ui.text(ui.tr(ctx.app.printerMessageKey()));
        ui.text(ui.tr("kiosk.receipt.where"));
        ImGui::PopTextWrapPos();
        if (ui.button("receipt.done", ui.tr("kiosk.receipt.done"), ImVec2(textW, m.target * 1.4f),
                      Tone::primary, ui.headingFont())) {
            flow.finish();
        }
        // The receipt goes by itself, so that the next visitor does not find it; its owner can
        // keep it longer while writing the code down.
        ui.textSmall(ui.tr(Text{"kiosk.receipt.countdown",
                                {{"seconds", std::to_string(flow.receiptSecondsLeft())}}}));
        if (ui.button("receipt.more_time", ui.tr("kiosk.receipt.more_time"),
                      ImVec2(textW, m.target), Tone::quiet)) {
            flow.moreTime();
        }
        ImGui::EndGroup();
        ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + qr);
        drawQr(r.receiptCode, qr);
        ui.textSmall(ui.tr("kiosk.receipt.qr"));
        ImGui::PopTextWrapPos();
        ImGui::EndGroup();
    }
};

}  // namespace

std::unique_ptr<View> makeReceiptView() {
    return std::make_unique<ReceiptView>();
}

}  // namespace lapor::kiosk
