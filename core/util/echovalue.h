#pragma once

#include <QString>

// A value from outside (a request, a file) as a message may quote it: whole when short, else
// its first `max` characters and its length, so a 1,000,000-character category is not echoed
// back whole (in an answer, a warning or a log).
inline QString echoValue(const QString &value, qsizetype max = 80)
{
    if (value.size() <= max)
        return value;
    return value.left(max) + QStringLiteral("… (%1 characters)").arg(value.size());
}
