#pragma once

#include <functional>

#include <QString>

#include "auditerror.h"

namespace Audit {

// Optional progress and cancellation hooks for long core calls. Both may be empty.
struct Progress
{
    std::function<void(int done, int total, const QString &stage)> report;
    std::function<bool()> isCancelled;

    void step(int done, int total, const QString &stage) const
    {
        if (report)
            report(done, total, stage);
    }

    // Throws CancelledError when the caller asked to stop.
    void checkCancelled() const
    {
        if (isCancelled && isCancelled())
            throw CancelledError();
    }
};

} // namespace Audit
