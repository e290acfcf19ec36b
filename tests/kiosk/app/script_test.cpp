// The script player (kiosk/script): its waits follow the clock it is given.
#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/i18n.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/flow/ports_fake.hpp"
#include "kiosk/script.hpp"
#include "kiosk/ui.hpp"

using namespace lapor;
using namespace lapor::kiosk;

namespace {

// A host with nothing on screen: enough for "sleep" and "quit", which touch no widget.
struct QuietHost final : ScriptHost {
    FakeClock clock;
    Catalog catalog;
    FakeRegions regions;
    FakeCatalog agencies;
    Flow flow{clock, catalog, regions, agencies, FlowConfig{}};
    Ui ui{catalog};
    bool quitted = false;
    Ui& scriptUi() override { return ui; }
    Flow& scriptFlow() override { return flow; }
    [[nodiscard]] bool hasPreview() const override { return false; }
    [[nodiscard]] bool busy() const override { return false; }
    void requestShot(std::string) override {}
    void quit(int) override { quitted = true; }
    [[nodiscard]] bool settled() const override { return true; }
    [[nodiscard]] std::uint64_t drawnHash() const override { return 0; }
    void requestFrame() override {}
};

}  // namespace

TEST_CASE("script: sleep waits on the injected clock, not the system's") {
    QuietHost host;
    auto steps = parseScript("sleep 5000\nquit\n");
    REQUIRE(steps.ok());
    ScriptPlayer player(std::move(steps.value()), host.clock);
    player.step(host);
    CHECK(player.sleeping());
    host.clock.advance(4'999);
    player.step(host);
    player.step(host);
    CHECK(player.sleeping());
    CHECK_FALSE(host.quitted);
    host.clock.advance(1);
    player.step(host);  // the sleep ends
    player.step(host);  // quit
    CHECK(host.quitted);
    CHECK(player.done());
}
