// Benchmarks for the agent's test bed: how fast lapor-sandbox takes reports (it must not be what
// limits the agent's backlog benchmark), how closely the link emulator plays a 1 Mbit/s, 100 ms
// link, and what relaying through it costs on an unshaped loopback.
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sync/linkemu/link_emulator.hpp"
#include "sync/sandbox/sandbox.hpp"
#include "tests/sync/link_test_support.hpp"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string uuidFor(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n, n);
    return buf;
}

json reportBody() {
    return {{"kind", "aspirasi"},
            {"title", "Perpanjang jam layanan"},
            {"body", "Mohon loket dibuka sampai sore."},
            {"incident_date", "2026-11-20"},
            {"region_code", "11.01.01.2001"},
            {"place", "Kantor Camat"},
            {"agency_id", "pemda"},
            {"topic_id", "pelayanan-publik"},
            {"anonymous", true},
            {"confidential", false},
            {"photos", json::array()},
            {"device_id", "kiosk-bench"},
            {"office", "Kantor Bupati"},
            {"created_at", "2026-11-29T20:30:22.123Z"},
            {"receipt_code", "BENCH"}};
}

// POSTs `count` reports with keys from `first` on; returns reports per second.
double intake(httplib::Client& client, int first, int count) {
    const std::string body = reportBody().dump();
    const auto start = Clock::now();
    for (int i = first; i < first + count; ++i) {
        httplib::Headers h = {{"Authorization", "Bearer bench"}, {"Idempotency-Key", uuidFor(i)}};
        auto r = client.Post("/v1/reports", h, body, "application/json");
        if (!r || r->status != 201) {
            std::fprintf(stderr, "report %d failed\n", i);
            std::exit(1);
        }
    }
    return count / since(start);
}

// Sends `bytes` bytes to a sink through `port` and waits for its receipt; returns seconds.
double pushThrough(std::uint16_t port, std::size_t bytes) {
    using namespace lapor::linkemu::test;
    const int fd = connectTo(port);
    const std::string payload(bytes, 'x');
    const auto start = Clock::now();
    must(sendAll(fd, payload), "send");
    shutdown(fd, SHUT_WR);
    const std::string receipt = recvUpTo(fd, 64);
    const double took = since(start);
    close(fd);
    must(receipt == "done " + std::to_string(bytes), "sink receipt");
    return took;
}

}  // namespace

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string tmpl = (std::filesystem::temp_directory_path() / "lapor-bench-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(tmpl.data());

    // 1. Report intake over one keep-alive connection; baseline: a new connection per report.
    {
        lapor::sandbox::SandboxOptions o;
        o.dataDir = dir / "data";
        auto s = lapor::sandbox::Sandbox::start(o);
        if (!s) {
            std::fprintf(stderr, "sandbox: %s\n", s.error().message.c_str());
            return 1;
        }
        // Like libcurl (the agent's client), no Nagle: a request's headers and body go out as
        // two writes.
        httplib::Client warm("127.0.0.1", (*s)->port());
        warm.set_tcp_nodelay(true);
        (void)intake(warm, 1'000'000, 100);
        constexpr int kReports = 2000;
        httplib::Client reuse("127.0.0.1", (*s)->port());
        reuse.set_keep_alive(true);
        reuse.set_tcp_nodelay(true);
        httplib::Client fresh("127.0.0.1", (*s)->port());
        fresh.set_keep_alive(false);
        fresh.set_tcp_nodelay(true);
        // Interleaved halves, so that load from other processes falls on both alike.
        double keepAlive = 0;
        double perRequest = 0;
        for (int round = 0; round < 2; ++round) {
            keepAlive += intake(reuse, round * kReports, kReports / 2) / 2;
            perRequest += intake(fresh, 100'000 + round * kReports, kReports / 2) / 2;
        }
        std::printf("sandbox intake, text-only reports, loopback through its front link:\n");
        std::printf("  keep-alive connection:   %8.0f reports/s\n", keepAlive);
        std::printf("  connection per report:   %8.0f reports/s (baseline)\n", perRequest);
        std::printf("  ratio keep-alive/baseline: %.2fx\n", keepAlive / perRequest);
    }

    // 2. Fidelity at 1 Mbit/s and 100 ms: measured time / (bytes / rate + latency).
    lapor::linkemu::test::Upstream sink(true);
    {
        lapor::linkemu::LinkShape shape;
        shape.upBytesPerSecond = shape.downBytesPerSecond = 1'000'000.0 / 8;
        shape.latency = std::chrono::milliseconds(100);
        auto link =
            lapor::linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1", sink.port(), shape);
        if (!link) {
            return 1;
        }
        constexpr std::size_t kBytes = 500'000;
        const double took = pushThrough((*link)->port(), kBytes);
        // One way for the data, one way back for the receipt.
        const double ideal = kBytes / shape.upBytesPerSecond + 2 * 0.1;
        std::printf("link emulator at 1 Mbit/s, 100 ms, 500 KB up:\n");
        std::printf("  measured %.3f s, ideal %.3f s, ratio %.3f\n", took, ideal, took / ideal);
    }

    // 3. Overhead unshaped: 64 MB through the emulator against straight to the sink.
    {
        auto link = lapor::linkemu::LinkEmulator::start("127.0.0.1", 0, "127.0.0.1", sink.port());
        if (!link) {
            return 1;
        }
        constexpr std::size_t kBytes = 64u << 20;
        double viaLink = 0;
        double direct = 0;
        for (int round = 0; round < 3; ++round) {
            viaLink += pushThrough((*link)->port(), kBytes);
            direct += pushThrough(sink.port(), kBytes);
        }
        std::printf("link emulator unshaped, 3 x 64 MB:\n");
        std::printf("  through it %.0f MB/s, direct %.0f MB/s (baseline), throughput ratio %.2f\n",
                    3 * 64 / viaLink, 3 * 64 / direct, direct / viaLink);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
