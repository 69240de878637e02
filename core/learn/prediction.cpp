#include "prediction.h"

#include <tuple>

#include <cmath>

#include "dataset.h"
#include "echovalue.h"
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
                                           .arg(encoder.columns()[c].spec.name,
                                                echoValue(QString::fromStdString(record.texts[c])));
        }
    }
    // A number outside what the model saw: it answers, but nothing in training backs it.
    for (std::size_t c = 0; c < encoder.columns().size(); ++c) {
        const FeatureEncoder::Column &column = encoder.columns()[c];
        if (column.spec.isNumeric() && c < record.numbers.size() && std::isnan(record.numbers[c]) && column.nativeMissing)
            prediction.warnings << QStringLiteral("%1: missing; passed to the learner as missing (each tree's learned "
                                                  "direction for a missing value)")
                                       .arg(column.spec.name);
        else if (column.spec.isNumeric() && c < record.numbers.size() && std::isnan(record.numbers[c]))
            prediction.warnings << QStringLiteral("%1: missing; read as the training median %2%3")
                                       .arg(column.spec.name)
                                       .arg(column.median, 0, 'g', 10)
                                       .arg(column.missingIndicator ? QString()
                                                                    : QStringLiteral(" (training had no missing values here)"));
        else if (column.spec.isNumeric() && c < record.numbers.size()
                 && (record.numbers[c] < column.minimum || record.numbers[c] > column.maximum))
            prediction.warnings << QStringLiteral("%1: %2 is outside the training range [%3, %4]; the model extrapolates")
                                       .arg(column.spec.name)
                                       .arg(record.numbers[c], 0, 'g', 10)
                                       .arg(column.minimum, 0, 'g', 10)
                                       .arg(column.maximum, 0, 'g', 10);
    }
    prediction.probability = model.learner().score(row.data(), row.size());
    prediction.threshold = model.threshold();
    if (const GroupThresholds &groups = model.groupThresholds(); groups.active()) {
        const int c = model.schema().featureIndex(groups.attribute);
        const std::string &group = record.texts[std::size_t(c)];
        if (const std::optional<double> t = model.thresholdFor(group, row.data(), row.size()))
            prediction.threshold = *t;
        else
            prediction.warnings << QStringLiteral("%1: \"%2\" is none of the groups the model's thresholds were fitted for "
                                                  "(%3): the single threshold %4 decided")
                                       .arg(groups.attribute, echoValue(QString::fromStdString(group)), groups.shownGroups())
                                       .arg(model.threshold(), 0, 'f', 4);
    }
    prediction.encoded = std::move(row);
    prediction.label = prediction.probability >= prediction.threshold ? model.schema().positiveLabel()
                                                                      : model.schema().negativeLabel();
    return prediction;
}

ScoredData scoreDataset(const Model &model, const Dataset &data)
{
    if (!data.hasLabels())
        throw SchemaError(data.noLabelsMessage(QStringLiteral("an audit")));
    ScoredData scored;
    const bool byGroup = model.groupThresholds().active();
    std::vector<double> thresholds;
    std::size_t ungrouped = 0;
    if (model.calibration().active())
        std::tie(scored.scores, scored.uncalibratedScores) = model.scoreBeforeAfter(data, byGroup ? &thresholds : nullptr,
                                                                                    &ungrouped);
    else
        scored.scores = model.score(data, nullptr, byGroup ? &thresholds : nullptr, &ungrouped);
    scored.columns = data.columns;
    scored.labels = data.labels;
    scored.threshold = model.threshold();
    scored.source = data.path;
    if (byGroup)
        scored.setRowThresholds(std::move(thresholds), model.groupThresholds().describe(), ungrouped);
    scored.modelId = model.id();
    scored.positiveLabel = model.schema().positiveLabel();
    return scored;
}

} // namespace Audit
