// The print queue: slips stored durably in a spool directory and printed by a worker when they can.
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "hardware/printer.hpp"
#include "hardware/status_slip.hpp"

namespace lapor::hw {

namespace fs = std::filesystem;

namespace {
// The key in "<seq>-<key>.<state>"; empty for a slip without one ("<seq>.slip").
std::string keyOf(const fs::path& p) {
    const std::string stem = p.stem().string();
    const auto dash = stem.find('-');
    return dash == std::string::npos ? std::string() : stem.substr(dash + 1);
}
}  // namespace

struct PrintQueue::Impl {
    fs::path dir;
    std::unique_ptr<Printer> printer;
    Options options;

    mutable std::mutex mutex;  // everything below
    std::condition_variable wakeup;
    PrinterState state;
    std::vector<fs::path> pending;      // oldest first
    std::vector<fs::path> unconfirmed;  // interrupted while printing; oldest first
    std::uint64_t nextSeq = 1;
    std::function<void()> onChange;
    bool stopping = false;
    bool wake = false;

    std::mutex pumpMutex;  // one printing round at a time (worker or pumpOnce)
    std::thread worker;

    void changed() {
        std::function<void()> cb;
        {
            std::lock_guard lock(mutex);
            cb = onChange;
        }
        if (cb) {
            cb();
        }
    }

    // Returns true when the state differs from before.
    bool setState(PrinterState st) {
        std::lock_guard lock(mutex);
        const bool differs = st.condition != state.condition ||
                             st.paperNearEnd != state.paperNearEnd || st.detail != state.detail;
        if (st.condition != state.condition || st.paperNearEnd != state.paperNearEnd) {
            const std::string line = std::string("printer ") + conditionName(st.condition) +
                                     (st.paperNearEnd ? " (paper near end)" : "") + ": " +
                                     st.detail;
            if (st.canPrint()) {
                log::info("printer", line);
            } else {
                log::warn("printer", line);
            }
        }
        state = std::move(st);
        return differs;
    }

    std::size_t pump() {
        std::lock_guard pumpLock(pumpMutex);
        bool anyChange = setState(printer->queryState());
        std::size_t printed = 0;
        for (;;) {
            fs::path next;
            {
                std::lock_guard lock(mutex);
                if (pending.empty() || !state.canPrint()) {
                    break;
                }
                next = pending.front();
            }
            Result<std::vector<std::uint8_t>> bytes = readWholeFile(next);
            if (!bytes) {
                // Never dropped silently: an unreadable slip is set aside and logged for staff.
                fs::path aside = next;
                aside += ".unreadable";
                std::error_code ec;
                fs::rename(next, aside, ec);
                log::error("printer", "spooled slip " + next.filename().string() +
                                          " unreadable, kept as " + aside.filename().string() +
                                          ": " + bytes.error().message);
                std::lock_guard lock(mutex);
                pending.erase(pending.begin());
                anyChange = true;
                continue;
            }
            // Marked before a byte goes out: a crash from here on leaves .printing, which the
            // next start never prints again by itself (a duplicate slip is a second receipt).
            fs::path printing = next;
            printing.replace_extension(".printing");
            std::error_code renameEc;
            fs::rename(next, printing, renameEc);
            if (renameEc) {
                log::warn("printer", "spool: cannot mark " + next.filename().string() +
                                         " as printing: " + renameEc.message());
                break;
            }
            if (Status s = syncDirectory(dir); !s) {
                log::warn("printer", "spool: " + s.error().message);
            }
            step("printing");
            if (Status s = printer->print(*bytes); !s) {
                // Refused before printing (no connection, status error): it may try again.
                fs::rename(printing, next, renameEc);
                PrinterState st = printer->queryState();
                if (st.canPrint()) {
                    // The status looked fine but the bytes did not go through.
                    st.condition = PrinterCondition::unreachable;
                    st.detail = s.error().message;
                }
                anyChange = setState(std::move(st)) || anyChange;
                break;
            }
            step("printed");
            std::error_code ec;
            fs::remove(printing, ec);
            if (Status s = syncDirectory(dir); !s) {
                log::warn("printer", "spool: " + s.error().message);
            }
            {
                std::lock_guard lock(mutex);
                pending.erase(pending.begin());
            }
            ++printed;
            anyChange = true;
            log::info("printer", "printed spooled slip " + next.filename().string());
        }
        if (anyChange) {
            changed();
        }
        return printed;
    }

    void step(std::string_view name) const {
        if (options.onStep) {
            options.onStep(name);
        }
    }

    void run() {
        for (;;) {
            pump();
            std::unique_lock lock(mutex);
            const std::int64_t waitMs = pending.empty() ? options.idlePollMs : options.retryMs;
            wakeup.wait_for(lock, std::chrono::milliseconds(waitMs),
                            [this] { return stopping || wake; });
            wake = false;
            if (stopping) {
                return;
            }
        }
    }
};

PrintQueue::PrintQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PrintQueue::~PrintQueue() {
    stop();
}

Result<std::unique_ptr<PrintQueue>> PrintQueue::open(fs::path spoolDir,
                                                     std::unique_ptr<Printer> printer) {
    return open(std::move(spoolDir), std::move(printer), Options{});
}

Result<std::unique_ptr<PrintQueue>> PrintQueue::open(fs::path spoolDir,
                                                     std::unique_ptr<Printer> printer,
                                                     Options options) {
    if (!printer) {
        return makeError(Errc::invalidInput, "print queue without a printer");
    }
    std::error_code ec;
    fs::create_directories(spoolDir, ec);
    if (ec) {
        return makeError(Errc::ioError, "print spool " + spoolDir.string() + ": " + ec.message());
    }
    auto impl = std::make_unique<Impl>();
    impl->dir = spoolDir;
    impl->printer = std::move(printer);
    impl->options = options;
    for (const auto& e : fs::directory_iterator(spoolDir, ec)) {
        fs::path p = e.path();
        if (p.extension() == ".new") {
            fs::remove(p, ec);  // a write cut short before its rename: never acknowledged
            continue;
        }
        unsigned long long seq = 0;
        if (std::sscanf(p.filename().c_str(), "%20llu", &seq) != 1) {
            continue;
        }
        impl->nextSeq = std::max<std::uint64_t>(impl->nextSeq, seq + 1);
        if (p.extension() == ".printing") {
            fs::path kept = p;
            kept.replace_extension(".unconfirmed");
            fs::rename(p, kept, ec);
            log::warn("printer", "slip " + p.stem().string() +
                                     " was being printed when the kiosk stopped: not printed "
                                     "again (lapor-ctl reprint, if the visitor has none)");
            p = kept;
        }
        if (p.extension() == ".slip") {
            impl->pending.push_back(p);
        } else if (p.extension() == ".unconfirmed") {
            impl->unconfirmed.push_back(p);
        }
    }
    if (Status s = syncDirectory(spoolDir); !s) {
        log::warn("printer", "spool: " + s.error().message);
    }
    if (ec) {
        return makeError(Errc::ioError, "print spool " + spoolDir.string() + ": " + ec.message());
    }
    std::sort(impl->pending.begin(), impl->pending.end());
    std::sort(impl->unconfirmed.begin(), impl->unconfirmed.end());
    if (!impl->pending.empty()) {
        log::info("printer", std::to_string(impl->pending.size()) +
                                 " slip(s) waiting in the spool from before");
    }
    return std::unique_ptr<PrintQueue>(new PrintQueue(std::move(impl)));
}

Status PrintQueue::submit(const SlipContent& slip) {
    Result<std::vector<std::uint8_t>> bytes = renderSlip(slip, impl_->printer->paperWidth());
    if (!bytes) {
        return bytes.error();
    }
    return submitBytes(*bytes);
}

Status PrintQueue::submit(const SlipContent& slip, std::string_view key,
                          const std::function<Status()>& stored) {
    if (key.empty() || key.size() > 64 || !std::all_of(key.begin(), key.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   c == '-';
        })) {
        return makeError(Errc::invalidInput, "slip key must be 1..64 letters, digits or '-'");
    }
    Result<std::vector<std::uint8_t>> bytes = renderSlip(slip, impl_->printer->paperWidth());
    if (!bytes) {
        return bytes.error();
    }
    return spool(*bytes, key, stored);
}

bool PrintQueue::holds(std::string_view key) const {
    const auto has = [key](const fs::path& p) { return keyOf(p) == key; };
    std::lock_guard lock(impl_->mutex);
    if (std::any_of(impl_->pending.begin(), impl_->pending.end(), has) ||
        std::any_of(impl_->unconfirmed.begin(), impl_->unconfirmed.end(), has)) {
        return true;
    }
    // The one being printed has left `pending` already, under its .printing name.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(impl_->dir, ec)) {
        if (e.path().extension() == ".printing" && keyOf(e.path()) == key) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> PrintQueue::unconfirmedKeys() const {
    std::vector<std::string> keys;
    std::lock_guard lock(impl_->mutex);
    for (const fs::path& p : impl_->unconfirmed) {
        if (std::string k = keyOf(p); !k.empty()) {
            keys.push_back(std::move(k));
        }
    }
    return keys;
}

void PrintQueue::forgetUnconfirmed(std::string_view key) {
    std::lock_guard lock(impl_->mutex);
    auto& u = impl_->unconfirmed;
    for (auto it = u.begin(); it != u.end();) {
        if (keyOf(*it) == key) {
            std::error_code ec;
            fs::remove(*it, ec);
            it = u.erase(it);
        } else {
            ++it;
        }
    }
}

Status PrintQueue::submit(const StatusSlipContent& slip) {
    Result<std::vector<std::uint8_t>> bytes = renderStatusSlip(slip, impl_->printer->paperWidth());
    if (!bytes) {
        return bytes.error();
    }
    return submitBytes(*bytes);
}

Status PrintQueue::submitBytes(std::span<const std::uint8_t> escpos) {
    return spool(escpos, {}, {});
}

Status PrintQueue::spool(std::span<const std::uint8_t> escpos, std::string_view key,
                         const std::function<Status()>& stored) {
    std::uint64_t seq = 0;
    {
        std::lock_guard lock(impl_->mutex);
        seq = impl_->nextSeq++;
    }
    char name[40];
    // Zero-padded so that name order is submission order.
    std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(seq));
    const fs::path path =
        impl_->dir / (std::string(name) + (key.empty() ? "" : "-" + std::string(key)) + ".slip");
    if (Status s = writeFileDurably(path, escpos); !s) {
        return s;
    }
    Status recorded = stored ? stored() : Status{};
    {
        std::lock_guard lock(impl_->mutex);
        impl_->pending.push_back(path);
        impl_->wake = true;
    }
    impl_->wakeup.notify_all();
    impl_->changed();
    return recorded;
}

PrintQueueStatus PrintQueue::status() const {
    PrintQueueStatus s;
    s.printerDescription = impl_->printer->describe();
    s.simulated = impl_->printer->simulated();
    std::lock_guard lock(impl_->mutex);
    s.printer = impl_->state;
    s.pending = impl_->pending.size();
    return s;
}

void PrintQueue::setOnChange(std::function<void()> callback) {
    std::lock_guard lock(impl_->mutex);
    impl_->onChange = std::move(callback);
}

void PrintQueue::start() {
    if (impl_->worker.joinable()) {
        return;
    }
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = false;
    }
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

void PrintQueue::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wakeup.notify_all();
    if (impl_->worker.joinable()) {
        impl_->worker.join();
    }
}

void PrintQueue::retryNow() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->wake = true;
    }
    impl_->wakeup.notify_all();
}

std::size_t PrintQueue::pumpOnce() {
    return impl_->pump();
}

}  // namespace lapor::hw
