// Video clips, the program's side: loads the codec module (lapor-video.so,
// hardware/video_module.hpp) on the first recorder or player, and unloads it when the last one is
// gone, so libavcodec and libavformat are in memory only while a clip is recorded or played
// (docs/architecture.md).
#include "hardware/video.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/wipe.hpp"
#include "hardware/video_module.hpp"

namespace lapor::hw {
namespace {

namespace vm = video_module;

void hostLog(log::Level level, std::string_view component, std::string_view message) {
    log::write(level, component, message);
}
void hostWipe(std::vector<std::uint8_t>& bytes) noexcept {
    wipeBytes(bytes);
}
std::string hostSha256(std::span<const std::uint8_t> bytes) {
    return crypto::sha256Hex(bytes);
}
const vm::Host kHost{&hostLog, &hostWipe, &hostSha256};

// Whether the module is let go when nothing of it is alive. dlclose() does unmap libavcodec,
// libavformat and their libraries on Debian 12 (measured: docs/performance.md), so yes.
constexpr bool kUnloadWhenIdle = true;

struct ModuleState {
    std::mutex mutex;
    void* handle = nullptr;
    const vm::Table* table = nullptr;
    int live = 0;
    std::string loggedFailure;  // the last reason logged, so a missing module is logged once
};

ModuleState& state() {
    static ModuleState s;
    return s;
}

// Where the module may be: the test's folder alone when kDirEnv is set; else beside the program
// as installed (/usr/bin/lapor-kiosk -> /usr/lib/lapor-kiosk/), then the build tree.
std::vector<std::string> candidates() {
    std::vector<std::string> out;
    if (const char* dir = std::getenv(vm::kDirEnv); dir != nullptr && *dir != '\0') {
        out.push_back((std::filesystem::path(dir) / vm::kFileName).string());
        return out;
    }
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        out.push_back(
            (exe.parent_path().parent_path() / "lib" / "lapor-kiosk" / vm::kFileName).string());
    }
#ifdef LAPOR_VIDEO_MODULE_BUILD_DIR
    out.push_back((std::filesystem::path(LAPOR_VIDEO_MODULE_BUILD_DIR) / vm::kFileName).string());
#endif
    return out;
}

// With the state's mutex held: loads the module, or says why not (Errc::unavailable).
Status loadLocked(ModuleState& s) {
    const auto paths = candidates();
    std::string path;
    for (const auto& p : paths) {
        if (::access(p.c_str(), F_OK) == 0) {
            path = p;
            break;
        }
    }
    if (path.empty()) {
        std::string where;
        for (const auto& p : paths) {
            where += (where.empty() ? "" : ", ") + p;
        }
        return makeError(Errc::unavailable,
                         "video: the codec module is not installed (looked for " + where + ")");
    }
    const auto begin = std::chrono::steady_clock::now();
    ::dlerror();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return makeError(Errc::unavailable, "video: cannot load the codec module " + path + ": " +
                                                (why != nullptr ? why : "unknown error"));
    }
    const auto fail = [&](const std::string& why) {
        ::dlclose(handle);
        return makeError(Errc::unavailable, "video: the codec module " + path + " " + why);
    };
    void* symbol = ::dlsym(handle, vm::kEntryPoint);
    if (symbol == nullptr) {
        return fail(std::string("has no entry point ") + vm::kEntryPoint);
    }
    const auto entry = reinterpret_cast<vm::EntryPoint>(symbol);  // NOLINT: dlsym's way
    const vm::Table* table = entry(vm::kAbiVersion, &kHost);
    if (table == nullptr || table->abiVersion != vm::kAbiVersion) {
        return fail("is of another version (this program wants interface " +
                    std::to_string(vm::kAbiVersion) + ")");
    }
    if (table->layout != vm::kLayout || table->startRecorder == nullptr ||
        table->openPlayer == nullptr || table->beforeUnload == nullptr) {
        return fail("was built from other declarations than this program");
    }
    s.handle = handle;
    s.table = table;
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    log::debug("video",
               "codec module loaded in " + std::to_string(static_cast<int>(ms + 0.5)) + " ms");
    return {};
}

// One recorder or player of the module alive: the module stays mapped while any ref exists.
class ModuleRef {
  public:
    [[nodiscard]] static Result<ModuleRef> acquire() {
        ModuleState& s = state();
        std::lock_guard lock(s.mutex);
        if (s.handle == nullptr) {
            if (auto st = loadLocked(s); !st) {
                if (st.error().message != s.loggedFailure) {
                    s.loggedFailure = st.error().message;
                    log::warn("video", st.error().message);
                }
                return st.error();
            }
            s.loggedFailure.clear();
        }
        s.live += 1;
        return ModuleRef(s.table);
    }
    ModuleRef(ModuleRef&& other) noexcept : table_(std::exchange(other.table_, nullptr)) {}
    ModuleRef(const ModuleRef&) = delete;
    ModuleRef& operator=(const ModuleRef&) = delete;
    ModuleRef& operator=(ModuleRef&&) = delete;
    ~ModuleRef() {
        if (table_ == nullptr) {
            return;
        }
        ModuleState& s = state();
        std::lock_guard lock(s.mutex);
        s.live -= 1;
        if (s.live == 0 && kUnloadWhenIdle && s.handle != nullptr) {
            s.table->beforeUnload();
            ::dlclose(s.handle);
            s.handle = nullptr;
            s.table = nullptr;
        }
    }
    [[nodiscard]] const vm::Table& table() const { return *table_; }

  private:
    explicit ModuleRef(const vm::Table* table) : table_(table) {}
    const vm::Table* table_;
};

// The module's recorder, holding the module in memory for as long as it lives.
class LoadedRecorder final : public VideoRecorder {
  public:
    LoadedRecorder(ModuleRef ref, std::unique_ptr<VideoRecorder> inner)
        : ref_(std::move(ref)), inner_(std::move(inner)) {}
    void push(const Frame& frame) override { inner_->push(frame); }
    [[nodiscard]] std::int64_t elapsedMs() const override { return inner_->elapsedMs(); }
    [[nodiscard]] bool full() const override { return inner_->full(); }
    [[nodiscard]] std::uint64_t skippedFrames() const override { return inner_->skippedFrames(); }
    [[nodiscard]] Result<Clip> finish() override { return inner_->finish(); }

  private:
    ModuleRef ref_;  // declared first, so released after inner_ (whose code is the module's)
    std::unique_ptr<VideoRecorder> inner_;
};

class LoadedPlayer final : public VideoPlayer {
  public:
    LoadedPlayer(ModuleRef ref, std::unique_ptr<VideoPlayer> inner)
        : ref_(std::move(ref)), inner_(std::move(inner)) {}
    [[nodiscard]] std::uint32_t durationMs() const override { return inner_->durationMs(); }
    [[nodiscard]] FrameSize size() const override { return inner_->size(); }
    [[nodiscard]] Result<std::optional<Frame>> frameAt(std::int64_t ms) override {
        return inner_->frameAt(ms);
    }

  private:
    ModuleRef ref_;  // as in LoadedRecorder
    std::unique_ptr<VideoPlayer> inner_;
};

}  // namespace

namespace video_module {

bool loaded() {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return s.handle != nullptr;
}

int liveObjects() {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return s.live;
}

}  // namespace video_module

Result<std::unique_ptr<VideoRecorder>> VideoRecorder::start(const VideoOptions& options) {
    if (options.width < 16 || options.height < 16 || options.width > 1920 ||
        options.height > 1088 || options.width % 2 != 0 || options.height % 2 != 0 ||
        options.fps < 1 || options.fps > 60 || options.bitrateKbps < 32 ||
        options.bitrateKbps > 20'000 || options.maxDurationMs <= 0) {
        return makeError(Errc::invalidInput,
                         "video: options out of range (even size 16..1920x1088, 1..60 fps, "
                         "32..20000 kbit/s, a positive length)");
    }
    auto ref = ModuleRef::acquire();
    if (!ref) {
        return ref.error();
    }
    auto inner = ref->table().startRecorder(options);
    if (!inner) {
        return inner.error();
    }
    return std::unique_ptr<VideoRecorder>(
        std::make_unique<LoadedRecorder>(std::move(ref).value(), std::move(inner).value()));
}

Result<std::unique_ptr<VideoPlayer>> VideoPlayer::open(std::span<const std::uint8_t> mp4) {
    auto ref = ModuleRef::acquire();
    if (!ref) {
        return ref.error();
    }
    auto inner = ref->table().openPlayer(mp4);
    if (!inner) {
        return inner.error();
    }
    return std::unique_ptr<VideoPlayer>(
        std::make_unique<LoadedPlayer>(std::move(ref).value(), std::move(inner).value()));
}

Result<Frame> firstFrame(std::span<const std::uint8_t> mp4) {
    auto player = VideoPlayer::open(mp4);
    if (!player) {
        return player.error();
    }
    auto frame = (*player)->frameAt(0);
    if (!frame) {
        return frame.error();
    }
    if (!*frame) {
        return makeError(Errc::corrupt, "video: not a playable clip: no picture");
    }
    return std::move(**frame);
}

}  // namespace lapor::hw
