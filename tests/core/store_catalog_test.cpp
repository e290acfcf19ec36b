// The agency catalog: the protocol's JSON, its checks, and the shipped default.
#include <doctest/doctest.h>

#include "core/catalog.hpp"

using namespace lapor;

TEST_CASE("catalog: the protocol's JSON parses, round-trips and keeps topic trees") {
    const char* json = R"({"version": "2026-11-01",
      "agencies": [{"id": "kemen-pupr", "name": "Kementerian Pekerjaan Umum dan Perumahan Rakyat",
                    "topics": [{"id": "infrastruktur", "name": "Infrastruktur", "parent": null},
                               {"id": "jalan-rusak", "name": "Jalan Rusak", "name_en": "Damaged roads",
                                "parent": "infrastruktur"}]}]})";
    auto c = parseCatalogJson(json, "etag-1");
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    CHECK(c->etag == "etag-1");
    CHECK(c->version == "2026-11-01");
    const Topic* t = c->findTopic("kemen-pupr", "jalan-rusak");
    REQUIRE(t != nullptr);
    CHECK(t->parentId == "infrastruktur");
    CHECK(t->name.in("en") == "Damaged roads");
    CHECK(c->findAgency("kemen-pupr")->findTopic("infrastruktur")->name.in("en") ==
          "Infrastruktur");
    CHECK(c->findAgency("kemen-pupr")->childrenOf("").size() == 1);
    auto again = parseCatalogJson(catalogToJson(*c), "etag-1");
    REQUIRE(again.ok());
    CHECK(*again == *c);
}

TEST_CASE("catalog: malformed catalogs are refused with the offending ID") {
    auto refused = [](const char* json) {
        auto c = parseCatalogJson(json, "");
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == Errc::invalidInput);
        return c.error().message;
    };
    CHECK(refused("[]").find("object") != std::string::npos);
    CHECK(refused(R"({"version":"1","agencies":[{"id":"a","name":"A"},{"id":"a","name":"B"}]})")
              .find("a twice") != std::string::npos);
    CHECK(refused(R"({"version":"1","agencies":[{"id":"a","name":"A","topics":[
                {"id":"t","name":"T","parent":"ghost"}]}]})")
              .find("ghost") != std::string::npos);
    CHECK(refused(R"({"version":"1","agencies":[{"id":"a","name":"A","topics":[
                {"id":"x","name":"X","parent":"y"},{"id":"y","name":"Y","parent":"x"}]}]})")
              .find("cycle") != std::string::npos);
    CHECK(refused(R"({"version":"1","agencies":[{"id":"","name":"A"}]})").find("without id") !=
          std::string::npos);
    refused(R"({"agencies":[]})");  // no version
}

TEST_CASE("catalog: the shipped default holds real agencies with topic trees") {
    auto c = loadDefaultCatalog(LAPOR_SOURCE_DIR);
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    CHECK(c->etag == "default-" + c->version);
    for (const char* id :
         {"kemenkes", "kemendikbudristek", "bpjs-kesehatan", "pln", "pemda", "polri", "dukcapil"}) {
        CAPTURE(id);
        const Agency* a = c->findAgency(id);
        REQUIRE(a != nullptr);
        CHECK_FALSE(a->topics.empty());
        CHECK_FALSE(a->name.en.empty());
    }
    std::size_t children = 0;
    for (const auto& a : c->agencies) {
        for (const auto& t : a.topics)
            children += t.parentId.empty() ? 0 : 1;
    }
    CHECK(children > 20);
    CHECK(loadDefaultCatalog("/nonexistent").error().code == Errc::notFound);
}
