// Claim-and-complete throughput with 100,000 small reports queued: each item is one durable
// claim and one durable delivery (two commits), against the floor of two small appends to a plain
// file with one fdatasync each, measured in the same run.
// Usage: store_outbox_bench [queued] [seconds]   (stops at the time budget if not drained)
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench_support.hpp"
#include "core/store.hpp"

using namespace lapor;
using namespace lapor::bench;

int main(int argc, char** argv) {
    const std::uint64_t queued = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
    const double budgetS = argc > 2 ? std::atof(argv[2]) : 25.0;
    ScratchDir dir;

    StoreOptions o;
    o.path = dir.path() + "/lmdb";
    o.key = benchKey();
    auto opened = Store::open(std::move(o));
    if (!opened.ok()) {
        std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
        return 2;
    }
    Store& store = **opened;

    // Fill the queue in batches of 1,000 (one transaction each).
    std::int64_t t0 = nowNs();
    std::vector<Report> reports;
    for (std::uint64_t base = 0; base < queued; base += 1000) {
        reports.clear();
        std::vector<Store::ReportToSave> batch;
        for (std::uint64_t i = base; i < std::min(queued, base + 1000); ++i)
            reports.push_back(benchReport(i));
        for (const Report& r : reports)
            batch.push_back({&r, {}});
        if (auto s = store.saveReports(batch); !s.ok()) {
            std::fprintf(stderr, "fill: %s\n", s.error().message.c_str());
            return 2;
        }
    }
    double fillS = static_cast<double>(nowNs() - t0) / 1e9;

    // The floor: two durable small writes per item (as claim and delivery are two commits),
    // measured every 20th item inside the loop so that both see the same disk load.
    DurableFile floorFile(dir.path() + "/plain.bin");
    char record[256] = {};
    std::int64_t floorNs = 0;
    std::uint64_t floorItems = 0;

    std::uint64_t done = 0;
    std::vector<std::int64_t> itemNs;
    itemNs.reserve(queued);
    t0 = nowNs();
    const std::int64_t deadline = t0 + static_cast<std::int64_t>(budgetS * 1e9);
    while (done < queued && nowNs() < deadline) {
        std::int64_t s0 = nowNs();
        auto claim = store.claimNext("bench-agent", 60'000);
        if (!claim.ok() || !claim->has_value()) {
            std::fprintf(stderr, "claim failed or queue empty after %llu\n",
                         static_cast<unsigned long long>(done));
            return 2;
        }
        if (Status s = store.recordDelivered((**claim).uuid, "T" + (**claim).receiptCode);
            !s.ok()) {
            std::fprintf(stderr, "deliver: %s\n", s.error().message.c_str());
            return 2;
        }
        itemNs.push_back(nowNs() - s0);
        ++done;
        if (done % 20 == 0) {
            std::int64_t f0 = nowNs();
            floorFile.append(record, sizeof record);
            floorFile.append(record, sizeof record);
            floorNs += nowNs() - f0;
            ++floorItems;
        }
    }
    double runS = static_cast<double>(nowNs() - t0 - floorNs) / 1e9;
    double floorItemUs = static_cast<double>(floorNs) / 1e3 /
                         static_cast<double>(std::max<std::uint64_t>(floorItems, 1));
    auto counts = store.counts();
    if (!counts.ok() || counts->count(OutboxState::delivered) != done) {
        std::fprintf(stderr, "delivered count does not match\n");
        return 2;
    }
    Percentiles p = percentiles(itemNs);
    double perItemUs = runS * 1e6 / static_cast<double>(done);
    std::printf(
        "store outbox bench: %llu small reports queued (filled in %.2f s, batches of 1,000)\n",
        static_cast<unsigned long long>(queued), fillS);
    std::printf("  claim+deliver: %llu items in %.2f s = %.0f items/s (%s)\n",
                static_cast<unsigned long long>(done), runS, static_cast<double>(done) / runS,
                done == queued ? "queue drained" : "time budget reached");
    std::printf("  per item: mean %.0f us, p50 %.0f us, p99 %.0f us\n", perItemUs, p.p50Ms * 1e3,
                p.p99Ms * 1e3);
    std::printf(
        "  floor (2 x 256 B append + fdatasync, every 20th item): %.0f us per item; ratio %.2fx\n",
        floorItemUs, perItemUs / floorItemUs);
    return 0;
}
