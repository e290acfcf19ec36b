// Shared pieces of the store benchmarks.
#include "bench_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace lapor::bench {

ScratchDir::ScratchDir() {
    std::string base = std::string(LAPOR_BINARY_DIR) + "/bench-scratch";
    std::filesystem::create_directories(base);
    std::string tmpl = base + "/store-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        std::exit(2);
    }
    path_ = tmpl;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

Report benchReport(std::uint64_t n) {
    Report r;
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "b0000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(n & 0xffffffffffffull));
    r.uuid = uuid;
    r.receiptCode = "B" + std::to_string(n);
    r.title = "Lampu jalan mati sejak dua minggu";
    r.body =
        "Lampu penerangan jalan di depan pasar mati sejak dua minggu, jalan gelap di malam hari.";
    r.incidentDate = Date{2025, 11, 1};
    r.regionCode = "11.01.01.2001";
    r.place = "Depan pasar";
    r.agencyId = "pemda";
    r.topicId = "penerangan-jalan";
    r.identity = Identity{"Budi Santoso", "3171234567890123", "+6281234567890", "budi@example.id"};
    r.deviceId = "kiosk-bench";
    r.office = "Kantor Kecamatan";
    r.language = "id";
    r.createdAtMs = 1'767'225'600'000 + static_cast<std::int64_t>(n);
    return r;
}

crypto::Key benchKey() {
    return crypto::Key::generate();
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Percentiles percentiles(std::vector<std::int64_t> ns) {
    Percentiles p;
    if (ns.empty())
        return p;
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) {
        std::size_t i = static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1) + 0.5);
        return static_cast<double>(ns[std::min(i, ns.size() - 1)]) / 1e6;
    };
    p.p50Ms = at(0.50);
    p.p99Ms = at(0.99);
    double sum = 0;
    for (auto v : ns)
        sum += static_cast<double>(v);
    p.meanMs = sum / static_cast<double>(ns.size()) / 1e6;
    return p;
}

DurableFile::DurableFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        std::perror("open");
        std::exit(2);
    }
}

DurableFile::~DurableFile() {
    if (fd_ >= 0)
        ::close(fd_);
}

void DurableFile::append(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd_, p, size);
        if (n <= 0) {
            std::perror("write");
            std::exit(2);
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) {
        std::perror("fdatasync");
        std::exit(2);
    }
}

}  // namespace lapor::bench
