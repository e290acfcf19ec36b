// lapor-syncd: delivers the outbox to the national system (see docs/operators-sync.md).
//   lapor-syncd [--config FILE] [--drain] [--verbose]
// --drain: exit 0 once nothing is left to send (reports or replies queued, sending or failed); for
// tests and for carrying a kiosk's backlog over a temporary link by hand.
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/store.hpp"
#include "core/wipe.hpp"
#include "sync/agent.hpp"
#include "sync/config.hpp"
#include "sync/http_client.hpp"
#include "sync/uplink_lapor.hpp"
#include "sync/uplink_open311.hpp"
#include "sync/upload_state.hpp"

using namespace lapor;
using namespace lapor::sync;

namespace {

constexpr std::string_view kComponent = "syncd";

int usage() {
    std::cerr << "usage: lapor-syncd [--config FILE] [--drain] [--verbose]\n";
    return 2;
}

bool drained(const Store& store) {
    auto c = store.counts();
    if (!c.ok() || c->count(OutboxState::queued) != 0 || c->count(OutboxState::sending) != 0 ||
        c->count(OutboxState::failed) != 0) {
        return false;
    }
    for (OutboxState s : {OutboxState::queued, OutboxState::sending, OutboxState::failed}) {
        auto replies = store.listReplies(s);  // the citizens' replies are sent too
        if (!replies.ok() || !replies->empty()) {
            return false;
        }
    }
    return true;
}

// Not enrolled yet: nothing can be sent, so the agent stays up (its watchdog fed, its status
// saying why) until `lapor-ctl enroll CODE` or the staff panel writes the token file: true once
// it is there (the agent goes on and sends), false on SIGTERM. Exiting instead would end,
// through the unit's start limit, in a reboot loop. The kiosk cannot restart the agent (it runs
// as its own user), so the file is looked for every few seconds.
bool waitForEnrolment(Store& store, const std::string& tokenFile) {
    log::warn(kComponent, "not enrolled yet: no device token in " + tokenFile +
                              " (enrol with: lapor-ctl enroll CODE); nothing is sent until then");
    // The kiosk shows staff "not enrolled yet" from this record.
    if (Status s = store.putStatus(Store::enrolmentStatusKey, "waiting"); !s.ok()) {
        log::warn(kComponent, "store: cannot record that the agent waits: " + s.error().message);
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::uint64_t watchdogUsec = 0;
    const bool watchdog = sd_watchdog_enabled(0, &watchdogUsec) > 0;
    sd_notify(0, "READY=1\nSTATUS=not enrolled yet: lapor-ctl enroll CODE");
    constexpr std::uint64_t kLookUsec = 2'000'000;
    const std::uint64_t tickUsec = watchdog ? std::min(watchdogUsec / 3, kLookUsec) : kLookUsec;
    while (true) {
        timespec tick{static_cast<time_t>(tickUsec / 1'000'000),
                      static_cast<long>(tickUsec % 1'000'000) * 1000};
        if (sigtimedwait(&signals, nullptr, &tick) >= 0) {
            break;
        }
        if (watchdog) {
            sd_notify(0, "WATCHDOG=1");
        }
        std::error_code ec;
        if (std::filesystem::file_size(tokenFile, ec) > 0 && !ec) {
            log::info(kComponent, "device token found in " + tokenFile + ": enrolled");
            pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
            return true;
        }
    }
    sd_notify(0, "STOPPING=1");
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    // Reports with their reporters' identity pass through this process: never into a core.
    if (!excludeFromCoreDumps()) {
        std::fprintf(stderr, "lapor-syncd: warning: could not turn core dumps off\n");
    }
    std::string configPath(defaultConfigPath);
    bool drain = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) {
            configPath = argv[++i];
        } else if (a == "--drain") {
            drain = true;
        } else if (a == "--verbose") {
            log::setMinLevel(log::Level::debug);
        } else {
            return usage();
        }
    }
    auto cfg = loadSyncConfig(configPath);
    if (!cfg.ok()) {
        log::error(kComponent, "configuration: " + cfg.error().message);
        return 1;
    }
    const bool waitsForToken = cfg->token.empty() && !cfg->tokenFile.empty();
    if (cfg->token.empty() && cfg->tokenFile.empty()) {
        log::warn(kComponent, "no device token configured (sync.token or sync.token_file)");
    }
    auto key = crypto::loadKey(crypto::KeySource{cfg->base.keyFile, cfg->base.keyCredential, true});
    if (!key.ok()) {
        log::error(kComponent, "store key: " + key.error().message);
        return 1;
    }
    StoreOptions so;
    so.path = cfg->base.storePath;
    so.key = std::move(*key);
    so.mapSize = cfg->base.mapSizeMiB << 20;
    so.maxMapSize = cfg->base.maxMapSizeMiB << 20;
    auto store = Store::open(std::move(so));
    if (!store.ok()) {
        log::error(kComponent, "store: " + store.error().message);
        return 1;
    }
    if (waitsForToken) {
        if (!waitForEnrolment(**store, cfg->tokenFile)) {
            return 0;
        }
        cfg = loadSyncConfig(configPath);  // now with the token from its file
        if (!cfg.ok() || cfg->token.empty()) {
            log::error(kComponent, "configuration after enrolment: " +
                                       (cfg.ok() ? std::string("the token file is empty")
                                                 : cfg.error().message));
            return 1;
        }
    }
    (void)(*store)->eraseStatus(Store::enrolmentStatusKey);  // enrolled: the kiosk's line goes

    // Signals are taken synchronously by this thread; every thread started below inherits the
    // mask, so a SIGTERM never lands in the middle of libcurl or LMDB.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    CurlHttpClient http(cfg->httpOptions());
    if (cfg->insecureSkipTlsVerify) {
        log::warn(kComponent,
                  "sync.insecure_skip_tls_verify_DANGEROUS is set: reports and photos go out "
                  "without checking who receives them. Fix the CA file and remove this key.");
    }
    std::unique_ptr<HttpUplink> uplink;
    if (cfg->adapter == AdapterKind::lapor) {
        uplink = std::make_unique<LaporUplink>(
            http,
            LaporUplinkOptions{{cfg->serverUrl, cfg->chunkBytes, cfg->requestTimeoutMs},
                               cfg->token},
            SystemClock::instance());
    } else {
        Open311Options o;
        o.baseUrl = cfg->serverUrl;
        o.apiKey = cfg->open311ApiKey.empty() ? cfg->token : cfg->open311ApiKey;
        o.jurisdictionId = cfg->open311Jurisdiction;
        o.mediaUploadUrl = cfg->open311MediaUploadUrl;
        o.requestTimeoutMs = cfg->requestTimeoutMs;
        o.chunkBytes = cfg->chunkBytes;
        uplink = std::make_unique<Open311Uplink>(http, o, **store, SystemClock::instance());
    }
    // What the tus client learns of the link (chunk size, plain PATCHes) outlives a restart.
    StoreTusMemory tusMemory(**store);
    uplink->keepTusStateIn(tusMemory);

    AgentOptions ao;
    ao.inFlight = cfg->inFlight;
    ao.leaseMs = cfg->leaseMs;
    ao.storePollMs = cfg->storePollMs;
    ao.statusPollMs = cfg->statusPollMs;
    ao.catalogPollMs = cfg->catalogPollMs;
    ao.hours = cfg->hours;
    ao.backoff = cfg->backoff;
    ao.probeIntervalMs = cfg->probeIntervalMs;
    SystemRandom random;
    Agent agent(**store, *uplink, ao, SystemClock::instance(), random);
    agent.setStopHook([&http] { http.cancel(); });
    std::uint64_t watchdogUsec = 0;
    if (sd_watchdog_enabled(0, &watchdogUsec) > 0 && watchdogUsec > 0) {
        // Fed three times per period by the agent's own watchdog thread, while no thread is stuck.
        agent.setWatchdog(
            [] { sd_notify(0, "WATCHDOG=1"); },
            std::max<std::int64_t>(1, static_cast<std::int64_t>(watchdogUsec / 3000)));
    }
    if (Status s = agent.start(); !s.ok()) {
        log::error(kComponent, "start: " + s.error().message);
        return 1;
    }
    sd_notify(0, "READY=1");
    // What is waiting, not the in_flight setting: "4 reports in flight" on an empty store read as
    // reports that were not there.
    {
        auto c = (*store)->counts();
        const std::uint64_t waiting = c.ok() ? c->count(OutboxState::queued) +
                                                   c->count(OutboxState::sending) +
                                                   c->count(OutboxState::failed)
                                             : 0;
        log::info(kComponent, "started: sending to " + cfg->serverUrl + ", up to " +
                                  std::to_string(cfg->inFlight) + " reports at a time; " +
                                  (waiting == 0 ? std::string("the outbox is empty")
                                                : std::to_string(waiting) + " to send"));
    }

    while (true) {
        timespec tick{0, drain ? 200'000'000 : 0};
        int sig = 0;
        if (drain) {
            sig = sigtimedwait(&signals, nullptr, &tick);
            if (sig < 0) {
                if (drained(**store)) {
                    log::info(kComponent, "outbox drained");
                    break;
                }
                continue;
            }
        } else if (sigwait(&signals, &sig) != 0) {
            continue;
        }
        if (sig == SIGUSR1 || sig == SIGHUP) {
            agent.wake();  // e.g. `systemctl kill -s USR1 lapor-syncd` after an import
            continue;
        }
        log::info(kComponent, std::string("stopping on ") + strsignal(sig));
        break;
    }
    sd_notify(0, "STOPPING=1");
    agent.stop();
    const auto c = agent.counters();
    log::info(kComponent, "stopped: " + std::to_string(c.delivered) + " delivered, " +
                              std::to_string(c.parked) + " parked this run");
    return 0;
}
