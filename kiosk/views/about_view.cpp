// About you: name as on the KTP, NIK, phone or email (skipped when anonymous).
#include "core/validation.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

class AboutView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Identity& id = flow.draft().identity;
        const float w = fullWidth();
        ui.text(ui.tr("kiosk.about.help"));
        struct Row {
            const char* id;
            const char* label;
            Field field;
            const std::string& value;
            bool numeric;
            InputRule rule;
            std::size_t max;  // core/validation's limits, in what the rule counts
        };
        const Row rows[] = {
            {"about.name", "kiosk.about.field_name", Field::name, id.name, false, InputRule::text,
             ReportLimits::nameMax},
            {"about.nik", "kiosk.about.field_nik", Field::nik, id.nik, true, InputRule::nik,
             ReportLimits::nikDigits},
            {"about.phone", "kiosk.about.field_phone", Field::phone, id.phone, true,
             InputRule::phone, ReportLimits::phoneDigitsMax},
            {"about.email", "kiosk.about.field_email", Field::email, id.email, false,
             InputRule::text, ReportLimits::emailMax},
        };
        for (const Row& r : rows) {
            Editing e;
            e.numeric = r.numeric;
            e.rule = r.rule;
            e.maxLength = r.max;
            const Field f = r.field;
            e.commit = [&flow, f](const std::string& v) { flow.setText(f, v); };
            ui.field(r.id, r.label, r.value, flow.error(r.field), std::move(e), w);
        }
        ui.textSmall(ui.tr("kiosk.about.note"));
    }
};

}  // namespace

std::unique_ptr<View> makeAboutView() {
    return std::make_unique<AboutView>();
}

}  // namespace lapor::kiosk
