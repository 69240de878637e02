#pragma once

#include <QStringList>

// The DVC subcommands that move data and run the pipeline: pull and repro. Same contract
// as clicommands.h: parse, call core, print, return the exit code.
namespace Cli {

int pull(const QStringList &args);
int push(const QStringList &args);
int exp(const QStringList &args);
int repro(const QStringList &args);

} // namespace Cli
