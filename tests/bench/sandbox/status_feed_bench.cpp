// Status sync for a kiosk with 10,000 delivered reports of which 1,000 changed (issue 12): the
// cursor feed (GET /v1/reports/status) against a baseline that asks for each report by its
// tracking ID (GET /v1/reports/<tracking_id>), counting requests and bytes on the wire.
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sync/sandbox/sandbox.hpp"

namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr int kReports = 10'000;
constexpr int kChanges = 1'000;
constexpr const char* kToken = "bench-token";

std::string uuidFor(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n, n);
    return buf;
}

json reportBody() {
    return {{"kind", "pengaduan"},
            {"title", "Jalan berlubang"},
            {"body", "Sudah tiga bulan."},
            {"incident_date", "2026-11-20"},
            {"region_code", "11.01.01.2001"},
            {"place", "Jl. Merdeka 5"},
            {"agency_id", "kemen-pupr"},
            {"topic_id", "jalan-rusak"},
            {"anonymous", true},
            {"confidential", false},
            {"photos", json::array()},
            {"device_id", "kiosk-bench"},
            {"office", "Kantor Bupati"},
            {"created_at", "2026-11-30T03:30:22.123+07:00"},
            {"receipt_code", "BENCH"}};
}

struct Cost {
    std::uint64_t requests = 0;
    std::uint64_t bytes = 0;  // both directions, headers included (the link emulator's count)
    std::uint64_t updates = 0;
    double seconds = 0;
};

struct Meter {
    lapor::linkemu::LinkEmulator& link;
    lapor::linkemu::LinkCounters start = link.counters();
    Steady::time_point t0 = Steady::now();
    void finish(Cost& c) const {
        const auto end = link.counters();
        c.bytes = (end.bytesUp - start.bytesUp) + (end.bytesDown - start.bytesDown);
        c.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
    }
};

// Pulls the feed from `cursor` until it says there is no more; counts what it took.
bool pullFeed(httplib::Client& client, std::string& cursor, Cost& c) {
    const httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
    for (;;) {
        auto r = client.Get(("/v1/reports/status?limit=500&cursor=" + cursor).c_str(), auth);
        ++c.requests;
        if (!r || r->status != 200) {
            std::fprintf(stderr, "feed request failed\n");
            return false;
        }
        const json page = json::parse(r->body);
        c.updates += page["updates"].size();
        cursor = page["next_cursor"];
        if (!page["more"]) {
            return true;
        }
    }
}

}  // namespace

int main() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lapor-feed-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(tmpl.data());
    lapor::FakeClock clock;  // still: only the bench moves reports
    lapor::sandbox::SandboxOptions o;
    o.dataDir = dir / "data";
    o.tokens = {kToken};
    auto started = lapor::sandbox::Sandbox::start(o, clock);
    if (!started) {
        std::fprintf(stderr, "sandbox: %s\n", started.error().message.c_str());
        return 1;
    }
    auto& sandbox = **started;
    auto& store = sandbox.store();
    httplib::Client client("127.0.0.1", sandbox.port());
    client.set_keep_alive(true);
    const httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
    const json catalog = json::parse(client.Get("/v1/catalog", auth)->body);

    std::vector<std::string> tracking;
    for (int i = 0; i < kReports; ++i) {
        auto r = store.submit(kToken, uuidFor(i + 1), reportBody(), catalog, "v1");
        tracking.push_back(r.report.trackingId);
        if (i % 10 == 0) {
            (void)store.setStatus(tracking.back(), "forwarded", "");
        }
    }
    // The agent is in sync: it has read the feed to its end once.
    std::string cursor;
    Cost initial;
    {
        Meter m{sandbox.link()};
        if (!pullFeed(client, cursor, initial)) {
            return 1;
        }
        m.finish(initial);
    }
    // 1,000 reports change: the agency follows them up.
    for (int i = 0; i < kReports; i += kReports / kChanges) {
        (void)store.postFollowup(tracking[static_cast<std::size_t>(i)], "Sudah diperbaiki.", "");
    }

    Cost feed;
    {
        Meter m{sandbox.link()};
        if (!pullFeed(client, cursor, feed)) {
            return 1;
        }
        m.finish(feed);
    }
    Cost perReport;
    std::uint64_t followedUp = 0;
    {
        Meter m{sandbox.link()};
        for (const auto& id : tracking) {
            auto r = client.Get(("/v1/reports/" + id).c_str(), auth);
            ++perReport.requests;
            if (!r || r->status != 200) {
                std::fprintf(stderr, "per-report request failed\n");
                return 1;
            }
            followedUp += json::parse(r->body)["status"] == "followed_up" ? 1 : 0;
        }
        perReport.updates = followedUp;
        m.finish(perReport);
    }

    std::printf("status sync: %d delivered reports, %d changed\n", kReports, kChanges);
    std::printf("  first sync (whole feed)   : %6llu requests %10llu bytes %6llu updates %.2f s\n",
                static_cast<unsigned long long>(initial.requests),
                static_cast<unsigned long long>(initial.bytes),
                static_cast<unsigned long long>(initial.updates), initial.seconds);
    std::printf("  cursor feed (changes)     : %6llu requests %10llu bytes %6llu updates %.2f s\n",
                static_cast<unsigned long long>(feed.requests),
                static_cast<unsigned long long>(feed.bytes),
                static_cast<unsigned long long>(feed.updates), feed.seconds);
    std::printf("  baseline (each report)    : %6llu requests %10llu bytes %6llu changed %.2f s\n",
                static_cast<unsigned long long>(perReport.requests),
                static_cast<unsigned long long>(perReport.bytes),
                static_cast<unsigned long long>(perReport.updates), perReport.seconds);
    if (feed.requests == 0 || feed.bytes == 0 || perReport.requests == 0 || perReport.bytes == 0 ||
        feed.seconds <= 0 || perReport.seconds <= 0) {
        std::fprintf(stderr, "measured nothing\n");
        return 1;
    }
    std::printf("  baseline / feed           : requests x%.0f, bytes x%.1f, time x%.1f\n",
                static_cast<double>(perReport.requests) / static_cast<double>(feed.requests),
                static_cast<double>(perReport.bytes) / static_cast<double>(feed.bytes),
                perReport.seconds / feed.seconds);
    std::printf("  feed bytes per change     : %.0f\n",
                static_cast<double>(feed.bytes) / static_cast<double>(kChanges));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    // Both must have seen the 1,000 changes, or the comparison is void.
    if (feed.updates != kChanges || perReport.updates != kChanges) {
        std::fprintf(stderr, "expected %d changes: feed saw %llu, baseline %llu\n", kChanges,
                     static_cast<unsigned long long>(feed.updates),
                     static_cast<unsigned long long>(perReport.updates));
        return 1;
    }
    return 0;
}
