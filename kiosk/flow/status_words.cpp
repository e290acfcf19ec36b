// The status screen's plain words (status_words.hpp).
#include "kiosk/flow/status_words.hpp"

#include <algorithm>
#include <string>

namespace lapor::kiosk {

namespace {

Text msg(std::string key, std::vector<std::pair<std::string, std::string>> args = {}) {
    return Text{std::move(key), std::move(args)};
}

// The largest whole unit of a duration and how many of it: {"days", "3"}.
std::pair<std::string, std::string> unitOf(std::int64_t ms) {
    const std::int64_t min = std::max<std::int64_t>(0, ms) / 60'000;
    if (min < 60) {
        return {"minutes", std::to_string(std::max<std::int64_t>(1, min))};
    }
    if (min < 24 * 60) {
        return {"hours", std::to_string(min / 60)};
    }
    return {"days", std::to_string(min / (24 * 60))};
}

bool known(std::string_view status) {
    return status == "received" || status == "verified" || status == "forwarded" ||
           status == "followed_up" || status == "closed" || status == "rejected";
}

}  // namespace

std::vector<StatusRow> statusTimeline(const ReportStatus& s) {
    std::vector<StatusRow> rows;
    rows.push_back({s.filedAtMs, msg("kiosk.status.row.filed")});
    if (s.state == OutboxState::parked) {
        rows.push_back({0, msg("kiosk.status.row.parked")});
    }
    if (isDelivered(s.state) || s.deliveredAtMs > 0) {
        rows.push_back({s.deliveredAtMs, msg("kiosk.status.row.sent")});
    }
    for (const FeedUpdate& u : s.timeline) {
        if (u.event == "followup") {
            const std::string agency = u.followUp ? u.followUp->agency : u.agency;
            rows.push_back({u.atMs, agency.empty() ? msg("kiosk.status.row.followup")
                                                   : msg("kiosk.status.row.followup_by",
                                                         {{"agency", agency}})});
        } else if (u.event == "reply") {
            rows.push_back({u.atMs, msg("kiosk.status.row.reply_received")});
        } else if (u.status == "forwarded" && !u.agency.empty()) {
            rows.push_back({u.atMs, msg("kiosk.status.row.forwarded_to", {{"agency", u.agency}})});
        } else if (known(u.status)) {
            rows.push_back({u.atMs, msg("kiosk.status.row." + u.status)});
        } else {
            rows.push_back({u.atMs, msg("kiosk.status.row.other", {{"status", u.status}})});
        }
    }
    for (const ReplyEntry& r : s.replies) {
        rows.push_back({r.createdAtMs,
                        msg(isDelivered(r.state)             ? "kiosk.status.row.reply_sent"
                            : r.state == OutboxState::parked ? "kiosk.status.row.reply_refused"
                                                             : "kiosk.status.row.reply_waiting")});
    }
    std::stable_sort(rows.begin() + 1, rows.end(), [](const StatusRow& a, const StatusRow& b) {
        return a.atMs != 0 && b.atMs != 0 && a.atMs < b.atMs;
    });
    return rows;
}

Text statusNow(const ReportStatus& s) {
    if (s.closed) {
        return msg("kiosk.status.now.closed");
    }
    if (!isDelivered(s.state)) {
        return msg(s.state == OutboxState::parked ? "kiosk.status.now.parked"
                                                  : "kiosk.status.now.waiting");
    }
    std::string latest;
    std::int64_t latestAt = 0;
    std::string agency;
    for (const FeedUpdate& u : s.timeline) {
        if (!u.status.empty() && u.atMs >= latestAt) {
            latest = u.status;
            latestAt = u.atMs;
        }
        if (!u.agency.empty()) {
            agency = u.agency;
        }
    }
    if (latest == "forwarded" && !agency.empty()) {
        return msg("kiosk.status.now.forwarded_to", {{"agency", agency}});
    }
    if (known(latest)) {
        return msg("kiosk.status.now." + latest);
    }
    if (!latest.empty()) {
        return msg("kiosk.status.row.other", {{"status", latest}});
    }
    return msg("kiosk.status.now.sent");
}

std::optional<Text> offlineWords(const ReportStatus& s, std::int64_t lastContactMs,
                                 std::int64_t nowWallMs) {
    if (isDelivered(s.state)) {
        return std::nullopt;
    }
    if (lastContactMs <= 0) {
        return msg("kiosk.status.offline.never");
    }
    auto [unit, n] = unitOf(nowWallMs - lastContactMs);
    return msg("kiosk.status.offline." + unit, {{"n", n}});
}

}  // namespace lapor::kiosk
