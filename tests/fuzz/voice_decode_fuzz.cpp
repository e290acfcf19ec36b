// libFuzzer entry point for a spoken note's decoder (built with -DLAPOR_FUZZ=ON and clang): any
// bytes given to decodeVoice() (a stored note read back, a note played on the review screen) give
// samples or Errc::corrupt, never a crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hardware/voice.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int rate = 0;
    auto samples = lapor::hw::decodeVoice(std::span<const std::uint8_t>(data, size), &rate);
    if (samples.ok() && rate <= 0) {
        __builtin_trap();  // decoded samples must come with their rate
    }
    return 0;
}
