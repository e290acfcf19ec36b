// libFuzzer entry point for the JPEG decode path (built with -DLAPOR_FUZZ=ON and clang).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/jpeg_decode_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)lapor::fuzz::jpegDecodeOne(data, size);
    return 0;
}
