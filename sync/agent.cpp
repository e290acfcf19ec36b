// The delivery agent's loop: claim, upload photos, submit, record; retry with backoff or park.
#include "sync/agent.hpp"

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "core/log.hpp"
#include "core/wipe.hpp"
#include "sync/answers.hpp"
#include "sync/upload_state.hpp"

namespace lapor::sync {

using nlohmann::json;

namespace {

constexpr std::string_view kComponent = "syncd";

}  // namespace

Result<std::size_t> StorePhotoSource::read(std::uint64_t offset, char* buf, std::size_t len) {
    auto bytes = store_.readPhotoRange(uuid_, index_, offset, len);
    store_.releaseMappedPages();  // a photo is read once: its pages need not stay resident
    if (!bytes.ok()) {
        return bytes.error();
    }
    const std::size_t n = std::min(len, bytes->size());
    std::memcpy(buf, bytes->data(), n);
    return n;
}

Agent::Agent(Store& store, Uplink& uplink, AgentOptions options, const Clock& clock, Random& random)
    : store_(store),
      uplink_(uplink),
      options_(std::move(options)),
      clock_(clock),
      random_(random),
      book_(options_.backoff, random_),
      ownerBase_(options_.ownerPrefix + ":" + std::to_string(::getpid())),
      liveness_(clock, options_.stuckAfterMs) {}

Agent::~Agent() {
    stop();
}

std::string Agent::ownerId(int worker) const {
    return ownerBase_ + ":" + std::to_string(worker);
}

AgentCounters Agent::counters() const {
    std::lock_guard lock(stateMutex_);
    return counters_;
}

void Agent::releaseStaleLeases() {
    // Only one agent runs per store: a lease under our prefix that is not this process's was left
    // by an earlier run that died (SIGKILL, power cut). Releasing it now saves waiting out the
    // lease; the report is due first (the next run finishes what the last started) and the
    // server's idempotency makes a re-send safe.
    const std::string prefix = options_.ownerPrefix + ":";
    const auto leftByEarlierRun = [&](const std::string& owner) {
        return owner.rfind(prefix, 0) == 0 && owner.rfind(ownerBase_ + ":", 0) != 0;
    };
    if (auto sending = store_.listByState(OutboxState::sending); sending.ok()) {
        for (const auto& e : *sending) {
            if (leftByEarlierRun(e.leaseOwner) &&
                store_.recordFailure(e.uuid, "agent restarted", 0).ok()) {
                log::info(kComponent, "released the lease left on " + e.uuid);
            }
        }
    }
    if (auto sending = store_.listReplies(OutboxState::sending); sending.ok()) {
        for (const auto& e : *sending) {
            if (leftByEarlierRun(e.leaseOwner) &&
                store_.recordReplyFailure(e.id, "agent restarted", 0).ok()) {
                log::info(kComponent, "released the lease left on reply " + e.id);
            }
        }
    }
}

void Agent::setWatchdog(std::function<void()> feed, std::int64_t intervalMs) {
    watchdogFeed_ = std::move(feed);
    watchdogIntervalMs_ = intervalMs;
}

Status Agent::start() {
    if (!threads_.empty()) {
        return makeError(Errc::internal, "agent started twice");
    }
    releaseStaleLeases();
    stopping_ = false;
    // Slots for every thread before any starts: the watchdog reads them from the first round.
    std::vector<int> slots;
    for (int i = 0; i < options_.inFlight; ++i) {
        slots.push_back(liveness_.add("worker " + std::to_string(i)));
    }
    const int housekeeping = liveness_.add("housekeeping");
    for (int i = 0; i < options_.inFlight; ++i) {
        threads_.emplace_back(
            [this, i, slot = slots[static_cast<std::size_t>(i)]] { workerLoop(i, slot); });
    }
    threads_.emplace_back([this, housekeeping] { housekeepingLoop(housekeeping); });
    if (watchdogFeed_) {
        threads_.emplace_back([this] { watchdogLoop(); });
    }
    return {};
}

void Agent::stop() {
    if (!stopping_.exchange(true) && stopHook_) {
        stopHook_();
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    threads_.clear();
}

void Agent::wake() {
    {
        std::lock_guard lock(mutex_);
        ++wakeSeq_;
    }
    cv_.notify_all();
}

bool Agent::waitFor(std::int64_t ms) {
    Liveness::waiting(ms);  // an idle thread is not a stuck one
    {
        std::unique_lock lock(mutex_);
        const auto seq = wakeSeq_;
        cv_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(ms, 1)),
                     [&] { return stopping_.load() || wakeSeq_ != seq; });
    }
    Liveness::beat();
    return !stopping_.load();
}

std::int64_t Agent::serverWaitMs() const {
    return book_.serverWaitMs(clock_.monotonicMs());
}

std::int64_t Agent::msUntilSendWindow() const {
    if (options_.hours.always()) {
        return 0;
    }
    const std::time_t secs = static_cast<std::time_t>(clock_.wallMs() / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    const int minute = tm.tm_hour * 60 + tm.tm_min;
    const int wait = options_.hours.minutesUntilOpen(minute);
    return wait == 0 ? 0 : (static_cast<std::int64_t>(wait) * 60 - tm.tm_sec) * 1000;
}

void Agent::noteSuccess() {
    std::lock_guard lock(stateMutex_);
    online_ = true;
    lastSuccessMs_ = clock_.wallMs();
}

void Agent::noteError(const Error& error, bool serverAway) {
    std::lock_guard lock(stateMutex_);
    if (serverAway) {
        online_ = false;
    }
    lastError_ = std::string(errcName(error.code)) + ": " + error.message;
    lastErrorMs_ = clock_.wallMs();
}

Outcome Agent::deliverOne(const std::string& owner) {
    auto claim = store_.claimNext(owner, options_.leaseMs);
    if (!claim.ok()) {
        log::error(kComponent, "cannot claim from the outbox: " + claim.error().message);
        noteError(claim.error(), false);
        return Outcome::nothingDue;
    }
    if (!claim->has_value()) {
        return Outcome::nothingDue;
    }
    return process(**claim, owner);
}

Outcome Agent::process(const Claim& claim, const std::string& owner) {
    const std::string& uuid = claim.uuid;
    auto report = store_.loadReport(uuid);
    // The reporter's identity is in it: wiped on every way out, delivered or not.
    struct WipeOnExit {
        Result<Report>& r;
        ~WipeOnExit() {
            if (r.ok()) {
                wipeReport(r.value());
            }
        }
    } wipeOnExit{report};
    if (!report.ok()) {
        // Without the key nothing can be sent (configuration); a corrupt record never can.
        if (report.error().code == Errc::corrupt) {
            (void)store_.park(uuid, "stored report unreadable: " + report.error().message);
            return Outcome::parked;
        }
        return fail(claim, report.error(), ExchangeNote{});
    }
    Uploaded up =
        uploadPhotos(*report, [&] { return store_.renewLease(uuid, owner, options_.leaseMs); });
    if (up.leaseLost) {
        log::warn(kComponent, "lost the lease on " + uuid + " mid-upload; leaving it");
        return Outcome::stopped;
    }
    if (up.error) {
        return fail(claim, *up.error, up.note);
    }
    const std::vector<PhotoRef>& refs = up.refs;
    if (stopping_.load()) {
        return fail(claim, makeError(Errc::cancelled, "agent stopping"), ExchangeNote{});
    }
    ExchangeNote note;
    auto tracking = uplink_.submit(*report, refs, note);
    if (!tracking.ok()) {
        return fail(claim, tracking.error(), note);
    }
    if (Status s = store_.recordDelivered(uuid, *tracking); !s.ok()) {
        // The server holds it; the next attempt gets the same tracking ID back (idempotency).
        log::error(kComponent,
                   "delivered " + uuid + " but could not record it: " + s.error().message);
        noteError(s.error(), false);
        return Outcome::retryLater;
    }
    if (up.recorded) {
        (void)ReportUploads::forget(store_, uuid);
    }
    book_.success(uuid);
    noteSuccess();
    {
        std::lock_guard lock(stateMutex_);
        ++counters_.delivered;
    }
    log::info(kComponent,
              "delivered " + uuid + " (receipt " + claim.receiptCode + ") as " + *tracking);
    return Outcome::delivered;
}

Agent::Uploaded Agent::uploadPhotos(const Report& carrier, const std::function<Status()>& renew) {
    Uploaded out;
    const std::string& id = carrier.uuid;
    auto photos = store_.listPhotos(id);
    if (!photos.ok()) {
        out.error = photos.error();
        return out;
    }
    // Uploads made earlier for these photos (URL, offset, a PATCH under way), kept across
    // restarts.
    auto uploads = ReportUploads::load(store_, id);
    for (const PhotoInfo& info : *photos) {
        if (stopping_.load()) {
            out.error = makeError(Errc::cancelled, "agent stopping");
            return out;
        }
        StorePhotoSource source(store_, id, info.index, info.size);
        PhotoUpload upload;
        upload.index = info.index;
        upload.kind = info.kind;
        upload.sha256Hex = info.sha256Hex;
        upload.source = &source;
        upload.known = uploads.get(info.index);
        upload.onProgress = [&](const TusUploadState& state) {
            return uploads.save(info.index, state);
        };
        auto url = uplink_.uploadPhoto(carrier, upload, out.note);
        if (!url.ok()) {
            out.error = url.error();
            return out;
        }
        uploads.complete(info.index, *url, info.size);
        out.refs.push_back(PhotoRef{*url, info.sha256Hex, info.size, info.kind});
        if (Status s = renew(); !s.ok()) {
            out.leaseLost = true;
            return out;
        }
    }
    if (stopping_.load()) {
        out.error = makeError(Errc::cancelled, "agent stopping");
    }
    out.recorded = !uploads.empty();
    return out;
}

Outcome Agent::fail(const Claim& claim, const Error& error, const ExchangeNote& note) {
    const ItemOps ops{"report",
                      [&](std::string_view reason, std::int64_t next) {
                          return store_.recordFailure(claim.uuid, reason, next);
                      },
                      [&](std::string_view reason) { return store_.park(claim.uuid, reason); }};
    return failItem(claim.uuid, ops, error, note);
}

Outcome Agent::failItem(const std::string& uuid, const ItemOps& ops, const Error& error,
                        const ExchangeNote& note) {
    const std::int64_t now = clock_.wallMs();
    if (error.code == Errc::cancelled) {
        // Stopping: hand the item back at once (the lease is released with it), due before
        // everything else so that the next run finishes what this one started.
        (void)ops.failure("agent stopped", 0);
        return Outcome::stopped;
    }
    const Verdict verdict = judge(error, note);
    noteError(error, verdict.kind == Verdict::Kind::holdServer);
    if (verdict.kind == Verdict::Kind::park) {
        if (note.code == "idempotency_conflict") {
            log::warn(kComponent, "server reports an idempotency conflict for " + uuid +
                                      ": the same key was used with another body; parked");
        }
        (void)ops.park(verdict.reason);
        book_.forget(uuid);
        std::lock_guard lock(stateMutex_);
        ++counters_.parked;
        log::warn(kComponent, std::string("parked ") + ops.what + " " + uuid + ": " +
                                  errcName(error.code) +
                                  (note.status ? " HTTP " + std::to_string(note.status) : "") +
                                  (note.code.empty() ? "" : " " + note.code));
        return Outcome::parked;
    }
    if (verdict.kind == Verdict::Kind::restartUpload) {
        (void)ReportUploads::forget(store_, uuid);  // the photos go up again
    }
    const bool hold = verdict.kind == Verdict::Kind::holdServer;
    std::int64_t delay = book_.failure(uuid, clock_.monotonicMs(), verdict.retryAfterMs, hold);
    if (hold) {
        heldForToken_ = verdict.hold == Verdict::Hold::token;
        if (verdict.hold == Verdict::Hold::token) {
            delay = std::max(delay, options_.backoff.capMs);  // an operator must fix the token
        } else if (verdict.hold == Verdict::Hold::away && options_.probeIntervalMs > 0) {
            // The server was away, not this report: the server's hold (ended early by a probe)
            // does the waiting, so the report is due again soon after the server is back. A
            // malformed answer keeps its own backoff: the probe cannot show that this report
            // would fare better.
            delay = std::min(delay,
                             std::max(options_.probeIntervalMs, verdict.retryAfterMs.value_or(0)));
        }
    }
    (void)ops.failure(error.message, now + delay);
    {
        std::lock_guard lock(stateMutex_);
        ++counters_.failures;
    }
    log::info(kComponent, std::string("attempt on ") + ops.what + " " + uuid + " failed (" +
                              errcName(error.code) +
                              (note.status ? " HTTP " + std::to_string(note.status) : "") + ": " +
                              error.message + "); next in " + std::to_string(delay) + " ms");
    return Outcome::retryLater;
}

Status Agent::pullCatalog() {
    std::string etag;
    if (auto current = store_.getCatalog(); current.ok()) {
        etag = current->etag;
    }
    ExchangeNote note;
    auto got = uplink_.pullCatalog(etag, note);
    if (!got.ok()) {
        noteError(got.error(), judge(got.error(), note).kind == Verdict::Kind::holdServer);
        log::warn(kComponent, "catalog pull failed (" + std::string(errcName(got.error().code)) +
                                  "): " + got.error().message);
        return got.error();
    }
    noteSuccess();
    if (!got->has_value()) {
        return {};
    }
    if (Status s = store_.putCatalog(**got); !s.ok()) {
        return s;
    }
    std::lock_guard lock(stateMutex_);
    ++counters_.catalogUpdates;
    log::info(kComponent, "catalog updated to version " + (*got)->version);
    return {};
}

void Agent::writeStatusRecord() {
    json j;
    std::uint64_t depth = 0;
    std::uint64_t parked = 0;
    if (auto counts = store_.counts(); counts.ok()) {
        depth = counts->count(OutboxState::queued) + counts->count(OutboxState::sending) +
                counts->count(OutboxState::failed);
        parked = counts->count(OutboxState::parked);
    }
    {
        std::lock_guard lock(stateMutex_);
        j["online"] = online_;
        j["last_success_at_ms"] = lastSuccessMs_;
        j["last_error"] = lastError_;
        j["last_error_at_ms"] = lastErrorMs_;
        j["delivered_since_start"] = counters_.delivered;
    }
    j["queue_depth"] = depth;
    j["parked"] = parked;
    j["pid"] = static_cast<std::int64_t>(::getpid());
    // Written when something changed, else once a minute (a write is an fsync: an idle agent
    // should not keep the disk busy).
    const std::string content = j.dump();
    const std::int64_t now = clock_.monotonicMs();
    if (content == lastRecord_ && lastRecordMs_ >= 0 && now - lastRecordMs_ < 60'000) {
        return;
    }
    lastRecord_ = content;
    lastRecordMs_ = now;
    j["updated_at_ms"] = clock_.wallMs();
    (void)store_.putStatus(agentStatusKey, j.dump());
}

void Agent::workerLoop(int worker, int slot) {
    liveness_.enter(slot);
    const std::string owner = ownerId(worker);
    while (!stopping_.load()) {
        Liveness::beat();
        if (const auto w = msUntilSendWindow(); w > 0) {
            waitFor(std::min<std::int64_t>(w, 60'000));
            continue;
        }
        if (const auto g = book_.serverWaitMs(clock_.monotonicMs()); g > 0) {
            waitFor(g);
            continue;
        }
        Outcome o = deliverOne(owner);
        if (o == Outcome::nothingDue) {
            o = deliverReplyOne(owner);  // replies after reports: a report is the first word
        }
        if (o == Outcome::nothingDue) {
            waitFor(options_.storePollMs);
        } else if (o == Outcome::delivered) {
            cv_.notify_all();  // idle peers: there may be more due
        }
    }
    liveness_.leave();
}

bool Agent::probeIfHeld() {
    const std::int64_t now = clock_.monotonicMs();
    const std::int64_t held = book_.serverWaitMs(now);
    if (options_.probeIntervalMs <= 0 || held == 0 || heldForToken_.load() ||
        (lastProbeMs_ >= 0 && now - lastProbeMs_ < options_.probeIntervalMs)) {
        return false;
    }
    lastProbeMs_ = now;
    ExchangeNote note;
    if (Status s = uplink_.probe(note); !s.ok()) {
        log::debug(kComponent, "probe: server still away (" + s.error().message + ")");
        return false;
    }
    if (!book_.release(clock_.monotonicMs())) {
        return false;  // the server's own Retry-After still runs
    }
    log::info(kComponent, "the server answers again after a hold of " + std::to_string(held) +
                              " ms more: resuming the queue");
    lastProbeMs_ = -1;
    wake();
    return true;
}

void Agent::housekeepOnce() {
    (void)probeIfHeld();
    const std::int64_t now = clock_.monotonicMs();
    const bool sendable = msUntilSendWindow() == 0 && book_.serverWaitMs(now) == 0;
    if (sendable && (lastStatusPullMs_ < 0 || now - lastStatusPullMs_ >= options_.statusPollMs)) {
        lastStatusPullMs_ = now;
        (void)pullStatus();
    }
    if (sendable &&
        (lastCatalogPullMs_ < 0 || now - lastCatalogPullMs_ >= options_.catalogPollMs)) {
        lastCatalogPullMs_ = now;
        (void)pullCatalog();
    }
    writeStatusRecord();
    // Photo pages leave the agent's memory as they are sent (StorePhotoSource); the index
    // and record pages the workers touched leave here, every few seconds, not per report
    // (per report it cost a fifth of the drain rate in page faults).
    store_.releaseMappedPages();
}

void Agent::housekeepingLoop(int slot) {
    liveness_.enter(slot);
    while (!stopping_.load()) {
        Liveness::beat();
        housekeepOnce();
        waitFor(std::min<std::int64_t>(5'000, options_.storePollMs * 2));
    }
    lastRecordMs_ = -1;
    writeStatusRecord();
    liveness_.leave();
}

void Agent::watchdogLoop() {
    // Not fed by a thread that does requests: a slow or stalled transfer cannot starve it, while
    // a thread stuck outside any transfer (a lock, a loop) stops the feeding within
    // stuckAfterMs, and systemd restarts the agent.
    bool reported = false;
    while (!stopping_.load()) {
        if (auto stuck = liveness_.stuck()) {
            if (!reported) {
                log::error(kComponent, "the " + *stuck + " thread made no progress for " +
                                           std::to_string(liveness_.graceMs()) +
                                           " ms: no longer feeding the watchdog");
                reported = true;
            }
        } else {
            reported = false;
            watchdogFeed_();
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock,
                     std::chrono::milliseconds(std::max<std::int64_t>(watchdogIntervalMs_, 1)),
                     [&] { return stopping_.load(); });
    }
}

}  // namespace lapor::sync
