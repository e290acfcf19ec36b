// Staff sign-in: a numeric keypad with large keys, the staff id and then the PIN (shown masked),
// the plain message of a wrong PIN or of the lockout pause. The check runs on the worker.
#include <algorithm>
#include <cmath>

#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class StaffSignInView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Metrics& m = ui.metrics();
        const SignInPad& pad = flow.pad();
        // Every stage but the id is a PIN: shown as dots.
        const bool pin = pad.stage != PadStage::id;
        const std::string& digits = pad.stage == PadStage::confirmPin ? pad.pin2 : pad.pin;
        const float w = fullWidth();
        const float gap = ImGui::GetStyle().ItemSpacing.x;
        const float vgap = ImGui::GetStyle().ItemSpacing.y;
        const float avail = ImGui::GetContentRegionAvail().y;
        const float line = ImGui::GetTextLineHeightWithSpacing();
        const float boxH = m.target * 1.1f;
        // One centred column (value above the keys) when it fits the height; on a short screen
        // (800x480, large text) the value and its message on the left and the keys on the right,
        // so that the dots stay in view while the keys are touched.
        const bool twoColumns =
            line * 3 + boxH + 4 * m.target + 5 * vgap > avail && w > 2 * m.target * 4;
        const float keysW = twoColumns ? (w - gap) / 2 : w;
        const float keyW = std::min((keysW - 2 * gap) / 3, m.target * 2.6f);
        const float boxW = 3 * keyW + 2 * gap;
        const float x0 = ImGui::GetCursorPosX();
        const float y0 = ImGui::GetCursorPosY();
        const float left = twoColumns ? x0 : x0 + std::max(0.0f, (w - boxW) / 2);
        ImGui::SetCursorPosX(left);
        ImGui::BeginGroup();
        ImGui::PushTextWrapPos(left + boxW);
        ui.text(ui.tr(promptKey(pad.stage)));
        // The value in a box: the id in clear, the PIN as dots (never its digits).
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const ImVec2 end(at.x + boxW, at.y + boxH);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(at, end, IM_COL32(255, 255, 255, 255));
        dl->AddRect(at, end, IM_COL32(60, 60, 60, 255), 0, 0, 2.0f);
        ImGui::Dummy(ImVec2(boxW, end.y - at.y));
        ui.registerRect("pad.value", at, end);
        const float cy = (at.y + end.y) / 2;
        if (pin) {
            const float r = m.body * 0.28f;
            for (std::size_t i = 0; i < digits.size(); ++i) {
                dl->AddCircleFilled(ImVec2(at.x + m.pad + r + static_cast<float>(i) * r * 3, cy), r,
                                    IM_COL32(20, 20, 20, 255), 16);
            }
        } else {
            const std::string shown = pad.id + "|";
            const ImVec2 ts = ImGui::CalcTextSize(shown.c_str());
            dl->AddText(ImVec2(at.x + m.pad, cy - ts.y / 2), IM_COL32(20, 20, 20, 255),
                        shown.c_str());
        }
        if (pad.checking) {
            ui.text(ui.tr("kiosk.staffSignIn.checking"));
        } else if (const auto msg = flow.padMessage()) {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.69f, 0.0f, 0.06f, 1.0f));
            ui.text(ui.tr(*msg));
            ImGui::PopStyleColor();
            ui.registerRect("pad.message", ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        } else {
            ui.textSmall(ui.tr("kiosk.staffSignIn.help_rules"));
        }
        ImGui::PopTextWrapPos();
        ImGui::EndGroup();
        // The keypad: 1-9, then delete, 0, and the key that moves on.
        const float keysLeft = twoColumns ? x0 + keysW + gap : left;
        if (twoColumns) {
            ImGui::SetCursorPos(ImVec2(keysLeft, y0));
        }
        // Whole pixels, and one to spare: a fraction over the height would show a scrollbar.
        const float keyH = std::max(
            m.target, std::min(m.target * 1.25f,
                               std::floor((ImGui::GetContentRegionAvail().y - 3 * vgap - 1) / 4)));
        static const char* const kKeys[] = {"1", "2", "3", "4",   "5", "6",
                                            "7", "8", "9", "del", "0", "ok"};
        for (int i = 0; i < 12; ++i) {
            if (i % 3 != 0) {
                ImGui::SameLine();
            } else {
                ImGui::SetCursorPosX(keysLeft);
            }
            const std::string k = kKeys[i];
            const std::string id = "pad." + k;
            if (k == "del") {
                if (ui.button(id, ui.tr("kiosk.staffSignIn.delete"), ImVec2(keyW, keyH),
                              Tone::quiet)) {
                    flow.padBackspace();
                }
            } else if (k == "ok") {
                if (ui.button(id, ui.tr(okKey(pad.stage)), ImVec2(keyW, keyH), Tone::primary)) {
                    confirm(ctx);
                }
            } else if (ui.button(id, k, ImVec2(keyW, keyH), Tone::normal, ui.headingFont())) {
                flow.padDigit(k[0]);
            }
        }
    }

    void drawFooter(ViewContext& ctx) override {
        if (footerPair(ctx.ui, "nav.back", ctx.ui.tr("kiosk.nav.back"), {}, {}, Tone::quiet) == 1) {
            ctx.flow.padBack();
        }
    }

    static const char* promptKey(PadStage stage) {
        switch (stage) {
            case PadStage::id: return "kiosk.staffSignIn.enter_id";
            case PadStage::pin: return "kiosk.staffSignIn.enter_pin";
            case PadStage::newPin: return "kiosk.staffSignIn.enter_new_pin";
            case PadStage::confirmPin: return "kiosk.staffSignIn.confirm_new_pin";
        }
        return "kiosk.staffSignIn.enter_pin";
    }

    static const char* okKey(PadStage stage) {
        switch (stage) {
            case PadStage::pin: return "kiosk.staffSignIn.sign_in";
            case PadStage::confirmPin: return "kiosk.staffSignIn.save_pin";
            case PadStage::id:
            case PadStage::newPin: return "kiosk.nav.next";
        }
        return "kiosk.nav.next";
    }

    static void confirm(ViewContext& ctx) {
        switch (ctx.flow.pad().stage) {
            case PadStage::id:
            case PadStage::newPin: ctx.flow.padNext(); break;
            case PadStage::pin: ctx.app.submitSignIn(); break;
            case PadStage::confirmPin: ctx.app.submitPinChange(); break;
        }
    }
};

}  // namespace

std::unique_ptr<View> makeStaffSignInView() {
    return std::make_unique<StaffSignInView>();
}

}  // namespace lapor::kiosk
