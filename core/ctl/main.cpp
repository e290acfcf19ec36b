// lapor-ctl: operators' command line over the store. See docs/operators.md for commands and exit
// codes. Personal data is shown only by `show --with-personal-data`, which needs the key.
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/device_key.hpp"
#include "core/receipt_code.hpp"
#include "core/staff_store.hpp"
#include "core/store.hpp"
#include "core/store_slips.hpp"
#include "core/wipe.hpp"
#include "sync/config.hpp"
#include "sync/enrol.hpp"
#include "sync/http_client.hpp"

using namespace lapor;

namespace {

// Exit codes (docs/operators.md). Stable: scripts depend on them.
enum Exit : int {
    exitOk = 0,
    exitUsage = 1,          // bad command line
    exitConfig = 2,         // configuration file missing or malformed
    exitStore = 3,          // the store cannot be opened (missing, permission, I/O)
    exitTooNew = 4,         // the store was written by a newer program
    exitProblems = 5,       // verify found damaged records
    exitNotFound = 6,       // no report with that code or UUID
    exitKey = 7,            // the key is needed and cannot be read
    exitRefused = 8,        // the store refused the change (e.g. unpark of a report not parked)
    exitFailed = 9,         // any other failure (disk full, I/O during the command)
    exitEnrolRefused = 10,  // the server refused the enrolment code (used, expired, unknown)
    exitUnreachable = 11,   // the server could not be reached or did not answer as the uplink
};

constexpr const char* usageText = R"(lapor-ctl: operators' command line over the LAPOR! kiosk store

Usage: lapor-ctl [options] <command> [arguments]

Commands:
  status                      counts per state, age of the oldest undelivered report, store size,
                              the agent's last status
  list [--state S] [--limit N]
                              reports, oldest first (S: queued, sending, failed, parked, delivered,
                              received, verified, forwarded, followed-up, closed)
  show CODE|UUID [--with-personal-data]
                              one report and its history; identity and photos only with
                              --with-personal-data (needs the key)
  verify                      decrypt every identity, photo and clip and check their SHA-256
                              (needs the key)
  unpark CODE|UUID [--by NAME]
                              queue a parked report again
  reprint CODE|UUID           print the report's receipt slip once more (the kiosk prints it when
                              it is next on its welcome screen, or at its next start)
  purge [--days N]            remove photos and identity of reports delivered more than N days ago
                              (default: store.retention_days)
  staff add ID NAME           a staff account; the PIN (6-12 digits) is read from standard input
                              (asked twice on a terminal), never from the command line
  staff list                  accounts: name, active/disabled/locked, wrong PINs in a row
  staff disable ID | staff enable ID
  staff reset-pin ID          a new PIN (from standard input); lifts a lockout; the kiosk asks the
                              staff member for a PIN of their own at the next sign-in
  audit [--limit N]           the newest N (default 50) sign-ins, failures and staff actions
  init-secrets                first boot (as root): make the store key and the Ed25519 device key
                              where they are missing; never replaces one
  enroll CODE                 trade a one-time enrolment code and the device's public key for the
                              device token (written to sync.token_file, 0600); restarts the agent

Options:
  --config FILE               configuration (default /etc/lapor/lapor.toml; absent: defaults)
  --store DIR                 store directory (overrides store.path)
  --key-file FILE             key file (overrides store.key_file); $CREDENTIALS_DIRECTORY is used
                              when set
  -h, --help                  this text

Exit codes: 0 ok, 1 usage, 2 configuration, 3 store cannot be opened, 4 store too new,
5 verify found problems, 6 report not found, 7 key unavailable, 8 change refused, 9 other failure,
10 enrolment refused by the server, 11 server not reachable.
)";

struct Args {
    std::string configPath;
    std::string storePath;
    std::string keyFile;
    std::string command;
    std::vector<std::string> positional;
    std::optional<std::string> state;
    std::size_t limit = 0;
    bool withPersonalData = false;
    std::string by;
    std::optional<int> days;
};

int usageError(const std::string& what) {
    std::cerr << "lapor-ctl: " << what << "\nTry 'lapor-ctl --help'.\n";
    return exitUsage;
}

std::optional<long long> number(std::string_view s) {
    if (s.empty() || s.size() > 12)
        return std::nullopt;
    long long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// Parses argv; returns an exit code when it should stop (help or error).
std::optional<int> parseArgs(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= argc)
                return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (arg == "-h" || arg == "--help") {
            std::cout << usageText;
            return exitOk;
        } else if (arg == "--config") {
            if (!value(a.configPath))
                return usageError("--config needs a file");
        } else if (arg == "--store") {
            if (!value(a.storePath))
                return usageError("--store needs a directory");
        } else if (arg == "--key-file") {
            if (!value(a.keyFile))
                return usageError("--key-file needs a file");
        } else if (arg == "--state") {
            if (!value(v))
                return usageError("--state needs a state");
            if (!parseOutboxState(v))
                return usageError("unknown state '" + v + "'");
            a.state = v;
        } else if (arg == "--limit") {
            if (!value(v) || !number(v))
                return usageError("--limit needs a number");
            a.limit = static_cast<std::size_t>(*number(v));
        } else if (arg == "--days") {
            if (!value(v) || !number(v) || *number(v) > 100000)
                return usageError("--days needs a number");
            a.days = static_cast<int>(*number(v));
        } else if (arg == "--by") {
            if (!value(a.by))
                return usageError("--by needs a name");
        } else if (arg == "--with-personal-data") {
            a.withPersonalData = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            return usageError("unknown option '" + std::string(arg) + "'");
        } else if (a.command.empty()) {
            a.command = arg;
        } else {
            a.positional.emplace_back(arg);
        }
    }
    if (a.command.empty())
        return usageError("no command given");
    return std::nullopt;
}

int exitFor(const Error& e) {
    switch (e.code) {
        case Errc::tooNew: return exitTooNew;
        case Errc::notFound: return exitNotFound;
        case Errc::permission: return exitKey;
        case Errc::invalidInput: return exitRefused;
        default: return exitFailed;
    }
}

int fail(const Error& e, int code) {
    std::cerr << "lapor-ctl: " << e.message << " [" << errcName(e.code) << "]\n";
    return code;
}

std::string isoTime(std::int64_t ms) {
    if (ms <= 0)
        return "-";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string age(std::int64_t ms) {
    std::int64_t s = ms / 1000;
    char buf[48];
    if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    } else if (s < 86400) {
        std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(s / 86400),
                      static_cast<long long>(s % 86400 / 3600));
    }
    return buf;
}

std::string mib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

// A receipt code or a UUID -> the report's UUID. The code may be typed as printed on the slip
// or read from the screen ("k7qm-4xtap-c"): receipt::parse reads it the way the kiosk does.
Result<std::string> resolve(const Store& store, const std::string& codeOrUuid) {
    if (store.outboxEntry(codeOrUuid).ok())
        return codeOrUuid;
    auto found = store.findByReceiptCode(codeOrUuid);
    if (found.ok())
        return found;
    if (auto canonical = receipt::parse(codeOrUuid); canonical.ok() && *canonical != codeOrUuid)
        return store.findByReceiptCode(*canonical);
    return found;
}

int cmdStatus(const Store& store) {
    auto counts = store.counts();
    if (!counts.ok())
        return fail(counts.error(), exitFailed);
    auto st = store.stats();
    if (!st.ok())
        return fail(st.error(), exitFailed);
    std::cout << "device        " << store.deviceId() << "\n";
    std::cout << "store         " << store.path() << " (schema " << store.schemaVersion() << ")\n";
    std::cout << "size          " << mib(st->fileBytes) << " on disk, " << mib(st->usedBytes)
              << " used, map " << mib(st->mapBytes) << " of at most " << mib(st->maxMapBytes)
              << "\n";
    std::cout << "oldest undelivered  "
              << (counts->oldestUndeliveredAgeMs ? age(*counts->oldestUndeliveredAgeMs)
                                                 : std::string("none"))
              << "\n";
    std::cout << "reports by state:\n";
    std::uint64_t total = 0;
    for (const auto& [state, n] : counts->perState) {
        std::printf("  %-12s %8llu\n", outboxStateName(state), static_cast<unsigned long long>(n));
        total += n;
    }
    std::printf("  %-12s %8llu\n", "total", static_cast<unsigned long long>(total));
    // The citizens' replies have an outbox of their own; shown once there are any.
    auto replies = store.listReplies(std::nullopt);
    if (!replies.ok())
        return fail(replies.error(), exitFailed);
    if (!replies->empty()) {
        std::cout << "replies by state:\n";
        for (OutboxState state : allOutboxStates()) {
            const auto n = std::count_if(replies->begin(), replies->end(),
                                         [&](const ReplyEntry& e) { return e.state == state; });
            if (n > 0)
                std::printf("  %-12s %8lld\n", outboxStateName(state), static_cast<long long>(n));
        }
        std::printf("  %-12s %8zu\n", "total", replies->size());
    }
    auto status = store.listStatus();
    if (status.ok() && !status->empty()) {
        std::cout << "status records:\n";
        // Top-level records only ("syncd"); dotted keys are per-report bookkeeping.
        for (const auto& [k, v] : *status) {
            if (k.find('.') == std::string::npos)
                std::cout << "  " << k << ": " << v << "\n";
        }
    }
    // Slips whose printing a crash cut off: staff ask the visitor, and reprint if need be.
    if (auto slips = listSlips(store); slips.ok()) {
        for (const SlipOwed& slip : *slips) {
            if (slip.state == slipUnconfirmedValue) {
                auto e = store.outboxEntry(slip.uuid);
                std::cout << "slip not confirmed printed: " << (e.ok() ? e->receiptCode : slip.uuid)
                          << " (lapor-ctl reprint, if the visitor has none)\n";
            }
        }
    }
    return exitOk;
}

void printEntryLine(const OutboxEntry& e) {
    std::printf("%-14s %-36s %-11s %-20s %3u %s\n", e.receiptCode.c_str(), e.uuid.c_str(),
                outboxStateName(e.state), isoTime(e.createdAtMs).c_str(), e.attempts,
                e.trackingId.empty() ? "-" : e.trackingId.c_str());
}

int cmdList(const Store& store, const Args& a) {
    Result<std::vector<OutboxEntry>> list =
        a.state ? store.listByState(*parseOutboxState(*a.state), a.limit) : store.listAll(a.limit);
    if (!list.ok())
        return fail(list.error(), exitFailed);
    std::printf("%-14s %-36s %-11s %-20s %3s %s\n", "CODE", "UUID", "STATE", "FILED (UTC)", "TRY",
                "TRACKING");
    for (const auto& e : *list)
        printEntryLine(e);
    return exitOk;
}

// What the national system said (the feed's timeline, the agency's follow-ups) and the citizen's
// replies: what the kiosk's status screen shows. A reply's text only with personal data.
int showFollowUp(const Store& store, const std::string& uuid, bool withPersonalData) {
    auto view = store.statusOf(uuid);
    if (!view.ok())
        return fail(view.error(), exitFailed);
    std::cout << "timeline:" << (view->timeline.empty() ? " (nothing from the server yet)" : "")
              << "\n";
    for (const auto& u : view->timeline) {
        std::cout << "  " << isoTime(u.atMs) << "  " << u.status;
        if (u.event != "status")
            std::cout << " (" << u.event << ")";
        if (!u.agency.empty())
            std::cout << "  to " << u.agency << " (" << u.agencyId << ")";
        if (!u.note.empty() && !u.followUp)
            std::cout << "  " << u.note;
        std::cout << "\n";
    }
    std::cout << "follow-ups:" << (view->followUps.empty() ? " none" : "") << "\n";
    for (const auto& f : view->followUps) {
        std::cout << "  " << isoTime(f.atMs) << "  " << f.agency << " (" << f.agencyId << "):\n"
                  << "    " << f.text << "\n";
    }
    std::cout << "closed        " << (view->closed ? "yes" : "no");
    if (view->closesAtMs)
        std::cout << ", closes " << isoTime(*view->closesAtMs) << " unless the reporter replies";
    std::cout << "\nreply         " << (view->canReply ? "possible" : "not possible now") << "\n";
    if (view->replies.empty())
        return exitOk;
    std::cout << "replies:\n";
    for (const auto& r : view->replies) {
        std::cout << "  " << isoTime(r.createdAtMs) << "  " << r.id << "  " << replyKindName(r.kind)
                  << "  " << outboxStateName(r.state) << ", " << r.photoCount << " photo(s), "
                  << r.attempts << " attempt(s)";
        if (!r.lastError.empty())
            std::cout << ", last error: " << r.lastError;
        std::cout << "\n";
        if (withPersonalData) {
            auto full = store.loadReply(r.id);
            std::cout << "    "
                      << (full.ok() ? full->text : "(unreadable: " + full.error().message + ")")
                      << "\n";
        }
    }
    return exitOk;
}

int cmdShow(const Store& store, const Args& a) {
    if (a.positional.size() != 1)
        return usageError("show needs one receipt code or UUID");
    auto uuid = resolve(store, a.positional[0]);
    if (!uuid.ok())
        return fail(uuid.error(), exitNotFound);
    auto e = store.outboxEntry(*uuid);
    if (!e.ok())
        return fail(e.error(), exitFor(e.error()));
    Result<Report> r = a.withPersonalData ? store.loadReport(*uuid) : store.loadReportPublic(*uuid);
    if (!r.ok())
        return fail(r.error(), exitFor(r.error()));
    std::cout << "receipt code  " << e->receiptCode << "\n"
              << "uuid          " << e->uuid << "\n"
              << "state         " << outboxStateName(e->state) << "\n"
              << "filed         " << isoTime(e->createdAtMs) << " at " << r->office << " ("
              << r->deviceId << ")\n"
              << "agency/topic  " << r->agencyId << " / " << r->topicId << "\n"
              << "region        " << r->regionCode << "\n"
              << "anonymous     " << (r->anonymous ? "yes" : "no") << ", confidential "
              << (r->confidential ? "yes" : "no") << "\n"
              << "attempts      " << e->attempts << "\n"
              << "tracking ID   " << (e->trackingId.empty() ? "-" : e->trackingId) << "\n";
    if (!e->lastError.empty())
        std::cout << "last error    " << e->lastError << "\n";
    if (!e->replacesUuid.empty())
        std::cout << "replaces      " << e->replacesUuid << "\n";
    if (e->purged)
        std::cout << "retention     photos and identity purged\n";
    std::cout << "photos        " << e->photoCount << "\n"
              << "clips         " << e->clipCount << " (video clips and spoken notes)\n";
    if (a.withPersonalData) {
        std::cout << "title         " << r->title << "\n"
                  << "body          " << r->body << "\n"
                  << "place         " << r->place << "\n"
                  << "name          " << r->identity.name << "\n"
                  << "NIK           " << r->identity.nik << "\n"
                  << "phone         " << r->identity.phone << "\n"
                  << "email         " << r->identity.email << "\n";
        auto photos = store.listPhotos(*uuid);
        if (photos.ok()) {
            for (const auto& p : *photos) {
                if (p.kind == MediaKind::photo) {
                    std::cout << "photo " << p.index << "       " << p.size << " bytes, " << p.width
                              << "x" << p.height << ", sha256 " << p.sha256Hex << "\n";
                    continue;
                }
                std::cout << (p.kind == MediaKind::video ? "video " : "voice ") << p.index
                          << "       " << p.size << " bytes, " << p.durationMs / 1000 << "."
                          << p.durationMs % 1000 / 100 << " s";
                if (p.kind == MediaKind::video)
                    std::cout << ", " << p.width << "x" << p.height;
                std::cout << ", sha256 " << p.sha256Hex << "\n";
            }
        }
    } else {
        std::cout << "(text, identity and photos hidden; add --with-personal-data)\n";
    }
    auto hist = store.history(*uuid);
    if (!hist.ok())
        return fail(hist.error(), exitFailed);
    std::cout << "history:\n";
    for (const auto& h : *hist) {
        std::cout << "  " << isoTime(h.atMs) << "  " << outboxStateName(h.state);
        if (!h.reason.empty())
            std::cout << "  " << h.reason;
        std::cout << "\n";
    }
    return showFollowUp(store, *uuid, a.withPersonalData);
}

int cmdVerify(const Store& store) {
    auto v = store.verify();
    if (!v.ok())
        return fail(v.error(), exitFor(v.error()));
    for (const auto& p : v->problems)
        std::cout << "PROBLEM " << p.uuid << ": " << p.what << "\n";
    std::cout << v->reports << " reports, " << v->photos << " photos, " << v->clips << " clips ("
              << mib(v->bytes) << ") checked, " << v->problems.size() << " problem(s)\n";
    return v->problems.empty() ? exitOk : exitProblems;
}

// Who runs this command, for history and audit rows.
std::string operatorName(const Args& a) {
    if (!a.by.empty())
        return a.by;
    const char* user = std::getenv("SUDO_USER");
    if (!user)
        user = std::getenv("USER");
    return std::string("lapor-ctl") + (user ? " (" + std::string(user) + ")" : "");
}

int cmdUnpark(Store& store, const Args& a) {
    if (a.positional.size() != 1)
        return usageError("unpark needs one receipt code or UUID");
    auto uuid = resolve(store, a.positional[0]);
    if (!uuid.ok())
        return fail(uuid.error(), exitNotFound);
    Status s = store.unpark(*uuid, operatorName(a));
    if (!s.ok())
        return fail(s.error(), exitFor(s.error()));
    std::cout << "unparked " << *uuid << ": queued again\n";
    return exitOk;
}

int cmdReprint(Store& store, const Args& a) {
    if (a.positional.size() != 1)
        return usageError("reprint needs one receipt code or UUID");
    auto uuid = resolve(store, a.positional[0]);
    if (!uuid.ok())
        return fail(uuid.error(), exitNotFound);
    if (Status s = requestReprint(store, *uuid); !s.ok())
        return fail(s.error(), exitFor(s.error()));
    std::cout << "reprint of " << *uuid << " requested: the kiosk prints it between visitors\n";
    return exitOk;
}

int cmdPurge(Store& store, const Args& a, const Config& cfg) {
    int days = a.days.value_or(cfg.retentionDays);
    if (days == 0 && !a.days) {
        std::cout << "retention is off (store.retention_days = 0); nothing purged\n";
        return exitOk;
    }
    auto n = store.purgeDelivered(days);
    if (!n.ok())
        return fail(n.error(), exitFailed);
    std::cout << "purged photos and identity of " << n->reports
              << " report(s), and text and photos of " << n->replies
              << " reply(ies), delivered more than " << days << " day(s) ago\n";
    return exitOk;
}

// The device key sits beside the store key unless device.key_file says otherwise.
std::string deviceKeyPath(const Config& cfg) {
    return sync::deviceKeyPath(cfg);
}

int cmdInitSecrets(const Config& cfg) {
    struct stat st {};
    const bool hadStoreKey = ::stat(cfg.keyFile.c_str(), &st) == 0;
    // The file, not the credential: this is where the credential comes from.
    auto key = crypto::loadKey(crypto::KeySource{cfg.keyFile, "", true}, "");
    if (!key.ok())
        return fail(key.error(), exitKey);
    std::cout << "store key: " << (hadStoreKey ? "kept " : "made ") << cfg.keyFile << "\n";
    const std::string devicePath = deviceKeyPath(cfg);
    const bool hadDeviceKey = ::stat(devicePath.c_str(), &st) == 0;
    auto device = crypto::loadDeviceKey(devicePath, true);
    if (!device.ok())
        return fail(device.error(), exitKey);
    std::cout << "device key: " << (hadDeviceKey ? "kept " : "made ") << devicePath << " (public "
              << device->publicKeyHex() << ")\n";
    return exitOk;
}

int cmdEnroll(const Config& cfg, const Args& a) {
    if (a.positional.size() != 1)
        return usageError("enroll needs the enrolment code");
    std::string deviceId = cfg.deviceId;
    if (deviceId.empty()) {
        StoreOptions o;
        o.path = cfg.storePath;
        o.readOnly = true;
        o.mapSize = cfg.mapSizeMiB << 20;
        o.maxMapSize = std::max<std::uint64_t>(cfg.maxMapSizeMiB << 20, o.mapSize);
        auto store = Store::open(std::move(o));
        if (!store.ok())
            return fail(Error{store.error().code,
                              "the device ID comes from the store, which "
                              "the kiosk makes at its first start: " +
                                  store.error().message},
                        exitStore);
        deviceId = (*store)->deviceId();
    }
    // The same steps as the staff panel's enrolment (kiosk/staff_desk.cpp).
    if (auto failed = sync::enrolDevice(cfg, deviceId, a.positional[0])) {
        int code = exitFailed;
        switch (failed->step) {
            case sync::EnrolStep::config: code = exitConfig; break;
            case sync::EnrolStep::deviceKey: code = exitKey; break;
            case sync::EnrolStep::exchange:
                code = failed->error.code == Errc::rejected ? exitEnrolRefused : exitUnreachable;
                break;
            case sync::EnrolStep::tokenFile: code = exitFailed; break;
        }
        return fail(failed->error, code);
    }
    std::cout << "enrolled: device " << deviceId << "\n";
    struct stat st {};
    if (::stat("/run/systemd/system", &st) == 0) {
        // The agent reads its token at start.
        if (std::system("systemctl try-restart lapor-syncd.service") != 0)
            std::cerr << "lapor-ctl: restart lapor-syncd yourself: systemctl restart lapor-syncd\n";
    }
    return exitOk;
}

// A PIN from standard input: asked twice without echo on a terminal, one line otherwise. The PIN
// never passes through the command line (ps, shell history) and is wiped after use.
Result<std::string> readPin() {
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    auto once = [&](const char* prompt) -> Result<std::string> {
        termios old{};
        if (tty) {
            std::cerr << prompt << std::flush;
            ::tcgetattr(STDIN_FILENO, &old);
            termios quiet = old;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        std::string pin;
        const bool got = static_cast<bool>(std::getline(std::cin, pin));
        if (tty) {
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            std::cerr << "\n";
        }
        if (!got)
            return makeError(Errc::invalidInput, "no PIN on standard input");
        return pin;
    };
    auto first = once("PIN: ");
    if (!first.ok() || !tty)
        return first;
    auto second = once("PIN again: ");
    if (!second.ok()) {
        wipeString(*first);
        return second;
    }
    const bool same = *first == *second;
    wipeString(*second);
    if (!same) {
        wipeString(*first);
        return makeError(Errc::invalidInput, "the two PINs differ");
    }
    return first;
}

int cmdStaff(Store& store, const Args& a) {
    if (a.positional.empty())
        return usageError("staff needs add, list, disable, enable or reset-pin");
    const std::string& what = a.positional[0];
    staff::StoreStaffRecords records(store);
    staff::StaffBook book(records, SystemClock::instance());
    const std::string by = operatorName(a);
    if (what == "list") {
        auto all = records.accounts();
        if (!all.ok())
            return fail(all.error(), exitFor(all.error()));
        const std::int64_t now = SystemClock::instance().wallMs();
        std::printf("%-16s %-24s %-22s %-6s %s\n", "ID", "NAME", "STATE", "WRONG", "PIN SET");
        for (const staff::Account& acc : *all) {
            std::string state = acc.disabled ? "disabled" : "active";
            if (acc.lockedUntilMs > now)
                state = "locked until " + isoTime(acc.lockedUntilMs).substr(11);
            if (acc.pinMustChange && !acc.disabled)
                state += ", new PIN due";
            std::printf("%-16s %-24s %-22s %-6d %s\n", acc.id.c_str(), acc.displayName.c_str(),
                        state.c_str(), acc.failures, isoTime(acc.pinSetAtMs).c_str());
        }
        if (all->empty())
            std::cout << "(no staff accounts: lapor-ctl staff add ID NAME)\n";
        return exitOk;
    }
    if (a.positional.size() < 2)
        return usageError("staff " + what + " needs a staff id");
    const std::string& id = a.positional[1];
    Status s;
    if (what == "add") {
        if (a.positional.size() < 3)
            return usageError("staff add needs a staff id and a name");
        std::string name;
        for (std::size_t i = 2; i < a.positional.size(); ++i)
            name += (i > 2 ? " " : "") + a.positional[i];
        auto pin = readPin();
        if (!pin.ok())
            return fail(pin.error(), exitRefused);
        s = book.add(id, name, *pin, by);
        wipeString(*pin);
    } else if (what == "reset-pin") {
        auto pin = readPin();
        if (!pin.ok())
            return fail(pin.error(), exitRefused);
        s = book.resetPin(id, *pin, by);
        wipeString(*pin);
    } else if (what == "disable") {
        s = book.disable(id, by);
    } else if (what == "enable") {
        s = book.enable(id, by);
    } else {
        return usageError("unknown staff command '" + what + "'");
    }
    if (!s.ok())
        return fail(s.error(), exitFor(s.error()));
    std::cout << "staff " << what << " " << id << ": done\n";
    return exitOk;
}

int cmdAudit(Store& store, const Args& a) {
    auto log = store.auditLog(a.limit ? a.limit : 50);
    if (!log.ok())
        return fail(log.error(), exitFor(log.error()));
    for (const staff::AuditEntry& e : *log) {
        std::printf("%s  %-16s %-16s %-6s %s\n", isoTime(e.atMs).c_str(), e.staffId.c_str(),
                    e.action.c_str(), e.ok ? "ok" : "FAIL", e.detail.c_str());
    }
    if (log->empty())
        std::cout << "(no audit rows yet)\n";
    return exitOk;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    if (auto stop = parseArgs(argc, argv, a))
        return *stop;
    const std::vector<std::string_view> known = {"status", "list",    "show",  "verify",
                                                 "unpark", "reprint", "purge", "init-secrets",
                                                 "enroll", "staff",   "audit"};
    if (std::find(known.begin(), known.end(), a.command) == known.end()) {
        return usageError("unknown command '" + a.command + "'");
    }

    Config cfg;
    std::string configPath = a.configPath.empty() ? std::string(defaultConfigPath) : a.configPath;
    auto loaded = loadConfig(configPath);
    if (loaded.ok()) {
        cfg = std::move(*loaded);
    } else if (!a.configPath.empty() || loaded.error().code != Errc::notFound) {
        return fail(loaded.error(), exitConfig);
    }
    if (!a.storePath.empty())
        cfg.storePath = a.storePath;
    if (!a.keyFile.empty())
        cfg.keyFile = a.keyFile;

    if (a.command == "init-secrets")
        return cmdInitSecrets(cfg);
    if (a.command == "enroll")
        return cmdEnroll(cfg, a);

    const bool staffChange =
        a.command == "staff" && !a.positional.empty() && a.positional[0] != "list";
    const bool writes =
        a.command == "unpark" || a.command == "reprint" || a.command == "purge" || staffChange;
    const bool needsKey = a.command == "verify" || a.command == "staff" ||
                          (a.command == "show" && a.withPersonalData);
    StoreOptions o;
    o.path = cfg.storePath;
    o.readOnly = !writes;
    o.maxMapSize = std::max<std::uint64_t>(cfg.maxMapSizeMiB << 20, cfg.mapSizeMiB << 20);
    o.mapSize = cfg.mapSizeMiB << 20;
    if (needsKey) {
        // Never create a key here: a missing key means the data cannot be read, not a new start.
        auto key = crypto::loadKey(crypto::KeySource{cfg.keyFile, cfg.keyCredential, false});
        if (!key.ok())
            return fail(key.error(), exitKey);
        o.key = std::move(*key);
    }
    auto store = Store::open(std::move(o));
    if (!store.ok()) {
        return fail(store.error(), store.error().code == Errc::tooNew ? exitTooNew : exitStore);
    }
    if (a.command == "status")
        return cmdStatus(**store);
    if (a.command == "list")
        return cmdList(**store, a);
    if (a.command == "show")
        return cmdShow(**store, a);
    if (a.command == "verify")
        return cmdVerify(**store);
    if (a.command == "unpark")
        return cmdUnpark(**store, a);
    if (a.command == "reprint")
        return cmdReprint(**store, a);
    if (a.command == "staff")
        return cmdStaff(**store, a);
    if (a.command == "audit")
        return cmdAudit(**store, a);
    return cmdPurge(**store, a, cfg);
}
