// What happened: title, body, incident date, location (region search down to the village) and a
// free-text place.
#include <chrono>

#include "core/validation.hpp"
#include "kiosk/views/view.hpp"

namespace lapor::kiosk {

namespace {

using namespace std::chrono;

Date fromYmd(const year_month_day& ymd) {
    return Date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                static_cast<int>(unsigned(ymd.day()))};
}

year_month_day toYmd(const Date& d) {
    return year_month_day{year{d.year}, month{static_cast<unsigned>(d.month)},
                          day{static_cast<unsigned>(d.day)}};
}

// Month and year steps keep the day inside the new month (31 March - 1 month = 28/29 February).
Date stepDate(const Date& d, int days, int months, int years) {
    if (days != 0) {
        return fromYmd(year_month_day{sys_days{toYmd(d)} + std::chrono::days{days}});
    }
    year_month_day ymd = toYmd(d);
    ymd = year_month_day{ymd.year() + std::chrono::years{years}, ymd.month(), day{1}};
    ymd += std::chrono::months{months};
    const auto last = year_month_day_last{ymd.year(), month_day_last{ymd.month()}}.day();
    const unsigned dd = std::min(static_cast<unsigned>(d.day), unsigned(last));
    return fromYmd(year_month_day{ymd.year(), ymd.month(), day{dd}});
}

class WhatView final : public View {
    bool picking_ = false;  // the region picker is open (only what is on screen; no data)

    int page() const override { return picking_ ? 1 : 0; }

    void drawContent(ViewContext& ctx) override {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        if (picking_) {
            drawPicker(ctx);
            return;
        }
        const Draft& d = flow.draft();
        const float w = fullWidth();
        Editing title;
        title.maxLength = ReportLimits::titleMax;
        title.commit = [&flow](const std::string& v) { flow.setText(Field::title, v); };
        ui.field("what.title", "kiosk.what.field_title", d.title, flow.error(Field::title), title,
                 w);
        Editing body;
        body.multiline = true;
        body.maxLength = ReportLimits::bodyMax;
        body.commit = [&flow](const std::string& v) { flow.setText(Field::body, v); };
        ui.field("what.body", "kiosk.what.field_body", d.body, flow.error(Field::body), body, w);
        // Speaking instead of typing: the note stands for the body (kiosk/views/voice_view.cpp).
        const std::string spoken = d.voice
                                       ? ui.tr(Text{"kiosk.what.voice_have",
                                                    {{"max", clockText(d.voice->clip.durationMs)}}})
                                       : ui.tr("kiosk.what.voice");
        if (ui.button("what.voice", spoken, ImVec2(w, ui.metrics().target),
                      d.voice ? Tone::selected : Tone::normal)) {
            flow.openVoice();
        }

        ui.text(ui.tr("kiosk.what.field_date"));
        drawDate(ctx);
        ui.errorText(flow.error(Field::incidentDate));

        ui.text(ui.tr("kiosk.what.field_region"));
        const std::string where =
            d.region.code.empty() ? ui.tr("kiosk.what.pick_region") : d.region.label;
        if (ui.button("what.region", where, ImVec2(w, ui.metrics().target), Tone::quiet)) {
            picking_ = true;
        }
        ui.errorText(flow.error(Field::region));
        Editing place;
        place.maxLength = ReportLimits::placeMax;
        place.commit = [&flow](const std::string& v) { flow.setText(Field::place, v); };
        ui.field("what.place", "kiosk.what.field_place", d.place, flow.error(Field::place), place,
                 w);
    }

    void drawDate(ViewContext& ctx) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const Date d = flow.draft().incidentDate;
        const float t = ui.metrics().target;
        const float spacing = ImGui::GetStyle().ItemSpacing.x;
        const float part = (fullWidth() - 2 * spacing * 3) / 3;
        const float valueW = std::max(part - 2 * t - 2 * spacing, t);
        struct Part {
            const char* id;
            std::string value;
            int dd, mm, yy;
        };
        const Part parts[] = {
            {"day", std::to_string(d.day), 1, 0, 0},
            {"month", ui.tr("kiosk.month." + std::to_string(d.month)), 0, 1, 0},
            {"year", std::to_string(d.year), 0, 0, 1},
        };
        bool first = true;
        for (const Part& p : parts) {
            if (!first) {
                ImGui::SameLine(0, spacing * 3);
            }
            first = false;
            if (ui.button(std::string("what.date.") + p.id + "_minus", "-", ImVec2(t, t))) {
                flow.setIncidentDate(stepDate(d, -p.dd, -p.mm, -p.yy));
            }
            ImGui::SameLine();
            ui.button(std::string("what.date.") + p.id, p.value, ImVec2(valueW, t), Tone::quiet);
            ImGui::SameLine();
            if (ui.button(std::string("what.date.") + p.id + "_plus", "+", ImVec2(t, t))) {
                flow.setIncidentDate(stepDate(d, p.dd, p.mm, p.yy));
            }
        }
    }

    void drawPicker(ViewContext& ctx) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const RegionPicker& p = flow.regionPicker();
        const float w = fullWidth();
        const float t = ui.metrics().target;
        ui.text(ui.tr("kiosk.region.help"));
        Editing search;
        search.maxLength = 60;
        search.commit = [&flow](const std::string& v) { flow.setRegionQuery(v); };
        // The results follow each key, above the keyboard; picking a village closes both.
        search.preview = [this](ViewContext& c) { return drawChoices(c); };
        ui.field("region.search", "kiosk.region.search", p.query, nullptr, search, w);
        if (!p.path.empty()) {
            ui.textSmall(p.path.back().label);
            if (ui.button("region.up", ui.tr("kiosk.region.up"), ImVec2(w, t), Tone::quiet)) {
                flow.regionUp();
            }
        }
        (void)drawChoices(ctx);
    }

    // The picker's rows; true when a village was picked (the picker then closes).
    bool drawChoices(ViewContext& ctx) {
        Ui& ui = ctx.ui;
        Flow& flow = ctx.flow;
        const RegionPicker& p = flow.regionPicker();
        const float w = fullWidth();
        const float t = ui.metrics().target;
        if (p.choices.empty() && !p.query.empty()) {
            ui.text(ui.tr("kiosk.region.none"));
        }
        for (std::size_t i = 0; i < p.choices.size(); ++i) {
            const RegionChoice& c = p.choices[i];
            const bool chosen = c.code == flow.draft().region.code;
            // Search hits name their parents and say what they are (a kecamatan and a village
            // can share a name); a drill-down list has them in the path above.
            const std::string shown =
                p.query.empty()
                    ? c.name
                    : ui.tr(Text{"kiosk.region.row",
                                 {{"level", ui.tr(regionLevelMsgid(c))}, {"name", c.label}}});
            if (ui.button("region.choice." + std::to_string(i), shown, ImVec2(w, t),
                          chosen ? Tone::selected : Tone::normal)) {
                const bool village = c.village;
                flow.pickRegion(i);
                if (village) {
                    picking_ = false;
                    return true;
                }
                // A kecamatan (or higher) picked from the search: the drill-down below it.
                return ui.editing().has_value();
            }
        }
        return false;
    }

    void drawFooter(ViewContext& ctx) override {
        if (!picking_) {
            View::drawFooter(ctx);
            return;
        }
        // While picking, "back" closes the picker; the choice is kept.
        Ui& ui = ctx.ui;
        const float w = std::max(ui.metrics().target * 3.2f, ui.metrics().width * 0.22f);
        if (ui.button("nav.back", ui.tr("kiosk.nav.back"), ImVec2(w, ui.metrics().target),
                      Tone::quiet)) {
            picking_ = false;
        }
    }
};

}  // namespace

std::unique_ptr<View> makeWhatView() {
    return std::make_unique<WhatView>();
}

}  // namespace lapor::kiosk
