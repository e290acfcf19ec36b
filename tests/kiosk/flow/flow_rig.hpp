// The flow tests' rig: a flow over fakes with a fake clock, and walks to any screen with valid
// input (shared by flow_test.cpp and flow_staff_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include "core/clock.hpp"
#include "core/i18n.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/flow/ports_fake.hpp"

namespace lapor::kiosk::testing {

inline constexpr const char* kNik = "1101011505900001";  // district 11.01.01, born 15-05-1990

struct Rig {
    FakeClock clock;
    Catalog catalog;
    FakeRegions regions;
    FakeCatalog agencies;
    FakeSink sink;
    Flow flow;
    static FlowConfig config() {
        FlowConfig c;
        c.office = "Kantor Kecamatan Uji";
        return c;
    }
    Rig() : flow(clock, catalog, regions, agencies, config()) {
        catalog.add(Lang::id, "kiosk.kind.title", "Jenis laporan");
        catalog.add(Lang::en, "kiosk.kind.title", "Kind of report");
        catalog.add(Lang::id, "kiosk.kind.help", "Pilih satu");
    }

    DraftPhoto photo(std::uint8_t tag) {
        DraftPhoto p;
        p.photo.jpeg = {0xFF, 0xD8, tag, 0xFF, 0xD9};
        p.photo.sha256Hex = std::string(64, 'a' + tag % 6);
        p.thumbnail.jpeg = {0xFF, 0xD8, tag};
        return p;
    }

    void pickVillage() {
        flow.pickRegion(0);  // Aceh
        flow.pickRegion(0);  // Kab. Aceh Selatan
        flow.pickRegion(0);  // Bakongan
        flow.pickRegion(0);  // Keude Bakongan (a village)
    }

    // Walks to `target` with valid input everywhere.
    void walkTo(Screen target, bool anonymous = false) {
        flow.start();
        if (target == Screen::kind)
            return;
        flow.chooseKind(ReportKind::pengaduan);
        if (target == Screen::what)
            return;
        flow.setText(Field::title, "Jalan rusak di depan pasar");
        flow.setText(Field::body, "Jalan berlubang besar sejak dua bulan, banyak motor jatuh.");
        pickVillage();
        flow.setText(Field::place, "Jl. Merdeka No. 5, RT 02/RW 03");
        flow.next();
        if (target == Screen::whom)
            return;
        flow.chooseAgency("kemenkes");
        flow.chooseTopic("kesehatan.bpjs");
        flow.next();
        if (target == Screen::privacy)
            return;
        flow.setAnonymous(anonymous);
        flow.next();
        if (target == Screen::about || target == Screen::photos) {
            if (!anonymous && target == Screen::photos) {
                fillIdentity();
                flow.next();
            }
            return;
        }
        if (!anonymous) {
            fillIdentity();
            flow.next();
        }
        flow.next();  // photos -> review
    }
    void fillIdentity() {
        flow.setText(Field::name, "Siti Aminah");
        flow.setText(Field::nik, kNik);
        flow.setText(Field::phone, "0812-3456-7890");
    }
};

}  // namespace lapor::kiosk::testing
