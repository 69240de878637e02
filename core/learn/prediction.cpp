#include "prediction.h"

#include <cmath>

#include "dataset.h"
#include "model.h"
#include "schemaerror.h"

namespace Audit {

Prediction predictRecord(const Model &model, const Record &record)
{
    const FeatureEncoder &encoder = model.encoder();
    std::vector<float> row(std::size_t(encoder.width()));
    Prediction prediction;
    if (!encoder.encodeRow(record.numbers, record.texts, row.data())) {
        for (std::size_t c = 0; c < encoder.columns().size(); ++c) {
            if (!encoder.columns()[c].spec.isNumeric() && encoder.categoryIndex(c, record.texts[c]) < 0)
                prediction.warnings << QStringLiteral("%1: category \"%2\" was not seen in training; it is encoded as "
                                                      "all zeros")
                                           .arg(encoder.columns()[c].spec.name, QString::fromStdString(record.texts[c]));
        }
    }
    prediction.probability = model.learner().score(row.data(), row.size());
    prediction.label = prediction.probability >= model.threshold() ? model.schema().positiveLabel()
                                                                   : model.schema().negativeLabel();
    return prediction;
}

std::vector<WhatIfPoint> whatIf(const Model &model, const Record &record, std::size_t feature, int steps)
{
    const FeatureEncoder::Column &column = model.encoder().columns().at(feature);
    std::vector<WhatIfPoint> points;
    Record variant = record;
    if (column.spec.isNumeric()) {
        const int n = std::max(2, steps);
        for (int i = 0; i < n; ++i) {
            double v = column.minimum + (column.maximum - column.minimum) * double(i) / double(n - 1);
            if (column.spec.type == ColumnType::Integer)
                v = std::round(v);
            variant.numbers[feature] = v;
            points.push_back({QString::number(v, 'g', 8), v, predictRecord(model, variant).probability});
        }
        return points;
    }
    for (const std::string &category : column.categories) {
        variant.texts[feature] = category;
        points.push_back({QString::fromStdString(category), 0, predictRecord(model, variant).probability});
    }
    return points;
}

ScoredData scoreDataset(const Model &model, const Dataset &data)
{
    if (!data.hasLabels())
        throw SchemaError(
            QStringLiteral("%1: an audit needs the label column \"%2\"").arg(data.path, model.schema().labelColumn()));
    ScoredData scored;
    scored.scores = model.score(data);
    scored.columns = data.columns;
    scored.labels = data.labels;
    scored.threshold = model.threshold();
    scored.source = data.path;
    scored.modelId = model.id();
    scored.positiveLabel = model.schema().positiveLabel();
    return scored;
}

} // namespace Audit
