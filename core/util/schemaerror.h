#pragma once

#include "auditerror.h"

namespace Audit {

// A schema or params YAML file is malformed, or data does not fit the schema.
class SchemaError final : public AuditError
{
public:
    using AuditError::AuditError;
};

} // namespace Audit
