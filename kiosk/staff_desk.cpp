// Staff work that touches the store, run on the kiosk's worker thread (staff_desk.hpp).
#include "kiosk/staff_desk.hpp"

#include <sys/statvfs.h>

#include <algorithm>

#include "core/log.hpp"
#include "core/receipt_code.hpp"
#include "core/store.hpp"
#include "core/store_slips.hpp"
#include "core/wipe.hpp"
#include "sync/enrol.hpp"

namespace lapor::kiosk {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// Local midnight (at the office's offset) of the day `wallMs` falls in, as UTC ms.
std::int64_t localMidnight(std::int64_t wallMs, int utcOffsetMinutes) {
    const std::int64_t off = static_cast<std::int64_t>(utcOffsetMinutes) * 60'000;
    const std::int64_t local = wallMs + off;
    const std::int64_t day = local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
    return day * kDayMs - off;
}

}  // namespace

StaffDesk::StaffDesk(Store& store, const Clock& clock, staff::HashCost cost,
                     staff::LockoutPolicy lockout)
    : store_(store), clock_(clock), records_(store), book_(records_, clock, cost, lockout) {}

staff::SignInResult StaffDesk::signIn(SignInJob& job) {
    staff::SignInResult r = book_.signIn(job.id, job.pin);
    wipeString(job.pin);
    return r;
}

PinChangeResult StaffDesk::changePin(PinChangeJob& job) {
    const Status s = book_.resetPin(job.id, job.pin, job.id);  // by the account itself
    wipeString(job.pin);
    if (s.ok()) {
        return PinChangeResult::changed;
    }
    log::info("kiosk", "staff PIN not changed: " + s.error().message);
    return s.error().code == Errc::invalidInput ? PinChangeResult::weak : PinChangeResult::storage;
}

void StaffDesk::setEnrolment(Config config, std::string deviceId) {
    enrolConfig_ = std::move(config);
    deviceId_ = std::move(deviceId);
}

EnrolState StaffDesk::enrol(EnrolJob& job, sync::HttpClient* http) {
    if (!enrolConfig_) {
        wipeString(job.code);
        (void)book_.record(job.staffId, "enrol", "not set up: no configuration", false);
        return EnrolState::notSetUp;
    }
    const auto failed = sync::enrolDevice(*enrolConfig_, deviceId_, job.code, http);
    wipeString(job.code);
    if (!failed) {
        log::info("kiosk", "enrolled from the staff panel by " + job.staffId);
        // The agent finds the token file; the panel's "not enrolled" line goes now.
        (void)store_.eraseStatus(Store::enrolmentStatusKey);
        (void)book_.record(job.staffId, "enrol", "device enrolled");
        return EnrolState::enrolled;
    }
    // Only the kind of error: the server's words might echo the code.
    const std::string why = errcName(failed->error.code);
    log::warn("kiosk", "enrolment from the staff panel failed: " + why);
    EnrolState state = EnrolState::failed;
    switch (failed->step) {
        case sync::EnrolStep::config:
        case sync::EnrolStep::deviceKey: state = EnrolState::notSetUp; break;
        case sync::EnrolStep::exchange:
            state = failed->error.code == Errc::rejected       ? EnrolState::refused
                    : failed->error.code == Errc::invalidInput ? EnrolState::refused
                                                               : EnrolState::unreachable;
            break;
        case sync::EnrolStep::tokenFile: state = EnrolState::failed; break;
    }
    (void)book_.record(job.staffId, "enrol", "failed: " + why, false);
    return state;
}

void StaffDesk::note(const StaffNote& n) {
    if (Status s = book_.record(n.staffId, n.action, n.detail); !s.ok()) {
        log::warn("kiosk", "staff audit row not written: " + s.error().message);
    }
}

PanelSnapshot StaffDesk::readPanel(int utcOffsetMinutes) const {
    PanelSnapshot p;
    const std::int64_t now = clock_.wallMs();
    p.readAtMs = now;
    if (auto rec = store_.getStatus(kAgentStatusKey); rec.ok() && rec->has_value()) {
        p.link = parseAgentRecord(**rec);
    }
    if (auto e = store_.getStatus(Store::enrolmentStatusKey); e.ok() && e->has_value()) {
        p.link.waitsForEnrolment = true;
    }
    p.newestKnownMs = std::max({p.link.updatedAtMs, p.link.lastSuccessMs, p.link.lastErrorMs});
    auto all = store_.listAll();
    if (!all.ok()) {
        p.readError = all.error().message;
        log::warn("kiosk", "staff panel: outbox not readable: " + all.error().message);
        return p;
    }
    const std::int64_t midnight = localMidnight(now, utcOffsetMinutes);
    std::vector<ParkedReport> parked;
    for (const OutboxEntry& e : *all) {
        p.newestKnownMs = std::max({p.newestKnownMs, e.createdAtMs, e.updatedAtMs});
        switch (e.state) {
            case OutboxState::queued:
            case OutboxState::failed:
                ++p.waiting;
                if (!p.oldestWaitingAgeMs || now - e.createdAtMs > *p.oldestWaitingAgeMs) {
                    p.oldestWaitingAgeMs = now - e.createdAtMs;
                }
                break;
            case OutboxState::sending: ++p.sending; break;
            case OutboxState::parked:
                parked.push_back({e.uuid, e.receiptCode, e.lastError, e.updatedAtMs});
                break;
            default:
                if (isDelivered(e.state)) {
                    p.deliveredToday += e.deliveredAtMs >= midnight ? 1 : 0;
                    p.lastDeliveredMs = std::max(p.lastDeliveredMs, e.deliveredAtMs);
                }
                break;
        }
    }
    p.parkedCount = parked.size();
    p.parked = groupParked(std::move(parked));
    if (auto st = store_.stats(); st.ok()) {
        p.storeUsedBytes = st->usedBytes;
        p.storeMaxBytes = st->maxMapBytes;
    }
    struct statvfs fs {};
    if (::statvfs(store_.path().c_str(), &fs) == 0) {
        p.diskFreeBytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    }
    p.read = true;
    return p;
}

Result<std::string> StaffDesk::retry(std::string_view staffId, std::string_view uuid) {
    auto e = store_.outboxEntry(uuid);
    if (!e.ok()) {
        return e.error();
    }
    const Status s = store_.unpark(uuid, "staff " + std::string(staffId));
    (void)book_.record(staffId, "unpark", e->receiptCode + (s.ok() ? "" : ": " + s.error().message),
                       s.ok());
    if (!s.ok()) {
        return s.error();
    }
    return e->receiptCode;
}

Result<std::uint64_t> StaffDesk::retryReason(std::string_view staffId, std::string_view reason) {
    auto n = store_.unparkAll(reason, "staff " + std::string(staffId));
    (void)book_.record(
        staffId, "unpark-all",
        (n.ok() ? std::to_string(*n) + " report(s): " : "failed: ") + std::string(reason), n.ok());
    return n;
}

Result<std::string> StaffDesk::reprint(std::string_view staffId, std::string_view code) {
    auto canonical = receipt::parse(code);
    if (!canonical.ok()) {
        return canonical.error();
    }
    auto uuid = store_.findByReceiptCode(*canonical);
    Status s = uuid.ok() ? requestReprint(store_, *uuid) : Status(uuid.error());
    (void)book_.record(staffId, "reprint", *canonical + (s.ok() ? "" : ": " + s.error().message),
                       s.ok());
    if (!s.ok()) {
        return s.error();
    }
    return *canonical;
}

}  // namespace lapor::kiosk
