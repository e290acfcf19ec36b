// Shared by the sync benchmarks: an in-process agent wired to a URL, as lapor-syncd wires it.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>

#include "agent_sandbox_support.hpp"
#include "sync/agent.hpp"
#include "sync/uplink_lapor.hpp"

namespace lapor::testing {

struct AgentRun {
    std::unique_ptr<sync::CurlHttpClient> http;
    std::unique_ptr<sync::LaporUplink> uplink;
    sync::SystemRandom random;
    std::unique_ptr<sync::Agent> agent;

    AgentRun(Store& store, const std::string& url, sync::HttpOptions httpOptions,
             sync::AgentOptions options) {
        http = std::make_unique<sync::CurlHttpClient>(httpOptions);
        uplink = std::make_unique<sync::LaporUplink>(
            *http, sync::LaporUplinkOptions{{url, 1 << 20, 60'000}, kSandboxToken},
            SystemClock::instance());
        agent =
            std::make_unique<sync::Agent>(store, *uplink, options, SystemClock::instance(), random);
        agent->setStopHook([this] { http->cancel(); });
    }
};

struct DrainResult {
    double seconds = 0;
    std::uint64_t delivered = 0;
    bool finished = false;
};

// Runs the agent until nothing is left to send or `limit` passes.
inline DrainResult drainFor(Store& store, sync::Agent& agent, std::chrono::seconds limit) {
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(agent.start().ok());
    DrainResult r;
    r.finished = waitUntil(
        [&] {
            auto c = store.counts();
            return c.ok() && c->count(OutboxState::queued) == 0 &&
                   c->count(OutboxState::sending) == 0 && c->count(OutboxState::failed) == 0;
        },
        limit);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    agent.stop();
    auto c = store.counts();
    REQUIRE(c.ok());
    for (const auto& [state, n] : c->perState) {
        r.delivered += isDelivered(state) ? n : 0;  // statuses may have moved some past delivered
    }
    return r;
}

}  // namespace lapor::testing
