#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

// Shared helpers for the QtTest suites: real files on disk, in a QTemporaryDir.
namespace TestUtil {

inline QString projectFile(const QString &relative)
{
    return QDir(QStringLiteral(PROJECT_SOURCE_DIR)).filePath(relative);
}

inline QString censusSchema()
{
    return projectFile(QStringLiteral("data/census.schema.yaml"));
}

// The project's data/raw/census.csv. DVC versions it (data/raw/census.csv.dvc), git does not:
// `modelaudit-cli pull` fetches it from the bundled remote, and `make test` runs that first.
// When it is missing the current test fails saying so (and goes on with a path that does not exist).
inline QString censusRaw()
{
    const QString path = projectFile(QStringLiteral("data/raw/census.csv"));
    if (!QFileInfo::exists(path))
        QTest::qFail("data/raw/census.csv is missing: DVC versions it, git does not. Run `build/bin/modelaudit-cli pull` "
                     "in the project (make test does) to fetch it from the bundled remote, then rerun the tests.",
                     __FILE__, __LINE__);
    return path;
}

// The header and the first `rows` data rows of the real census file, byte for byte (its
// `, ` separators, `?` for missing values), in a file that lives as long as the test program.
inline QString censusSample(int rows = 20)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("census_%1.csv").arg(rows));
    if (QFileInfo::exists(path))
        return path;
    QFile in(censusRaw());
    if (!in.open(QIODevice::ReadOnly))
        return path;
    QByteArray bytes;
    for (int line = 0; line <= rows && !in.atEnd(); ++line)
        bytes += in.readLine();
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// modelaudit-cli run in `workingDirectory`, with what it printed.
struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline CliResult runCli(const QString &workingDirectory, const QStringList &args)
{
    QProcess process;
    process.setWorkingDirectory(workingDirectory);
    process.start(QStringLiteral(CLI_BINARY), args);
    if (!process.waitForFinished(120000))
        qFatal("modelaudit-cli %s did not finish", qPrintable(args.join(QLatin1Char(' '))));
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

inline QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// A small schema: two numeric and two categorical columns, label "y" with yes/no.
inline QByteArray tinySchemaYaml()
{
    return "name: tiny\n"
           "label: {column: y, positive: \"yes\", negative: \"no\"}\n"
           "columns:\n"
           "  - {name: age, type: integer}\n"
           "  - {name: colour, type: categorical}\n"
           "  - {name: score, type: real}\n"
           "  - {name: shape, type: categorical}\n"
           "protected:\n"
           "  - {column: colour, reference: red}\n";
}

} // namespace TestUtil
