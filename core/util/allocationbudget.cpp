#include "allocationbudget.h"

#include <cstdlib>
#include <new>

#include <malloc.h>

namespace {

// The current thread's budget: 0 means none. `held` counts the usable size of every block
// allocated under the budget, less every block freed under it (blocks from before the budget
// freed under it make it smaller, never larger: the bound only gets looser by what existed).
thread_local std::size_t t_limit = 0;
thread_local std::ptrdiff_t t_held = 0;

void *allocate(std::size_t size)
{
    if (t_limit != 0 && (size > t_limit || t_held + std::ptrdiff_t(size) > std::ptrdiff_t(t_limit)))
        throw std::bad_alloc();
    for (;;) {
        if (void *p = std::malloc(size == 0 ? 1 : size)) {
            if (t_limit != 0)
                t_held += std::ptrdiff_t(malloc_usable_size(p));
            return p;
        }
        const std::new_handler handler = std::get_new_handler();
        if (!handler)
            throw std::bad_alloc();
        handler();
    }
}

void release(void *p) noexcept
{
    if (p && t_limit != 0)
        t_held -= std::ptrdiff_t(malloc_usable_size(p));
    std::free(p);
}

} // namespace

namespace Audit {

AllocationBudget::AllocationBudget(std::size_t bytes)
    : m_previousLimit(t_limit)
    , m_previousHeld(t_held)
{
    t_limit = bytes == 0 ? 1 : bytes;
    t_held = 0;
}

AllocationBudget::~AllocationBudget()
{
    t_limit = m_previousLimit;
    t_held = m_previousHeld;
}

std::ptrdiff_t AllocationBudget::heldBytes()
{
    return t_limit ? t_held : 0;
}

} // namespace Audit

// The replaceable allocation functions ([new.delete]): every plain and array form, so each
// block is malloc'd and freed in pairs (sanitizers see matching calls). The aligned forms
// keep the library's own pair.
void *operator new(std::size_t size)
{
    return allocate(size);
}

void *operator new[](std::size_t size)
{
    return allocate(size);
}

void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    try {
        return allocate(size);
    } catch (...) {
        return nullptr;
    }
}

void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
    try {
        return allocate(size);
    } catch (...) {
        return nullptr;
    }
}

void operator delete(void *p) noexcept
{
    release(p);
}

void operator delete[](void *p) noexcept
{
    release(p);
}

void operator delete(void *p, std::size_t) noexcept
{
    release(p);
}

void operator delete[](void *p, std::size_t) noexcept
{
    release(p);
}

void operator delete(void *p, const std::nothrow_t &) noexcept
{
    release(p);
}

void operator delete[](void *p, const std::nothrow_t &) noexcept
{
    release(p);
}
