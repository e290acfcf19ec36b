// The receipt slips of stored reports: each is printed exactly once, and a slip whose printing a
// crash cut off is reported for staff rather than printed again by itself.
//
// The save records "slip due" in the same transaction as the report (core/store_slips.hpp). The
// slip is then spooled (hardware PrintQueue) and the record cleared before the printer may take
// it; at start, and whenever the kiosk is back on the welcome screen, recover() spools what the
// store still owes (a crash between save and spool; staff reprints) and records interrupted
// prints as unconfirmed.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "core/report.hpp"
#include "core/result.hpp"
#include "hardware/printer.hpp"

namespace lapor {
class Store;
}

namespace lapor::kiosk {

class SlipDesk {
  public:
    // The slip of a report (its public part: no identity is read for a slip).
    using MakeSlip = std::function<hw::SlipContent(const Report& report)>;
    // Called at "spooled" (slip durable, store record not yet cleared); tests kill there.
    using OnStep = std::function<void(std::string_view step)>;

    SlipDesk(Store& store, hw::PrintQueue& queue, MakeSlip makeSlip, OnStep onStep = {});

    // After the save of `report` (with ReportToSave::slipDue): spools its slip.
    [[nodiscard]] Status queue(const Report& report);
    // Spools every slip the store still owes and records interrupted prints; returns how many
    // slips it spooled. Safe while the queue's worker prints.
    std::size_t recover();

  private:
    Store& store_;
    hw::PrintQueue& queue_;
    MakeSlip makeSlip_;
    OnStep onStep_;
};

}  // namespace lapor::kiosk
