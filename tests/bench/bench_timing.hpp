// Timing for the benchmarks that measure short CPU-bound steps (photo pipeline, QR scan): the
// median CPU time of this thread and wall time over a number of runs.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace lapor::bench {

// CPU time of this thread: on a shared, overloaded machine it leaves out the time spent waiting
// for a core, which wall time does not.
inline double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Timing {
    double cpuMs;
    double wallMs;
};

// Median CPU and wall time of `runs` calls of `work`, in milliseconds; `work` gets the run
// number, so runs can differ (another frame).
inline Timing median(int runs, const std::function<void(int)>& work) {
    std::vector<double> cpu;
    std::vector<double> wall;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = threadCpuMs();
        work(i);
        cpu.push_back(threadCpuMs() - cpuStart);
        wall.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(cpu.begin(), cpu.end());
    std::sort(wall.begin(), wall.end());
    return {cpu[cpu.size() / 2], wall[wall.size() / 2]};
}
inline Timing median(int runs, const std::function<void()>& work) {
    return median(runs, [&work](int) { work(); });
}

}  // namespace lapor::bench
