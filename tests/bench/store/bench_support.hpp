// Shared pieces of the store benchmarks: a scratch directory on a real disk, sample data, timing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "core/store.hpp"

namespace lapor::bench {

// A fresh directory under the build tree (a real disk: /tmp may be tmpfs, where fsync is free).
class ScratchDir {
  public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
};

[[nodiscard]] Report benchReport(std::uint64_t n);
[[nodiscard]] crypto::Key benchKey();
[[nodiscard]] std::int64_t nowNs();

struct Percentiles {
    double p50Ms = 0;
    double p99Ms = 0;
    double meanMs = 0;
};
[[nodiscard]] Percentiles percentiles(std::vector<std::int64_t> samplesNs);

// Appends `bytes` to the file and makes it durable with one fdatasync (the floor of a save).
class DurableFile {
  public:
    explicit DurableFile(const std::string& path);
    ~DurableFile();
    DurableFile(const DurableFile&) = delete;
    DurableFile& operator=(const DurableFile&) = delete;
    void append(const void* data, std::size_t size);

  private:
    int fd_ = -1;
};

}  // namespace lapor::bench
