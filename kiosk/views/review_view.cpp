// Review: everything entered, each part with a change button, and consent to the privacy notice
// (Law 27/2022 on personal data protection) before sending.
#include <sodium.h>

#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

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

// "************0001" for a NIK or phone until tapped, then the value itself; the mask is made in a
// buffer on the stack and wiped once drawn (its last digits are the visitor's).
void drawMasked(Ui& ui, Flow& flow, Field field, std::string_view value, float target) {
    const bool shown = flow.revealed(field);
    const std::string id = field == Field::nik ? "review.reveal.nik" : "review.reveal.phone";
    const float buttonW = target * 2.6f;
    if (shown) {
        ui.text(value);
    } else {
        std::array<char, 64> masked{};
        const std::size_t n = std::min(value.size(), masked.size() - 1);
        const std::size_t keep = n > 8 ? 4 : 0;  // the last four: enough to recognise one's own
        for (std::size_t i = 0; i < n; ++i) {
            masked[i] = i + keep < n ? '*' : value[value.size() - n + i];
        }
        ui.text(std::string_view(masked.data(), n));
        sodium_memzero(masked.data(), masked.size());
    }
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - buttonW);
    if (ui.button(id, ui.tr(shown ? "kiosk.review.hide" : "kiosk.review.show"),
                  ImVec2(buttonW, target), Tone::quiet)) {
        flow.toggleReveal(field);
    }
}

class ReviewView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Draft& d = flow.draft();
        const float w = fullWidth();
        const float t = ui.metrics().target;
        ui.text(ui.tr("kiosk.review.help"));

        // Each line's value is a view into the flow's state (or text made from it that holds no
        // personal data): nothing the visitor typed is copied per frame.
        struct Line {
            const char* label;
            std::string_view value;
            std::optional<Field> masked;  // NIK, phone: masked until tapped
        };
        auto section = [&](const char* id, const char* titleKey, Screen screen,
                           std::initializer_list<Line> lines) {
            ImGui::Separator();
            ImGui::PushFont(ui.headingFont());
            ImGui::TextUnformatted(ui.tr(titleKey).c_str());
            ImGui::PopFont();
            ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - t * 2.2f);
            if (ui.button(std::string("review.edit.") + id, ui.tr("kiosk.review.change"),
                          ImVec2(t * 2.2f, t), Tone::quiet)) {
                flow.edit(screen);
            }
            for (const Line& line : lines) {
                ui.textSmall(ui.tr(line.label));
                if (line.masked && !line.value.empty()) {
                    drawMasked(ui, flow, *line.masked, line.value, t);
                } else {
                    ui.text(line.value.empty() ? std::string_view("-") : line.value);
                }
            }
        };
        const std::string voiceLine = d.voice ? clockText(d.voice->clip.durationMs) : std::string();
        const Date& date = d.incidentDate;
        const std::string kindName = d.kind ? ui.tr(kindMsgid(*d.kind)) : "";
        const std::string dateText = std::to_string(date.day) + " " +
                                     ui.tr("kiosk.month." + std::to_string(date.month)) + " " +
                                     std::to_string(date.year);
        section("kind", "kiosk.review.kind", Screen::kind, {{"kiosk.review.kind", kindName, {}}});
        section("what", "kiosk.what.title", Screen::what,
                {{"kiosk.what.field_title", d.title, {}},
                 {"kiosk.what.field_body", d.body, {}},
                 {"kiosk.review.voice", voiceLine, {}},
                 {"kiosk.what.field_date", dateText, {}},
                 {"kiosk.what.field_region", d.region.label, {}},
                 {"kiosk.what.field_place", d.place, {}}});
        const std::string agency = nameOf(flow.agencies(), d.agencyId);
        const std::string topic = nameOf(flow.topics(), d.topicId);
        section("whom", "kiosk.whom.title", Screen::whom,
                {{"kiosk.whom.agency", agency, {}}, {"kiosk.whom.topic", topic, {}}});
        const std::string anonymous = ui.tr(d.anonymous ? "kiosk.yes" : "kiosk.no");
        const std::string confidential = ui.tr(d.confidential ? "kiosk.yes" : "kiosk.no");
        section("privacy", "kiosk.privacy.title", Screen::privacy,
                {{"kiosk.privacy.anonymous", anonymous, {}},
                 {"kiosk.privacy.confidential", confidential, {}}});
        if (!d.anonymous) {
            section("about", "kiosk.about.title", Screen::about,
                    {{"kiosk.about.field_name", d.identity.name, {}},
                     {"kiosk.about.field_nik", d.identity.nik, Field::nik},
                     {"kiosk.about.field_phone", d.identity.phone, Field::phone},
                     {"kiosk.about.field_email", d.identity.email, {}}});
        }
        const std::string photoCount = ui.tr(Text{
            "kiosk.photos.count",
            {{"n", std::to_string(d.photos.size())}, {"max", std::to_string(flow.maxPhotos())}}});
        const std::string clipLine = d.video ? clockText(d.video->clip.durationMs) : std::string();
        section("photos", "kiosk.photos.title", Screen::photos,
                {{"kiosk.review.photos", photoCount, {}}, {"kiosk.review.video", clipLine, {}}});
        if (flow.assisted()) {
            ui.textSmall(ui.tr(Text{"kiosk.staff.assisted_by",
                                    {{"name", flow.assistedName()}, {"id", flow.assistedBy()}}}));
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
