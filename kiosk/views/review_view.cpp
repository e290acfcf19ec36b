// Review: everything entered, each part with a change button, and consent to the privacy notice
// (Law 27/2022 on personal data protection) before sending.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

std::string nameOf(const std::vector<CatalogChoice>& list, const std::string& id) {
    for (const auto& c : list) {
        if (c.id == id) {
            return c.name;
        }
    }
    return id;
}

class ReviewView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Draft& d = flow.draft();
        const float w = fullWidth();
        const float t = ui.metrics().target;
        ui.text(ui.tr("kiosk.review.help"));

        auto section = [&](const char* id, const char* titleKey, Screen screen,
                           const std::vector<std::pair<std::string, std::string>>& lines) {
            ImGui::Separator();
            ImGui::PushFont(ui.headingFont());
            ImGui::TextUnformatted(ui.tr(titleKey).c_str());
            ImGui::PopFont();
            ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - t * 2.2f);
            if (ui.button(std::string("review.edit.") + id, ui.tr("kiosk.review.change"),
                          ImVec2(t * 2.2f, t), Tone::quiet)) {
                flow.edit(screen);
            }
            for (const auto& [label, value] : lines) {
                ui.textSmall(ui.tr(label));
                ui.text(value.empty() ? "-" : value);
            }
        };
        const Date& date = d.incidentDate;
        section("kind", "kiosk.review.kind", Screen::kind,
                {{"kiosk.review.kind", d.kind ? ui.tr(kindMsgid(*d.kind)) : ""}});
        section("what", "kiosk.what.title", Screen::what,
                {{"kiosk.what.field_title", d.title},
                 {"kiosk.what.field_body", d.body},
                 {"kiosk.what.field_date", std::to_string(date.day) + " " +
                                               ui.tr("kiosk.month." + std::to_string(date.month)) +
                                               " " + std::to_string(date.year)},
                 {"kiosk.what.field_region", d.region.label},
                 {"kiosk.what.field_place", d.place}});
        section("whom", "kiosk.whom.title", Screen::whom,
                {{"kiosk.whom.agency", nameOf(flow.agencies(), d.agencyId)},
                 {"kiosk.whom.topic", nameOf(flow.topics(), d.topicId)}});
        section("privacy", "kiosk.privacy.title", Screen::privacy,
                {{"kiosk.privacy.anonymous", ui.tr(d.anonymous ? "kiosk.yes" : "kiosk.no")},
                 {"kiosk.privacy.confidential", ui.tr(d.confidential ? "kiosk.yes" : "kiosk.no")}});
        if (!d.anonymous) {
            section("about", "kiosk.about.title", Screen::about,
                    {{"kiosk.about.field_name", d.identity.name},
                     {"kiosk.about.field_nik", d.identity.nik},
                     {"kiosk.about.field_phone", d.identity.phone},
                     {"kiosk.about.field_email", d.identity.email}});
        }
        section(
            "photos", "kiosk.photos.title", Screen::photos,
            {{"kiosk.review.photos", ui.tr(Text{"kiosk.photos.count",
                                                {{"n", std::to_string(d.photos.size())},
                                                 {"max", std::to_string(flow.maxPhotos())}}})}});
        if (!flow.assistedBy().empty()) {
            ui.textSmall(ui.tr(Text{"kiosk.welcome.staff_on", {{"id", flow.assistedBy()}}}));
        }
        ImGui::Separator();
        ui.textSmall(ui.tr("kiosk.review.notice"));
        if (ui.toggle("review.consent", ui.tr("kiosk.review.consent"),
                      ui.tr("kiosk.review.consent.help"), d.consent, w)) {
            flow.setConsent(!d.consent);
        }
        ui.errorText(flow.error(Field::consent));
    }

    void drawFooter(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        const Metrics& m = ui.metrics();
        const float w = std::max(m.target * 3.2f, m.width * 0.22f);
        if (ui.button("nav.back", ui.tr("kiosk.nav.back"), ImVec2(w, m.target), Tone::quiet)) {
            ctx.flow.back();
        }
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - w * 1.3f);
        if (ui.button("review.send", ui.tr("kiosk.review.send"), ImVec2(w * 1.3f, m.target),
                      Tone::primary)) {
            ctx.app.startSave();
        }
    }
};

}  // namespace

std::unique_ptr<View> makeReviewView() {
    return std::make_unique<ReviewView>();
}

}  // namespace lapor::kiosk
