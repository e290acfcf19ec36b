// Kind: Pengaduan, Aspirasi, Permintaan Informasi, each with a one-line explanation.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class KindView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        ui.text(ui.tr("kiosk.kind.help"));
        static const std::pair<ReportKind, const char*> kinds[] = {
            {ReportKind::pengaduan, "pengaduan"},
            {ReportKind::aspirasi, "aspirasi"},
            {ReportKind::permintaanInformasi, "informasi"}};
        for (const auto& [kind, name] : kinds) {
            const std::string base = std::string("kiosk.kind.") + name;
            if (ui.card(std::string("kind.") + name, ui.tr(base), ui.tr(base + ".help"),
                        fullWidth(), flow.draft().kind == kind)) {
                flow.chooseKind(kind);
            }
        }
        ui.errorText(flow.error(Field::kind));
    }
};

}  // namespace

std::unique_ptr<View> makeKindView() {
    return std::make_unique<KindView>();
}

}  // namespace lapor::kiosk
