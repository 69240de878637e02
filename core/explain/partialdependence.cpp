#include "partialdependence.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

#include "dataset.h"
#include "metrics.h" // jsonNumber
#include "model.h"
#include "rng.h"
#include "schemaerror.h"
#include "whatifsweep.h"

namespace Audit {

namespace {

QString numberText(double v)
{
    return QString::number(v, 'g', 10);
}

double scoreRecord(const Model &model, const Record &record, std::vector<float> &row)
{
    model.encoder().encodeRow(record.numbers, record.texts, row.data());
    return model.learner().score(row.data(), row.size());
}

} // namespace

IceCurve iceCurve(const Model &model, const Record &record, const PartialDependence &grid)
{
    const int feature = model.schema().featureIndex(grid.column);
    if (feature < 0)
        throw SchemaError(QStringLiteral("partial dependence: the model has no column \"%1\"").arg(grid.column));
    const auto c = std::size_t(feature);
    std::vector<float> row(std::size_t(model.encoder().width()));
    IceCurve curve;
    curve.ownProbability = scoreRecord(model, record, row);
    curve.ownNumber = grid.numeric ? record.numbers[c] : 0;
    curve.ownValue = !grid.numeric      ? QString::fromStdString(record.texts[c])
        : std::isnan(record.numbers[c]) ? QStringLiteral("missing")
                                        : numberText(record.numbers[c]);
    Record variant = record;
    for (qsizetype g = 0; g < grid.values.size(); ++g) {
        if (grid.numeric)
            variant.numbers[c] = grid.numbers[std::size_t(g)];
        else
            variant.texts[c] = grid.values[g].toStdString();
        curve.probabilities.push_back(scoreRecord(model, variant, row));
    }
    return curve;
}

PartialDependence partialDependence(const Model &model, const Dataset &data, const QString &column,
                                    const PartialDependenceOptions &options)
{
    const int feature = model.schema().featureIndex(column);
    if (feature < 0)
        throw SchemaError(
            QStringLiteral("partial dependence: the model has no column \"%1\"; its columns are %2").arg(column, [&] {
                QStringList names;
                for (const ColumnSpec &c : model.schema().features())
                    names << c.name;
                return names.join(QStringLiteral(", "));
            }()));
    const auto c = std::size_t(feature);
    const FeatureEncoder::Column &encoded = model.encoder().columns()[c];
    PartialDependence out;
    out.column = column;
    out.numeric = encoded.spec.isNumeric();
    out.seed = options.seed;
    const int dataIndex = data.schema.featureIndex(column);
    if (out.numeric) {
        SweepOptions sweep;
        sweep.steps = std::max(2, options.steps);
        if (dataIndex >= 0 && data.rowCount() > 0)
            out.numbers = quantileGrid(data.columns[std::size_t(dataIndex)].numbers, encoded.spec.type, sweep);
        if (out.numbers.empty()) { // no data: even steps over the training range
            for (int i = 0; i < sweep.steps; ++i)
                out.numbers.push_back(encoded.minimum + (encoded.maximum - encoded.minimum) * i / (sweep.steps - 1));
        }
        for (double v : out.numbers)
            out.values << numberText(v);
    } else {
        for (const std::string &category : encoded.categories)
            out.values << QString::fromStdString(category);
    }

    std::vector<std::size_t> rows(data.rowCount());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    Rng rng(options.seed);
    rng.shuffle(rows);
    rows.resize(std::min(rows.size(), std::size_t(std::max(1, options.sample))));
    std::sort(rows.begin(), rows.end());
    out.average.assign(std::size_t(out.values.size()), 0.0);
    for (std::size_t r : rows) {
        IceCurve curve = iceCurve(model, recordFromDataset(data, r), out);
        curve.row = r;
        for (std::size_t g = 0; g < curve.probabilities.size(); ++g)
            out.average[g] += curve.probabilities[g];
        out.curves.push_back(std::move(curve));
    }
    for (double &a : out.average)
        a = rows.empty() ? std::numeric_limits<double>::quiet_NaN() : a / double(rows.size());
    return out;
}

QJsonObject PartialDependence::toJson(bool withCurves) const
{
    QJsonArray grid;
    for (qsizetype g = 0; g < values.size(); ++g)
        grid.append(numeric ? jsonNumber(numbers[std::size_t(g)]) : QJsonValue(values[g]));
    QJsonArray mean;
    for (double a : average)
        mean.append(jsonNumber(a));
    QJsonObject json{{QStringLiteral("column"), column},
                     {QStringLiteral("numeric"), numeric},
                     {QStringLiteral("grid"), grid},
                     {QStringLiteral("partial_dependence"), mean},
                     {QStringLiteral("rows"), qint64(curves.size())},
                     {QStringLiteral("seed"), qint64(seed)}};
    if (withCurves) {
        QJsonArray ice;
        for (const IceCurve &curve : curves) {
            QJsonArray p;
            for (double v : curve.probabilities)
                p.append(jsonNumber(v));
            ice.append(QJsonObject{{QStringLiteral("row"), qint64(curve.row + 1)},
                                   {QStringLiteral("own_value"), curve.ownValue},
                                   {QStringLiteral("own_probability"), jsonNumber(curve.ownProbability)},
                                   {QStringLiteral("probabilities"), p}});
        }
        json.insert(QStringLiteral("ice"), ice);
    }
    return json;
}

} // namespace Audit
