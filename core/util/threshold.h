#pragma once

#include "auditerror.h"

namespace Audit {

// A decision threshold as every audit uses it: positive when score >= t, so t lies in [0, 1].
// Throws: OptionError("threshold") otherwise, so a leftover "-1 means default" never passes.
inline double checkedThreshold(double t)
{
    if (!(t >= 0 && t <= 1))
        throw OptionError(
            QStringLiteral("threshold"),
            QStringLiteral("decision threshold %1: must be within [0, 1] (positive when score >= threshold)").arg(t));
    return t;
}

} // namespace Audit
