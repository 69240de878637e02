#pragma once

#include <stdexcept>

#include <QString>

namespace Audit {

// Who is at fault, which decides how each edge reports an error: the CLI's exit code
// (usage and input 2, internal 1), the GUI's banner, the HTTP status (errorStatus in serve).
enum class ErrorKind {
    Usage, // the command line itself: an unknown option value, a missing option
    Input, // a file or setting: names the file, line and key (or column, or option field)
    Request, // an HTTP request: names the request member
    Internal, // not the user's doing: I/O failure, cancelled, a bug
};

// Base of every error that core reports to a person. what() is the full message:
// what went wrong, where, and how to fix it.
class AuditError : public std::runtime_error
{
public:
    explicit AuditError(const QString &message)
        : std::runtime_error(message.toStdString())
    {}

    QString message() const { return QString::fromStdString(what()); }

    virtual ErrorKind kind() const { return ErrorKind::Input; }
    // True when the user's input (a file, an option, a request) is at fault.
    bool isBadInput() const { return kind() != ErrorKind::Internal; }
};

// Reading or writing a file failed for a reason that is not its content.
class IoError final : public AuditError
{
public:
    using AuditError::AuditError;
    ErrorKind kind() const override { return ErrorKind::Internal; }
};

// The operation was cancelled through Progress::isCancelled.
class CancelledError final : public AuditError
{
public:
    CancelledError()
        : AuditError(QStringLiteral("cancelled"))
    {}
    ErrorKind kind() const override { return ErrorKind::Internal; }
};

// A front end was used wrongly: a command-line option missing, repeated or unknown.
class UsageError final : public AuditError
{
public:
    using AuditError::AuditError;
    ErrorKind kind() const override { return ErrorKind::Usage; }
};

// A setting of a core call is invalid (a slice option, a tolerance, a column to read). The
// message names the setting by its meaning; `field` lets a front end point at its own
// control for it (the CLI adds the flag, the GUI its widget).
class OptionError final : public AuditError
{
public:
    OptionError(const QString &field, const QString &message)
        : AuditError(message)
        , m_field(field)
    {}
    QString field() const { return m_field; } // "bins", "cross", "features", "tau", ...

private:
    QString m_field;
};

} // namespace Audit
