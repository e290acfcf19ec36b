// Photo benchmark: a 4056x3040 simulated capture to the stored 1600 px JPEG plus thumbnail.
// Baselines in the same run: a memcpy of the frame and a plain full-size TurboJPEG encode.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "hardware/camera_scene.hpp"
#include "hardware/photo.hpp"

using namespace lapor;

namespace {

// Median wall time of `runs` calls, in milliseconds.
double medianMs(int runs, const std::function<void()>& work) {
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

}  // namespace

int main() {
    constexpr int kRuns = 9;
    constexpr double kTargetMs = 120;
    constexpr std::size_t kTargetBytes = 400 * 1024;
    const Frame capture = renderTestScene({4056, 3040}, 1234, 1'767'225'600'000, 4321);

    std::vector<std::uint8_t> copy(capture.rgb.size());
    const double memcpyMs =
        medianMs(kRuns, [&] { std::memcpy(copy.data(), capture.rgb.data(), capture.rgb.size()); });
    std::size_t fullBytes = 0;
    const double fullEncodeMs = medianMs(kRuns, [&] {
        auto jpeg = encodeJpeg(capture, 80);
        fullBytes = jpeg ? jpeg->size() : 0;
    });
    Frame reduced;
    const double downscaleMs = medianMs(kRuns, [&] { reduced = downscale(capture, 1600); });
    std::size_t photoBytes = 0;
    std::size_t thumbBytes = 0;
    bool ok = true;
    const double pipelineMs = medianMs(kRuns, [&] {
        auto processed = processPhoto(capture);
        ok = ok && processed.ok();
        if (processed) {
            photoBytes = processed->photo.jpeg.size();
            thumbBytes = processed->thumbnail.jpeg.size();
        }
    });

    std::printf("photo pipeline, 4056x3040 simulated frame -> 1600 px q80 + 256 px thumbnail\n");
    std::printf("  median of %d runs\n", kRuns);
    std::printf("  baseline memcpy of the frame (37 MB):   %8.1f ms\n", memcpyMs);
    std::printf("  baseline full-size TurboJPEG q80 encode: %8.1f ms  %zu bytes\n", fullEncodeMs,
                fullBytes);
    std::printf("  downscale 4056x3040 -> 1600x1199 alone:  %8.1f ms\n", downscaleMs);
    std::printf("  pipeline (downscale, encode, thumbnail, SHA-256 x2): %.1f ms\n", pipelineMs);
    std::printf("  stored photo %zu bytes, thumbnail %zu bytes\n", photoBytes, thumbBytes);
    std::printf("  ratio pipeline / full-size encode: %.2f\n", pipelineMs / fullEncodeMs);
    std::printf("  ratio pipeline / memcpy:           %.1f\n", pipelineMs / memcpyMs);
    std::printf("  target <= %.0f ms: %s; target <= %zu bytes: %s\n", kTargetMs,
                pipelineMs <= kTargetMs ? "met" : "MISSED", kTargetBytes,
                photoBytes + thumbBytes <= kTargetBytes ? "met" : "MISSED");
    // Bytes are deterministic and fail the run; time depends on the shared machine and is reported.
    return ok && photoBytes + thumbBytes <= kTargetBytes ? 0 : 1;
}
