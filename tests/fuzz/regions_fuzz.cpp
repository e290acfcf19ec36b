// libFuzzer target for the region table: loads arbitrary files (checksum fixed up, so the
// structural checks are what is tested) and runs arbitrary queries against them.
// Input: one byte n, n bytes of query, then the file. Seeds in tests/fuzz/corpus/regions/.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/regions.hpp"
#include "core/regions_format.hpp"

namespace fmt = lapor::regions_format;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::size_t queryLength = std::min<std::size_t>(data[0], size - 1);
    const std::string_view query(reinterpret_cast<const char*>(data + 1), queryLength);
    std::vector<unsigned char> file(data + 1 + queryLength, data + size);
    if (file.size() >= sizeof(fmt::FileHeader)) {
        fmt::FileHeader header;
        std::memcpy(&header, file.data(), sizeof header);
        header.checksum = fmt::computeChecksum(file.data(), file.size());
        std::memcpy(file.data(), &header, sizeof header);
    }
    const int fd = ::memfd_create("regions_fuzz", MFD_CLOEXEC);
    if (fd < 0 || ::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
        if (fd >= 0) {
            ::close(fd);
        }
        return 0;
    }
    const auto table = lapor::RegionTable::load("/proc/self/fd/" + std::to_string(fd));
    ::close(fd);
    if (!table.ok()) {
        return 0;
    }
    const lapor::RegionTable& t = table.value();
    for (const auto& hit : t.search(query, 25)) {
        (void)t.displayName(hit.region);
        (void)t.children(hit.region.code);
    }
    for (const auto& region : t.children("")) {
        (void)t.displayName(region);
    }
    (void)t.find(query);
    (void)t.children(query);
    (void)t.hasDistrictDigits(query);
    return 0;
}
