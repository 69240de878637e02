#pragma once

#include <map>
#include <memory>
#include <optional>

#include <QString>
#include <QStringList>

#include "audit.h"
#include "csvreader.h"
#include "model.h"
#include "progress.h"

namespace Audit {

// What the bias audit should look at, as a person asks for it; resolveBiasOptions turns it
// into the options the engine runs with.
struct BiasRequest
{
    QStringList attributes; // empty: the schema's protected attributes
    std::map<QString, QString> references; // attribute -> reference group; added to the schema's
    std::optional<ReferenceMethod> method; // nullopt: predefined when every attribute has a reference, else majority
    double tau = 0.8;
    VerdictMode verdicts = VerdictMode::Evidence;
    int minGroupSize = BiasOptions().minGroupSize;
    int minEvents = BiasOptions().minEvents;
    double alpha = BiasOptions().alpha;
};

// The one rule both front ends use for bias options. Attributes: the request's, else the
// schema's protected ones. References: the schema's for those attributes, overridden by the
// request's. Method: the request's, else predefined when every attribute has a reference,
// else majority (Aequitas's default).
// `schema` may be null (a scored CSV has none).
BiasOptions resolveBiasOptions(const BiasRequest &request, const Schema *schema);

// Where an audit's scores come from: a model scoring a labelled CSV, or a scored CSV made
// by any model.
struct AuditSource
{
    QString modelPath; // with dataPath
    QString dataPath;
    LoadOptions load;
    QString scoresPath; // instead of modelPath and dataPath
    ScoredCsvOptions scored; // for scoresPath; its attributes default to the audited columns
};

struct AuditRequest
{
    AuditSource source;
    std::optional<double> threshold; // nullopt: the model's (or the scored CSV's)
    bool slices = true; // compute the slice report
    bool bias = true; // compute the bias report
    SliceOptions sliceOptions;
    BiasRequest biasRequest;
};

struct DatasetAudit
{
    std::shared_ptr<const Model> model; // null for a scored CSV
    std::shared_ptr<const Dataset> data; // the labelled rows read; null for a scored CSV
    QList<RejectedRow> rejected; // rows the CSV reader skipped
    std::shared_ptr<const ScoredData> scored;
    BiasOptions biasOptions; // as resolved
    AuditResults results;
};

// Opens the source, scores it and audits it: the use case behind `slices`, `bias`, `card`,
// the GUI's project and scored-CSV views.
// Throws: SchemaError naming the file, column or option at fault (a source that is neither
//         or both kinds, a missing column, bad slice options); CsvError / ModelFileError for
//         unreadable inputs. With `bias` alone, a bias problem throws; when slices are asked
//         for too, it is reported in results.biasError instead.
DatasetAudit auditDataset(const AuditRequest &request, const Progress &progress = {});

// Audits data already scored (the GUI re-audits this way when options change).
AuditResults auditScored(const ScoredData &scored, const AuditRequest &request, const BiasOptions &bias,
                         const AuditResults *previous = nullptr);

} // namespace Audit
