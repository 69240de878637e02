#pragma once

#include <QString>

namespace Ui {

// Short column titles and one-sentence explanations of every metric the views show,
// keyed by the names core reports use ("precision", "fpr", "ppr_disparity", ...).
QString metricTitle(const QString &key);
QString metricTooltip(const QString &key);

} // namespace Ui
