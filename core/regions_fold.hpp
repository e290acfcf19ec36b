// Folding of region names and queries into search words: one function for the index and the query.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lapor {

// The search form of a name or query: lower-case ASCII letters and digits; Latin-1 and Latin
// Extended-A letters folded to their base letter ("É" -> "e", "ş" -> "s"); combining accents
// dropped; apostrophes (' ’ ‘ ` ´ ʼ) dropped so "Regapu’u" == "regapuu"; every other character
// (spaces, hyphens, dots, other scripts, invalid UTF-8) separates words. Words are joined by one
// space, no space at either end. Invalid UTF-8 never fails; it only separates.
[[nodiscard]] std::string foldForSearch(std::string_view text);

// The words of a folded string (views into it).
[[nodiscard]] std::vector<std::string_view> splitFoldedWords(std::string_view folded);

}  // namespace lapor
