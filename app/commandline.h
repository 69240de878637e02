#pragma once

#include <cstdio>

#include <limits>

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "schemaerror.h"

// What every modelaudit-cli subcommand shares: its option parser with --help and usage
// errors (exit 2), and printing to stdout and stderr.
namespace Cli {

inline constexpr int kUsageError = 2;

inline void printErr(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
}

inline void printOut(const QString &text)
{
    std::fprintf(stdout, "%s\n", qPrintable(text));
}

// A command's --json output: indented, on stdout.
inline void printJson(const QJsonObject &object)
{
    printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
}

// A QCommandLineParser for one subcommand, with --help and the error handling every
// subcommand shares. parse() returns false when main should exit with exitCode().
class CommandLine
{
public:
    CommandLine(const QString &command, const QString &description)
        : m_command(command)
    {
        m_parser.setApplicationDescription(description);
        m_parser.addHelpOption();
        m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    }

    // A positional argument; the first `required` of them must be given.
    void addPositional(const QString &name, const QString &help, bool required)
    {
        m_parser.addPositionalArgument(name, help, required ? name : QStringLiteral("[%1]").arg(name));
        ++m_positionals;
        m_required += required;
    }

    void add(const QString &name, const QString &help, const QString &valueName = {}, const QString &fallback = {})
    {
        m_parser.addOption(QCommandLineOption(name, help, valueName, fallback));
    }

    // An option that also answers to a one-letter name ("-r NAME" for "--remote NAME", as DVC).
    void add(QChar letter, const QString &name, const QString &help, const QString &valueName = {})
    {
        m_parser.addOption(QCommandLineOption(QStringList{QString(letter), name}, help, valueName));
    }

    bool parse(const QStringList &args, const QStringList &required = {})
    {
        QStringList full = args;
        full.prepend(QStringLiteral("modelaudit-cli ") + m_command);
        if (!m_parser.parse(full)) {
            printErr(QStringLiteral("modelaudit-cli %1: %2\nRun `modelaudit-cli %1 --help` for the options.")
                         .arg(m_command, m_parser.errorText()));
            m_exitCode = kUsageError;
            return false;
        }
        if (m_parser.isSet(QStringLiteral("help"))) {
            // Qt writes argv[0] in the usage line ("./build/bin/modelaudit-cli [options]"); say
            // the command as it is typed instead.
            QString help = m_parser.helpText();
            const qsizetype eol = help.indexOf(QLatin1Char('\n'));
            if (help.startsWith(QLatin1String("Usage: ")) && eol > 0)
                help.replace(0, eol, QStringLiteral("Usage: modelaudit-cli %1 [options]").arg(m_command));
            std::fprintf(stdout, "%s", qPrintable(help));
            m_exitCode = 0;
            return false;
        }
        const QStringList positionals = m_parser.positionalArguments();
        if (positionals.size() > m_positionals) {
            printErr(
                QStringLiteral("modelaudit-cli %1: unexpected argument \"%2\"").arg(m_command, positionals.at(m_positionals)));
            m_exitCode = kUsageError;
            return false;
        }
        if (positionals.size() < m_required) {
            printErr(QStringLiteral("modelaudit-cli %1: expected %2 argument(s). Run `modelaudit-cli %1 --help`.")
                         .arg(m_command)
                         .arg(m_required));
            m_exitCode = kUsageError;
            return false;
        }
        for (const QString &name : required) {
            if (value(name).isEmpty()) {
                printErr(
                    QStringLiteral("modelaudit-cli %1: --%2 is required. Run `modelaudit-cli %1 --help`.").arg(m_command, name));
                m_exitCode = kUsageError;
                return false;
            }
        }
        return true;
    }

    QString value(const QString &name) const { return m_parser.value(name); }

    // Every value of a list option, repeated (--ref a=x --ref b=y) or comma-separated
    // (--ref a=x,b=y) or both, trimmed, in order.
    QStringList rawValues(const QString &name) const { return m_parser.values(name); } // as given, unsplit
    QStringList values(const QString &name) const
    {
        QStringList items;
        for (const QString &value : m_parser.values(name)) {
            for (const QString &item : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
                items << item.trimmed();
        }
        return items;
    }
    QString positional(int i) const { return m_parser.positionalArguments().value(i); }
    bool isSet(const QString &name) const { return m_parser.isSet(name); }
    int exitCode() const { return m_exitCode; }

    double number(const QString &name) const
    {
        bool ok = false;
        const double v = value(name).toDouble(&ok);
        if (!ok)
            throw Audit::UsageError(QStringLiteral("--%1: expected a number, found \"%2\"").arg(name, value(name)));
        return v;
    }

    // A whole number within [min, max]: "1.5", "1e3", "99999999999999999999" and values out of
    // range are usage errors naming the option and the value as typed (never wrapped or cut).
    int integer(const QString &name, int min = 0, int max = std::numeric_limits<int>::max()) const
    {
        bool ok = false;
        const QString text = value(name).trimmed();
        const qlonglong v = text.toLongLong(&ok);
        if (!ok)
            throw Audit::UsageError(QStringLiteral("--%1: expected a whole number, found \"%2\"").arg(name, value(name)));
        if (v < min || v > max)
            throw Audit::UsageError(
                max == std::numeric_limits<int>::max()
                    ? QStringLiteral("--%1: expected a whole number of at least %2, found %3").arg(name).arg(min).arg(text)
                    : QStringLiteral("--%1: expected a whole number from %2 to %3, found %4")
                          .arg(name)
                          .arg(min)
                          .arg(max)
                          .arg(text));
        return int(v);
    }

private:
    QString m_command;
    QCommandLineParser m_parser;
    int m_exitCode = 0;
    int m_positionals = 0;
    int m_required = 0;
};

} // namespace Cli
