#include "auditdataset.h"

#include "prediction.h"
#include "schemaerror.h"

namespace Audit {

namespace {

// The columns a scored CSV must provide: the ones named for slicing and for bias.
QStringList scoredColumns(const AuditRequest &request)
{
    QStringList columns = request.source.scored.attributes;
    if (!columns.isEmpty())
        return columns;
    if (request.slices)
        columns = request.sliceOptions.features;
    if (request.bias) {
        for (const QString &attribute : request.biasRequest.attributes) {
            if (!columns.contains(attribute))
                columns << attribute;
        }
    }
    return columns;
}

} // namespace

BiasOptions resolveBiasOptions(const BiasRequest &request, const Schema *schema)
{
    BiasOptions options;
    options.tau = request.tau;
    options.verdicts = request.verdicts;
    options.minGroupSize = request.minGroupSize;
    options.minEvents = request.minEvents;
    options.alpha = request.alpha;
    options.attributes = request.attributes;
    if (schema) {
        for (const ProtectedAttribute &p : schema->protectedAttributes()) {
            if (request.attributes.isEmpty())
                options.attributes << p.column;
            if (options.attributes.contains(p.column) && !p.reference.isEmpty())
                options.references[p.column] = p.reference;
        }
    }
    for (const auto &[attribute, group] : request.references)
        options.references[attribute] = group;
    if (request.method) {
        options.method = *request.method;
    } else {
        bool everyReference = !options.attributes.isEmpty();
        for (const QString &attribute : std::as_const(options.attributes))
            everyReference = everyReference && options.references.count(attribute) > 0;
        options.method = everyReference ? ReferenceMethod::Predefined : ReferenceMethod::Majority;
    }
    return options;
}

AuditResults auditScored(const ScoredData &scored, const AuditRequest &request, const BiasOptions &bias,
                         const AuditResults *previous)
{
    const double threshold = scored.thresholdFor(request.threshold);
    if (!scored.rowThresholds.empty() && threshold != scored.threshold)
        throw OptionError(QStringLiteral("threshold"),
                          QStringLiteral("the model decides with thresholds %1; one threshold (%2) for every row would not be "
                                         "its decision: audit it without --threshold")
                              .arg(scored.decisionRule)
                              .arg(threshold, 0, 'f', 4));
    if (request.slices)
        return runAudit(scored, request.sliceOptions, bias, threshold, previous);
    AuditResults results;
    results.threshold = threshold;
    results.metrics = computeMetrics(scored.scores, scored.labels, threshold);
    if (!scored.rowThresholds.empty())
        results.metrics = metricsAtThreshold(results.metrics, scored.decisionScores(), scored.labels, threshold);
    if (request.bias)
        results.bias = std::make_shared<const BiasReport>(computeBias(scored, bias, threshold));
    return results;
}

DatasetAudit auditDataset(const AuditRequest &request, const Progress &progress)
{
    const AuditSource &source = request.source;
    const bool fromScores = !source.scoresPath.isEmpty();
    if (fromScores == !source.modelPath.isEmpty() || source.modelPath.isEmpty() != source.dataPath.isEmpty())
        throw SchemaError(QStringLiteral("an audit needs either a model with a labelled CSV, or a scored CSV"));
    DatasetAudit audit;
    if (fromScores) {
        ScoredCsvOptions options = source.scored;
        options.attributes = scoredColumns(request);
        if (options.attributes.isEmpty()) // named as the command asks for them: slices' features, bias' attributes
            throw OptionError(
                request.slices && !request.bias ? QStringLiteral("features") : QStringLiteral("attributes"),
                QStringLiteral("%1: a scored CSV carries no schema, so name the columns to audit").arg(source.scoresPath));
        progress.step(0, 2, QStringLiteral("Reading %1").arg(source.scoresPath));
        audit.scored = std::make_shared<const ScoredData>(readScoredCsv(source.scoresPath, options));
        BiasRequest bias = request.biasRequest;
        if (bias.attributes.isEmpty())
            bias.attributes = options.attributes;
        audit.biasOptions = resolveBiasOptions(bias, nullptr);
    } else {
        progress.step(0, 3, QStringLiteral("Loading the model"));
        audit.model = std::make_shared<const Model>(Model::load(source.modelPath));
        progress.checkCancelled();
        progress.step(1, 3, QStringLiteral("Reading %1").arg(source.dataPath));
        LoadReport report = CsvReader::read(source.dataPath, audit.model->schema(), source.load);
        audit.rejected = std::move(report.rejected);
        audit.data = std::make_shared<const Dataset>(std::move(report.data));
        progress.checkCancelled();
        progress.step(2, 3, QStringLiteral("Scoring"));
        audit.scored = std::make_shared<const ScoredData>(scoreDataset(*audit.model, *audit.data));
        audit.biasOptions = resolveBiasOptions(request.biasRequest, &audit.model->schema());
    }
    progress.checkCancelled();
    audit.results = auditScored(*audit.scored, request, audit.biasOptions);
    return audit;
}

} // namespace Audit
