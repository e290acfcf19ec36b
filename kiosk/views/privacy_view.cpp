// Privacy: Anonim (the agency does not learn who you are) and Rahasia (not published), in plain
// words.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class PrivacyView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        ui.text(ui.tr("kiosk.privacy.help"));
        if (ui.toggle("privacy.anonymous", ui.tr("kiosk.privacy.anonymous"),
                      ui.tr("kiosk.privacy.anonymous.help"), flow.draft().anonymous, fullWidth())) {
            flow.setAnonymous(!flow.draft().anonymous);
        }
        if (ui.toggle("privacy.confidential", ui.tr("kiosk.privacy.confidential"),
                      ui.tr("kiosk.privacy.confidential.help"), flow.draft().confidential,
                      fullWidth())) {
            flow.setConfidential(!flow.draft().confidential);
        }
        ui.textSmall(ui.tr("kiosk.privacy.note"));
    }
};

}  // namespace

std::unique_ptr<View> makePrivacyView() {
    return std::make_unique<PrivacyView>();
}

}  // namespace lapor::kiosk
