// Slips owed by the store, spooled once each; interrupted prints recorded for staff.
#include "kiosk/slip_desk.hpp"

#include "core/log.hpp"
#include "core/store.hpp"
#include "core/store_slips.hpp"

namespace lapor::kiosk {

SlipDesk::SlipDesk(Store& store, hw::PrintQueue& queue, MakeSlip makeSlip, OnStep onStep)
    : store_(store), queue_(queue), makeSlip_(std::move(makeSlip)), onStep_(std::move(onStep)) {}

Status SlipDesk::queue(const Report& report) {
    const std::string uuid = report.uuid;
    return queue_.submit(makeSlip_(report), uuid, [this, &uuid] {
        if (onStep_) {
            onStep_("spooled");
        }
        return markSlipSpooled(store_, uuid);
    });
}

std::size_t SlipDesk::recover() {
    for (const std::string& uuid : queue_.unconfirmedKeys()) {
        if (Status s = markSlipUnconfirmed(store_, uuid); !s.ok()) {
            log::warn("kiosk", "slip of " + uuid + ": " + s.error().message);
            continue;
        }
        queue_.forgetUnconfirmed(uuid);
        log::warn("kiosk", "slip of report " + uuid +
                               " may not have printed (the kiosk stopped while printing); "
                               "`lapor-ctl reprint " +
                               uuid + "` prints it again");
    }
    auto owed = listSlips(store_);
    if (!owed) {
        log::warn("kiosk", "slips owed: " + owed.error().message);
        return 0;
    }
    std::size_t spooled = 0;
    for (const SlipOwed& slip : *owed) {
        const bool due = slip.state == slipDueValue;
        if (!due && slip.state != slipReprintValue) {
            continue;  // unconfirmed: staff decide
        }
        if (due && queue_.holds(slip.uuid)) {
            // Spooled before a crash took the kiosk down ahead of clearing the record.
            if (Status s = markSlipSpooled(store_, slip.uuid); !s.ok()) {
                log::warn("kiosk", "slip of " + slip.uuid + ": " + s.error().message);
            }
            continue;
        }
        auto report = store_.loadReportPublic(slip.uuid);
        if (!report) {
            log::warn("kiosk", "slip of " + slip.uuid + ": " + report.error().message);
            continue;
        }
        if (Status s = queue(*report); !s.ok()) {
            log::warn("kiosk", "slip of " + slip.uuid + " not spooled: " + s.error().message);
            continue;
        }
        log::info("kiosk", std::string(due ? "slip owed since before a restart" : "reprint") +
                               " spooled: receipt " + report->receiptCode);
        ++spooled;
    }
    return spooled;
}

}  // namespace lapor::kiosk
