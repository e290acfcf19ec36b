// Zero-on-free for the programs that hold personal data (lapor-kiosk, lapor-syncd): every C++
// allocation is wiped when it is freed, so that the copies C++ code makes on the way (a string
// built for one frame, a validation temporary, a JSON body) do not outlive their use in freed
// heap memory, where a core dump or a memory read would find them. Linked into those programs
// only (an object library), never into lapor_core: replacing the global operators is a program's
// decision. Live buffers are still wiped explicitly (core/wipe.hpp).
#include <malloc.h>
#include <sodium.h>

#include <cstdlib>
#include <new>

namespace {

void* allocate(std::size_t size) {
    void* p = std::malloc(size == 0 ? 1 : size);
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    return p;
}

void release(void* p) noexcept {
    if (p != nullptr) {
        // The whole block malloc gave out, which may be more than was asked for.
        sodium_memzero(p, malloc_usable_size(p));
        std::free(p);
    }
}

}  // namespace

void* operator new(std::size_t size) {
    return allocate(size);
}
void* operator new[](std::size_t size) {
    return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept {
    release(p);
}
void operator delete[](void* p) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    release(p);
}
// Over-aligned allocations come from aligned_alloc in libstdc++, which free() also releases.
void operator delete(void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}
