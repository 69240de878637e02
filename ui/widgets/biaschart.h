#pragma once

#include <vector>

#include <QColor>
#include <QStringList>

#include "biasreport.h"
#include "okabeito.h"

class QChart;

namespace Ui {

// Okabe–Ito colours, safe for the common colour-vision deficiencies: the one definition the
// card and report exports use too (core/card/okabeito.h).
namespace OkabeIto = Audit::OkabeIto;

// Qt Charts renders axis labels as rich text: a plain value ("<0", "a & b") escaped for it.
QString chartLabelText(const QString &plain);

struct BiasChart
{
    QChart *chart = nullptr; // owned by the caller
    QStringList groups; // the groups in axis order
    QStringList failing; // those whose verdict is a (significant) fail
    QStringList categories; // the axis labels as given to the axis (escaped)
};

// A group's disparity for `metric` against its reference on a log axis centred on 1 (base 2;
// base 10 when a ratio lies beyond 1/16..16),
// a stem from 1 to the value, its 95% interval as a capped whisker beside it (in `textColour`;
// hollow markers filled with `background`), the tolerance band [tau, 1/tau] shaded; the verdict
// states (pass, fail, outside band but not significant, insufficient data, none) told apart by
// marker shape and fill and a ✓ ✗ ~ ? – in the label as well as by colour.
BiasChart makeBiasChart(const std::vector<const Audit::GroupMetrics *> &groups, Audit::BiasMetric metric, double tau,
                        const QString &attribute, const QColor &textColour, const QColor &background = Qt::white);

} // namespace Ui
