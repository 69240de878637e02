#pragma once

#include <stdexcept>

#include <QString>

namespace Audit {

// Base of every error that core reports to a person. what() is the full message:
// what went wrong, where, and how to fix it.
class AuditError : public std::runtime_error
{
public:
    explicit AuditError(const QString &message)
        : std::runtime_error(message.toStdString())
    {}

    QString message() const { return QString::fromStdString(what()); }

    // True when the user's input (a file, an option, a request) is at fault; the CLI
    // exits 2 for these and 1 for everything else.
    virtual bool isBadInput() const { return true; }
};

// Reading or writing a file failed for a reason that is not its content.
class IoError final : public AuditError
{
public:
    using AuditError::AuditError;
    bool isBadInput() const override { return false; }
};

// The operation was cancelled through Progress::isCancelled.
class CancelledError final : public AuditError
{
public:
    CancelledError()
        : AuditError(QStringLiteral("cancelled"))
    {}
    bool isBadInput() const override { return false; }
};

} // namespace Audit
