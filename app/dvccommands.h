#pragma once

#include <QStringList>

// The DVC subcommands that move data: pull. Same contract
// as clicommands.h: parse, call core, print, return the exit code.
namespace Cli {

int pull(const QStringList &args);

} // namespace Cli
