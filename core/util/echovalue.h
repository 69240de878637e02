#pragma once

#include <QString>

// A value from outside (a request, a file) as a message may quote it: control characters
// (a NUL would cut the message short, a newline forge a line) as \xNN, whole when short, else
// its first `max` characters and its length, so a 1,000,000-character category is not echoed
// back whole (in an answer, a warning or a log).
inline QString echoValue(const QString &value, qsizetype max = 80)
{
    QString shown;
    for (const QChar c : QStringView(value).left(max)) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            shown += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            shown += c;
    }
    return value.size() <= max ? shown : shown + QStringLiteral("… (%1 characters)").arg(value.size());
}
