#include "slicereport.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <QJsonArray>

#include "csvtokenizer.h"
#include "groupedcolumn.h"
#include "metrics.h"
#include "parallel.h"
#include "schemaerror.h"
#include "slicecounts.h"

namespace Audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

SliceRow makeRow(QStringList features, QStringList values, const std::int64_t *counts, double z)
{
    SliceRow row;
    row.features = std::move(features);
    row.values = std::move(values);
    row.tn = counts[0];
    row.fp = counts[1];
    row.fn = counts[2];
    row.tp = counts[3];
    row.n = row.tp + row.fp + row.tn + row.fn;
    row.precision = ratioOrNaN(row.tp, row.tp + row.fp);
    row.recall = ratioOrNaN(row.tp, row.tp + row.fn);
    row.f1 = ratioOrNaN(2 * row.tp, 2 * row.tp + row.fp + row.fn);
    row.accuracy = ratioOrNaN(row.tp + row.tn, row.n);
    row.fpr = ratioOrNaN(row.fp, row.fp + row.tn);
    row.fnr = ratioOrNaN(row.fn, row.fn + row.tp);
    row.precisionCi = wilsonInterval(row.tp, row.tp + row.fp, z);
    row.recallCi = wilsonInterval(row.tp, row.tp + row.fn, z);
    row.accuracyCi = wilsonInterval(row.tp + row.tn, row.n, z);
    // F1 = 2J / (1 + J) with J = tp / (tp + fp + fn), a proportion: map J's Wilson interval.
    const Interval j = wilsonInterval(row.tp, row.tp + row.fp + row.fn, z);
    row.f1Ci = {2 * j.low / (1 + j.low), 2 * j.high / (1 + j.high)};
    return row;
}

// The occupied cells of one combination that make slices: every one for a single feature,
// at least minSize rows for an intersection.
std::vector<OccupiedCell> sliceCells(const ScoredData &data, const std::vector<const AuditCache::RankedColumn *> &columns,
                                     double threshold, int minSize, AuditCache &cache)
{
    std::vector<OccupiedCell> cells = countCells(data, columns, threshold, cache);
    if (columns.size() > 1) {
        cells.erase(std::remove_if(cells.begin(), cells.end(),
                                   [minSize](const OccupiedCell &cell) {
                                       const CellCounts &c = cell.counts;
                                       return c[0] + c[1] + c[2] + c[3] < minSize;
                                   }),
                    cells.end());
    }
    return cells;
}

std::vector<SliceRow> combinationRows(const std::vector<const AuditCache::RankedColumn *> &columns,
                                      const std::vector<OccupiedCell> &cells, double z)
{
    QStringList features;
    for (const AuditCache::RankedColumn *c : columns)
        features << c->grouped->name;
    std::vector<SliceRow> out;
    out.reserve(cells.size());
    for (const OccupiedCell &cell : cells) {
        QStringList values;
        for (std::size_t j = 0; j < columns.size(); ++j)
            values << columns[j]->grouped->groups[qsizetype(cell.groups[j])];
        out.push_back(makeRow(features, values, cell.counts.data(), z));
    }
    return out;
}

// The weak metric as a proportion x / n of a slice's confusion counts. F1 = 2J / (1 + J) is
// increasing in J = tp / (tp + fp + fn), so testing J tests F1.
std::pair<std::int64_t, std::int64_t> metricProportion(SliceMetric metric, std::int64_t tp, std::int64_t fp, std::int64_t tn,
                                                       std::int64_t fn)
{
    switch (metric) {
    case SliceMetric::Precision:
        return {tp, tp + fp};
    case SliceMetric::Recall:
        return {tp, tp + fn};
    case SliceMetric::F1:
        return {tp, tp + fp + fn};
    case SliceMetric::Accuracy:
        return {tp + tn, tp + fp + tn + fn};
    }
    return {0, 0};
}

// Tests every slice with enough evidence against the rest of the data, corrects for testing
// them all (Benjamini–Hochberg), marks the weak ones and ranks them.
void markWeakSlices(SliceReport &report)
{
    const SliceOptions &options = report.options;
    const SliceRow &all = report.overall;
    const double overall = all.metric(options.weakMetric);
    std::vector<double> p(report.slices.size(), kNaN);
    forEachRange(report.slices.size(), 512, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            SliceRow &row = report.slices[i];
            row.gap = overall - row.metric(options.weakMetric);
            row.gapLow = overall - row.interval(options.weakMetric).high;
            if (row.labelPositives() < options.minPositives) {
                row.untested
                    = QStringLiteral("%1 label positives (minimum %2)").arg(row.labelPositives()).arg(options.minPositives);
                continue;
            }
            if (options.weakMetric == SliceMetric::Precision && row.predictedPositives() < options.minPositives) {
                row.untested = QStringLiteral("%1 predicted positives (minimum %2)")
                                   .arg(row.predictedPositives())
                                   .arg(options.minPositives);
                continue;
            }
            if (row.n == all.n) {
                row.untested = QStringLiteral("the slice is all of the data");
                continue;
            }
            const auto [x, n] = metricProportion(options.weakMetric, row.tp, row.fp, row.tn, row.fn);
            const auto [rx, rn] = metricProportion(options.weakMetric, all.tp - row.tp, all.fp - row.fp, all.tn - row.tn,
                                                   all.fn - row.fn);
            const Stats::TestResult result = Stats::compareProportions(x, n, rx, rn);
            if (result.test == Stats::Test::None) {
                row.untested = QStringLiteral("no rows for %1 in the slice or in the rest").arg(enumName(options.weakMetric));
                continue;
            }
            row.test = result.test;
            row.p = result.p;
        }
    });
    for (std::size_t i = 0; i < report.slices.size(); ++i)
        p[i] = report.slices[i].p;
    const std::vector<double> q = Stats::benjaminiHochberg(p);
    report.tested = 0;
    for (std::size_t i = 0; i < report.slices.size(); ++i) {
        SliceRow &row = report.slices[i];
        row.q = q[i];
        if (std::isnan(row.p))
            continue;
        ++report.tested;
        const auto [x, n] = metricProportion(options.weakMetric, row.tp, row.fp, row.tn, row.fn);
        const auto [rx, rn] = metricProportion(options.weakMetric, all.tp - row.tp, all.fp - row.fp, all.tn - row.tn,
                                               all.fn - row.fn);
        const bool belowRest = double(x) * double(rn) < double(rx) * double(n); // x/n < rx/rn, exactly
        row.weak = row.gap > options.weakMargin && row.q <= options.fdrQ && belowRest;
        if (row.weak)
            report.weak.push_back(i);
    }
    std::stable_sort(report.weak.begin(), report.weak.end(), [&](std::size_t a, std::size_t b) {
        const SliceRow &x = report.slices[a];
        const SliceRow &y = report.slices[b];
        if (options.rank == SliceRank::Evidence) {
            if (x.gapLow != y.gapLow)
                return x.gapLow > y.gapLow;
            if (x.q != y.q)
                return x.q < y.q;
        } else if (x.gap != y.gap) {
            return x.gap > y.gap;
        }
        return x.n > y.n; // otherwise equal: the larger slice first
    });
}

QJsonObject intervalJson(const Interval &interval)
{
    return QJsonObject{{QStringLiteral("low"), reportJsonNumber(interval.low)},
                       {QStringLiteral("high"), reportJsonNumber(interval.high)}};
}

QJsonObject rowJson(const SliceRow &row)
{
    return QJsonObject{
        {QStringLiteral("feature"), row.feature()},
        {QStringLiteral("value"), row.value()},
        {QStringLiteral("features"), QJsonArray::fromStringList(row.features)},
        {QStringLiteral("values"), QJsonArray::fromStringList(row.values)},
        {QStringLiteral("n"), qint64(row.n)},
        {QStringLiteral("label_pos"), qint64(row.labelPositives())},
        {QStringLiteral("pred_pos"), qint64(row.predictedPositives())},
        {QStringLiteral("tp"), qint64(row.tp)},
        {QStringLiteral("fp"), qint64(row.fp)},
        {QStringLiteral("tn"), qint64(row.tn)},
        {QStringLiteral("fn"), qint64(row.fn)},
        {QStringLiteral("precision"), reportJsonNumber(row.precision)},
        {QStringLiteral("recall"), reportJsonNumber(row.recall)},
        {QStringLiteral("f1"), reportJsonNumber(row.f1)},
        {QStringLiteral("accuracy"), reportJsonNumber(row.accuracy)},
        {QStringLiteral("fpr"), reportJsonNumber(row.fpr)},
        {QStringLiteral("fnr"), reportJsonNumber(row.fnr)},
        {QStringLiteral("precision_ci"), intervalJson(row.precisionCi)},
        {QStringLiteral("recall_ci"), intervalJson(row.recallCi)},
        {QStringLiteral("accuracy_ci"), intervalJson(row.accuracyCi)},
        {QStringLiteral("f1_ci"), intervalJson(row.f1Ci)},
        {QStringLiteral("weak"), row.weak},
        {QStringLiteral("gap"), reportJsonNumber(row.gap)},
        {QStringLiteral("gap_low"), reportJsonNumber(row.gapLow)},
        {QStringLiteral("p"), reportJsonP(row.p)},
        {QStringLiteral("q"), reportJsonP(row.q)},
        {QStringLiteral("test"), QString::fromLatin1(Stats::testName(row.test))},
        {QStringLiteral("untested"), row.untested},
    };
}

} // namespace

double SliceRow::metric(SliceMetric m) const
{
    switch (m) {
    case SliceMetric::Precision:
        return precision;
    case SliceMetric::Recall:
        return recall;
    case SliceMetric::F1:
        return f1;
    case SliceMetric::Accuracy:
        return accuracy;
    }
    return kNaN;
}

Interval SliceRow::interval(SliceMetric m) const
{
    switch (m) {
    case SliceMetric::Precision:
        return precisionCi;
    case SliceMetric::Recall:
        return recallCi;
    case SliceMetric::F1:
        return f1Ci;
    case SliceMetric::Accuracy:
        return accuracyCi;
    }
    return {kNaN, kNaN};
}

SliceReport computeSlices(const ScoredData &data, const SliceOptions &options, std::optional<double> threshold, AuditCache *cache)
{
    if (options.bins < 1)
        throw OptionError(QStringLiteral("bins"), QStringLiteral("slice bins = %1: need at least 1 bin").arg(options.bins));
    if (options.cross < 1 || options.cross > 3)
        throw OptionError(QStringLiteral("cross"),
                          QStringLiteral("intersections of %1 features: 1, 2 or 3 are supported").arg(options.cross));

    if (!(options.fdrQ > 0 && options.fdrQ <= 1))
        throw OptionError(
            QStringLiteral("fdr_q"),
            QStringLiteral("false-discovery rate q = %1: must be in (0, 1], e.g. 0.05").arg(options.fdrQ, 0, 'g', 10));
    if (!(options.weakMargin >= 0 && options.weakMargin <= 1))
        throw OptionError(QStringLiteral("weak_margin"),
                          QStringLiteral("weak-slice margin = %1: must be in [0, 1] (how far below overall), e.g. 0.05")
                              .arg(options.weakMargin, 0, 'g', 10));
    if (options.minSize < 1)
        throw OptionError(QStringLiteral("min_size"),
                          QStringLiteral("minimum slice size = %1: must be at least 1").arg(options.minSize));
    if (options.minPositives < 0)
        throw OptionError(QStringLiteral("min_positives"),
                          QStringLiteral("minimum positives = %1: must be 0 or more").arg(options.minPositives));
    AuditCache local; // a one-off report: nothing to share
    AuditCache &shared = cache ? *cache : local;
    QStringList names = options.features.isEmpty() ? data.columnNames() : options.features;
    // Names in messages: the first few, then how many more (a file may have 100,000 columns).
    const auto listed = [](const QStringList &all) {
        constexpr qsizetype kShown = 12;
        return all.size() <= kShown
            ? all.join(QStringLiteral(", "))
            : all.mid(0, kShown).join(QStringLiteral(", ")) + QStringLiteral(", … (%1 in all)").arg(all.size());
    };
    QHash<QString, const DataColumn *> byName; // lookups in constant time, not a scan per name
    for (const DataColumn &column : data.columns)
        byName.insert(column.spec.name, &column);
    std::vector<const DataColumn *> columns;
    QSet<QString> seen;
    for (const QString &name : std::as_const(names)) {
        if (seen.contains(name)) // tested twice, it would inflate the BH family with copies
            throw OptionError(QStringLiteral("features"), QStringLiteral("feature to slice \"%1\" is named twice").arg(name));
        seen.insert(name);
        const DataColumn *column = byName.value(name);
        if (!column)
            throw OptionError(
                QStringLiteral("features"),
                QStringLiteral("feature to slice \"%1\" is not a column (columns: %2)").arg(name, listed(data.columnNames())));
        columns.push_back(column);
    }
    // The combinations themselves are refused before they are listed when there are too many
    // to count (100,000 columns make 5e9 pairs): each has at least one slice.
    {
        const double k = double(columns.size());
        const double combinations = k + (options.cross >= 2 ? k * (k - 1) / 2 : 0)
            + (options.cross >= 3 ? k * (k - 1) * (k - 2) / 6 : 0);
        if (combinations > double(kMaxSlices))
            throw OptionError(QStringLiteral("features"),
                              QStringLiteral("%1 features with intersections of up to %2 make %3 combinations, each a slice "
                                             "at least: more than %4. Fix: name the features to slice (--features), or "
                                             "fewer intersections (--cross)")
                                  .arg(columns.size())
                                  .arg(options.cross)
                                  .arg(combinations, 0, 'g', 3)
                                  .arg(kMaxSlices));
    }

    SliceReport report;
    report.options = options;
    report.threshold = data.thresholdFor(threshold);
    report.decisionRule = data.decisionRule;
    report.source = data.source;
    report.modelId = data.modelId;
    const std::vector<std::uint8_t> outcomes = data.outcomes(report.threshold);
    std::int64_t totals[4] = {0, 0, 0, 0};
    for (std::uint8_t o : outcomes)
        ++totals[o];
    report.overall = makeRow({QStringLiteral("(all)")}, {QStringLiteral("(all)")}, totals, options.z);

    const std::size_t k = columns.size();
    std::vector<std::shared_ptr<const AuditCache::RankedColumn>> ranked(k);
    forEachIndex(k, [&](std::size_t j) { ranked[j] = shared.rankedColumn(data, *columns[j], options.bins); });
    // Every combination in report order: singles, pairs, triples; counted on all cores.
    std::vector<std::vector<const AuditCache::RankedColumn *>> combinations;
    for (std::size_t a = 0; a < k; ++a)
        combinations.push_back({ranked[a].get()});
    if (options.cross >= 2) {
        for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t b = a + 1; b < k; ++b)
                combinations.push_back({ranked[a].get(), ranked[b].get()});
        }
    }
    if (options.cross >= 3) {
        for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t b = a + 1; b < k; ++b) {
                for (std::size_t c = b + 1; c < k; ++c)
                    combinations.push_back({ranked[a].get(), ranked[b].get(), ranked[c].get()});
            }
        }
    }
    std::vector<std::vector<OccupiedCell>> cells(combinations.size());
    forEachIndex(combinations.size(),
                 [&](std::size_t i) { cells[i] = sliceCells(data, combinations[i], report.threshold, options.minSize, shared); });
    // Counted before any row is made: a report too large to read (and to hold: about 5 KB a
    // slice with its JSON) is refused with what to change, not built until memory runs out.
    std::size_t total = 0;
    std::size_t singles = 0; // what min_size cannot reduce
    for (std::size_t i = 0; i < cells.size(); ++i) {
        total += cells[i].size();
        singles += combinations[i].size() == 1 ? cells[i].size() : 0;
    }
    if (total > kMaxSlices)
        throw OptionError(singles > kMaxSlices / 2 ? QStringLiteral("features") : QStringLiteral("min_size"),
                          QStringLiteral("%1 slices (features %2, intersections of up to %3, at least %4 rows each): more "
                                         "than %5. Fix: fewer or coarser features, fewer intersections, or a larger "
                                         "minimum size")
                              .arg(total)
                              .arg(listed(names))
                              .arg(options.cross)
                              .arg(options.minSize)
                              .arg(kMaxSlices));
    std::vector<std::vector<SliceRow>> rows(combinations.size());
    forEachIndex(combinations.size(), [&](std::size_t i) { rows[i] = combinationRows(combinations[i], cells[i], options.z); });
    for (std::vector<SliceRow> &combination : rows)
        report.slices.insert(report.slices.end(), std::make_move_iterator(combination.begin()),
                             std::make_move_iterator(combination.end()));

    markWeakSlices(report);
    return report;
}

QJsonObject SliceReport::toJson() const
{
    QJsonArray rows;
    for (const SliceRow &row : slices)
        rows.append(rowJson(row));
    QJsonArray weakRows;
    for (std::size_t i : weak)
        weakRows.append(QJsonObject{{QStringLiteral("feature"), slices[i].feature()},
                                    {QStringLiteral("value"), slices[i].value()},
                                    {QStringLiteral("n"), qint64(slices[i].n)},
                                    {enumName(options.weakMetric), reportJsonNumber(slices[i].metric(options.weakMetric))},
                                    {QStringLiteral("gap"), reportJsonNumber(slices[i].gap)},
                                    {QStringLiteral("gap_low"), reportJsonNumber(slices[i].gapLow)},
                                    {QStringLiteral("p"), reportJsonP(slices[i].p)},
                                    {QStringLiteral("q"), reportJsonP(slices[i].q)}});
    QJsonObject json{
        {QStringLiteral("source"), source},
        {QStringLiteral("model"), modelId},
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("options"),
         QJsonObject{{QStringLiteral("bins"), options.bins},
                     {QStringLiteral("cross"), options.cross},
                     {QStringLiteral("min_size"), options.minSize},
                     {QStringLiteral("weak_metric"), enumName(options.weakMetric)},
                     {QStringLiteral("weak_margin"), options.weakMargin},
                     {QStringLiteral("fdr_q"), options.fdrQ},
                     {QStringLiteral("min_positives"), options.minPositives},
                     {QStringLiteral("rank"), enumName(options.rank)},
                     {QStringLiteral("confidence_z"), options.z}}},
        {QStringLiteral("tested"), qint64(tested)},
        {QStringLiteral("overall"), rowJson(overall)},
        {QStringLiteral("weak_slices"), weakRows},
        {QStringLiteral("slices"), rows},
    };
    if (!decisionRule.isEmpty()) // only then: a report of one threshold keeps its bytes
        json.insert(QStringLiteral("group_thresholds"), decisionRule);
    return json;
}

QByteArray SliceReport::toCsv() const
{
    QStringList lines;
    lines << QStringLiteral("feature,value,n,label_pos,pred_pos,precision,recall,f1,accuracy,fpr,fnr,"
                            "precision_low,precision_high,recall_low,recall_high,accuracy_low,accuracy_high,"
                            "f1_low,f1_high,tp,fp,tn,fn,weak,gap,gap_low,p,q,test");
    const auto line = [](const SliceRow &r) {
        return QStringList{csvQuoted(r.feature()),
                           csvQuoted(r.value()),
                           QString::number(r.n),
                           QString::number(r.labelPositives()),
                           QString::number(r.predictedPositives()),
                           csvNumber(r.precision),
                           csvNumber(r.recall),
                           csvNumber(r.f1),
                           csvNumber(r.accuracy),
                           csvNumber(r.fpr),
                           csvNumber(r.fnr),
                           csvNumber(r.precisionCi.low),
                           csvNumber(r.precisionCi.high),
                           csvNumber(r.recallCi.low),
                           csvNumber(r.recallCi.high),
                           csvNumber(r.accuracyCi.low),
                           csvNumber(r.accuracyCi.high),
                           csvNumber(r.f1Ci.low),
                           csvNumber(r.f1Ci.high),
                           QString::number(r.tp),
                           QString::number(r.fp),
                           QString::number(r.tn),
                           QString::number(r.fn),
                           r.weak ? QStringLiteral("1") : QStringLiteral("0"),
                           csvNumber(r.gap),
                           csvNumber(r.gapLow),
                           csvP(r.p),
                           csvP(r.q),
                           QString::fromLatin1(Stats::testName(r.test))}
            .join(QLatin1Char(','));
    };
    for (const SliceRow &row : slices)
        lines << line(row);
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString SliceReport::toText() const
{
    const auto fmt = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("n/a"); };
    QStringList lines;
    lines << QStringLiteral("Slice performance (%1, %2 rows): overall precision %3, recall %4, F1 %5")
                 .arg(decisionRule.isEmpty() ? QStringLiteral("threshold %1").arg(threshold, 0, 'f', 4)
                                             : QStringLiteral("thresholds ") + decisionRule)
                 .arg(overall.n)
                 .arg(fmt(overall.precision), fmt(overall.recall), fmt(overall.f1));
    QString current;
    for (const SliceRow &row : slices) {
        if (row.feature() != current) {
            current = row.feature();
            lines << QString() << QStringLiteral("Feature: %1").arg(current);
        }
        lines << QStringLiteral("  %1 = %2: n=%3, precision=%4, recall=%5, F1=%6")
                     .arg(current, row.value())
                     .arg(row.n)
                     .arg(fmt(row.precision), fmt(row.recall), fmt(row.f1));
    }
    lines << QString()
          << QStringLiteral("Weak slices: %1 of %2 tested (%3 more than %4 below overall and different from the rest at "
                            "q <= %5; slices with fewer than %6 label positives are not tested):")
                 .arg(weak.size())
                 .arg(tested)
                 .arg(enumName(options.weakMetric))
                 .arg(options.weakMargin)
                 .arg(options.fdrQ)
                 .arg(options.minPositives);
    for (std::size_t i : weak)
        lines << QStringLiteral("  %1 = %2: n=%3, %4=%5, gap %6 (at least %7), p=%8, q=%9")
                     .arg(slices[i].feature(), slices[i].value())
                     .arg(slices[i].n)
                     .arg(enumName(options.weakMetric), fmt(slices[i].metric(options.weakMetric)), fmt(slices[i].gap),
                          fmt(slices[i].gapLow), pValueText(slices[i].p), pValueText(slices[i].q));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace Audit
