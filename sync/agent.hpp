// The delivery agent: claims due reports from the store's outbox, uploads their photos, submits
// them through an Uplink, records the outcome, pulls statuses and the catalog, and keeps a status
// record for the kiosk and lapor-ctl. Several reports in flight, one worker thread each.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/store.hpp"
#include "sync/backoff.hpp"
#include "sync/config.hpp"
#include "sync/liveness.hpp"
#include "sync/uplink.hpp"

namespace lapor::sync {

struct AgentOptions {
    std::string ownerPrefix = "syncd";  // lease owner IDs are "<prefix>:<pid>:<worker>"
    int inFlight = 4;
    std::int64_t leaseMs = 10 * 60'000;
    std::int64_t storePollMs = 2'000;
    std::int64_t statusPollMs = 15 * 60'000;
    std::int64_t catalogPollMs = 6 * 3600'000;
    SendHours hours;
    BackoffPolicy backoff;
    // While the server is held after server-wide failures, a cheap probe this often (0: none);
    // its first well-formed answer ends the hold and the queue resumes.
    std::int64_t probeIntervalMs = 15'000;
    // A thread that neither finishes a step nor sees its transfer move for this long is stuck:
    // the watchdog is no longer fed (docs/operators-sync.md).
    std::int64_t stuckAfterMs = 30'000;
};

// The key of the status record in the store (JSON: see docs/operators-sync.md).
inline constexpr std::string_view agentStatusKey = "syncd";

struct AgentCounters {
    std::uint64_t delivered = 0;
    std::uint64_t failures = 0;
    std::uint64_t parked = 0;
    std::uint64_t statusUpdates = 0;
    std::uint64_t repliesDelivered = 0;
    std::uint64_t catalogUpdates = 0;
};

// Why one attempt ended.
enum class Outcome { delivered, retryLater, parked, stopped, nothingDue };

class Agent {
  public:
    // `uplink`, `store`, `clock` and `random` must outlive the agent. `onStop` is called when
    // stop() is (the daemon aborts HTTP transfers in flight with it).
    Agent(Store& store, Uplink& uplink, AgentOptions options, const Clock& clock, Random& random);
    ~Agent();
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    // Starts the workers and the housekeeping thread. Leases left by an earlier run of this agent
    // on this store (same owner prefix, another process) are released first.
    [[nodiscard]] Status start();
    // Asks everything to stop, then waits: reports in flight get their lease released (recorded
    // as a failure due at once) and the threads end. Safe to call more than once.
    void stop();
    // New reports may be waiting (the kiosk saved one): look now instead of at the next poll.
    void wake();
    // Calls `feed` every `intervalMs` from a thread of its own (for sd_notify WATCHDOG=1) while
    // every worker and the housekeeping thread make progress; a stuck one stops the feeding and
    // is logged. Set before start().
    void setWatchdog(std::function<void()> feed, std::int64_t intervalMs);
    void setStopHook(std::function<void()> fn) { stopHook_ = std::move(fn); }

    // One attempt on the next due report, on the calling thread (tests and the workers).
    [[nodiscard]] Outcome deliverOne(const std::string& owner);
    // One attempt on the next due reply (docs/protocol.md 4.5; sync/agent_replies.cpp).
    [[nodiscard]] Outcome deliverReplyOne(const std::string& owner);
    // One round of status pulling (all pages: sync/agent_status.cpp) and one catalog check.
    [[nodiscard]] Status pullStatus();
    [[nodiscard]] Status pullCatalog();
    // Writes the status record now.
    void writeStatusRecord();
    // One round of the housekeeping thread: probe a held server, pull statuses and the catalog
    // when due, write the status record.
    void housekeepOnce();
    // Probes the server when it is held and the probe is due; true when the hold ended.
    bool probeIfHeld();
    // Milliseconds until the server may be asked again (0: now).
    [[nodiscard]] std::int64_t serverWaitMs() const;
    // The name of a thread that stopped making progress, nullopt when none.
    [[nodiscard]] std::optional<std::string> stuckThread() const { return liveness_.stuck(); }

    [[nodiscard]] AgentCounters counters() const;
    [[nodiscard]] std::string ownerId(int worker) const;
    [[nodiscard]] bool stopping() const { return stopping_.load(); }

  private:
    Outcome process(const Claim& claim, const std::string& owner);
    Outcome fail(const Claim& claim, const Error& error, const ExchangeNote& note);
    // What a failure does to an outbox item, a report's or a reply's.
    struct ItemOps {
        const char* what;  // "report" or "reply", for the log
        std::function<Status(std::string_view reason, std::int64_t nextAttemptAtMs)> failure;
        std::function<Status(std::string_view reason)> park;
    };
    Outcome failItem(const std::string& id, const ItemOps& ops, const Error& error,
                     const ExchangeNote& note);
    // Uploads the photos stored under carrier.uuid (a report's UUID or a reply's id, which the
    // tus metadata names), renewing the claim after each.
    struct Uploaded {
        std::vector<PhotoRef> refs;
        std::optional<Error> error;  // set when an upload failed (with `note`)
        ExchangeNote note;
        bool leaseLost = false;
        bool recorded = false;  // upload states were kept in the store: forget them once sent
    };
    Uploaded uploadPhotos(const Report& carrier, const std::function<Status()>& renew);
    Outcome processReply(const ReplyClaim& claim, const std::string& owner);
    void noteSuccess();
    void noteError(const Error& error, bool serverAway);
    void workerLoop(int worker, int slot);
    void housekeepingLoop(int slot);
    void watchdogLoop();
    // Waits up to `ms` or until woken/stopping. Returns false when stopping.
    bool waitFor(std::int64_t ms);
    std::int64_t msUntilSendWindow() const;
    void releaseStaleLeases();

    Store& store_;
    Uplink& uplink_;
    AgentOptions options_;
    const Clock& clock_;
    Random& random_;
    BackoffBook book_;
    std::string ownerBase_;

    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t wakeSeq_ = 0;
    std::vector<std::thread> threads_;
    std::function<void()> watchdogFeed_;
    std::int64_t watchdogIntervalMs_ = 0;
    Liveness liveness_;
    std::int64_t lastProbeMs_ = -1;          // housekeeping thread only
    std::atomic<bool> heldForToken_{false};  // a 401/403 hold: no probe shows the token fixed
    std::function<void()> stopHook_;

    mutable std::mutex stateMutex_;
    AgentCounters counters_;
    bool online_ = false;
    std::int64_t lastSuccessMs_ = 0;
    std::int64_t lastErrorMs_ = 0;
    std::string lastError_;
    std::int64_t lastStatusPullMs_ = -1;
    std::int64_t lastCatalogPullMs_ = -1;
    std::string lastRecord_;  // housekeeping thread only
    std::int64_t lastRecordMs_ = -1;
};

// A store photo as a ByteSource, read range by range (never the whole photo in memory).
class StorePhotoSource final : public ByteSource {
  public:
    StorePhotoSource(const Store& store, std::string uuid, std::uint32_t index, std::uint64_t size)
        : store_(store), uuid_(std::move(uuid)), index_(index), size_(size) {}
    [[nodiscard]] std::uint64_t size() const override { return size_; }
    [[nodiscard]] Result<std::size_t> read(std::uint64_t offset, char* buf,
                                           std::size_t len) override;

  private:
    const Store& store_;
    std::string uuid_;
    std::uint32_t index_;
    std::uint64_t size_;
};

}  // namespace lapor::sync
