// Staff PIN hashing: the time and memory of one sign-in at the kiosk's Argon2id cost, against
// libsodium's "interactive" cost measured in the same run, and what that cost means for someone
// who copied the hashes and tries every 6-digit PIN.
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "core/staff.hpp"

using namespace lapor;
using namespace lapor::staff;

namespace {

// Median milliseconds of `runs` verifications of a hash made at `cost`; -1 on failure.
double medianVerifyMs(const HashCost& cost, int runs) {
    auto hash = hashPin("240517", cost);
    if (!hash) {
        return -1;
    }
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const bool ok = pinMatches(*hash, "240517");
        const auto t1 = std::chrono::steady_clock::now();
        if (!ok) {
            return -1;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int main() {
    const HashCost kiosk;  // the default the kiosk and lapor-ctl use
    const HashCost interactive{crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE};
    const double base = medianVerifyMs(interactive, 5);
    const double ours = medianVerifyMs(kiosk, 5);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("staff PIN hash (Argon2id): ops %llu, memory %zu MiB\n", kiosk.opsLimit,
                kiosk.memLimitBytes >> 20);
    std::printf("  sign-in check p50 %.1f ms; libsodium interactive cost %.1f ms; ratio %.2f\n",
                ours, base, base > 0 ? ours / base : -1.0);
    std::printf("  peak RSS %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
    // An attacker with the hash file and this CPU, one core: all 10^6 six-digit PINs.
    const double days = ours * 1e6 / 1000.0 / 86400.0;
    std::printf("  trying every 6-digit PIN on one such core: %.1f days\n", days);
    if (base <= 0 || ours <= 0) {
        std::fprintf(stderr, "staff_bench: a measurement failed\n");
        return 1;
    }
    // Targets: a sign-in answers within a second on the kiosk; the cost is at least libsodium's
    // interactive one (the kiosk's cost must not be the weaker of the two).
    // Its memory stays inside the kiosk's budget: 80 MB less the kiosk's measured 46 MiB peak.
    if (kiosk.memLimitBytes > (std::size_t{32} << 20)) {
        std::fprintf(stderr, "staff_bench: %zu MiB per sign-in is beyond the kiosk's memory room\n",
                     kiosk.memLimitBytes >> 20);
        return 1;
    }
    if (ours > 1000.0 || ours < base * 0.9) {
        std::fprintf(stderr, "staff_bench: sign-in check %.1f ms is outside its target\n", ours);
        return 1;
    }
    return 0;
}
