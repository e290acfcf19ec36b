// End-to-end with real X events (tests/kiosk/e2e/x_driver.hpp): one event per tap (press and
// release sent at once, as a finger's quick tap arrives), held taps, drags, and the physical
// keyboard, through the whole flow to the receipt, checking each screen as it settles.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "core/store.hpp"
#include "tests/kiosk/e2e/x_driver.hpp"

namespace fs = std::filesystem;
using namespace lapor;
using lapor::testing::x::Driver;
using lapor::testing::x::Rect;
using lapor::testing::x::run;

namespace {
const fs::path kOut = fs::path(LAPOR_BINARY_DIR) / "kiosk-e2e" / "real-events";
}  // namespace

TEST_CASE("real X events: a whole report, one event per tap, each screen drawn at once") {
    if (run("command -v xdotool >/dev/null && command -v Xvfb >/dev/null && "
            "command -v import >/dev/null") != 0) {
        FAIL("xdotool, Xvfb and ImageMagick's import are needed (tools/debian-packages.txt)");
    }
    Driver d(kOut);
    d.settle("welcome", "start");
    d.tap("welcome.start", "kind");
    CHECK(d.last().scrollY == 0);
    // A drag that begins on a card never picks it.
    d.drag("kind.pengaduan", 40, "kind");
    d.slowTap("kind.pengaduan", 400, "what");
    CHECK(d.last().scrollY == 0);
    CHECK(d.last().visible("what.title"));

    // Next with nothing filled in: messages, still on this screen, the fields where they were.
    const Rect before = *d.last().visible("what.title");
    d.tap("nav.next", "what");
    CHECK(d.last().visible("what.title")->y0 == before.y0);
    REQUIRE(d.last().visible("what.body"));
    const Rect bodyWithError = *d.last().visible("what.body");

    d.tap("what.title", "what");
    CHECK(d.last().editing == "what.title");
    d.typeOnScreen("jalan rusak", "what");
    d.tap("kb.done", "what");
    CHECK(d.last().editing == "-");
    // The title's message is gone; the field below it stays where the finger expects it.
    REQUIRE(d.last().visible("what.body"));
    CHECK(d.last().visible("what.body")->y0 == bodyWithError.y0);

    d.tap("what.body", "what");
    REQUIRE(d.last().editing == "what.body");
    d.typeKeys("Jalan berlubang besar sejak dua bulan", "what");
    d.key("Return", "what");
    CHECK(d.last().editing == "-");

    d.tap("what.region", "what");
    // The place picker opens at its top, with its search box in view.
    CHECK(d.last().scrollY == 0);
    CHECK(d.last().visible("region.search"));
    d.tap("region.search", "what");
    CHECK(d.last().editing == "region.search");
    d.typeKeys("keude bakongan", "what");
    d.key("Return", "what");
    d.tap("region.choice.0", "what");
    d.tap("nav.next", "whom");
    CHECK(d.last().scrollY == 0);
    d.tap("whom.agency.pemda", "whom");
    d.tap("whom.topic.jalan-rusak", "whom");
    d.tap("nav.next", "privacy");
    d.tap("privacy.anonymous", "privacy");
    d.slowTap("nav.next", 300, "photos");
    d.tap("nav.next", "review");
    CHECK(d.last().scrollY == 0);

    // Send without consent: the consent comes into view with its message; Send stays in view.
    d.tap("review.send", "review");
    CHECK(d.last().visible("review.consent"));
    CHECK(d.last().visible("review.send"));
    d.tap("review.consent", "review");
    d.tap("review.send", "");
    d.settle("receipt", "saved");
    CHECK(d.last().visible("receipt.done"));
    CHECK(d.shots() > 30);

    // The report, as typed with real keys and taps.
    crypto::KeySource ks;
    ks.keyFile = (d.state() / "keys" / "store.key").string();
    auto key = crypto::loadKey(ks, "");
    REQUIRE(key.ok());
    StoreOptions o;
    o.path = (d.state() / "store").string();
    o.key = std::move(key.value());
    auto store = Store::open(std::move(o));
    REQUIRE(store.ok());
    auto all = store.value()->listAll();
    REQUIRE(all.ok());
    REQUIRE(all.value().size() == 1);
    auto r = store.value()->loadReport(all.value()[0].uuid);
    REQUIRE(r.ok());
    CHECK(r.value().kind == ReportKind::pengaduan);
    CHECK(r.value().title == "jalan rusak");
    CHECK(r.value().body == "Jalan berlubang besar sejak dua bulan");
    CHECK(r.value().regionCode.rfind("11.01.01.", 0) == 0);
    CHECK(r.value().anonymous);
}
