// On-disk layout of regions.bin, shared by the converter (lapor-regions-tool) and the loader.
#pragma once

#include <zlib.h>

#include <bit>
#include <cstddef>
#include <cstdint>

namespace lapor::regions_format {

static_assert(std::endian::native == std::endian::little,
              "regions.bin is little-endian and read in place");

// File layout, every section 8-byte aligned, all integers little-endian:
//   FileHeader | records[recordCount] | children[childCount] | tokens[tokenCount] |
//   postings[postingCount] | strings[stringBytes] | suffixes[suffixCount]
// Records are sorted by code, so a parent always comes before its children and find() is a
// binary search. children lists the provinces first (rootCount of them), then each record's
// direct children as a contiguous run. tokens is the sorted, de-duplicated set of folded name
// words; their texts lie back to back in the string pool in the same order, each followed by
// '\n' (so the loader can check them in one pass). postings lists, per token, the regions whose
// own name has that word (ascending). suffixes is a suffix array of the words for matches inside
// a word: every (word, offset > 0), packed as SuffixEntry, sorted by the word's text from that
// offset; the words holding a query word inside them are one run of it.
inline constexpr char kMagic[8] = {'L', 'A', 'P', 'O', 'R', 'R', 'G', 'N'};
inline constexpr std::uint32_t kVersion = 1;

struct Section {
    std::uint32_t offset;  // from the start of the file
    std::uint32_t count;   // elements (bytes for the string pool)
};

struct FileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t headerSize;  // sizeof(FileHeader)
    std::uint64_t fileSize;
    std::uint32_t recordCount;
    std::uint32_t levelCounts[4];  // provinces, regencies, districts, villages
    std::uint32_t rootCount;       // provinces: the first entries of children
    Section records;
    Section children;
    Section tokens;
    Section postings;
    Section strings;
    Section suffixes;
    std::uint32_t reserved[7];  // zero
    std::uint32_t checksum;     // see computeChecksum
};
static_assert(sizeof(FileHeader) == 128);
static_assert(offsetof(FileHeader, checksum) + sizeof(std::uint32_t) == sizeof(FileHeader));

// CRC-32 (zlib) of the whole file but the checksum field itself, header fields included, so that
// a damaged count cannot pass unnoticed. It is there to catch damage (a bad disk sector, a cut
// copy), not forgery: whoever can write the file can rewrite the checksum too, which is why the
// loader also checks every offset. CRC-32 catches every error burst up to 32 bits and reads at
// about 7 GB/s here, against 0.8 GB/s for BLAKE2b (8 ms of a 10 ms load; docs/regions.md).
// `file` holds at least sizeof(FileHeader) bytes.
[[nodiscard]] inline std::uint32_t computeChecksum(const unsigned char* file, std::size_t size) {
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32_z(crc, file, offsetof(FileHeader, checksum));
    crc = crc32_z(crc, file + sizeof(FileHeader), size - sizeof(FileHeader));
    return static_cast<std::uint32_t>(crc);
}

struct RecordEntry {
    std::uint32_t codeOffset;  // into the string pool
    std::uint32_t nameOffset;
    std::int32_t parent;       // record index, -1 for provinces
    std::uint32_t childBegin;  // into children
    std::uint32_t childCount;
    std::uint16_t codeLength;
    std::uint16_t nameLength;
    std::uint8_t level;          // 1..4 (RegionLevel)
    std::uint8_t wordCount;      // folded words in the name
    std::uint8_t typeWordCount;  // leading "Kabupaten"/"Kota" [+ "Administrasi"] (0..2)
    std::uint8_t reserved;
};
static_assert(sizeof(RecordEntry) == 28);

struct TokenEntry {
    std::uint32_t textOffset;  // into the string pool; strictly increasing with the index
    std::uint32_t textLength;
    std::uint32_t postingBegin;  // into postings
    std::uint32_t postingCount;
};
static_assert(sizeof(TokenEntry) == 16);

// (token index << 8) | offset into its text.
using SuffixEntry = std::uint32_t;
inline constexpr std::uint32_t kMaxSuffixToken = (1u << 24) - 1;
[[nodiscard]] constexpr SuffixEntry makeSuffix(std::uint32_t token, std::uint32_t offset) {
    return token << 8 | offset;
}
[[nodiscard]] constexpr std::uint32_t suffixToken(SuffixEntry e) {
    return e >> 8;
}
[[nodiscard]] constexpr std::uint32_t suffixOffset(SuffixEntry e) {
    return e & 0xFF;
}

inline constexpr std::size_t kMaxCodeLength = 13;  // "11.01.01.2001"
inline constexpr std::size_t kMaxNameLength = 255;

}  // namespace lapor::regions_format
