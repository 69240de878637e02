#pragma once

#include "auditerror.h"

namespace Audit {

// The predict service cannot listen where it was asked to. The message names the address and
// the option by its meaning; front ends add their own flag or widget.
class ListenError final : public AuditError
{
public:
    enum class Reason {
        TokenRequired, // a non-loopback address without a bearer token: bad input
        Unavailable, // the address cannot be bound (port in use, no such interface)
    };

    ListenError(Reason reason, const QString &message)
        : AuditError(message)
        , m_reason(reason)
    {}

    Reason reason() const { return m_reason; }
    ErrorKind kind() const override { return m_reason == Reason::TokenRequired ? ErrorKind::Input : ErrorKind::Internal; }

private:
    Reason m_reason;
};

} // namespace Audit
