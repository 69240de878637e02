#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "biasreport.h"
#include "slicereport.h"

namespace Ui {

// The analysis a person set up on a project, kept in the project (.modelaudit/workspace.json,
// written atomically) and restored when it is opened again: the working threshold (for the
// model it was set on), the slice and bias settings, and the tab on screen.
struct WorkspaceState
{
    static constexpr const char *kFile = ".modelaudit/workspace.json";
    static constexpr qint64 kMaxBytes = 1 << 20; // a few hundred bytes in practice

    std::optional<double> threshold; // the working threshold...
    QString thresholdModelId; // ...and the model it was chosen for
    Audit::SliceOptions slices;
    Audit::BiasOptions bias; // method, references, tau (attributes too, when chosen)
    QString tab; // "slices", "bias", ...
    // Each tab's own view state (filters, sort orders, selections, chart choices), by tab
    // name; the tab checks the members it reads.
    QJsonObject views;

    // Reads the project's state. A missing file gives the defaults; a malformed or oversized
    // one too, with `problem` saying what was wrong (file and member) so the GUI can say it:
    // a bad state file must never stop a project from opening.
    static WorkspaceState load(const QString &projectDir, QString *problem = nullptr);
    void save(const QString &projectDir) const; // throws IoError
};

} // namespace Ui
