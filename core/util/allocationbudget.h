#pragma once

#include <cstddef>

namespace Audit {

// Bounds what one thread may hold in memory while it reads untrusted data whose sizes it
// cannot check before a library allocates them (dlib's deserialize allocates whatever size a
// matrix, string or tensor header says, then reads the elements). While a budget is alive,
// this program's operator new refuses, with std::bad_alloc, an allocation on that thread that
// would take what the thread allocated since the budget began (less what it freed) past
// `bytes`. Other threads are not affected; budgets nest (the inner one applies until it ends).
// The program links its own operator new and delete (malloc and free) for this.
class AllocationBudget
{
public:
    explicit AllocationBudget(std::size_t bytes);
    ~AllocationBudget();
    AllocationBudget(const AllocationBudget &) = delete;
    AllocationBudget &operator=(const AllocationBudget &) = delete;

    static std::ptrdiff_t heldBytes(); // on this thread, under the current budget (0 without one)

private:
    std::size_t m_previousLimit;
    std::ptrdiff_t m_previousHeld;
};

} // namespace Audit
