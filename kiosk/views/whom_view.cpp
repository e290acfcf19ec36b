// To whom: the agency (instansi) and the topic, from the store's catalog.
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

// Two buttons share a row: both as tall as the one whose name wraps onto more lines.
float rowHeight(const Ui& ui, const std::vector<CatalogChoice>& items, std::size_t i, float width,
                float minHeight) {
    const std::size_t first = i - i % 2;
    float h = ui.buttonHeight(items[first].name, width, minHeight);
    if (first + 1 < items.size()) {
        h = std::max(h, ui.buttonHeight(items[first + 1].name, width, minHeight));
    }
    return h;
}

class WhomView final : public View {
    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const float t = ui.metrics().target;
        const float spacing = ImGui::GetStyle().ItemSpacing.x;
        const float half = (fullWidth() - spacing) / 2;
        ui.text(ui.tr("kiosk.whom.help"));
        ui.heading(ui.tr("kiosk.whom.agency"));
        ui.errorText(flow.error(Field::agency));
        const auto agencies = flow.agencies();
        for (std::size_t i = 0; i < agencies.size(); ++i) {
            if (i % 2 == 1) {
                ImGui::SameLine();
            }
            const bool chosen = agencies[i].id == flow.draft().agencyId;
            if (ui.button("whom.agency." + agencies[i].id, agencies[i].name,
                          ImVec2(half, rowHeight(ui, agencies, i, half, t)),
                          chosen ? Tone::selected : Tone::normal)) {
                flow.chooseAgency(agencies[i].id);
            }
        }
        const auto topics = flow.topics();
        if (topics.empty()) {
            return;
        }
        ui.heading(ui.tr("kiosk.whom.topic"));
        ui.errorText(flow.error(Field::topic));
        for (std::size_t i = 0; i < topics.size(); ++i) {
            if (i % 2 == 1) {
                ImGui::SameLine();
            }
            const bool chosen = topics[i].id == flow.draft().topicId;
            if (ui.button("whom.topic." + topics[i].id, topics[i].name,
                          ImVec2(half, rowHeight(ui, topics, i, half, t)),
                          chosen ? Tone::selected : Tone::normal)) {
                flow.chooseTopic(topics[i].id);
            }
        }
    }
};

}  // namespace

std::unique_ptr<View> makeWhomView() {
    return std::make_unique<WhomView>();
}

}  // namespace lapor::kiosk
