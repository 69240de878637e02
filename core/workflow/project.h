#pragma once

#include <optional>

#include <QString>

#include "params.h"
#include "schema.h"

namespace Audit {

// A ModelAudit project folder: params.yaml, the schema and data it names, the model, the
// card and the reports. The one place that knows where each lives.
class Project
{
public:
    static constexpr const char *kParamsFile = "params.yaml";
    static constexpr const char *kModelFile = "models/model.bin";
    static constexpr const char *kCardFile = "model_card.md";

    // True when `dir` holds a params.yaml.
    static bool isProject(const QString &dir);

    // Opens `dir` (any spelling; stored absolute and clean).
    // Throws: IoError naming the folder when it has no params.yaml; SchemaError naming the
    //         file, line and key when params.yaml is malformed.
    static Project open(const QString &dir);
    // open(dir) when `dir` is a project (not empty, holds a params.yaml), else nothing: for
    // callers to which a project is optional (its splits for warnings, its model by default).
    static std::optional<Project> openIfProject(const QString &dir);

    QString dir() const { return m_dir; }
    QString path(const QString &relative) const; // `relative` inside the project folder
    QString paramsPath() const { return path(QLatin1String(kParamsFile)); }
    const TrainParams &params() const { return m_params; }
    QString schemaPath() const { return m_params.schemaPath; }
    Schema loadSchema() const; // throws SchemaError / IoError naming the schema file
    QString modelPath() const { return path(QLatin1String(kModelFile)); }
    QString cardPath() const { return path(QLatin1String(kCardFile)); }

    // The data the audit views show: data.test when that file exists, else data.raw.
    QString auditDataPath() const;

private:
    QString m_dir;
    TrainParams m_params;
};

} // namespace Audit
