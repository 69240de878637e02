#include "modelcard.h"

#include <cmath>

#include <yaml-cpp/yaml.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include "audit.h"
#include "fileio.h"
#include "model.h"
#include "schemaerror.h"

namespace Audit {

namespace {

constexpr int kCardFormat = 1;
constexpr std::size_t kWeakestShown = 10;

const char *const kSections[] = {"Model Details",
                                 "Intended Use",
                                 "Factors",
                                 "Metrics",
                                 "Training Data",
                                 "Evaluation Data",
                                 "Quantitative Analyses",
                                 "Ethical Considerations",
                                 "Caveats and Recommendations"};

// Generated block keys, one per section that has numbers.
QString sectionKey(const QString &section)
{
    return section.toLower().replace(QLatin1Char(' '), QLatin1Char('_'));
}

QString num(double v, int decimals = 4)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("n/a");
}

QString yamlString(const QString &s)
{
    QString out = s;
    out.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("\""), QLatin1String("\\\""));
    out.replace(QLatin1String("\n"), QLatin1String("\\n"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QString mdCell(QString s)
{
    return s.replace(QLatin1Char('|'), QLatin1String("\\|"));
}

QString trimEnd(const QString &s)
{
    qsizetype end = s.size();
    while (end > 0 && s[end - 1].isSpace())
        --end;
    return s.left(end);
}

QString text(const YAML::Node &node)
{
    return node && node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
}

// Classic-template headings and the prose field their text goes to.
QString fieldForHeading(const QString &heading)
{
    const QString h = heading.toLower().remove(QLatin1Char(':')).trimmed();
    static const std::pair<const char *, const char *> map[] = {
        {"model details", "overview"},
        {"overview", "overview"},
        {"intended use", "primary_uses"},
        {"primary intended uses", "primary_uses"},
        {"primary uses", "primary_uses"},
        {"primary intended users", "primary_users"},
        {"primary users", "primary_users"},
        {"out-of-scope use cases", "out_of_scope"},
        {"out-of-scope uses", "out_of_scope"},
        {"out-of-scope use", "out_of_scope"},
        {"factors", "relevant_factors"},
        {"relevant factors", "relevant_factors"},
        {"evaluation factors", "evaluation_factors"},
        {"metrics", "metrics_why"},
        {"model performance measures", "metrics_why"},
        {"decision thresholds", "metrics_why"},
        {"training data", "training_data"},
        {"evaluation data", "evaluation_data"},
        {"quantitative analyses", "quantitative_notes"},
        {"ethical considerations", "ethical"},
        {"caveats and recommendations", "caveats"},
    };
    for (const auto &[from, to] : map) {
        if (h == QLatin1String(from))
            return QLatin1String(to);
    }
    return {};
}

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

void ModelCard::refresh(const Model &model, const Dataset &data, const AuditResults &results)
{
    const QLocale c = QLocale::c();
    modelMd5 = model.md5();
    dataMd5 = data.md5;
    learner = enumName(model.params().kind);
    datasetName = model.schema().name();
    if (name.isEmpty())
        name = QStringLiteral("%1 %2 classifier").arg(datasetName, learner);
    tags = {QStringLiteral("tabular-classification"), QStringLiteral("modelaudit"), QStringLiteral("dlib"), learner};
    generated.clear();
    metrics.clear();
    const BinaryMetrics &m = results.metrics;
    const Schema &schema = model.schema();
    const TrainingInfo &t = model.training();

    QStringList details;
    details << QStringLiteral("| Fact | Value |") << QStringLiteral("|---|---|")
            << QStringLiteral("| Model id (md5) | `%1` |").arg(model.md5())
            << QStringLiteral("| Learner | %1 (dlib) |").arg(learner)
            << QStringLiteral("| Hyper-parameters | `%1` |")
                   .arg(QString::fromUtf8(QJsonDocument(model.params().toJson()).toJson(QJsonDocument::Compact)))
            << QStringLiteral("| Decision threshold | %1 (%2) |")
                   .arg(num(model.threshold()),
                        t.thresholdTuned ? QStringLiteral("tuned for F1 on training data only")
                                         : QStringLiteral("fixed in params.yaml"))
            << QStringLiteral("| Features | %1 columns, %2 encoded inputs |")
                   .arg(schema.features().size())
                   .arg(model.encoder().width())
            << QStringLiteral("| Predicts | `%1` = `%2` (positive) or `%3` |")
                   .arg(schema.labelColumn(), schema.positiveLabel(), schema.negativeLabel());
    generated[QStringLiteral("model_details")] = details.join(QLatin1Char('\n'));

    QStringList factors;
    if (results.bias) {
        factors << QStringLiteral("Protected attributes audited, with their groups in the evaluation data:");
        for (const AttributeVerdict &a : results.bias->attributes) {
            QStringList groups;
            for (const GroupMetrics &g : results.bias->groups) {
                if (g.attribute == a.attribute)
                    groups << QStringLiteral("%1 (%2)").arg(g.value, c.toString(qlonglong(g.groupSize)));
            }
            factors
                << QStringLiteral("- **%1** (reference %2): %3").arg(a.attribute, a.reference, groups.join(QStringLiteral(", ")));
        }
    }
    generated[QStringLiteral("factors")] = factors.join(QLatin1Char('\n'));

    generated[QStringLiteral("metrics")]
        = QStringLiteral("Reported: precision, recall, F1, accuracy (with 95% Wilson intervals), ROC AUC, PR AUC, log loss "
                         "and Brier score; per slice precision, recall and F1; Aequitas group metrics and disparities at "
                         "tolerance %1. Decision threshold: %2.")
              .arg(results.bias ? num(results.bias->options.tau, 2) : QStringLiteral("0.80"), num(results.threshold));

    // The model records its training data by md5 and size only (no path), so the card does too.
    generated[QStringLiteral("training_data")] = QStringLiteral("- md5: `%1`\n- Rows: %2 (%3 positive)")
                                                     .arg(t.dataMd5, c.toString(qlonglong(t.rows)),
                                                          c.toString(qlonglong(t.positives)));
    generated[QStringLiteral("evaluation_data")] = QStringLiteral("- File: `%1`\n- md5: `%2`\n- Rows: %3 (%4 positive)")
                                                       .arg(QFileInfo(data.path).fileName(), data.md5,
                                                            c.toString(qulonglong(data.rowCount())),
                                                            c.toString(qulonglong(data.positives())));

    // Quantitative analyses: overall, weakest slices, every single-feature slice, bias.
    QStringList q;
    const SliceRow &overall = results.slices->overall;
    q << QStringLiteral("### Overall (threshold %1, %2 rows)").arg(num(results.threshold), c.toString(qlonglong(m.support)))
      << QString() << QStringLiteral("| Metric | Value | 95% interval |") << QStringLiteral("|---|---|---|");
    const auto addOverall = [&](const QString &type, const QString &title, double value, const Interval *ci) {
        q << QStringLiteral("| %1 | %2 | %3 |")
                 .arg(title, num(value), ci ? QStringLiteral("%1 – %2").arg(num(ci->low), num(ci->high)) : QStringLiteral("–"));
        metrics.push_back({type, num(value), {}, ci ? num(ci->low) : QString(), ci ? num(ci->high) : QString()});
    };
    addOverall(QStringLiteral("precision"), QStringLiteral("Precision"), m.precision, &overall.precisionCi);
    addOverall(QStringLiteral("recall"), QStringLiteral("Recall"), m.recall, &overall.recallCi);
    addOverall(QStringLiteral("f1"), QStringLiteral("F1"), m.f1, &overall.f1Ci);
    addOverall(QStringLiteral("accuracy"), QStringLiteral("Accuracy"), m.accuracy, &overall.accuracyCi);
    addOverall(QStringLiteral("roc_auc"), QStringLiteral("ROC AUC"), m.rocAuc, nullptr);
    addOverall(QStringLiteral("pr_auc"), QStringLiteral("PR AUC"), m.prAuc, nullptr);
    addOverall(QStringLiteral("log_loss"), QStringLiteral("Log loss"), m.logLoss, nullptr);
    addOverall(QStringLiteral("brier"), QStringLiteral("Brier score"), m.brier, nullptr);

    const SliceReport &slices = *results.slices;
    q << QString() << QStringLiteral("### Weakest slices") << QString();
    if (slices.weak.empty()) {
        q << QStringLiteral("No slice is more than %1 below the overall %2 with its interval below it too.")
                 .arg(slices.options.weakMargin)
                 .arg(enumName(slices.options.weakMetric));
    } else {
        q << QStringLiteral("| Slice | n | %1 | 95% interval | Gap |").arg(enumName(slices.options.weakMetric))
          << QStringLiteral("|---|---|---|---|---|");
        for (std::size_t k = 0; k < slices.weak.size() && k < kWeakestShown; ++k) {
            const SliceRow &row = slices.slices[slices.weak[k]];
            const Interval ci = row.interval(slices.options.weakMetric);
            q << QStringLiteral("| %1 = %2 | %3 | %4 | %5 – %6 | %7 |")
                     .arg(mdCell(row.feature()), mdCell(row.value()), c.toString(qlonglong(row.n)),
                          num(row.metric(slices.options.weakMetric)), num(ci.low), num(ci.high), num(row.gap));
        }
        q << QString() << QStringLiteral("%1 weak slices in all (of %2).").arg(slices.weak.size()).arg(slices.slices.size());
    }

    q << QString() << QStringLiteral("### Performance by feature") << QString()
      << QStringLiteral("| Feature | Value | n | Precision | Recall | F1 | F1 95% interval |")
      << QStringLiteral("|---|---|---|---|---|---|---|");
    for (const SliceRow &row : slices.slices) {
        if (row.features.size() != 1)
            continue;
        q << QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 – %8 |")
                 .arg(mdCell(row.feature()), mdCell(row.value()), c.toString(qlonglong(row.n)), num(row.precision),
                      num(row.recall), num(row.f1), num(row.f1Ci.low), num(row.f1Ci.high));
        if (std::isfinite(row.f1))
            metrics.push_back({QStringLiteral("f1"), num(row.f1), row.feature() + QLatin1Char('=') + row.value(),
                               num(row.f1Ci.low), num(row.f1Ci.high)});
    }

    if (results.bias) {
        const BiasReport &b = *results.bias;
        q << QString()
          << QStringLiteral("### Bias (tolerance %1: parity when %1 ≤ disparity ≤ %2)")
                 .arg(num(b.options.tau, 2), num(1 / b.options.tau, 2))
          << QString() << QStringLiteral("| Attribute | Group | n | PPR disparity | FPR disparity | FNR disparity | Fails |")
          << QStringLiteral("|---|---|---|---|---|---|---|");
        for (const GroupMetrics &g : b.groups) {
            QStringList failed;
            for (std::size_t p = 0; p < 10; ++p) {
                if (g.parities[p].has_value() && !*g.parities[p])
                    failed << parityName(Parity(p));
            }
            q << QStringLiteral("| %1 | %2%3 | %4 | %5 | %6 | %7 | %8 |")
                     .arg(mdCell(g.attribute), mdCell(g.value), g.value == g.references[0] ? QStringLiteral(" (ref)") : QString(),
                          c.toString(qlonglong(g.groupSize)), num(g.disparity(BiasMetric::Ppr), 3),
                          num(g.disparity(BiasMetric::Fpr), 3), num(g.disparity(BiasMetric::Fnr), 3),
                          failed.isEmpty() ? QStringLiteral("–") : failed.join(QStringLiteral(", ")));
            for (BiasMetric metric : {BiasMetric::Ppr, BiasMetric::Fpr, BiasMetric::Fnr}) {
                if (std::isfinite(g.disparity(metric)))
                    metrics.push_back({biasMetricName(metric) + QStringLiteral("_disparity"),
                                       num(g.disparity(metric)),
                                       g.attribute + QLatin1Char('=') + g.value,
                                       {},
                                       {}});
            }
        }
        QStringList verdicts;
        for (Parity p : {Parity::Statistical, Parity::EqualizedOdds, Parity::TypeI, Parity::TypeII, Parity::Supervised}) {
            const Verdict v = b.overall[std::size_t(p)];
            verdicts << QStringLiteral("%1: **%2**")
                            .arg(parityName(p),
                                 v.has_value() ? (*v ? QStringLiteral("pass") : QStringLiteral("fail"))
                                               : QStringLiteral("undefined"));
        }
        q << QString() << QStringLiteral("Overall verdicts: ") + verdicts.join(QStringLiteral("; ")) + QLatin1Char('.');
    }
    generated[QStringLiteral("quantitative_analyses")] = q.join(QLatin1Char('\n'));
}

QString ModelCard::toMarkdown() const
{
    QStringList out;
    out << QStringLiteral("---");
    out << QStringLiteral("license: %1")
               .arg(yamlString(details.count(QStringLiteral("license")) && !details.at(QStringLiteral("license")).isEmpty()
                                   ? details.at(QStringLiteral("license"))
                                   : QStringLiteral("other")));
    out << QStringLiteral("tags:");
    for (const QString &tag : tags)
        out << QStringLiteral("- %1").arg(yamlString(tag));
    if (!datasetName.isEmpty())
        out << QStringLiteral("datasets:") << QStringLiteral("- %1").arg(yamlString(datasetName));
    QStringList overallMetrics;
    for (const CardMetric &m : metrics) {
        if (m.slice.isEmpty())
            overallMetrics << m.type;
    }
    if (!overallMetrics.isEmpty()) {
        out << QStringLiteral("metrics:");
        for (const QString &type : overallMetrics)
            out << QStringLiteral("- %1").arg(yamlString(type));
        out << QStringLiteral("model-index:") << QStringLiteral("- name: %1").arg(yamlString(name))
            << QStringLiteral("  results:") << QStringLiteral("  - task:")
            << QStringLiteral("      type: \"tabular-classification\"") << QStringLiteral("      name: \"Binary classification\"")
            << QStringLiteral("    dataset:") << QStringLiteral("      type: %1").arg(yamlString(datasetName))
            << QStringLiteral("      name: %1").arg(yamlString(datasetName)) << QStringLiteral("      split: \"test\"")
            << QStringLiteral("    metrics:");
        for (const CardMetric &m : metrics) {
            if (!m.slice.isEmpty())
                continue;
            bool numeric = false;
            m.value.toDouble(&numeric);
            out << QStringLiteral("    - type: %1").arg(yamlString(m.type))
                << QStringLiteral("      value: %1").arg(numeric ? m.value : yamlString(m.value));
        }
    }
    out << QStringLiteral("modelaudit:") << QStringLiteral("  card_format: %1").arg(kCardFormat)
        << QStringLiteral("  name: %1").arg(yamlString(name)) << QStringLiteral("  model_md5: %1").arg(yamlString(modelMd5))
        << QStringLiteral("  data_md5: %1").arg(yamlString(dataMd5)) << QStringLiteral("  learner: %1").arg(yamlString(learner))
        << QStringLiteral("  details:");
    for (const QString &key : detailKeys())
        out << QStringLiteral("    %1: %2").arg(key, yamlString(details.count(key) ? details.at(key) : QString()));
    out << QStringLiteral("  results:");
    for (const CardMetric &m : metrics)
        out << QStringLiteral("  - [%1, %2, %3, %4, %5]")
                   .arg(yamlString(m.type), yamlString(m.value), yamlString(m.slice), yamlString(m.lower), yamlString(m.upper));
    out << QStringLiteral("---") << QString() << QStringLiteral("# ") + name;

    QString current;
    for (const char *section : kSections) {
        const QString title = QLatin1String(section);
        out << QString() << QStringLiteral("## ") + title;
        if (title == QLatin1String("Model Details")) {
            out << QString() << QStringLiteral("<!-- modelaudit:details -->");
            for (const QString &key : detailKeys()) {
                const QString value = details.count(key) ? details.at(key) : QString();
                out << QStringLiteral("- **%1:** %2")
                           .arg(key.at(0).toUpper() + key.mid(1), value.isEmpty() ? QStringLiteral("_not given_") : value);
            }
            out << QStringLiteral("<!-- /modelaudit -->");
        }
        for (const CardField &field : fields()) {
            if (title != QLatin1String(field.section))
                continue;
            if (*field.title)
                out << QString() << QStringLiteral("### ") + QLatin1String(field.title);
            out << QString() << QStringLiteral("<!-- prose:%1 -->").arg(QLatin1String(field.key));
            const auto found = prose.find(QLatin1String(field.key));
            const QString body = found == prose.end() ? QString() : trimEnd(found->second);
            if (!body.isEmpty())
                out << body;
            out << QStringLiteral("<!-- /prose -->");
        }
        const auto block = generated.find(sectionKey(title));
        if (block != generated.end() && !block->second.isEmpty())
            out << QString() << QStringLiteral("<!-- modelaudit:%1 -->").arg(sectionKey(title)) << trimEnd(block->second)
                << QStringLiteral("<!-- /modelaudit -->");
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

ModelCard ModelCard::fromMarkdown(const QString &markdown, const QString &sourceName)
{
    ModelCard card;
    QStringList lines = markdown.split(QLatin1Char('\n'));
    int first = 0;
    const auto fail = [&sourceName](int line, const QString &problem) {
        throw SchemaError(QStringLiteral("%1:%2: %3").arg(sourceName).arg(line).arg(problem));
    };

    if (!lines.isEmpty() && lines[0].trimmed() == QLatin1String("---")) {
        int end = 1;
        while (end < lines.size() && lines[end].trimmed() != QLatin1String("---"))
            ++end;
        if (end >= lines.size())
            fail(1, QStringLiteral("the YAML front matter opened here is never closed with a '---' line"));
        YAML::Node meta;
        try {
            meta = YAML::Load(lines.mid(1, end - 1).join(QLatin1Char('\n')).toStdString());
        } catch (const YAML::Exception &e) {
            fail(e.mark.line + 2, QStringLiteral("front matter is not valid YAML: %1").arg(QString::fromStdString(e.msg)));
        }
        if (!meta.IsMap())
            fail(2, QStringLiteral("front matter must be a YAML mapping"));
        if (const YAML::Node tags = meta["tags"]; tags && tags.IsSequence()) {
            for (const YAML::Node &tag : tags)
                card.tags << text(tag);
        }
        if (meta["datasets"] && meta["datasets"].IsSequence() && meta["datasets"].size() > 0)
            card.datasetName = text(meta["datasets"][0]);
        const YAML::Node ma = meta["modelaudit"];
        if (ma) {
            if (!ma.IsMap())
                fail(2, QStringLiteral("modelaudit: expected a mapping"));
            const int format = QString::fromStdString(ma["card_format"].as<std::string>("0")).toInt();
            if (format > kCardFormat)
                fail(2,
                     QStringLiteral("modelaudit.card_format %1 is newer than this ModelAudit reads (%2)")
                         .arg(format)
                         .arg(kCardFormat));
            card.name = text(ma["name"]);
            card.modelMd5 = text(ma["model_md5"]);
            card.dataMd5 = text(ma["data_md5"]);
            card.learner = text(ma["learner"]);
            if (const YAML::Node details = ma["details"]; details && details.IsMap()) {
                for (const QString &key : detailKeys())
                    card.details[key] = text(details[key.toStdString()]);
            }
            const YAML::Node results = ma["results"];
            if (results && !results.IsNull() && !results.IsSequence())
                fail(2, QStringLiteral("modelaudit.results: expected a list"));
            for (const YAML::Node &r : results) {
                if (!r.IsSequence() || r.size() != 5)
                    fail(2, QStringLiteral("modelaudit.results: each entry must be [type, value, slice, lower, upper]"));
                card.metrics.push_back({text(r[0]), text(r[1]), text(r[2]), text(r[3]), text(r[4])});
            }
        }
        first = end + 1;
    }

    static const QRegularExpression open(QStringLiteral("^<!-- (prose|modelaudit):([a-z_]+) -->$"));
    QString currentField; // classic template: the field the text under the last heading goes to
    QStringList classic;
    const auto flushClassic = [&] {
        if (!currentField.isEmpty()) {
            const QString body = trimEnd(classic.join(QLatin1Char('\n'))).trimmed();
            if (!body.isEmpty()) {
                QString &target = card.prose[currentField];
                target = target.isEmpty() ? body : target + QStringLiteral("\n\n") + body;
            }
        }
        classic.clear();
    };
    bool sawMarkers = false;
    for (int i = first; i < lines.size(); ++i) {
        const QString line = lines[i];
        const QRegularExpressionMatch match = open.match(line.trimmed());
        if (match.hasMatch()) {
            sawMarkers = true;
            const bool isProse = match.captured(1) == QLatin1String("prose");
            const QString key = match.captured(2);
            const QString close = isProse ? QStringLiteral("<!-- /prose -->") : QStringLiteral("<!-- /modelaudit -->");
            int end = i + 1;
            while (end < lines.size() && lines[end].trimmed() != close)
                ++end;
            if (end >= lines.size())
                fail(i + 1, QStringLiteral("\"%1\" is opened here and never closed with %2").arg(line.trimmed(), close));
            const QString body = trimEnd(lines.mid(i + 1, end - i - 1).join(QLatin1Char('\n')));
            if (isProse) {
                const bool known = std::any_of(fields().begin(), fields().end(),
                                               [&key](const CardField &f) { return key == QLatin1String(f.key); });
                if (!known)
                    fail(i + 1, QStringLiteral("unknown prose field \"%1\"").arg(key));
                card.prose[key] = body;
            } else if (key != QLatin1String("details")) {
                card.generated[key] = body;
            }
            i = end;
            continue;
        }
        if (line.startsWith(QLatin1String("# ")) && card.name.isEmpty()) {
            card.name = line.mid(2).trimmed();
            continue;
        }
        if (line.startsWith(QLatin1Char('#'))) {
            if (!sawMarkers) {
                flushClassic();
                const QString field = fieldForHeading(line.mid(line.indexOf(QLatin1Char(' ')) + 1));
                if (!field.isEmpty())
                    currentField = field;
            }
            continue;
        }
        if (!sawMarkers)
            classic << line;
    }
    if (!sawMarkers)
        flushClassic();
    if (card.name.isEmpty())
        card.name = QFileInfo(sourceName).completeBaseName();
    return card;
}

QJsonObject ModelCard::toJson() const
{
    const auto detail = [this](const char *key) {
        const auto found = details.find(QLatin1String(key));
        return found == details.end() ? QString() : found->second;
    };
    const auto proseOf = [this](const char *key) {
        const auto found = prose.find(QLatin1String(key));
        return found == prose.end() ? QString() : found->second;
    };
    QJsonArray owners;
    if (!detail("owners").isEmpty())
        owners.append(QJsonObject{{QStringLiteral("name"), detail("owners")}, {QStringLiteral("contact"), detail("contact")}});
    QJsonArray licenses;
    if (!detail("license").isEmpty())
        licenses.append(QJsonObject{{QStringLiteral("identifier"), detail("license")}});
    QJsonArray citations;
    if (!detail("citation").isEmpty())
        citations.append(QJsonObject{{QStringLiteral("citation"), detail("citation")}});
    QJsonArray performance;
    for (const CardMetric &m : metrics) {
        QJsonObject metric{{QStringLiteral("type"), m.type}, {QStringLiteral("value"), m.value}};
        if (!m.slice.isEmpty())
            metric.insert(QStringLiteral("slice"), m.slice);
        if (!m.lower.isEmpty())
            metric.insert(QStringLiteral("confidence_interval"),
                          QJsonObject{{QStringLiteral("lower_bound"), m.lower}, {QStringLiteral("upper_bound"), m.upper}});
        performance.append(metric);
    }
    const auto described = [](const QString &text) {
        QJsonArray list;
        if (!text.isEmpty())
            list.append(QJsonObject{{QStringLiteral("description"), text}});
        return list;
    };
    QJsonArray risks;
    if (!proseOf("ethical").isEmpty())
        risks.append(QJsonObject{{QStringLiteral("name"), proseOf("ethical")},
                                 {QStringLiteral("mitigation_strategy"), proseOf("caveats")}});
    QJsonArray data;
    data.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("training data")},
                            {QStringLiteral("description"), proseOf("training_data")}});
    data.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("evaluation data")},
                            {QStringLiteral("description"), proseOf("evaluation_data")}});
    return QJsonObject{
        {QStringLiteral("schema_version"), QStringLiteral("0.0.2")},
        {QStringLiteral("model_details"),
         QJsonObject{{QStringLiteral("name"), name},
                     {QStringLiteral("overview"), proseOf("overview")},
                     {QStringLiteral("owners"), owners},
                     {QStringLiteral("version"),
                      QJsonObject{{QStringLiteral("name"), detail("version").isEmpty() ? modelMd5.left(12) : detail("version")},
                                  {QStringLiteral("date"), detail("date")}}},
                     {QStringLiteral("licenses"), licenses},
                     {QStringLiteral("citations"), citations}}},
        {QStringLiteral("model_parameters"),
         QJsonObject{{QStringLiteral("model_architecture"), learner},
                     {QStringLiteral("data"), data},
                     {QStringLiteral("input_format"), QStringLiteral("one record of the dataset's columns")},
                     {QStringLiteral("output_format"), QStringLiteral("probability of the positive class and the label")}}},
        {QStringLiteral("quantitative_analysis"), QJsonObject{{QStringLiteral("performance_metrics"), performance}}},
        {QStringLiteral("considerations"),
         QJsonObject{{QStringLiteral("users"), described(proseOf("primary_users"))},
                     {QStringLiteral("use_cases"), described(proseOf("primary_uses"))},
                     {QStringLiteral("limitations"), described(proseOf("caveats"))},
                     {QStringLiteral("tradeoffs"), described(proseOf("out_of_scope"))},
                     {QStringLiteral("ethical_considerations"), risks}}},
    };
}

namespace {

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    default:
        return QStringLiteral("nothing");
    }
}

// The structure of Model Card Toolkit's v0.0.2 schema: every leaf is a string, lists hold
// objects. `shape` maps a member to its expected shape: "s" string, "o:<name>" object of
// shape <name>, "a:<name>" list of objects of shape <name>.
const std::map<QString, std::map<QString, QString>> &mctShapes()
{
    static const std::map<QString, std::map<QString, QString>> shapes = {
        {QStringLiteral("card"),
         {{QStringLiteral("schema_version"), QStringLiteral("s")},
          {QStringLiteral("model_details"), QStringLiteral("o:model_details")},
          {QStringLiteral("model_parameters"), QStringLiteral("o:model_parameters")},
          {QStringLiteral("quantitative_analysis"), QStringLiteral("o:quantitative_analysis")},
          {QStringLiteral("considerations"), QStringLiteral("o:considerations")}}},
        {QStringLiteral("model_details"),
         {{QStringLiteral("name"), QStringLiteral("s")},
          {QStringLiteral("overview"), QStringLiteral("s")},
          {QStringLiteral("documentation"), QStringLiteral("s")},
          {QStringLiteral("owners"), QStringLiteral("a:owner")},
          {QStringLiteral("version"), QStringLiteral("o:version")},
          {QStringLiteral("licenses"), QStringLiteral("a:license")},
          {QStringLiteral("references"), QStringLiteral("a:reference")},
          {QStringLiteral("citations"), QStringLiteral("a:citation")},
          {QStringLiteral("path"), QStringLiteral("s")}}},
        {QStringLiteral("owner"),
         {{QStringLiteral("name"), QStringLiteral("s")}, {QStringLiteral("contact"), QStringLiteral("s")}}},
        {QStringLiteral("version"),
         {{QStringLiteral("name"), QStringLiteral("s")},
          {QStringLiteral("date"), QStringLiteral("s")},
          {QStringLiteral("diff"), QStringLiteral("s")}}},
        {QStringLiteral("license"),
         {{QStringLiteral("identifier"), QStringLiteral("s")}, {QStringLiteral("custom_text"), QStringLiteral("s")}}},
        {QStringLiteral("reference"), {{QStringLiteral("reference"), QStringLiteral("s")}}},
        {QStringLiteral("citation"),
         {{QStringLiteral("style"), QStringLiteral("s")}, {QStringLiteral("citation"), QStringLiteral("s")}}},
        {QStringLiteral("model_parameters"),
         {{QStringLiteral("model_architecture"), QStringLiteral("s")},
          {QStringLiteral("data"), QStringLiteral("a:dataset")},
          {QStringLiteral("input_format"), QStringLiteral("s")},
          {QStringLiteral("input_format_map"), QStringLiteral("a:keyval")},
          {QStringLiteral("output_format"), QStringLiteral("s")},
          {QStringLiteral("output_format_map"), QStringLiteral("a:keyval")}}},
        {QStringLiteral("keyval"),
         {{QStringLiteral("key"), QStringLiteral("s")}, {QStringLiteral("value"), QStringLiteral("s")}}},
        {QStringLiteral("dataset"),
         {{QStringLiteral("name"), QStringLiteral("s")},
          {QStringLiteral("link"), QStringLiteral("s")},
          {QStringLiteral("sensitive"), QStringLiteral("o:any")},
          {QStringLiteral("graphics"), QStringLiteral("o:any")},
          {QStringLiteral("description"), QStringLiteral("s")}}},
        {QStringLiteral("quantitative_analysis"),
         {{QStringLiteral("performance_metrics"), QStringLiteral("a:metric")},
          {QStringLiteral("graphics"), QStringLiteral("o:any")}}},
        {QStringLiteral("metric"),
         {{QStringLiteral("type"), QStringLiteral("s")},
          {QStringLiteral("value"), QStringLiteral("s")},
          {QStringLiteral("slice"), QStringLiteral("s")},
          {QStringLiteral("confidence_interval"), QStringLiteral("o:interval")}}},
        {QStringLiteral("interval"),
         {{QStringLiteral("lower_bound"), QStringLiteral("s")}, {QStringLiteral("upper_bound"), QStringLiteral("s")}}},
        {QStringLiteral("considerations"),
         {{QStringLiteral("users"), QStringLiteral("a:described")},
          {QStringLiteral("use_cases"), QStringLiteral("a:described")},
          {QStringLiteral("limitations"), QStringLiteral("a:described")},
          {QStringLiteral("tradeoffs"), QStringLiteral("a:described")},
          {QStringLiteral("ethical_considerations"), QStringLiteral("a:risk")}}},
        {QStringLiteral("described"), {{QStringLiteral("description"), QStringLiteral("s")}}},
        {QStringLiteral("risk"),
         {{QStringLiteral("name"), QStringLiteral("s")}, {QStringLiteral("mitigation_strategy"), QStringLiteral("s")}}},
    };
    return shapes;
}

void checkShape(const QJsonObject &object, const QString &shape, const QString &path, const QString &source)
{
    if (shape == QLatin1String("any"))
        return;
    const auto &members = mctShapes().at(shape);
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString where = path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key();
        const auto expected = members.find(it.key());
        if (expected == members.end()) {
            if (path.isEmpty()) // additionalProperties: false applies at the top level only
                throw SchemaError(QStringLiteral("%1: %2: not a Model Card Toolkit field").arg(source, where));
            continue;
        }
        const QString &kind = expected->second;
        const QJsonValue value = it.value();
        const auto fail = [&](const QString &wanted) {
            throw SchemaError(QStringLiteral("%1: %2: expected %3, found %4").arg(source, where, wanted, jsonTypeName(value)));
        };
        if (kind == QLatin1String("s")) {
            if (!value.isString())
                fail(QStringLiteral("a string"));
        } else if (kind.startsWith(QLatin1String("o:"))) {
            if (!value.isObject())
                fail(QStringLiteral("an object"));
            checkShape(value.toObject(), kind.mid(2), where, source);
        } else {
            if (!value.isArray())
                fail(QStringLiteral("a list"));
            const QJsonArray list = value.toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                const QString item = QStringLiteral("%1[%2]").arg(where).arg(i);
                if (!list[i].isObject())
                    throw SchemaError(
                        QStringLiteral("%1: %2: expected an object, found %3").arg(source, item, jsonTypeName(list[i])));
                checkShape(list[i].toObject(), kind.mid(2), item, source);
            }
        }
    }
}

QString firstOf(const QJsonValue &list, const char *member)
{
    const QJsonArray array = list.toArray();
    return array.isEmpty() ? QString() : array.first().toObject().value(QLatin1String(member)).toString();
}

} // namespace

ModelCard ModelCard::fromJson(const QJsonObject &json, const QString &sourceName)
{
    checkShape(json, QStringLiteral("card"), {}, sourceName);
    ModelCard card;
    const QJsonObject details = json.value(QStringLiteral("model_details")).toObject();
    card.name = details.value(QStringLiteral("name")).toString();
    card.prose[QStringLiteral("overview")] = details.value(QStringLiteral("overview")).toString();
    card.details[QStringLiteral("owners")] = firstOf(details.value(QStringLiteral("owners")), "name");
    card.details[QStringLiteral("contact")] = firstOf(details.value(QStringLiteral("owners")), "contact");
    card.details[QStringLiteral("version")]
        = details.value(QStringLiteral("version")).toObject().value(QStringLiteral("name")).toString();
    card.details[QStringLiteral("date")]
        = details.value(QStringLiteral("version")).toObject().value(QStringLiteral("date")).toString();
    card.details[QStringLiteral("license")] = firstOf(details.value(QStringLiteral("licenses")), "identifier");
    card.details[QStringLiteral("citation")] = firstOf(details.value(QStringLiteral("citations")), "citation");
    const QJsonObject parameters = json.value(QStringLiteral("model_parameters")).toObject();
    card.learner = parameters.value(QStringLiteral("model_architecture")).toString();
    for (const QJsonValue &d : parameters.value(QStringLiteral("data")).toArray()) {
        const QJsonObject data = d.toObject();
        const QString key = data.value(QStringLiteral("name")).toString().contains(QLatin1String("eval"))
            ? QStringLiteral("evaluation_data")
            : QStringLiteral("training_data");
        card.prose[key] = data.value(QStringLiteral("description")).toString();
    }
    for (const QJsonValue &m :
         json.value(QStringLiteral("quantitative_analysis")).toObject().value(QStringLiteral("performance_metrics")).toArray()) {
        const QJsonObject metric = m.toObject();
        const QJsonObject ci = metric.value(QStringLiteral("confidence_interval")).toObject();
        card.metrics.push_back({metric.value(QStringLiteral("type")).toString(), metric.value(QStringLiteral("value")).toString(),
                                metric.value(QStringLiteral("slice")).toString(),
                                ci.value(QStringLiteral("lower_bound")).toString(),
                                ci.value(QStringLiteral("upper_bound")).toString()});
    }
    const QJsonObject considerations = json.value(QStringLiteral("considerations")).toObject();
    card.prose[QStringLiteral("primary_users")] = firstOf(considerations.value(QStringLiteral("users")), "description");
    card.prose[QStringLiteral("primary_uses")] = firstOf(considerations.value(QStringLiteral("use_cases")), "description");
    card.prose[QStringLiteral("caveats")] = firstOf(considerations.value(QStringLiteral("limitations")), "description");
    card.prose[QStringLiteral("out_of_scope")] = firstOf(considerations.value(QStringLiteral("tradeoffs")), "description");
    card.prose[QStringLiteral("ethical")] = firstOf(considerations.value(QStringLiteral("ethical_considerations")), "name");
    return card;
}

ModelCard ModelCard::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open the model card: %2").arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
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
