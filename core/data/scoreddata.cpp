#include "scoreddata.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "csverror.h"
#include "csvreader.h"
#include "csvtokenizer.h"
#include "schemaerror.h"
#include "threshold.h"

namespace Audit {

const DataColumn *ScoredData::column(const QString &name) const
{
    for (const DataColumn &c : columns) {
        if (c.spec.name == name)
            return &c;
    }
    return nullptr;
}

QStringList ScoredData::columnNames() const
{
    QStringList names;
    for (const DataColumn &c : columns)
        names << c.spec.name;
    return names;
}

double ScoredData::thresholdFor(std::optional<double> at) const
{
    return at ? checkedThreshold(*at) : threshold;
}

std::vector<std::uint8_t> ScoredData::outcomes(std::optional<double> at) const
{
    const double t = thresholdFor(at);
    const std::vector<double> &keys = decisionScores();
    std::vector<std::uint8_t> out(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        out[i] = std::uint8_t(labels[i] * 2 + (keys[i] >= t ? 1 : 0));
    return out;
}

void ScoredData::setRowThresholds(std::vector<double> thresholds, QString rule, std::size_t ungrouped)
{
    if (thresholds.size() != scores.size())
        throw SchemaError(
            QStringLiteral("%1: %2 row thresholds for %3 scores").arg(source).arg(thresholds.size()).arg(scores.size()));
    // key = score - t_row + threshold, nudged where rounding would put it on the wrong side of
    // `threshold`: at `threshold` the decision is exactly score >= t_row; at another threshold
    // every group's threshold moves by the same amount.
    const double below = std::nextafter(threshold, -1.0);
    m_decisionKeys.resize(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const double key = scores[i] - thresholds[i] + threshold;
        m_decisionKeys[i] = scores[i] >= thresholds[i] ? std::max(key, threshold) : std::min(key, below);
    }
    rowThresholds = std::move(thresholds);
    decisionRule = std::move(rule);
    ungroupedRows = ungrouped;
}

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace

ScoredData readScoredCsv(const QString &path, const ScoredCsvOptions &options)
{
    const QByteArray bytes = CsvReader::readFileBytes(path);
    CsvTokenizer tokenizer(std::string_view(bytes.constData(), std::size_t(bytes.size())), path);
    std::vector<std::string_view> fields;
    if (!tokenizer.next(fields))
        throw CsvError(QStringLiteral("%1: the file is empty (no header, no rows)").arg(path), path);
    const int headerLine = tokenizer.recordLine();
    requireUniqueHeader(fields, path, headerLine); // two "score" columns must not pick one silently
    const std::size_t width = fields.size();
    const auto find = [&](const QString &name, const QString &option) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (text(fields[i]) == name)
                return int(i);
        }
        QStringList header;
        for (const std::string_view field : fields)
            header << text(field);
        throw CsvError(QStringLiteral("%1:%2: the %4 \"%3\" is absent from the header (columns: %5). Fix: name one of "
                                      "the file's columns.")
                           .arg(path)
                           .arg(headerLine)
                           .arg(name, option, header.join(QStringLiteral(", "))),
                       path, headerLine, name);
    };
    const int scoreField = find(options.scoreColumn, QStringLiteral("score column"));
    const int labelField = find(options.labelColumn, QStringLiteral("label column"));
    std::vector<int> attributeFields;
    ScoredData scored;
    scored.source = path;
    for (const QString &attribute : options.attributes) {
        attributeFields.push_back(find(attribute, QStringLiteral("column to audit")));
        DataColumn column;
        column.spec.name = attribute;
        column.spec.type = ColumnType::Categorical;
        scored.columns.push_back(std::move(column));
    }

    std::vector<std::unordered_map<std::string, std::int32_t>> codes(attributeFields.size());
    std::map<std::string, int> labelValues; // value -> first line seen
    std::vector<std::string> rawLabels;
    bool binaryScores = true;
    while (tokenizer.next(fields)) {
        const int line = tokenizer.recordLine();
        if (fields.size() != width)
            throw CsvError(QStringLiteral("%1:%2: expected %3 fields as in the header, found %4")
                               .arg(path)
                               .arg(line)
                               .arg(width)
                               .arg(fields.size()),
                           path, line);
        const std::string_view scoreText = fields[std::size_t(scoreField)];
        double score = 0;
        const auto [ptr, ec] = std::from_chars(scoreText.data(), scoreText.data() + scoreText.size(), score);
        if (ec != std::errc() || ptr != scoreText.data() + scoreText.size() || !std::isfinite(score))
            throw CsvError(QStringLiteral("%1:%2: column \"%3\": expected a number, found \"%4\"")
                               .arg(path)
                               .arg(line)
                               .arg(options.scoreColumn, text(scoreText)),
                           path, line, options.scoreColumn, text(scoreText));
        binaryScores = binaryScores && (score == 0.0 || score == 1.0);
        scored.scores.push_back(score);

        const std::string label(fields[std::size_t(labelField)]);
        labelValues.emplace(label, line);
        if (labelValues.size() > 2) {
            QStringList seen;
            for (const auto &[value, first] : labelValues)
                seen << QStringLiteral("\"%1\" (line %2)").arg(QString::fromStdString(value)).arg(first);
            throw CsvError(QStringLiteral("%1:%2: column \"%3\" has more than two values: %4. Fix: a binary label is "
                                          "needed (0/1, or pass --label-positive VALUE for a two-valued text label).")
                               .arg(path)
                               .arg(line)
                               .arg(options.labelColumn, seen.join(QStringLiteral(", "))),
                           path, line, options.labelColumn, QString::fromStdString(label));
        }
        rawLabels.push_back(label);

        for (std::size_t a = 0; a < attributeFields.size(); ++a) {
            const std::string value(fields[std::size_t(attributeFields[a])]);
            DataColumn &column = scored.columns[a];
            if (value.empty()) {
                column.codes.push_back(-1);
                continue;
            }
            const auto [it, added] = codes[a].emplace(value, std::int32_t(column.categories.size()));
            if (added)
                column.categories.push_back(value);
            column.codes.push_back(it->second);
        }
    }

    // Labels: 0/1, or the named positive value against the one other value.
    std::string positive = options.labelPositive.toStdString();
    if (positive.empty()) {
        for (const auto &[value, line] : labelValues) {
            if (value != "0" && value != "1")
                throw CsvError(QStringLiteral("%1:%2: column \"%3\": label \"%4\" is not 0 or 1. Fix: pass "
                                              "--label-positive VALUE to name the positive class.")
                                   .arg(path)
                                   .arg(line)
                                   .arg(options.labelColumn, QString::fromStdString(value)),
                               path, line, options.labelColumn, QString::fromStdString(value));
        }
        positive.assign(1, '1'); // not = "1": GCC 12 warns falsely (-Wrestrict, bug 105329)
    } else if (!labelValues.count(positive)) {
        throw CsvError(QStringLiteral("%1: column \"%2\" never holds the positive value \"%3\"")
                           .arg(path, options.labelColumn, options.labelPositive),
                       path, 0, options.labelColumn, options.labelPositive);
    }
    scored.positiveLabel = QString::fromStdString(positive);
    scored.labels.reserve(rawLabels.size());
    for (const std::string &label : rawLabels)
        scored.labels.push_back(label == positive ? 1 : 0);

    if (options.threshold) {
        scored.threshold = *options.threshold;
    } else if (!binaryScores) {
        throw CsvError(QStringLiteral("%1: column \"%2\" holds scores other than 0 and 1, and no threshold was given. "
                                      "Fix: pass --threshold T (positive when score >= T).")
                           .arg(path, options.scoreColumn),
                       path, 0, options.scoreColumn);
    } else {
        scored.threshold = 0.5;
    }
    if (scored.labels.empty())
        throw CsvError(QStringLiteral("%1: no rows to audit").arg(path), path);
    return scored;
}

} // namespace Audit
