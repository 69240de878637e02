// The card's structure (its fields and details), staleness, and reading and writing files. The
// forms live beside it: cardrefresh.cpp, cardmarkdown.cpp, cardjson.cpp.
#include "modelcard.h"

#include <QFile>
#include <QJsonDocument>

#include "fileio.h"
#include "schemaerror.h"

namespace Audit {

namespace {

// A card is prose and a few hundred metrics: far below this. A bigger file is refused unread.
constexpr qint64 kMaxCardBytes = 16 << 20;

} // namespace

const std::vector<CardField> &ModelCard::fields()
{
    static const std::vector<CardField> list = {
        {"overview", "Model Details", "", "What the model is, who made it and why, in a few sentences."},
        {"primary_uses", "Intended Use", "Primary Uses", "The uses the model was built and evaluated for."},
        {"primary_users", "Intended Use", "Primary Users", "Who is expected to use it."},
        {"out_of_scope", "Intended Use", "Out-of-Scope Uses", "Uses it must not be put to, and why."},
        {"relevant_factors", "Factors", "Relevant Factors", "Groups, instruments and environments that affect performance."},
        {"evaluation_factors", "Factors", "Evaluation Factors", "Which factors the evaluation reports on, and why those."},
        {"metrics_why", "Metrics", "", "Which metrics, why, and how the decision threshold was chosen."},
        {"training_data", "Training Data", "", "Where the training data come from and how they were prepared."},
        {"evaluation_data", "Evaluation Data", "", "The evaluation data, how they were chosen and prepared."},
        {"quantitative_notes", "Quantitative Analyses", "", "What the numbers below mean for a user."},
        {"ethical", "Ethical Considerations", "", "Sensitive data, risks, harms and their mitigations."},
        {"caveats", "Caveats and Recommendations", "", "Known limits and what users should do about them."},
    };
    return list;
}

QStringList ModelCard::detailKeys()
{
    return {QStringLiteral("version"), QStringLiteral("date"),     QStringLiteral("type"),   QStringLiteral("owners"),
            QStringLiteral("license"), QStringLiteral("citation"), QStringLiteral("contact")};
}

bool ModelCard::isStale(const QString &currentModelMd5, const QString &currentDataMd5) const
{
    return modelMd5 != currentModelMd5 || (!currentDataMd5.isEmpty() && dataMd5 != currentDataMd5);
}

ModelCard ModelCard::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open the model card: %2").arg(path, file.errorString()));
    if (file.size() > kMaxCardBytes)
        throw SchemaError(QStringLiteral("%1: %2 bytes is too big for a model card (at most %3 MiB); not read")
                              .arg(path)
                              .arg(file.size())
                              .arg(kMaxCardBytes >> 20));
    const QByteArray bytes = file.read(kMaxCardBytes + 1); // a file that grows while read is cut, then refused
    if (bytes.size() > kMaxCardBytes)
        throw SchemaError(
            QStringLiteral("%1: grew past %2 MiB while being read; not a model card").arg(path).arg(kMaxCardBytes >> 20));
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            throw SchemaError(
                QStringLiteral("%1: not a JSON object (offset %2: %3)").arg(path).arg(error.offset).arg(error.errorString()));
        return fromJson(doc.object(), path);
    }
    return fromMarkdown(QString::fromUtf8(bytes), path);
}

void ModelCard::save(const QString &path) const
{
    writeFileAtomically(path, toMarkdown().toUtf8());
}

} // namespace Audit
