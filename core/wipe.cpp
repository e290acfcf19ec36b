// Secure wipe with sodium_memzero, which the compiler may not optimize away like a plain memset.
#include "core/wipe.hpp"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace lapor {

void wipeString(std::string& s) noexcept {
    // Growing to capacity never reallocates and makes the whole buffer ours to write legally.
    s.resize(s.capacity());
    sodium_memzero(s.data(), s.size());
    s.clear();
}

void wipeBytes(std::vector<std::uint8_t>& bytes) noexcept {
    bytes.resize(bytes.capacity());
    sodium_memzero(bytes.data(), bytes.size());
    bytes.clear();
    bytes.shrink_to_fit();
}

void wipeIdentity(Identity& identity) noexcept {
    wipeString(identity.name);
    wipeString(identity.nik);
    wipeString(identity.phone);
    wipeString(identity.email);
}

void wipeReport(Report& report) noexcept {
    for (std::string* s :
         {&report.uuid, &report.receiptCode, &report.title, &report.body, &report.regionCode,
          &report.place, &report.agencyId, &report.topicId, &report.assistedBy, &report.deviceId,
          &report.office, &report.language, &report.replacesUuid}) {
        wipeString(*s);
    }
    wipeIdentity(report.identity);
    report = Report{};
}

void wipePhotos(std::vector<Photo>& photos) noexcept {
    for (Photo& photo : photos) {
        wipeBytes(photo.jpeg);
        wipeString(photo.sha256Hex);
        photo.width = 0;
        photo.height = 0;
    }
    photos.clear();
}

void wipeClips(std::vector<Clip>& clips) noexcept {
    for (Clip& clip : clips) {
        wipeBytes(clip.bytes);
        wipeString(clip.sha256Hex);
        clip = Clip{};
    }
    clips.clear();
}

bool excludeFromCoreDumps() noexcept {
    const rlimit none{0, 0};
    const bool limited = setrlimit(RLIMIT_CORE, &none) == 0;
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && limited;
}

}  // namespace lapor
