#include "project.h"

#include <QDir>
#include <QFileInfo>

#include "auditerror.h"
#include "schemaerror.h"

namespace Audit {

bool Project::isProject(const QString &dir)
{
    return QFileInfo::exists(QDir(dir).filePath(QLatin1String(kParamsFile)));
}

std::optional<Project> Project::openIfProject(const QString &dir)
{
    if (dir.isEmpty() || !isProject(dir))
        return std::nullopt;
    return open(dir);
}

Project Project::open(const QString &dir)
{
    Project project;
    project.m_dir = QDir::cleanPath(QDir(dir).absolutePath());
    if (!isProject(project.m_dir))
        throw IoError(QStringLiteral("%1: no %2 here, so this is not a ModelAudit project. Fix: open a project folder "
                                     "(one with %2), or a dataset CSV with its schema.")
                          .arg(project.m_dir, QLatin1String(kParamsFile)));
    project.m_params = TrainParams::fromYamlFile(project.paramsPath());
    return project;
}

QString Project::path(const QString &relative) const
{
    return QDir(m_dir).filePath(relative);
}

Schema Project::loadSchema() const
{
    if (m_params.schemaPath.isEmpty())
        throw SchemaError(
            QStringLiteral("%1: data.schema is not set. Fix: name the dataset's schema YAML there.").arg(paramsPath()));
    return Schema::fromYamlFile(m_params.schemaPath);
}

QString Project::auditDataPath() const
{
    return QFileInfo::exists(m_params.testPath) ? m_params.testPath : m_params.rawPath;
}

} // namespace Audit
