#pragma once

#include <map>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Audit {

class Model;
struct AuditResults;
struct ImportanceReport;
struct Dataset;

// A metric as the card reports it (Model Card Toolkit's performance_metric).
struct CardMetric
{
    QString type; // "f1", "roc_auc", "fpr_disparity", ...
    QString value; // as written, e.g. "0.7143"
    QString slice; // empty for overall; "age=[17, 28)" or "race=Black" otherwise
    QString lower; // interval bounds when known
    QString upper;
};

// One prose field of the card: hand-written Markdown, never overwritten by a refresh.
struct CardField
{
    const char *key; // "primary_uses"
    const char *section; // "Intended Use"
    const char *title; // "Primary Uses" (empty: the section's own text)
    const char *hint; // what to write, for the editor
};

// A model card after "Model Cards for Model Reporting" (Mitchell et al., 2019). Three kinds of
// content: prose (hand-written Markdown per field, kept across refreshes), details (short
// facts people fill in: owners, license, ...), and generated blocks (numbers from the model
// and the audit, replaced by refresh()). The Markdown form carries all three, so
// toMarkdown(fromMarkdown(x)) == x for any card this class wrote.
class ModelCard
{
public:
    static const std::vector<CardField> &fields();
    static QStringList detailKeys(); // version, date, owners, license, citation, contact, type

    QString name;
    std::map<QString, QString> prose; // by CardField::key
    std::map<QString, QString> details; // by detailKeys()
    std::map<QString, QString> generated; // Markdown blocks by section key
    std::vector<CardMetric> metrics; // overall, per slice and disparities
    QString modelMd5; // what the generated numbers came from
    QString dataMd5;
    QString datasetName;
    QString learner;
    QStringList tags;

    // Replaces every generated block and metric from `model` audited on `data` (`results`
    // at results.threshold). Prose and details are kept.
    // `importance` (null: the section says how to get it) gives the importance and per-group
    // calibration sections; the front ends work it out off their GUI thread.
    void refresh(const Model &model, const Dataset &data, const AuditResults &results,
                 const ImportanceReport *importance = nullptr);

    // True when the numbers came from another model or data version than these md5s.
    bool isStale(const QString &currentModelMd5, const QString &currentDataMd5) const;

    // Markdown with Hugging Face YAML front matter (license, tags, datasets, metrics,
    // model-index) and ModelAudit's own keys under `modelaudit:`.
    QString toMarkdown() const;
    // Reads a card this class wrote, or a hand-written one in the classic template (its
    // sections' text becomes prose). Throws: SchemaError naming the line at fault.
    static ModelCard fromMarkdown(const QString &markdown, const QString &sourceName);

    // Model Card Toolkit JSON (schema v0.0.2).
    QJsonObject toJson() const;
    // Reads Model Card Toolkit JSON, checking it against the v0.0.2 schema's structure first.
    // Throws: SchemaError naming the file and the field at fault ("model_details.name: expected
    //         a string, found a number").
    static ModelCard fromJson(const QJsonObject &json, const QString &sourceName);

    // File helpers: atomic writes; reads report the path.
    static ModelCard load(const QString &path); // Markdown, or MCT JSON for *.json; throws SchemaError / IoError
    void save(const QString &path) const; // throws IoError
};

} // namespace Audit
