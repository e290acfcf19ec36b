// The receipt slips the kiosk owes: which stored reports still need their slip spooled, and staff
// reprints. Kept as status records ("slip.<uuid>") so that the save writes one in its own
// transaction (Store::ReportToSave::slipDue) and lapor-ctl can ask for a reprint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace lapor {

class Store;

inline constexpr std::string_view slipStatusPrefix = "slip.";    // dotted: per-report bookkeeping
inline constexpr std::string_view slipDueValue = "due";          // saved, not yet spooled
inline constexpr std::string_view slipReprintValue = "reprint";  // staff asked for another
inline constexpr std::string_view slipUnconfirmedValue = "unconfirmed";  // printing was cut off

[[nodiscard]] std::string slipStatusKey(std::string_view uuid);

struct SlipOwed {
    std::string uuid;
    std::string state;  // one of the values above
};

// Every slip record, in UUID order.
[[nodiscard]] Result<std::vector<SlipOwed>> listSlips(const Store& store);
// The slip of `uuid` is in the print spool (or its fate is recorded there): nothing owed.
[[nodiscard]] Status markSlipSpooled(Store& store, std::string_view uuid);
// Interrupted while printing: paper may or may not have come out; staff decide (reprint).
[[nodiscard]] Status markSlipUnconfirmed(Store& store, std::string_view uuid);
// Staff: print the slip of a stored report once more (the kiosk spools it at its next start or
// when it is back on the welcome screen). Errc::notFound for an unknown report.
[[nodiscard]] Status requestReprint(Store& store, std::string_view uuid);

}  // namespace lapor
