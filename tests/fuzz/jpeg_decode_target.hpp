// The JPEG decode path as one function over arbitrary bytes: shared by the libFuzzer target and
// the corpus test that runs in every build.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lapor::fuzz {

// Decodes `data` as a JPEG; when that works, downscales and re-encodes the result. Returns true
// when the input decoded. Any crash, sanitizer report or failed check here is a bug.
bool jpegDecodeOne(const std::uint8_t* data, std::size_t size);

}  // namespace lapor::fuzz
