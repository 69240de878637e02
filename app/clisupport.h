#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>

#include "auditerror.h"
#include "commandline.h"
#include "csvreader.h"
#include "enumnames.h"
#include "featureencoder.h"
#include "progress.h"

// What the subcommands in clicommands.cpp, explaincommands.cpp and the others share.
namespace Cli {

// Every command that reads data rows: --strict, and --delimiter.
void addStrict(CommandLine &cli);
Audit::LoadOptions loadOptions(const CommandLine &cli);
void reportRejected(const Audit::LoadReport &report);
void reportUnseen(const Audit::EncodeReport &report);
// Prints "<command>: <percent> <stage>" to stderr when the stage changes, at most every 250 ms.
Audit::Progress stderrProgress(const QString &command);
void writeJson(const QString &path, const QJsonObject &json); // atomic
// --threshold T, when given (an OptionError outside [0, 1], which the CLI reports with the flag).
std::optional<double> thresholdOption(const CommandLine &cli);

template <typename E>
E enumOption(const CommandLine &cli, const QString &name)
{
    const std::optional<E> value = Audit::enumFromName<E>(cli.value(name));
    if (!value)
        throw Audit::UsageError(
            QStringLiteral("--%1: expected %2, found \"%3\"").arg(name, Audit::enumNameList<E>(), cli.value(name)));
    return *value;
}

} // namespace Cli
