// Translation catalog: PO loading, fallbacks, placeholders, and id/en parity of the shipped files.
#include <doctest/doctest.h>

#include <unistd.h>
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/i18n.hpp"

using namespace lapor;

namespace {

// A fresh temporary directory removed at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "lapor-i18n-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& content) const {
        std::ofstream(path / name) << content;
    }
};

const char* kHeader = "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n";

}  // namespace

TEST_CASE("language codes") {
    CHECK(langCode(Lang::id) == "id");
    CHECK(langCode(Lang::en) == "en");
    CHECK(parseLang("id") == Lang::id);
    CHECK(parseLang("EN") == Lang::en);
    CHECK(parseLang("id_ID.UTF-8") == Lang::id);
    CHECK(parseLang("en-US") == Lang::en);
    CHECK_FALSE(parseLang("fr").has_value());
    CHECK_FALSE(parseLang("").has_value());
    CHECK_FALSE(parseLang("ind").has_value());
}

TEST_CASE("placeholders are substituted, unknown ones kept") {
    CHECK(substitute("NIK harus {want} angka; Anda mengetik {got}.",
                     {{"want", "16"}, {"got", "15"}}) == "NIK harus 16 angka; Anda mengetik 15.");
    CHECK(substitute("{a}{a} {b}", {{"a", "x"}}) == "xx {b}");
    CHECK(substitute("no braces", {}) == "no braces");
    CHECK(substitute("open { only", {{"x", "y"}}) == "open { only");
    CHECK(substitute("{}", {}) == "{}");
}

TEST_CASE("catalog loads every domain and language from a directory") {
    TempDir dir;
    dir.write("core.id.po", std::string(kHeader) +
                                "msgid \"a.b\"\nmsgstr \"Halo {name}\"\n\n"
                                "msgid \"a.empty\"\nmsgstr \"\"\n\n"
                                "#~ msgid \"a.old\"\n#~ msgstr \"lama\"\n");
    dir.write("core.en.po", std::string(kHeader) + "msgid \"a.b\"\nmsgstr \"Hello {name}\"\n");
    dir.write("kiosk.id.po", std::string(kHeader) + "msgid \"k.c\"\nmsgstr \"Kios\"\n");
    dir.write("core.fr.po", std::string(kHeader) + "msgid \"a.b\"\nmsgstr \"Bonjour\"\n");
    dir.write("README", "not a po file");

    auto loaded = Catalog::loadDir(dir.path);
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
    const Catalog& c = *loaded;
    CHECK(c.render(Lang::id, Text{"a.b", {{"name", "Budi"}}}) == "Halo Budi");
    CHECK(c.render(Lang::en, Text{"a.b", {{"name", "Budi"}}}) == "Hello Budi");
    CHECK(c.tr(Lang::id, "k.c") == "Kios");
    CHECK(c.has(Lang::id, "k.c"));
    CHECK_FALSE(c.has(Lang::en, "k.c"));
    CHECK(c.tr(Lang::en, "k.c") == "k.c");    // missing: the key itself
    CHECK(c.tr(Lang::en, "k.c") == "k.c");    // (warned once, still the key)
    CHECK_FALSE(c.has(Lang::id, "a.empty"));  // empty msgstr counts as missing
    CHECK(c.tr(Lang::id, "a.empty") == "a.empty");
    CHECK_FALSE(c.has(Lang::id, "a.old"));  // obsolete entries are not loaded
    CHECK(c.keys(Lang::id) == std::vector<std::string>{"a.b", "k.c"});
    CHECK(c.keys(Lang::en) == std::vector<std::string>{"a.b"});
}

TEST_CASE("PO syntax errors are reported with file and line") {
    TempDir dir;
    dir.write("core.id.po", std::string(kHeader) +
                                "msgid \"ok\"\nmsgstr \"baik\"\n\n"
                                "msgid \"broken\"\nmsgstr \"no closing quote\n");
    auto loaded = Catalog::loadDir(dir.path);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == Errc::corrupt);
    INFO(loaded.error().message);
    // The lexer notices the open string at the end of line 9 (libgettextpo says 9 or 10).
    const auto& msg = loaded.error().message;
    CHECK((msg.find("core.id.po:9:") != std::string::npos ||
           msg.find("core.id.po:10:") != std::string::npos));

    // The reader recovers: a good file read afterwards on the same thread loads fine.
    TempDir good;
    good.write("core.id.po", std::string(kHeader) + "msgid \"ok\"\nmsgstr \"baik\"\n");
    CHECK(Catalog::loadDir(good.path).ok());
}

TEST_CASE("a key defined twice for one language is refused") {
    TempDir dir;
    dir.write("core.en.po", std::string(kHeader) + "msgid \"x\"\nmsgstr \"one\"\n");
    dir.write("kiosk.en.po", std::string(kHeader) + "msgid \"x\"\nmsgstr \"two\"\n");
    auto loaded = Catalog::loadDir(dir.path);
    REQUIRE_FALSE(loaded.ok());
    INFO(loaded.error().message);
    CHECK(loaded.error().message.find("core.en.po") != std::string::npos);
    CHECK(loaded.error().message.find("kiosk.en.po") != std::string::npos);
}

TEST_CASE("missing directory or no PO files is an error") {
    CHECK_FALSE(Catalog::loadDir("/nonexistent/lapor/po").ok());
    TempDir empty;
    CHECK(Catalog::loadDir(empty.path).error().code == Errc::notFound);
}

TEST_CASE("shipped PO files: id and en have the same keys per domain, none empty") {
    const std::filesystem::path poDir = std::filesystem::path(LAPOR_SOURCE_DIR) / "po";
    // domain -> lang -> keys
    std::map<std::string, std::map<std::string, std::set<std::string>>> domains;
    for (const auto& entry : std::filesystem::directory_iterator(poDir)) {
        if (entry.path().extension() != ".po") {
            continue;
        }
        const std::string stem = entry.path().stem().string();
        const auto dot = stem.rfind('.');
        REQUIRE_MESSAGE(dot != std::string::npos, "PO file not named <domain>.<lang>.po: " << stem);
        const std::string domain = stem.substr(0, dot);
        const std::string lang = stem.substr(dot + 1);
        REQUIRE_MESSAGE(parseLang(lang).has_value(), "unknown language in " << stem);
        auto entries = readPoFile(entry.path());
        REQUIRE_MESSAGE(entries.ok(), (entries.ok() ? "" : entries.error().message));
        auto& keys = domains[domain][lang];
        for (const auto& e : *entries) {
            CHECK_MESSAGE(!e.text.empty(), stem << ":" << e.line << ": empty msgstr for " << e.key);
            CHECK_MESSAGE(keys.insert(e.key).second, stem << ": duplicate key " << e.key);
        }
    }
    REQUIRE(domains.count("core") == 1);
    for (const auto& domainLangs : domains) {
        // (no structured binding: clang 14 cannot capture one in doctest's message lambdas)
        const std::string& domain = domainLangs.first;
        const auto& langs = domainLangs.second;
        for (const Lang lang : kAllLangs) {
            CHECK_MESSAGE(langs.count(std::string(langCode(lang))) == 1,
                          domain << " has no " << langCode(lang) << " file");
        }
        const auto& id = langs.count("id") ? langs.at("id") : std::set<std::string>{};
        const auto& en = langs.count("en") ? langs.at("en") : std::set<std::string>{};
        for (const auto& k : id) {
            CHECK_MESSAGE(en.count(k) == 1, domain << ".en.po lacks " << k);
        }
        for (const auto& k : en) {
            CHECK_MESSAGE(id.count(k) == 1, domain << ".id.po lacks " << k);
        }
    }
    // And the whole directory loads as one catalog (no key defined twice across domains).
    auto catalog = Catalog::loadDir(poDir);
    REQUIRE_MESSAGE(catalog.ok(), (catalog.ok() ? "" : catalog.error().message));
}

TEST_CASE("default PO directory honours LAPOR_PO_DIR") {
    const char* old = std::getenv("LAPOR_PO_DIR");
    const std::string saved = old != nullptr ? old : "";
    setenv("LAPOR_PO_DIR", "/tmp/somewhere", 1);
    CHECK(defaultPoDir() == "/tmp/somewhere");
    unsetenv("LAPOR_PO_DIR");
    const auto dir = defaultPoDir();
    CHECK((dir == "/usr/share/lapor/po" || dir == std::filesystem::path(LAPOR_SOURCE_DIR) / "po"));
    if (old != nullptr) {
        setenv("LAPOR_PO_DIR", saved.c_str(), 1);
    }
}

TEST_CASE("catalogs load from several threads at once") {
    // libgettextpo's parser has global state; the catalog serializes reads.
    const std::filesystem::path poDir = std::filesystem::path(LAPOR_SOURCE_DIR) / "po";
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                auto c = Catalog::loadDir(poDir);
                if (c.ok() && c->has(Lang::id, "validation.nik.length")) {
                    ++good;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(good == 20);
}
