// Region table: maps regions.bin, validates it, and answers lookups and ranked name searches.
#include "core/regions.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>
#include <stdexcept>

#include "core/regions_fold.hpp"
#include "core/regions_format.hpp"

namespace lapor {

namespace fmt = regions_format;

namespace {

constexpr std::size_t kMaxQueryBytes = 256;
constexpr std::size_t kMaxQueryWords = 8;     // query word sets are bit masks in an unsigned
constexpr std::size_t kMinPartialLength = 3;  // shorter words match only as prefixes

// Match quality of one query word against one region's own name.
constexpr std::uint8_t kNoMatch = 0;
constexpr std::uint8_t kPartial = 1;    // inside a word
constexpr std::uint8_t kPrefix = 2;     // the start of a word
constexpr std::uint8_t kWholeWord = 3;  // a whole word
constexpr int kExactName = 4;           // the whole name (class only, never per word)

Error corrupt(const std::filesystem::path& path, const std::string& what) {
    return makeError(Errc::corrupt, "region table " + path.string() + " is damaged: " + what);
}

// Binary search over indices [0, count): the first index for which `before` is false, where
// `before` is true for a prefix of the range.
template <class Before>
std::size_t firstIndexWhereNot(std::size_t count, Before before) {
    std::size_t low = 0;
    std::size_t high = count;
    while (low < high) {
        const std::size_t mid = low + (high - low) / 2;
        if (before(mid)) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

// Per-thread working memory of search(): match qualities per query word and region, and the
// regions matched so far. Sized once for the table; only the touched entries are cleared after
// each search, so a search costs what it matches, not the size of the table.
struct SearchScratch {
    std::vector<std::uint8_t> quality;  // [word * regionCount + region]
    std::vector<std::uint8_t> isCandidate;
    std::vector<std::uint32_t> candidates;
    std::size_t regionCount = 0;
    std::size_t wordCount = 0;

    void prepare(std::size_t regions, std::size_t words) {
        if (quality.size() < regions * kMaxQueryWords) {
            quality.assign(regions * kMaxQueryWords, kNoMatch);
        }
        if (isCandidate.size() < regions) {
            isCandidate.assign(regions, 0);
        }
        regionCount = regions;
        wordCount = words;
    }
    [[nodiscard]] std::uint8_t& at(std::size_t word, std::size_t region) {
        return quality[word * regionCount + region];
    }
    void clear() noexcept {
        for (const std::uint32_t r : candidates) {
            isCandidate[r] = 0;
            for (std::size_t w = 0; w < wordCount; ++w) {
                quality[w * regionCount + r] = kNoMatch;
            }
        }
        candidates.clear();
    }
};

// Memory for the file's 8 MB. Faulting in 4 KiB pages one by one cost 15 ms here (the whole load
// took 18 ms); in transparent huge pages it is four faults and the load takes 3 ms. The hint is
// only a hint: without huge pages the buffer works the same, only slower to fill.
unsigned char* allocateFileBuffer(std::size_t size) {
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    if (size < kHugePage) {  // small tables (tests, fuzzing): 8-byte alignment is all it needs
        return static_cast<unsigned char*>(std::aligned_alloc(8, (size + 7) / 8 * 8));
    }
    const std::size_t capacity = (size + kHugePage - 1) / kHugePage * kHugePage;
    void* buffer = std::aligned_alloc(kHugePage, capacity);
    if (buffer != nullptr) {
        (void)::madvise(buffer, capacity, MADV_HUGEPAGE);
    }
    return static_cast<unsigned char*>(buffer);
}

}  // namespace

struct RegionTable::Impl {
    // The whole file, read in one go. Not mmap: a mapped file that someone truncates or rewrites
    // in place (cp over it) kills the kiosk with SIGBUS on the next lookup; a private copy
    // cannot change underneath. See allocateFileBuffer for the cost.
    std::unique_ptr<unsigned char, decltype(&std::free)> bytes{nullptr, &std::free};
    std::size_t size = 0;
    // Views into `bytes`, set by validate().
    std::span<const fmt::RecordEntry> records;
    std::span<const std::uint32_t> children;
    std::span<const fmt::TokenEntry> tokens;
    std::span<const std::uint32_t> postings;
    std::string_view pool;
    std::span<const fmt::SuffixEntry> suffixes;
    std::uint32_t rootCount = 0;
    std::uint32_t levelCounts[4] = {};

    [[nodiscard]] std::string_view code(std::size_t i) const {
        return pool.substr(records[i].codeOffset, records[i].codeLength);
    }
    [[nodiscard]] std::string_view name(std::size_t i) const {
        return pool.substr(records[i].nameOffset, records[i].nameLength);
    }
    [[nodiscard]] std::string_view tokenText(std::size_t t) const {
        return pool.substr(tokens[t].textOffset, tokens[t].textLength);
    }
    [[nodiscard]] std::string_view suffixText(fmt::SuffixEntry e) const {
        return tokenText(fmt::suffixToken(e)).substr(fmt::suffixOffset(e));
    }
    [[nodiscard]] Region region(std::size_t i) const {
        return Region{code(i), name(i), static_cast<RegionLevel>(records[i].level),
                      records[i].parent};
    }
    [[nodiscard]] std::optional<std::size_t> indexOf(std::string_view wanted) const {
        if (wanted.empty() || wanted.size() > fmt::kMaxCodeLength) {
            return std::nullopt;
        }
        const std::size_t low =
            firstIndexWhereNot(records.size(), [&](std::size_t i) { return code(i) < wanted; });
        if (low < records.size() && code(low) == wanted) {
            return low;
        }
        return std::nullopt;
    }

    Status validate(const std::filesystem::path& path);
    void markWholeAndPrefix(std::string_view word, std::size_t w, SearchScratch& scratch) const;
    void markPartial(std::string_view word, std::size_t w, SearchScratch& scratch) const;
    void markPostings(std::size_t token, std::size_t w, std::uint8_t q,
                      SearchScratch& scratch) const;
    [[nodiscard]] std::optional<int> score(std::uint32_t r, std::span<const std::string_view> words,
                                           SearchScratch& scratch) const;
    [[nodiscard]] bool isExactName(std::size_t i, std::span<const std::string_view> words,
                                   unsigned which) const;
};

namespace {

// The section's elements, or an empty optional when it does not lie inside the file at or after
// `next` (sections come in file order and never overlap); `next` moves to the section's end.
template <class T>
std::optional<std::span<const T>> sectionOf(const unsigned char* base, std::size_t size,
                                            const fmt::Section& section, std::uint64_t& next) {
    static_assert(alignof(T) <= 8);
    const std::uint64_t end =
        std::uint64_t{section.offset} + std::uint64_t{section.count} * sizeof(T);
    if (section.offset < next || section.offset % 8 != 0 || end > size) {
        return std::nullopt;
    }
    next = end;
    return std::span<const T>(reinterpret_cast<const T*>(base + section.offset), section.count);
}

bool isSearchWordText(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    });
}

}  // namespace

Status RegionTable::Impl::validate(const std::filesystem::path& path) {
    const unsigned char* base = bytes.get();
    fmt::FileHeader header;
    std::memcpy(&header, base, sizeof header);
    if (std::memcmp(header.magic, fmt::kMagic, sizeof header.magic) != 0) {
        return corrupt(path, "not a region table (bad magic)");
    }
    if (header.version > fmt::kVersion) {
        return makeError(Errc::tooNew, "region table " + path.string() + " has format version " +
                                           std::to_string(header.version) +
                                           "; this program reads " + std::to_string(fmt::kVersion));
    }
    if (header.version != fmt::kVersion || header.headerSize != sizeof header) {
        return corrupt(path, "unknown format version or header size");
    }
    if (header.fileSize != size) {
        return corrupt(path, "file is " + std::to_string(size) + " bytes, header says " +
                                 std::to_string(header.fileSize) + " (truncated?)");
    }
    if (std::any_of(std::begin(header.reserved), std::end(header.reserved),
                    [](std::uint32_t word) { return word != 0; })) {
        return corrupt(path, "reserved header fields set");
    }
    if (fmt::computeChecksum(base, size) != header.checksum) {
        return corrupt(path, "checksum mismatch");
    }

    // Past the checksum only a deliberately forged file can be wrong; still check every offset
    // and index, so that no file can make a lookup read outside the buffer.
    std::uint64_t next = sizeof header;
    const auto recordSpan = sectionOf<fmt::RecordEntry>(base, size, header.records, next);
    const auto childSpan = sectionOf<std::uint32_t>(base, size, header.children, next);
    const auto tokenSpan = sectionOf<fmt::TokenEntry>(base, size, header.tokens, next);
    const auto postingSpan = sectionOf<std::uint32_t>(base, size, header.postings, next);
    const auto stringSpan = sectionOf<char>(base, size, header.strings, next);
    const auto suffixSpan = sectionOf<fmt::SuffixEntry>(base, size, header.suffixes, next);
    if (!recordSpan || !childSpan || !tokenSpan || !postingSpan || !stringSpan || !suffixSpan) {
        return corrupt(path, "a section lies outside the file or overlaps another");
    }
    records = *recordSpan;
    children = *childSpan;
    tokens = *tokenSpan;
    postings = *postingSpan;
    pool = std::string_view(stringSpan->data(), stringSpan->size());
    suffixes = *suffixSpan;
    rootCount = header.rootCount;
    if (records.size() != header.recordCount || records.empty() || rootCount > children.size()) {
        return corrupt(path, "record or root count");
    }
    const std::size_t n = records.size();

    std::uint32_t counted[4] = {};
    for (std::size_t i = 0; i < n; ++i) {
        const fmt::RecordEntry& r = records[i];
        if (std::uint64_t{r.codeOffset} + r.codeLength > pool.size() ||
            std::uint64_t{r.nameOffset} + r.nameLength > pool.size() || r.codeLength == 0 ||
            r.codeLength > fmt::kMaxCodeLength || r.nameLength == 0 ||
            r.nameLength > fmt::kMaxNameLength) {
            return corrupt(path, "record " + std::to_string(i) + " text out of bounds");
        }
        if (r.level < 1 || r.level > 4 || r.wordCount == 0 || r.typeWordCount >= r.wordCount) {
            return corrupt(path, "record " + std::to_string(i) + " level or word counts");
        }
        const bool parentOk =
            r.level == 1 ? r.parent == -1
                         : r.parent >= 0 && static_cast<std::size_t>(r.parent) < i &&
                               records[static_cast<std::size_t>(r.parent)].level == r.level - 1;
        if (!parentOk || std::uint64_t{r.childBegin} + r.childCount > children.size()) {
            return corrupt(path, "record " + std::to_string(i) + " parent or children");
        }
        if (i > 0 && !(code(i - 1) < code(i))) {
            return corrupt(path, "records not sorted by code at " + std::to_string(i));
        }
        ++counted[r.level - 1];
    }
    for (std::size_t level = 0; level < 4; ++level) {
        if (counted[level] != header.levelCounts[level]) {
            return corrupt(path, "level counts");
        }
        levelCounts[level] = counted[level];
    }
    if (rootCount != counted[0]) {
        return corrupt(path, "root count");
    }
    for (std::size_t k = 0; k < rootCount; ++k) {
        if (children[k] >= n || records[children[k]].level != 1) {
            return corrupt(path, "province list");
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < records[i].childCount; ++k) {
            const std::uint32_t child = children[records[i].childBegin + k];
            if (child >= n || records[child].parent != static_cast<std::int32_t>(i)) {
                return corrupt(path, "children of record " + std::to_string(i));
            }
        }
    }

    std::uint64_t expectedOffset = 0;
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        const fmt::TokenEntry& token = tokens[t];
        if (token.textOffset != expectedOffset ||
            std::uint64_t{token.textOffset} + token.textLength + 1 > pool.size() ||
            pool[token.textOffset + token.textLength] != '\n' || !isSearchWordText(tokenText(t)) ||
            (t > 0 && !(tokenText(t - 1) < tokenText(t))) ||
            std::uint64_t{token.postingBegin} + token.postingCount > postings.size()) {
            return corrupt(path, "search word " + std::to_string(t));
        }
        expectedOffset = std::uint64_t{token.textOffset} + token.textLength + 1;
    }
    // The suffix order is not re-checked (it would double the load time): the checksum covers
    // damage, and a forged order only yields wrong hits, never a read out of bounds.
    for (const fmt::SuffixEntry suffix : suffixes) {
        const std::uint32_t token = fmt::suffixToken(suffix);
        if (token >= tokens.size() || fmt::suffixOffset(suffix) == 0 ||
            fmt::suffixOffset(suffix) >= tokens[token].textLength) {
            return corrupt(path, "inner-word index entry out of range");
        }
    }
    for (const std::uint32_t posting : postings) {
        if (posting >= n) {
            return corrupt(path, "search index entry out of range");
        }
    }
    return {};
}

Result<RegionTable> RegionTable::load(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return makeError(err == ENOENT   ? Errc::notFound
                         : err == EACCES ? Errc::permission
                                         : Errc::ioError,
                         "cannot open region table " + path.string() + ": " + std::strerror(err));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return makeError(Errc::ioError, "region table " + path.string() + " is not a file");
    }
    auto impl = std::make_unique<Impl>();
    impl->size = static_cast<std::size_t>(info.st_size);
    if (impl->size < sizeof(fmt::FileHeader)) {
        ::close(fd);
        return corrupt(path, "file too short (" + std::to_string(impl->size) + " bytes)");
    }
    impl->bytes.reset(allocateFileBuffer(impl->size));
    if (!impl->bytes) {
        ::close(fd);
        return makeError(Errc::internal, "out of memory for region table " + path.string());
    }
    unsigned char* out = impl->bytes.get();
    std::size_t done = 0;
    while (done < impl->size) {
        const ssize_t n = ::read(fd, out + done, impl->size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int err = n < 0 ? errno : 0;
            ::close(fd);
            return n < 0 ? makeError(Errc::ioError, "cannot read region table " + path.string() +
                                                        ": " + std::strerror(err))
                         : corrupt(path, "file shrank while being read");
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (Status valid = impl->validate(path); !valid) {
        return valid.error();
    }
    return RegionTable(std::move(impl));
}

std::filesystem::path RegionTable::defaultPath() {
    if (const char* dir = std::getenv("LAPOR_DATA_DIR"); dir != nullptr && *dir != '\0') {
        return std::filesystem::path(dir) / "regions.bin";
    }
    std::filesystem::path installed = "/usr/share/lapor/regions.bin";
    std::error_code ec;
    if (std::filesystem::exists(installed, ec)) {
        return installed;
    }
#ifdef LAPOR_REGIONS_BUILD_FILE
    return LAPOR_REGIONS_BUILD_FILE;
#else
    return installed;
#endif
}

RegionTable::RegionTable(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
RegionTable::RegionTable(RegionTable&& other) noexcept = default;
RegionTable& RegionTable::operator=(RegionTable&& other) noexcept = default;
RegionTable::~RegionTable() = default;

std::size_t RegionTable::size() const noexcept {
    return impl_ ? impl_->records.size() : 0;
}

std::size_t RegionTable::countAtLevel(RegionLevel level) const noexcept {
    const auto k = static_cast<std::size_t>(level);
    return impl_ && k >= 1 && k <= 4 ? impl_->levelCounts[k - 1] : 0;
}

Region RegionTable::at(std::size_t index) const {
    if (index >= size()) {
        throw std::out_of_range("RegionTable::at: index " + std::to_string(index));
    }
    return impl_->region(index);
}

std::optional<Region> RegionTable::parentOf(const Region& region) const {
    if (region.parent < 0) {
        return std::nullopt;
    }
    return at(static_cast<std::size_t>(region.parent));
}

std::optional<Region> RegionTable::find(std::string_view code) const {
    if (!impl_) {
        return std::nullopt;
    }
    const auto index = impl_->indexOf(code);
    if (!index) {
        return std::nullopt;
    }
    return impl_->region(*index);
}

bool RegionTable::hasDistrictDigits(std::string_view sixDigits) const {
    if (sixDigits.size() != 6 || !std::all_of(sixDigits.begin(), sixDigits.end(),
                                              [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    char code[8] = {sixDigits[0], sixDigits[1], '.',          sixDigits[2],
                    sixDigits[3], '.',          sixDigits[4], sixDigits[5]};
    const auto region = find(std::string_view(code, sizeof code));
    return region && region->level == RegionLevel::district;
}

std::vector<Region> RegionTable::children(std::string_view code) const {
    std::vector<Region> out;
    if (!impl_) {
        return out;
    }
    std::size_t begin = 0;
    std::size_t count = impl_->rootCount;
    if (!code.empty()) {
        const auto index = impl_->indexOf(code);
        if (!index) {
            return out;
        }
        begin = impl_->records[*index].childBegin;
        count = impl_->records[*index].childCount;
    }
    out.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
        out.push_back(impl_->region(impl_->children[begin + k]));
    }
    return out;
}

std::string RegionTable::displayName(const Region& region) const {
    std::string out;
    std::optional<Region> current = region;
    while (current) {
        if (!out.empty()) {
            out += ", ";
        }
        std::string_view name = current->name;
        if (current->level == RegionLevel::regency) {
            // "Kabupaten Aceh Selatan" -> "Kab. Aceh Selatan"; Jakarta's "Kota Administrasi
            // Jakarta Pusat" -> "Kota Adm. Jakarta Pusat".
            for (const auto& [word, shortWord] :
                 {std::pair{"Kabupaten ", "Kab. "}, std::pair{"Kota ", "Kota "}}) {
                if (name.starts_with(word)) {
                    out += shortWord;
                    name.remove_prefix(std::string_view(word).size());
                    if (name.starts_with("Administrasi ")) {
                        out += "Adm. ";
                        name.remove_prefix(std::string_view("Administrasi ").size());
                    }
                    break;
                }
            }
        }
        out += name;
        current = parentOf(*current);
    }
    return out;
}

void RegionTable::Impl::markPostings(std::size_t token, std::size_t w, std::uint8_t q,
                                     SearchScratch& scratch) const {
    const fmt::TokenEntry& entry = tokens[token];
    for (std::size_t k = 0; k < entry.postingCount; ++k) {
        const std::uint32_t r = postings[entry.postingBegin + k];
        std::uint8_t& cell = scratch.at(w, r);
        cell = std::max(cell, q);
        if (!scratch.isCandidate[r]) {
            scratch.isCandidate[r] = 1;
            scratch.candidates.push_back(r);
        }
    }
}

// Whole words and prefixes of query word `w`: one contiguous run of the sorted word list.
void RegionTable::Impl::markWholeAndPrefix(std::string_view word, std::size_t w,
                                           SearchScratch& scratch) const {
    const std::size_t first =
        firstIndexWhereNot(tokens.size(), [&](std::size_t t) { return tokenText(t) < word; });
    for (std::size_t t = first; t < tokens.size() && tokenText(t).starts_with(word); ++t) {
        markPostings(t, w, tokenText(t).size() == word.size() ? kWholeWord : kPrefix, scratch);
    }
}

// Query word `w` inside a name word (not at its start): one run of the suffix array.
void RegionTable::Impl::markPartial(std::string_view word, std::size_t w,
                                    SearchScratch& scratch) const {
    const std::size_t first = firstIndexWhereNot(
        suffixes.size(), [&](std::size_t i) { return suffixText(suffixes[i]) < word; });
    for (std::size_t i = first; i < suffixes.size() && suffixText(suffixes[i]).starts_with(word);
         ++i) {
        markPostings(fmt::suffixToken(suffixes[i]), w, kPartial, scratch);
    }
}

// True when the query words in `which` (bit w: word w) are exactly the region's words, in any
// order; a regency's leading "Kabupaten"/"Kota" [+ "Administrasi"] may be left out.
bool RegionTable::Impl::isExactName(std::size_t i, std::span<const std::string_view> words,
                                    unsigned which) const {
    std::vector<std::string_view> queryWords;
    for (std::size_t w = 0; w < words.size(); ++w) {
        if (which & (1u << w)) {
            queryWords.push_back(words[w]);
        }
    }
    const fmt::RecordEntry& r = records[i];
    std::size_t skip = 0;
    if (queryWords.size() != r.wordCount) {
        if (queryWords.size() + r.typeWordCount != r.wordCount) {
            return false;
        }
        skip = r.typeWordCount;
    }
    const std::string folded = foldForSearch(name(i));
    auto nameWords = splitFoldedWords(folded);
    if (skip > nameWords.size()) {
        return false;  // the word counts do not fit the name: only a forged file does that
    }
    nameWords.erase(nameWords.begin(), nameWords.begin() + static_cast<std::ptrdiff_t>(skip));
    std::sort(nameWords.begin(), nameWords.end());
    std::sort(queryWords.begin(), queryWords.end());
    return nameWords == queryWords;
}

// The rank of region r for the query, or nullopt when it does not match every word.
// Order of the parts: match class (exact name, whole words, prefixes, partial), then fewer words
// matched only through parents, then provinces and regencies before districts and villages.
std::optional<int> RegionTable::Impl::score(std::uint32_t r,
                                            std::span<const std::string_view> words,
                                            SearchScratch& scratch) const {
    auto matchedByParent = [&](std::size_t w) {
        for (std::int32_t p = records[r].parent; p >= 0;
             p = records[static_cast<std::size_t>(p)].parent) {
            if (scratch.at(w, static_cast<std::size_t>(p)) >= kPrefix) {
                return true;
            }
        }
        return false;
    };
    unsigned ownWords = 0;  // bit w: query word w matched in the region's own name
    int worst = kWholeWord;
    int viaParent = 0;
    bool partialGivenToParent = false;
    for (std::size_t w = 0; w < words.size(); ++w) {
        const std::uint8_t q = scratch.at(w, r);
        if (q >= kPrefix) {
            ownWords |= 1u << w;
            worst = std::min<int>(worst, q);
        } else if (matchedByParent(w)) {
            ++viaParent;
            partialGivenToParent = partialGivenToParent || q == kPartial;
        } else if (q == kPartial) {
            ownWords |= 1u << w;
            worst = kPartial;
        } else {
            return std::nullopt;
        }
    }
    if (ownWords == 0) {
        if (!partialGivenToParent) {
            return std::nullopt;  // matched only through its parents: not this region's name
        }
        // Every word matched the parents better, but the region's own name holds one partly.
        worst = kPartial;
        viaParent -= 1;
    }
    const int matchClass =
        worst == kWholeWord && isExactName(r, words, ownWords) ? kExactName : worst;
    const bool large = records[r].level <= static_cast<std::uint8_t>(RegionLevel::regency);
    return matchClass * 1000 + (static_cast<int>(kMaxQueryWords) - viaParent) * 10 +
           (large ? 1 : 0);
}

std::vector<RegionTable::Hit> RegionTable::search(std::string_view query, std::size_t limit) const {
    std::vector<Hit> hits;
    if (!impl_ || limit == 0) {
        return hits;
    }
    const Impl& t = *impl_;
    const std::string folded = foldForSearch(query.substr(0, kMaxQueryBytes));
    auto words = splitFoldedWords(folded);
    if (words.size() > kMaxQueryWords) {
        words.resize(kMaxQueryWords);
    }
    if (words.empty()) {
        return hits;
    }

    thread_local SearchScratch scratch;
    scratch.prepare(t.records.size(), words.size());
    struct ClearOnExit {
        SearchScratch& s;
        ~ClearOnExit() { s.clear(); }
    } clearOnExit{scratch};

    struct Ranked {
        int score;
        std::uint8_t level;
        std::uint32_t index;
    };
    std::vector<Ranked> ranked;
    auto rankCandidates = [&] {
        ranked.clear();
        for (const std::uint32_t r : scratch.candidates) {
            if (const auto score = t.score(r, words, scratch)) {
                ranked.push_back({*score, t.records[r].level, r});
            }
        }
    };
    for (std::size_t w = 0; w < words.size(); ++w) {
        t.markWholeAndPrefix(words[w], w, scratch);
    }
    rankCandidates();
    // A region that needs a partial match ranks below every region that does not, and the
    // others keep their score; so the costlier partial scan only runs when hits are missing.
    if (ranked.size() < limit) {
        bool any = false;
        for (std::size_t w = 0; w < words.size(); ++w) {
            if (words[w].size() >= kMinPartialLength) {
                t.markPartial(words[w], w, scratch);
                any = true;
            }
        }
        if (any) {
            rankCandidates();
        }
    }

    const std::size_t count = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count),
                      ranked.end(), [](const Ranked& a, const Ranked& b) {
                          if (a.score != b.score) {
                              return a.score > b.score;
                          }
                          if (a.level != b.level) {
                              return a.level < b.level;
                          }
                          return a.index < b.index;
                      });
    hits.reserve(count);
    for (std::size_t h = 0; h < count; ++h) {
        hits.push_back({t.region(ranked[h].index), ranked[h].score});
    }
    return hits;
}

}  // namespace lapor
