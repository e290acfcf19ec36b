// lapor-ctl as operators run it: each command's output and exit code against a prepared store.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

#include "core/receipt_code.hpp"
#include "core/store.hpp"
#include "core/store_slips.hpp"
#include "store_feed_support.hpp"
#include "store_test_support.hpp"

using namespace lapor;
using namespace lapor::testing;

namespace {

struct Run {
    int exit = -1;
    std::string out;
};

// Runs lapor-ctl with `args`; `stdinLine`, when given, is its standard input (a PIN).
Run ctl(const std::string& args, const std::string& stdinLine = "") {
    std::string cmd = std::string(LAPOR_CTL) + " " + args + " 2>&1";
    if (!stdinLine.empty())
        cmd = "printf '%s\\n' '" + stdinLine + "' | " + cmd;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    Run r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int status = ::pclose(p);
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

void writeKey(const std::string& path, const crypto::Key& key) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(key.data()), 32);
    ::chmod(path.c_str(), 0600);
}

// A store with one report in each of queued, parked and delivered.
struct Prepared {
    TempDir dir;
    std::string store = dir.sub("store");
    std::string key = dir.sub("store.key");
    std::string base;
    Report queued = sampleReport(1), parked = sampleReport(2), delivered = sampleReport(3);
    Prepared() {
        writeKey(key, testKey());
        auto s = Store::open(storeOptions(store));
        REQUIRE(s.ok());
        std::vector<Photo> photos = {samplePhoto(70'000, 1)};
        REQUIRE((*s)->saveReport(delivered, photos).ok());
        REQUIRE((*s)->saveReport(parked, {}).ok());
        Clip note;  // a spoken note, item 0 of a report without photos
        note.kind = MediaKind::voice;
        note.bytes = samplePhoto(9000, 4).jpeg;
        note.durationMs = 12'300;
        REQUIRE((*s)->saveReport(queued, {}, std::span<const Clip>(&note, 1), nullptr).ok());
        auto c = (*s)->claimNext("agent", 60'000);
        REQUIRE((*s)->recordDelivered((*c)->uuid, "LAPOR-42").ok());
        c = (*s)->claimNext("agent", 60'000);
        REQUIRE((*s)->park((*c)->uuid, "unknown agency").ok());
        REQUIRE((*s)->putStatus("syncd", "online").ok());
        REQUIRE((*s)->putStatus("syncd.uploads." + queued.uuid, "{}").ok());
        base = "--store " + store + " --key-file " + key;
    }
};

}  // namespace

TEST_CASE("lapor-ctl: help and usage errors") {
    Run help = ctl("--help");
    CHECK(help.exit == 0);
    CHECK(help.out.find("Usage: lapor-ctl") != std::string::npos);
    CHECK(help.out.find("Exit codes") != std::string::npos);
    CHECK(ctl("").exit == 1);
    CHECK(ctl("frobnicate").exit == 1);
    CHECK(ctl("list --state nonsense").exit == 1);
    CHECK(ctl("status --bogus").exit == 1);
}

TEST_CASE("lapor-ctl: status, list and show without personal data") {
    Prepared p;
    Run status = ctl(p.base + " status");
    CHECK(status.exit == 0);
    CHECK(status.out.find("queued              1") != std::string::npos);
    CHECK(status.out.find("parked              1") != std::string::npos);
    CHECK(status.out.find("delivered           1") != std::string::npos);
    CHECK(status.out.find("syncd: online") != std::string::npos);
    CHECK(status.out.find("syncd.uploads") == std::string::npos);

    Run list = ctl(p.base + " list --state parked");
    CHECK(list.exit == 0);
    CHECK(list.out.find(p.parked.receiptCode) != std::string::npos);
    CHECK(list.out.find(p.queued.uuid) == std::string::npos);
    CHECK(ctl(p.base + " list").out.find(p.queued.uuid) != std::string::npos);

    Run show = ctl(p.base + " show " + p.delivered.receiptCode);
    CHECK(show.exit == 0);
    CHECK(show.out.find("LAPOR-42") != std::string::npos);
    CHECK(show.out.find("delivered") != std::string::npos);
    CHECK(show.out.find(p.delivered.identity.nik) == std::string::npos);
    CHECK(show.out.find(p.delivered.identity.name) == std::string::npos);
    CHECK(show.out.find(p.delivered.body) == std::string::npos);

    Run personal = ctl(p.base + " show " + p.delivered.uuid + " --with-personal-data");
    CHECK(personal.exit == 0);
    CHECK(personal.out.find(p.delivered.identity.nik) != std::string::npos);
    CHECK(personal.out.find("sha256") != std::string::npos);

    Run clip = ctl(p.base + " show " + p.queued.receiptCode + " --with-personal-data");
    CHECK(clip.out.find("clips         1") != std::string::npos);
    CHECK(clip.out.find("voice 0       9000 bytes, 12.3 s, sha256") != std::string::npos);
    CHECK(show.out.find("clips         0") != std::string::npos);

    CHECK(ctl(p.base + " show NOSUCHCODE").exit == 6);
    CHECK(ctl(p.base + " show").exit == 1);
}

TEST_CASE("lapor-ctl: verify, with the right key, a wrong key and no key") {
    Prepared p;
    Run ok = ctl(p.base + " verify");
    CHECK(ok.exit == 0);
    CHECK(ok.out.find("3 reports, 1 photos, 1 clips") != std::string::npos);
    writeKey(p.dir.sub("wrong.key"), crypto::Key::generate());
    Run wrong = ctl("--store " + p.store + " --key-file " + p.dir.sub("wrong.key") + " verify");
    CHECK(wrong.exit == 5);
    CHECK(wrong.out.find("PROBLEM") != std::string::npos);
    Run none = ctl("--store " + p.store + " --key-file " + p.dir.sub("absent.key") + " verify");
    CHECK(none.exit == 7);
    CHECK_FALSE(std::filesystem::exists(p.dir.sub("absent.key")));  // never created by lapor-ctl
    CHECK(ctl("--store " + p.store + " --key-file " + p.dir.sub("absent.key") + " show " +
              p.queued.receiptCode + " --with-personal-data")
              .exit == 7);
}

TEST_CASE("lapor-ctl: unpark and purge change the store") {
    Prepared p;
    Run un = ctl(p.base + " unpark " + p.parked.receiptCode + " --by 'Pak Andi'");
    CHECK(un.exit == 0);
    CHECK(ctl(p.base + " unpark " + p.parked.receiptCode).exit == 8);  // not parked any more
    CHECK(ctl(p.base + " unpark NOSUCHCODE").exit == 6);
    Run show = ctl(p.base + " show " + p.parked.uuid);
    CHECK(show.out.find("unparked by Pak Andi") != std::string::npos);

    Run purge = ctl(p.base + " purge --days 0");
    CHECK(purge.exit == 0);
    CHECK(purge.out.find("of 1 report(s)") != std::string::npos);
    CHECK(ctl(p.base + " show " + p.delivered.uuid).out.find("purged") != std::string::npos);
}

TEST_CASE("lapor-ctl: missing store, bad configuration") {
    TempDir dir;
    CHECK(ctl("--store " + dir.sub("none") + " status").exit == 3);
    std::ofstream(dir.sub("bad.toml")) << "[store]\npath = \n";
    Run bad = ctl("--config " + dir.sub("bad.toml") + " status");
    CHECK(bad.exit == 2);
    CHECK(bad.out.find("bad.toml:2") != std::string::npos);
    CHECK(ctl("--config " + dir.sub("absent.toml") + " status").exit == 2);
}

TEST_CASE("lapor-ctl: show takes a receipt code as printed on the slip, in any case") {
    Prepared p;
    auto code = receipt::generate("K7QM");
    REQUIRE(code.ok());
    Report r = sampleReport(4);
    r.receiptCode = *code;
    {
        auto s = Store::open(storeOptions(p.store));
        REQUIRE(s.ok());
        REQUIRE((*s)->saveReport(r, {}).ok());
    }
    const std::string printed = receipt::format(*code);  // "K7QM-....-."
    REQUIRE(printed != *code);
    std::string lower = printed;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string& typed : {*code, printed, lower}) {
        CAPTURE(typed);
        Run show = ctl(p.base + " show " + typed);
        CHECK(show.exit == 0);
        CHECK(show.out.find(r.uuid) != std::string::npos);
    }
    // A code with a wrong check symbol is still not found (not guessed).
    std::string wrong = printed;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    CHECK(ctl(p.base + " show " + wrong).exit == 6);
}

TEST_CASE("lapor-ctl: reprint asks the kiosk for a slip, status names unconfirmed slips") {
    Prepared p;
    {
        auto s = Store::open(storeOptions(p.store));
        REQUIRE(s.ok());
        REQUIRE(markSlipUnconfirmed(**s, p.queued.uuid).ok());
    }
    Run status = ctl(p.base + " status");
    CHECK(status.exit == 0);
    CHECK(status.out.find("slip not confirmed printed: " + p.queued.receiptCode) !=
          std::string::npos);
    Run re = ctl(p.base + " reprint " + p.queued.receiptCode);
    CHECK(re.exit == 0);
    CHECK(ctl(p.base + " reprint NOSUCHCODE").exit == 6);
    auto s = Store::open(storeOptions(p.store));
    REQUIRE(s.ok());
    auto slips = listSlips(**s);
    REQUIRE(slips.ok());
    REQUIRE(slips->size() == 1);
    CHECK(slips->front().state == slipReprintValue);
    CHECK(ctl(p.base + " status").out.find("slip not confirmed") == std::string::npos);
}

TEST_CASE("lapor-ctl: staff accounts with the PIN from standard input, and the audit") {
    Prepared p;
    auto withPin = [&](const std::string& pin, const std::string& args) {
        return ctl(p.base + " " + args, pin);
    };
    Run added = withPin("240517", "staff add sri Sri Wahyuni");
    CHECK(added.exit == 0);
    CHECK(added.out.find("240517") == std::string::npos);
    // The rules hold: a run is refused with the reason, an existing id too.
    Run weak = withPin("123456", "staff add budi Budi");
    CHECK(weak.exit == 8);
    CHECK(weak.out.find("run") != std::string::npos);
    CHECK(withPin("902114", "staff add sri Sri again").exit == 8);

    Run list = ctl(p.base + " staff list");
    CHECK(list.exit == 0);
    CHECK(list.out.find("Sri Wahyuni") != std::string::npos);
    CHECK(list.out.find("active") != std::string::npos);
    CHECK(list.out.find("argon2") == std::string::npos);

    CHECK(ctl(p.base + " staff disable sri --by tester").exit == 0);
    CHECK(ctl(p.base + " staff list").out.find("disabled") != std::string::npos);
    CHECK(ctl(p.base + " staff enable sri").exit == 0);
    CHECK(withPin("902114", "staff reset-pin sri").exit == 0);
    CHECK(ctl(p.base + " staff list").out.find("new PIN due") != std::string::npos);
    CHECK(ctl(p.base + " staff disable nobody").exit == 6);
    CHECK(ctl(p.base + " staff").exit == 1);

    // The audit needs no key and never shows a PIN.
    Run audit = ctl("--store " + p.store + " audit");
    CHECK(audit.exit == 0);
    CHECK(audit.out.find("add") != std::string::npos);
    CHECK(audit.out.find("disable") != std::string::npos);
    CHECK(audit.out.find("by tester") != std::string::npos);
    CHECK(audit.out.find("reset-pin") != std::string::npos);
    CHECK(audit.out.find("240517") == std::string::npos);
    CHECK(audit.out.find("902114") == std::string::npos);
    // Accounts need the key.
    CHECK(ctl("--store " + p.store + " --key-file /nonexistent staff list").exit == 7);
}

TEST_CASE("lapor-ctl: show prints the timeline, the agency's follow-up and the replies") {
    Prepared p;
    const std::string code = [&] {
        auto s = Store::open(storeOptions(p.store));
        REQUIRE(s.ok());
        const auto page = followedUpFeed(p.delivered, 1'767'225'600'000);
        REQUIRE((*s)->applyFeedPage(page, "10").ok());
        Reply reply;
        reply.id = "5f0c1e2a-3b4d-4e5f-8a6b-7c8d9e0f1a2b";
        reply.reportUuid = p.delivered.uuid;
        reply.kind = ReplyKind::notResolved;
        reply.text = "Belum diperbaiki sama sekali.";
        REQUIRE((*s)->saveReply(reply, {}).ok());
        return (*s)->outboxEntry(p.delivered.uuid)->receiptCode;
    }();
    Run show = ctl(p.base + " show " + code);
    CHECK(show.exit == 0);
    CHECK(show.out.find("timeline:") != std::string::npos);
    CHECK(show.out.find("2026-01-01T00:00:02Z  forwarded  to Kementerian PUPR (kemen-pupr)") !=
          std::string::npos);
    CHECK(show.out.find("followed_up (followup)") != std::string::npos);
    CHECK(show.out.find("Dinas PU Kabupaten Aceh Selatan (kemen-pupr):\n    Perbaikan "
                        "dijadwalkan minggu depan.") != std::string::npos);
    CHECK(show.out.find("closes 2026-01-11T00:00:00Z unless the reporter replies") !=
          std::string::npos);
    CHECK(show.out.find("reply         possible") != std::string::npos);
    CHECK(show.out.find("5f0c1e2a-3b4d-4e5f-8a6b-7c8d9e0f1a2b  not_resolved  queued") !=
          std::string::npos);
    CHECK(show.out.find("Belum diperbaiki") == std::string::npos);  // the citizen's words: hidden
    Run full = ctl(p.base + " show " + code + " --with-personal-data");
    CHECK(full.out.find("    Belum diperbaiki sama sekali.") != std::string::npos);
    // status counts the reply waiting in its own outbox.
    Run status = ctl(p.base + " status");
    CHECK(status.exit == 0);
    CHECK(
        status.out.find("replies by state:\n  queued              1\n  total               1\n") !=
        std::string::npos);
    // A report the server has said nothing about yet says so.
    Run queued = ctl(p.base + " show " + p.queued.uuid);
    CHECK(queued.out.find("timeline: (nothing from the server yet)") != std::string::npos);
    CHECK(queued.out.find("follow-ups: none") != std::string::npos);
}
