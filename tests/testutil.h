#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

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

inline QString censusRaw()
{
    return projectFile(QStringLiteral("data/raw/census.csv"));
}

inline QString fixture(const QString &name)
{
    return QDir(QStringLiteral(TEST_DATA_DIR)).filePath(name);
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
