// Translation catalog: reads PO files with libgettextpo and renders keyed messages.
#include "core/i18n.hpp"

#include <gettext-po.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdlib>
#include <mutex>
#include <set>

#include "core/log.hpp"

namespace lapor {

std::string_view langCode(Lang lang) {
    switch (lang) {
        case Lang::id: return "id";
        case Lang::en: return "en";
    }
    return "id";
}

std::optional<Lang> parseLang(std::string_view code) {
    // Accept locale-style names ("id_ID.UTF-8", "en-US") by looking at the language part only.
    const auto end = code.find_first_of("_-.@");
    const std::string_view base = code.substr(0, end);
    if (base.size() != 2) {
        return std::nullopt;
    }
    const auto lower = [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    const std::string two{lower(base[0]), lower(base[1])};
    for (const Lang lang : kAllLangs) {
        if (two == langCode(lang)) {
            return lang;
        }
    }
    return std::nullopt;
}

namespace {

// libgettextpo reports problems through a C callback table, and its "fatal" callback must not
// return. The callbacks collect messages here and longjmp back to readPoFile for fatal ones;
// a C++ exception must not unwind through the C library. The parser keeps global state, so one
// read runs at a time (poReadMutex); reading is rare (start-up), so that costs nothing.
struct PoReadContext {
    std::jmp_buf jump;
    std::string problems;
};
std::mutex poReadMutex;
PoReadContext* currentPoRead = nullptr;  // guarded by poReadMutex

void notePoProblem(int severity, const char* filename, size_t lineno, const char* text) {
    if (currentPoRead == nullptr) {
        return;
    }
    std::string& out = currentPoRead->problems;
    if (severity != PO_SEVERITY_WARNING) {
        if (!out.empty()) {
            out += '\n';
        }
        out += filename != nullptr ? filename : "?";
        if (lineno != static_cast<size_t>(-1)) {
            out += ':' + std::to_string(lineno);
        }
        out += ": ";
        std::string_view msg = text != nullptr ? text : "error";
        while (!msg.empty() && msg.back() == '\n') {
            msg.remove_suffix(1);
        }
        out += msg;
    }
    if (severity == PO_SEVERITY_FATAL_ERROR) {
        std::longjmp(currentPoRead->jump, 1);
    }
}

void poXerror(int severity, po_message_t, const char* filename, size_t lineno, size_t, int,
              const char* text) {
    notePoProblem(severity, filename, lineno, text);
}

void poXerror2(int severity, po_message_t, const char* filename1, size_t lineno1, size_t, int,
               const char* text1, po_message_t, const char* filename2, size_t lineno2, size_t, int,
               const char* text2) {
    // Report the first half without jumping, the second (possibly fatal) half last.
    notePoProblem(severity == PO_SEVERITY_FATAL_ERROR ? PO_SEVERITY_ERROR : severity, filename1,
                  lineno1, text1);
    notePoProblem(severity, filename2, lineno2, text2);
}

const po_xerror_handler poHandler{poXerror, poXerror2};

// Kept free of objects with destructors between setjmp and longjmp, as longjmp requires.
po_file_t readPoRaw(const char* filename, PoReadContext& ctx) {
    currentPoRead = &ctx;
    if (setjmp(ctx.jump) != 0) {
        currentPoRead = nullptr;
        return nullptr;
    }
    po_file_t file = po_file_read(filename, &poHandler);
    currentPoRead = nullptr;
    return file;
}

}  // namespace

Result<std::vector<PoEntry>> readPoFile(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return makeError(Errc::notFound, "no PO file at " + file.string());
    }
    PoReadContext ctx;
    const std::string name = file.string();
    std::unique_lock lock(poReadMutex);
    po_file_t po = readPoRaw(name.c_str(), ctx);
    lock.unlock();
    if (po == nullptr || !ctx.problems.empty()) {
        if (po != nullptr) {
            po_file_free(po);
        }
        return makeError(Errc::corrupt,
                         ctx.problems.empty() ? name + ": unreadable PO file" : ctx.problems);
    }
    std::vector<PoEntry> entries;
    po_message_iterator_t it = po_message_iterator(po, nullptr);
    while (po_message_t msg = po_next_message(it)) {
        const char* id = po_message_msgid(msg);
        if (po_message_is_obsolete(msg) != 0 || id == nullptr || *id == '\0') {
            continue;  // obsolete entries and the header are not messages
        }
        const char* str = po_message_msgstr(msg);
        po_filepos_t pos = po_message_filepos(msg, 0);
        entries.push_back(PoEntry{id, str != nullptr ? str : "",
                                  pos != nullptr ? po_filepos_start_line(pos) : 0});
    }
    po_message_iterator_free(it);
    po_file_free(po);
    return entries;
}

struct Catalog::Warned {
    std::mutex mutex;
    std::set<std::pair<int, std::string>, std::less<>> keys;
};

Catalog::Catalog() : warned_(std::make_shared<Warned>()) {}

Result<Catalog> Catalog::loadDir(const std::filesystem::path& poDir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(poDir, ec)) {
        if (entry.path().extension() == ".po") {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        return makeError(Errc::notFound,
                         "cannot read PO directory " + poDir.string() + ": " + ec.message());
    }
    std::sort(files.begin(), files.end());  // deterministic error messages

    Catalog catalog;
    // Where each key came from, to name both places when a key is defined twice.
    std::map<std::pair<int, std::string>, std::string> origin;
    std::size_t loaded = 0;
    for (const auto& path : files) {
        // <domain>.<lang>.po: the language is the second extension.
        const std::string stem = path.stem().string();  // "core.id"
        const auto dot = stem.rfind('.');
        const std::string code = dot == std::string::npos ? std::string() : stem.substr(dot + 1);
        const auto lang = parseLang(code);
        if (code.size() != 2 || !lang) {
            continue;  // not one of our languages, or not named <domain>.<lang>.po
        }
        auto entries = readPoFile(path);
        if (!entries) {
            return entries.error();
        }
        ++loaded;
        const int li = static_cast<int>(*lang);
        for (auto& e : *entries) {
            const std::string where = path.filename().string() + ":" + std::to_string(e.line);
            auto [pos, fresh] = origin.try_emplace({li, e.key}, where);
            if (!fresh) {
                return makeError(Errc::corrupt, "message \"" + e.key + "\" defined twice: " +
                                                    pos->second + " and " + where);
            }
            catalog.messages_[li].emplace(std::move(e.key), std::move(e.text));
        }
    }
    if (loaded == 0) {
        return makeError(Errc::notFound, "no <domain>.<lang>.po files in " + poDir.string());
    }
    return catalog;
}

std::string Catalog::tr(Lang lang, std::string_view key) const {
    const auto& messages = messages_[static_cast<int>(lang)];
    const auto it = messages.find(key);
    if (it != messages.end() && !it->second.empty()) {
        return it->second;
    }
    bool first = false;
    {
        std::lock_guard lock(warned_->mutex);
        first = warned_->keys.emplace(static_cast<int>(lang), std::string(key)).second;
    }
    if (first) {
        // Keys are symbolic names from code, never personal data.
        log::warn("i18n",
                  "no " + std::string(langCode(lang)) + " text for \"" + std::string(key) + "\"");
    }
    return std::string(key);
}

std::string Catalog::render(Lang lang, const Text& text) const {
    return substitute(tr(lang, text.key), text.args);
}

bool Catalog::has(Lang lang, std::string_view key) const {
    const auto& messages = messages_[static_cast<int>(lang)];
    const auto it = messages.find(key);
    return it != messages.end() && !it->second.empty();
}

std::vector<std::string> Catalog::keys(Lang lang) const {
    std::vector<std::string> out;
    for (const auto& [key, text] : messages_[static_cast<int>(lang)]) {
        if (!text.empty()) {
            out.push_back(key);
        }
    }
    return out;
}

void Catalog::add(Lang lang, std::string key, std::string text) {
    messages_[static_cast<int>(lang)].insert_or_assign(std::move(key), std::move(text));
}

std::string substitute(std::string_view pattern,
                       const std::vector<std::pair<std::string, std::string>>& args) {
    std::string out;
    out.reserve(pattern.size() + 16);
    std::size_t i = 0;
    while (i < pattern.size()) {
        const auto open = pattern.find('{', i);
        if (open == std::string_view::npos) {
            break;
        }
        const auto close = pattern.find('}', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        out.append(pattern.substr(i, open - i));
        const std::string_view name = pattern.substr(open + 1, close - open - 1);
        const auto arg =
            std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == name; });
        if (arg != args.end()) {
            out.append(arg->second);
        } else {
            out.append(pattern.substr(open, close - open + 1));
        }
        i = close + 1;
    }
    out.append(pattern.substr(std::min(i, pattern.size())));
    return out;
}

std::filesystem::path defaultPoDir() {
    if (const char* env = std::getenv("LAPOR_PO_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    std::error_code ec;
    const std::filesystem::path installed = "/usr/share/lapor/po";
    if (std::filesystem::is_directory(installed, ec)) {
        return installed;
    }
    return std::filesystem::path(LAPOR_SOURCE_DIR) / "po";
}

}  // namespace lapor

// gettext 0.21's PO lexer strdup()s the file name in lex_start and never frees it (a few bytes per
// file read, once at start-up). LeakSanitizer's fast unwinder stops inside the library's xmalloc
// (built without frame pointers), so the suppression has to name that frame: it hides leaks of
// libgettextpo's own allocations only, and the sanitizer build still fails on ours.
#if defined(__SANITIZE_ADDRESS__)
#define LAPOR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAPOR_ASAN 1
#endif
#endif
#ifdef LAPOR_ASAN
extern "C" const char* __lsan_default_suppressions();  // NOLINT: sanitizer hook
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libgettextpo_xmalloc\n";
}
#endif
