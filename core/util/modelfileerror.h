#pragma once

#include "auditerror.h"

namespace Audit {

// A model file cannot be loaded: missing, truncated, corrupt, foreign or a newer format.
class ModelFileError final : public AuditError
{
public:
    ModelFileError(const QString &path, const QString &problem)
        : AuditError(QStringLiteral("%1: %2").arg(path, problem))
        , m_path(path)
    {}

    QString path() const { return m_path; }

private:
    QString m_path;
};

} // namespace Audit
