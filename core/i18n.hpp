// Translation catalog: symbolic keys ("validation.nik.length") to Bahasa Indonesia and English
// text, loaded from the gettext PO files po/<domain>.<lang>.po.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace lapor {

// The languages a visitor can pick. Bahasa Indonesia first: it is the default.
enum class Lang { id, en };

inline constexpr Lang kAllLangs[] = {Lang::id, Lang::en};

// "id" or "en": the suffix of the PO files and the value stored in Report::language.
[[nodiscard]] std::string_view langCode(Lang lang);
// Accepts "id"/"en" (any case, also "id_ID", "en-US"); anything else is nullopt.
[[nodiscard]] std::optional<Lang> parseLang(std::string_view code);

// A message to show, not yet in a language: a catalog key plus values for its "{name}"
// placeholders. Argument values are inserted verbatim (they are numbers, field names or the
// visitor's own input).
struct Text {
    std::string key;
    std::vector<std::pair<std::string, std::string>> args;
    friend bool operator==(const Text&, const Text&) = default;
};

// One PO entry as read from a file.
struct PoEntry {
    std::string key;   // msgid
    std::string text;  // msgstr (may be empty: untranslated)
    std::size_t line = 0;
};

// Reads one PO file with libgettextpo. Syntax errors come back as Errc::corrupt with "file:line:
// what" for every problem found. Skips the header and obsolete entries.
[[nodiscard]] Result<std::vector<PoEntry>> readPoFile(const std::filesystem::path& file);

class Catalog {
  public:
    Catalog();

    // Loads every <domain>.<lang>.po in poDir for every Lang. A key defined twice for one language
    // (in one file or across domains) is an error, as is a directory without any PO file.
    [[nodiscard]] static Result<Catalog> loadDir(const std::filesystem::path& poDir);

    // The text for key; a missing or empty entry falls back to the key itself (and logs one
    // warning per key and language), so a gap shows up on screen instead of as a blank.
    [[nodiscard]] std::string tr(Lang lang, std::string_view key) const;
    // tr() of text.key with every "{name}" replaced by its argument; unknown placeholders stay.
    [[nodiscard]] std::string render(Lang lang, const Text& text) const;
    [[nodiscard]] bool has(Lang lang, std::string_view key) const;
    // All keys with a non-empty translation in lang, sorted.
    [[nodiscard]] std::vector<std::string> keys(Lang lang) const;

    // For tests and tools that build a catalog without files.
    void add(Lang lang, std::string key, std::string text);

  private:
    struct Warned;
    std::map<std::string, std::string, std::less<>> messages_[2];
    std::shared_ptr<Warned> warned_;  // shared so that Catalog stays copyable and movable
};

// Replaces every "{name}" in pattern by its value from args; unknown placeholders stay as written.
[[nodiscard]] std::string substitute(std::string_view pattern,
                                     const std::vector<std::pair<std::string, std::string>>& args);

// Where the PO files are: $LAPOR_PO_DIR, else /usr/share/lapor/po if present, else the source
// tree's po/ (LAPOR_SOURCE_DIR), so that programs run from a build directory find them.
[[nodiscard]] std::filesystem::path defaultPoDir();

}  // namespace lapor
