// A user-space TCP relay that plays a bad network (bandwidth, latency, resets, stalls, outages),
// since the test machines' kernel has no netem. One poll loop thread for all connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace lapor::linkemu {

// Which bytes a reset counts: up is client -> upstream server, down is the answers.
enum class Direction { up, down, any };

[[nodiscard]] Result<Direction> parseDirection(const std::string& text);

// The link's steady character; faults below come on top of it.
struct LinkShape {
    double upBytesPerSecond = 0;           // 0: unlimited; the cap is shared by all connections
    double downBytesPerSecond = 0;         // 0: unlimited
    std::chrono::milliseconds latency{0};  // added one way, in each direction
    std::uint64_t resetEveryBytes = 0;     // reset every connection after this many bytes (both
                                           // directions together); 0: never
};

struct LinkCounters {
    std::uint64_t bytesUp = 0;    // delivered to the upstream server
    std::uint64_t bytesDown = 0;  // delivered back to clients
    std::uint64_t connections = 0;
    std::uint64_t resets = 0;  // connections this emulator reset on purpose
    std::uint64_t open = 0;    // connections open now
};

class LinkEmulator {
  public:
    // Listens on listenHost:listenPort (0: ephemeral) and relays each accepted connection to
    // upstreamHost:upstreamPort (numeric IPv4 addresses).
    [[nodiscard]] static Result<std::unique_ptr<LinkEmulator>> start(
        const std::string& listenHost, std::uint16_t listenPort, const std::string& upstreamHost,
        std::uint16_t upstreamPort, LinkShape shape = {});
    ~LinkEmulator();  // stops the loop and closes every connection
    LinkEmulator(const LinkEmulator&) = delete;
    LinkEmulator& operator=(const LinkEmulator&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void setShape(const LinkShape& shape);
    [[nodiscard]] LinkShape shape() const;
    // Caps both directions at bytesPerSecond for `duration` (zero: until cleared by another call
    // with bytesPerSecond 0), on top of the shape.
    void throttleFor(double bytesPerSecond, std::chrono::milliseconds duration);
    // The next `connections` connections that move data are reset (RST) after `afterBytes` bytes
    // counted from then, in `direction`.
    void armReset(std::uint64_t afterBytes, Direction direction, int connections = 1);
    // No byte moves for `duration` (zero: until setStalled(false)); connections stay open.
    void stallFor(std::chrono::milliseconds duration);
    void setStalled(bool stalled);
    // The network is gone: open connections are reset and new ones reset as soon as accepted,
    // for `duration` (zero: until setDown(false)).
    void downFor(std::chrono::milliseconds duration);
    void setDown(bool down);
    [[nodiscard]] LinkCounters counters() const;
    void resetCounters();

    struct Impl;

  private:
    explicit LinkEmulator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lapor::linkemu
