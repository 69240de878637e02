#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include "cardrenderer.h"

namespace Audit {

struct AuditResults;
class Model;

// Where an audit report's numbers came from: the model, the data, when.
struct ReportFacts
{
    QString title; // "Audit report: census random_forest model"
    QString modelMd5; // empty for a scored CSV
    QString learner;
    double modelThreshold = std::numeric_limits<double>::quiet_NaN(); // stored in the model (NaN: none)
    QString dataFile; // the audited file's name
    QString dataMd5;
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    QDateTime date; // UTC
    QString generator; // "ModelAudit 1.2.3"
    QString versionDiff; // a version diff shown beside the audit, as text (empty: none)

    // The facts of `model` (may be null: a scored CSV) audited on `data` (null: a scored CSV,
    // then `dataFile`/`dataMd5` name the scores), dated now.
    static ReportFacts of(const Model *model, const QString &dataPath, const QString &dataMd5, const AuditResults &results);
};

// A one-file audit report of what the analyst sees at one threshold: the facts, overall
// metrics with 95% intervals, the weakest slices, bias per attribute in words and numbers,
// the parity verdicts and the charts. Numbers are formatted as the card and the GUI format
// them, from the values the JSON reports state.
// Needs a QGuiApplication (fonts); safe on a worker thread.
class AuditReport
{
public:
    // A self-contained HTML page: styles inline, charts as data: URIs, no remote assets.
    static QByteArray toHtml(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts = {});
    // The same content as a paginated A4 PDF.
    static QByteArray toPdf(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts = {});

    // One group of an attribute in plain language: each failed parity as a clause such as
    // "gets 0.165× Male's share of the positive predictions (Statistical Parity fails; parity
    // needs 0.80–1.25)", and the parities that cannot be judged (a 0/0 rate).
    struct GroupSummary
    {
        QString group;
        std::int64_t size = 0;
        QStringList failures;
        QStringList undefined;
        QStringList notSignificant; // "N's false-positive rate is 1.500× R's (…) — FPR Parity is outside the band, but not
                                    // significantly."
        QString insufficient; // "S: insufficient data (18 rows (minimum 30)) — no verdict."
        bool groupInsufficient = false; // the whole group: insufficient is its only sentence

        // Core's words (biassummary): "Female receives 0.165× as large a share of the positive
        // predictions as Male (PPR 0.141 vs 0.859) — Statistical Parity fails (parity needs 0.80–1.25)."
        QStringList sentences() const;
    };
    // Every group of `attribute`, in the bias report's order; empty without a bias report.
    static std::vector<GroupSummary> biasSummary(const AuditResults &results, const QString &attribute);

    // The report's body: `imageSource(i)` is the src of chart i.
    static QString body(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts,
                        const std::function<QString(std::size_t)> &imageSource);
};

} // namespace Audit
