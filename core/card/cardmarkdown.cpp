// The card's Markdown form: Hugging Face YAML front matter with ModelAudit's keys under
// `modelaudit:`, then the Mitchell et al. sections with marked prose and generated blocks. Also
// reads hand-written cards in the classic template.
#include "modelcard.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include <QFileInfo>
#include <QRegularExpression>

#include "schemaerror.h"

namespace Audit {

namespace {

constexpr int kCardFormat = 1;

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

QString yamlString(const QString &s)
{
    QString out = s;
    out.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("\""), QLatin1String("\\\""));
    out.replace(QLatin1String("\n"), QLatin1String("\\n"));
    return QLatin1Char('"') + out + QLatin1Char('"');
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

} // namespace Audit
