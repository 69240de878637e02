#pragma once

#include "auditerror.h"

namespace Audit {

// A CSV file cannot be read: unreadable, empty, no header, a schema column missing from
// the header, or (with --strict) a bad row. Carries the place of the fault.
class CsvError final : public AuditError
{
public:
    CsvError(const QString &message, const QString &path, int line = 0, const QString &column = {}, const QString &value = {})
        : AuditError(message)
        , m_path(path)
        , m_line(line)
        , m_column(column)
        , m_value(value)
    {}

    QString path() const { return m_path; }
    int line() const { return m_line; } // 1-based file line, header included; 0 = whole file
    QString column() const { return m_column; }
    QString value() const { return m_value; }

private:
    QString m_path;
    int m_line;
    QString m_column;
    QString m_value;
};

} // namespace Audit
