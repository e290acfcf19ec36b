// Staff work at the kiosk that touches the store: the PIN check (StaffBook over the store's staff
// table), audit rows, reading the panel's state, retrying refused reports and reprints. Every call
// is slow (Argon2id, LMDB commits, a scan of the outbox): the app runs them on its worker thread
// only, never on the frame loop, and posts the results back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "core/staff.hpp"
#include "core/staff_store.hpp"
#include "kiosk/flow/flow.hpp"

namespace lapor {
class Store;
}
namespace lapor::sync {
class HttpClient;
}

namespace lapor::kiosk {

class StaffDesk {
  public:
    StaffDesk(Store& store, const Clock& clock, staff::HashCost cost = {},
              staff::LockoutPolicy lockout = {});

    // Checks the PIN (audited by StaffBook) and wipes job.pin whatever the outcome.
    [[nodiscard]] staff::SignInResult signIn(SignInJob& job);
    // The staff member's own new PIN (after an operator's reset): hashed, stored, the reset's
    // flag cleared, audited by StaffBook; job.pin wiped whatever the outcome.
    [[nodiscard]] PinChangeResult changePin(PinChangeJob& job);
    // What enrolment needs: the configuration ([sync], the device key) and the device id. Without
    // it the panel's enrolment says the kiosk is not set up for it.
    void setEnrolment(Config config, std::string deviceId);
    // Enrols the device the way `lapor-ctl enroll` does (sync/enrol.hpp), audited (never the code
    // nor the token); job.code wiped. `http` null: libcurl (tests pass a fake).
    [[nodiscard]] EnrolState enrol(EnrolJob& job, sync::HttpClient* http = nullptr);
    // An audit row for what the flow noted (sign-outs, assisted filing).
    void note(const StaffNote& note);
    // The panel's state: the agent's record, the outbox, refused reports, room, the clock.
    // "Today" is the local day at `utcOffsetMinutes`.
    [[nodiscard]] PanelSnapshot readPanel(int utcOffsetMinutes) const;
    // Staff retry of one refused report (unpark), audited. Returns its receipt code.
    [[nodiscard]] Result<std::string> retry(std::string_view staffId, std::string_view uuid);
    // Every refused report with this same reason, audited. Returns how many.
    [[nodiscard]] Result<std::uint64_t> retryReason(std::string_view staffId,
                                                    std::string_view reason);
    // The receipt slip of the report with this code once more (printed between visitors, or now
    // by the slip desk), audited. Errc::notFound for a code the store does not know,
    // Errc::invalidInput for one that is not a receipt code.
    [[nodiscard]] Result<std::string> reprint(std::string_view staffId, std::string_view code);

  private:
    Store& store_;
    const Clock& clock_;
    staff::StoreStaffRecords records_;
    staff::StaffBook book_;
    std::optional<Config> enrolConfig_;
    std::string deviceId_;
};

}  // namespace lapor::kiosk
