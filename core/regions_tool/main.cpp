// lapor-regions-tool: converts data/wilayah.tsv into regions.bin (run by the build, see
// CMakeLists).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/durable_file.hpp"
#include "core/regions_fold.hpp"
#include "core/regions_format.hpp"

namespace fmt = lapor::regions_format;

namespace {

struct Row {
    std::string code;
    std::string name;
    std::uint8_t level = 0;
    std::int32_t parent = -1;
};

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "lapor-regions-tool: " << message << "\n";
    std::exit(1);
}

// "11", "11.01", "11.01.01", "11.01.01.2001": the level, or 0 when the code is malformed.
std::uint8_t levelOfCode(std::string_view code) {
    static constexpr std::size_t kSegmentDigits[] = {2, 2, 2, 4};
    std::uint8_t level = 0;
    std::size_t pos = 0;
    while (true) {
        if (level == 4) {
            return 0;
        }
        const std::size_t digits = kSegmentDigits[level];
        if (pos + digits > code.size()) {
            return 0;
        }
        for (std::size_t k = 0; k < digits; ++k) {
            if (code[pos + k] < '0' || code[pos + k] > '9') {
                return 0;
            }
        }
        pos += digits;
        ++level;
        if (pos == code.size()) {
            return level;
        }
        if (code[pos] != '.') {
            return 0;
        }
        ++pos;
    }
}

bool hasControlCharacters(std::string_view text) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            return true;
        }
    }
    return false;
}

// The decree's text has a few names with a trailing space ("Kota Administrasi Jakarta Utara ").
std::string trimSpaces(std::string text) {
    const std::size_t first = text.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::vector<Row> readRows(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail("cannot open " + path.string());
    }
    std::vector<Row> rows;
    std::unordered_map<std::string, std::int32_t> indexByCode;
    std::string line;
    std::size_t lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        const std::string where = path.string() + ":" + std::to_string(lineNumber) + ": ";
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty()) {
            continue;
        }
        const std::size_t tab = line.find('\t');
        if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos) {
            fail(where + "expected code<TAB>name");
        }
        Row row{line.substr(0, tab), trimSpaces(line.substr(tab + 1)), 0, -1};
        row.level = levelOfCode(row.code);
        if (row.level == 0) {
            fail(where + "malformed code");
        }
        if (row.name.empty() || row.name.size() > fmt::kMaxNameLength ||
            hasControlCharacters(row.name)) {
            fail(where + "empty or too long name, or control characters in it");
        }
        if (!rows.empty() && !(rows.back().code < row.code)) {
            fail(where + "codes must be unique and sorted");
        }
        if (row.level > 1) {
            const auto parent = indexByCode.find(row.code.substr(0, row.code.rfind('.')));
            if (parent == indexByCode.end()) {
                fail(where + "parent region missing");
            }
            row.parent = parent->second;
        }
        indexByCode.emplace(row.code, static_cast<std::int32_t>(rows.size()));
        rows.push_back(std::move(row));
    }
    if (rows.empty()) {
        fail(path.string() + ": no regions");
    }
    return rows;
}

// How many leading words of a regency's name say what kind it is: "Kabupaten", "Kota", and
// "Kabupaten/Kota Administrasi" in Jakarta. Search treats the name without them as exact too.
std::uint8_t regencyTypeWords(std::uint8_t level, const std::vector<std::string_view>& words) {
    if (level != 2 || words.size() < 2 || (words[0] != "kabupaten" && words[0] != "kota")) {
        return 0;
    }
    return words.size() > 2 && words[1] == "administrasi" ? 2 : 1;
}

template <class T>
void appendBytes(std::vector<unsigned char>& out, const T* data, std::size_t count) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    out.insert(out.end(), bytes, bytes + sizeof(T) * count);
    while (out.size() % 8 != 0) {
        out.push_back(0);
    }
}

std::uint32_t checkedU32(std::size_t value) {
    if (value > UINT32_MAX) {
        fail("table too large for the format");
    }
    return static_cast<std::uint32_t>(value);
}

std::vector<unsigned char> buildTable(const std::vector<Row>& rows) {
    fmt::FileHeader header{};
    std::memcpy(header.magic, fmt::kMagic, sizeof header.magic);
    header.version = fmt::kVersion;
    header.headerSize = sizeof(fmt::FileHeader);
    header.recordCount = checkedU32(rows.size());

    // Words of every name; std::map keeps them sorted, postings come out ascending.
    std::map<std::string, std::vector<std::uint32_t>, std::less<>> postingsByWord;
    std::vector<fmt::RecordEntry> records(rows.size());
    std::vector<std::vector<std::uint32_t>> childrenOf(rows.size());
    std::vector<std::uint32_t> roots;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& row = rows[i];
        const std::string folded = lapor::foldForSearch(row.name);
        const auto words = lapor::splitFoldedWords(folded);
        if (words.empty() || words.size() > UINT8_MAX) {
            fail(row.code + ": name has no searchable words");
        }
        fmt::RecordEntry& r = records[i];
        r.level = row.level;
        r.parent = row.parent;
        r.wordCount = static_cast<std::uint8_t>(words.size());
        r.typeWordCount = regencyTypeWords(row.level, words);
        for (const auto word : words) {
            auto& list = postingsByWord[std::string(word)];
            if (list.empty() || list.back() != i) {
                list.push_back(static_cast<std::uint32_t>(i));
            }
        }
        ++header.levelCounts[row.level - 1];
        (row.parent < 0 ? roots : childrenOf[static_cast<std::size_t>(row.parent)])
            .push_back(static_cast<std::uint32_t>(i));
    }

    // String pool: the word texts first (back to back, '\n' after each), then codes and names.
    std::string pool;
    std::vector<fmt::TokenEntry> tokens;
    std::vector<std::uint32_t> postings;
    for (const auto& [word, list] : postingsByWord) {
        tokens.push_back({checkedU32(pool.size()), checkedU32(word.size()),
                          checkedU32(postings.size()), checkedU32(list.size())});
        pool += word;
        pool += '\n';
        postings.insert(postings.end(), list.begin(), list.end());
    }
    // Suffix array of the words, for matches inside a word (see regions_format.hpp).
    std::vector<fmt::SuffixEntry> suffixes;
    if (tokens.size() > fmt::kMaxSuffixToken) {
        fail("too many distinct words for the suffix array");
    }
    for (std::uint32_t t = 0; t < tokens.size(); ++t) {
        for (std::uint32_t offset = 1; offset < tokens[t].textLength; ++offset) {
            suffixes.push_back(fmt::makeSuffix(t, offset));
        }
    }
    auto suffixText = [&](fmt::SuffixEntry e) {
        const fmt::TokenEntry& token = tokens[fmt::suffixToken(e)];
        return std::string_view(pool).substr(token.textOffset + fmt::suffixOffset(e),
                                             token.textLength - fmt::suffixOffset(e));
    };
    std::sort(suffixes.begin(), suffixes.end(), [&](fmt::SuffixEntry a, fmt::SuffixEntry b) {
        return suffixText(a) < suffixText(b) || (suffixText(a) == suffixText(b) && a < b);
    });

    std::vector<std::uint32_t> children = roots;
    header.rootCount = checkedU32(roots.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        fmt::RecordEntry& r = records[i];
        r.codeOffset = checkedU32(pool.size());
        r.codeLength = static_cast<std::uint16_t>(rows[i].code.size());
        pool += rows[i].code;
        r.nameOffset = checkedU32(pool.size());
        r.nameLength = static_cast<std::uint16_t>(rows[i].name.size());
        pool += rows[i].name;
        r.childBegin = checkedU32(children.size());
        r.childCount = checkedU32(childrenOf[i].size());
        children.insert(children.end(), childrenOf[i].begin(), childrenOf[i].end());
    }

    std::vector<unsigned char> out(sizeof header, 0);
    auto place = [&out](fmt::Section& section, const auto* data, std::size_t count) {
        section.offset = checkedU32(out.size());
        section.count = checkedU32(count);
        appendBytes(out, data, count);
    };
    place(header.records, records.data(), records.size());
    place(header.children, children.data(), children.size());
    place(header.tokens, tokens.data(), tokens.size());
    place(header.postings, postings.data(), postings.size());
    place(header.strings, pool.data(), pool.size());
    place(header.suffixes, suffixes.data(), suffixes.size());
    header.fileSize = out.size();
    std::memcpy(out.data(), &header, sizeof header);
    header.checksum = fmt::computeChecksum(out.data(), out.size());
    std::memcpy(out.data(), &header, sizeof header);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: lapor-regions-tool WILAYAH.tsv REGIONS.bin\n"
                     "Converts the region table (code<TAB>name, sorted by code) into the binary\n"
                     "file the kiosk loads (format: core/regions_format.hpp).\n";
        return 2;
    }
    const auto rows = readRows(argv[1]);
    const auto bytes = buildTable(rows);
    // Through the one durable-file writer: a build cut off midway leaves the old table or the new.
    if (lapor::Status s = lapor::writeFileDurably(argv[2], bytes); !s.ok()) {
        fail(s.error().message);
    }
    std::cout << "lapor-regions-tool: " << rows.size() << " regions, " << bytes.size()
              << " bytes -> " << argv[2] << "\n";
    return 0;
}
