#pragma once

#include <QStringList>

// One function per modelaudit-cli subcommand. Each parses its options, calls core, prints
// the result and returns the exit code: 0 ok, 2 bad input or usage, 1 other failure.
// Core errors propagate as exceptions to main(), which prints them and picks the code.
namespace Cli {

int clean(const QStringList &args);
int split(const QStringList &args);
int train(const QStringList &args);
int evaluate(const QStringList &args);
int predict(const QStringList &args);
int slices(const QStringList &args);
int bias(const QStringList &args);
int card(const QStringList &args); // needs a QGuiApplication (fonts for HTML/PDF)
int report(const QStringList &args); // needs a QGuiApplication (fonts for HTML/PDF)
int serve(const QStringList &args); // runs the event loop until SIGINT or SIGTERM
int versions(const QStringList &args);
int diff(const QStringList &args);
int lock(const QStringList &args);
int explain(const QStringList &args); // explaincommands.cpp
int importance(const QStringList &args);
int calibration(const QStringList &args);
int pdp(const QStringList &args);
int threshold(const QStringList &args); // decidecommands.cpp
int check(const QStringList &args);
int mitigate(const QStringList &args);

} // namespace Cli
