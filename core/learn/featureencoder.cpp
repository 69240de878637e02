#include "featureencoder.h"

#include <limits>

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>

#include <QJsonArray>

#include "echovalue.h"
#include "parallel.h"
#include "schemaerror.h"

namespace Audit {

namespace {

bool shouldLog(const std::vector<double> &values)
{
    double mean = 0;
    double minimum = 0;
    for (double v : values) {
        mean += v;
        minimum = std::min(minimum, v);
    }
    if (values.empty() || minimum < 0)
        return false;
    mean /= double(values.size());
    double m2 = 0;
    double m3 = 0;
    for (double v : values) {
        const double d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= double(values.size());
    m3 /= double(values.size());
    return m2 > 0 && m3 / std::pow(m2, 1.5) > EncoderOptions::kSkewForLog;
}

} // namespace

QString EncodeReport::imputedSummary() const
{
    QStringList parts;
    for (const Imputed &i : imputed) {
        if (i.native)
            parts << QStringLiteral("%1: %2 missing value(s) passed to the learner as missing").arg(i.column).arg(i.rows);
        else
            parts << QStringLiteral("%1: %2 missing value(s) read as the training median %3")
                         .arg(i.column)
                         .arg(i.rows)
                         .arg(i.median, 0, 'g', 10);
    }
    return parts.join(QStringLiteral("; "));
}

QString EncodeReport::summary(int shown) const
{
    if (unseen.isEmpty())
        return {};
    QStringList parts;
    for (int i = 0; i < unseen.size() && i < shown; ++i)
        parts << QStringLiteral("%1=\"%2\" (%3 rows)").arg(unseen[i].column, echoValue(unseen[i].value)).arg(unseen[i].rows);
    QString text = QStringLiteral("categories not seen in training, encoded as all zeros: ") + parts.join(QStringLiteral(", "));
    if (unseen.size() > shown)
        text += QStringLiteral(", and %1 more").arg(unseen.size() - shown);
    return text;
}

FeatureEncoder FeatureEncoder::fit(const Dataset &data, const EncoderOptions &options)
{
    FeatureEncoder encoder;
    for (const DataColumn &source : data.columns) {
        Column column;
        column.spec = source.spec;
        column.offset = encoder.m_width;
        if (source.spec.isNumeric()) {
            std::vector<double> present; // the numbers that are there; NaN is missing
            present.reserve(source.numbers.size());
            for (double v : source.numbers) {
                if (!std::isnan(v))
                    present.push_back(v);
            }
            // Missing in training: XGBoost learns where a missing value goes, the others get the
            // median and an indicator. Never missing in training: the median for every learner (a
            // tree's default direction for a value it never saw missing is arbitrary).
            const bool hadMissing = present.size() < source.numbers.size();
            column.nativeMissing = options.nativeMissing && hadMissing;
            column.missingIndicator = !options.nativeMissing && hadMissing;
            column.log1p = options.autoLog1p && shouldLog(present);
            if (!present.empty()) {
                const auto [lo, hi] = std::minmax_element(present.begin(), present.end());
                column.minimum = *lo;
                column.maximum = *hi;
                // The median as numpy's: the middle value, or the mean of the two middle ones.
                std::vector<double> sorted = present;
                const std::size_t mid = sorted.size() / 2;
                std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(mid), sorted.end());
                column.median = sorted[mid];
                if (sorted.size() % 2 == 0)
                    column.median = (column.median + *std::max_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(mid))) / 2;
            }
            if (present.empty() && !source.numbers.empty())
                throw SchemaError(QStringLiteral("%1: column \"%2\" has no number in the training data: all %3 values are "
                                                 "missing. Fix: leave the column out of the schema, or fill it.")
                                      .arg(data.path, source.spec.name)
                                      .arg(source.numbers.size()));
            // Mean and standard deviation in two passes over the values divided by the largest
            // magnitude, so that squares cannot overflow (1e155 squared is past a double's range).
            std::vector<double> x;
            x.reserve(present.size());
            double largest = 0;
            for (double v : present) {
                x.push_back(column.log1p ? std::log1p(v) : v);
                largest = std::max(largest, std::abs(x.back()));
            }
            if (largest > 0) {
                double sum = 0;
                for (double v : x)
                    sum += v / largest;
                const double meanScaled = sum / double(x.size());
                double squares = 0;
                for (double v : x)
                    squares += (v / largest - meanScaled) * (v / largest - meanScaled);
                column.mean = meanScaled * largest;
                const double sd = std::sqrt(squares / double(x.size())) * largest;
                column.scale = sd > 1e-6 && std::isfinite(sd) ? sd : 1.0; // constant: 1
            }
            if (!std::isfinite(column.mean) || !std::isfinite(column.scale) || !std::isfinite(column.median))
                throw SchemaError(QStringLiteral("%1: column \"%2\": its numbers are too large to standardise (up to %3)")
                                      .arg(data.path, source.spec.name)
                                      .arg(largest, 0, 'g', 6));
            encoder.m_width += column.missingIndicator ? 2 : 1;
        } else {
            std::vector<char> used(source.categories.size(), 0);
            for (std::int32_t code : source.codes)
                used[std::size_t(code)] = 1;
            for (std::size_t i = 0; i < source.categories.size(); ++i) {
                if (used[i])
                    column.categories.push_back(source.categories[i]);
            }
            std::sort(column.categories.begin(), column.categories.end());
            encoder.m_width += int(column.categories.size());
        }
        encoder.m_columns.push_back(std::move(column));
    }
    return encoder;
}

QStringList FeatureEncoder::featureNames() const
{
    QStringList names;
    for (const Column &column : m_columns) {
        if (column.spec.isNumeric()) {
            names << (column.log1p ? QStringLiteral("log1p(%1)").arg(column.spec.name) : column.spec.name);
            if (column.missingIndicator)
                names << column.spec.name + QStringLiteral(" missing");
            continue;
        }
        for (const std::string &category : column.categories)
            names << column.spec.name + QLatin1Char('=') + QString::fromStdString(category);
    }
    return names;
}

int FeatureEncoder::categoryIndex(std::size_t c, std::string_view value) const
{
    const auto &categories = m_columns[c].categories;
    const auto found = std::lower_bound(categories.begin(), categories.end(), value);
    return found != categories.end() && *found == value ? int(found - categories.begin()) : -1;
}

float FeatureEncoder::numeric(const Column &column, double value) const
{
    if (std::isnan(value)) {
        if (column.nativeMissing)
            return std::numeric_limits<float>::quiet_NaN();
        value = column.median;
    }
    const double x = column.log1p ? std::log1p(std::max(0.0, value)) : value;
    return float((x - column.mean) / column.scale);
}

FeatureMatrix FeatureEncoder::encode(const Dataset &data, EncodeReport *report) const
{
    FeatureMatrix all;
    encodeInSlices(
        data, std::max<std::size_t>(1, data.rowCount()), [&all](FeatureMatrix &&slice, std::size_t) { all = std::move(slice); },
        report);
    return all;
}

void FeatureEncoder::encodeInSlices(const Dataset &data, std::size_t sliceRows,
                                    const std::function<void(FeatureMatrix &&, std::size_t)> &consume, EncodeReport *report) const
{
    if (data.columns.size() != m_columns.size())
        throw SchemaError(QStringLiteral("%1: the data has %2 feature columns, the model expects %3")
                              .arg(data.path)
                              .arg(data.columns.size())
                              .arg(m_columns.size()));
    // Map each categorical's dataset codes to output positions once, then one lookup per row.
    std::vector<std::vector<int>> positions(m_columns.size());
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
        const Column &column = m_columns[c];
        const DataColumn &source = data.columns[c];
        if (source.spec.name != column.spec.name || source.spec.isNumeric() != column.spec.isNumeric())
            throw SchemaError(
                QStringLiteral("%1: column %2 is \"%3\" (%4), the model expects \"%5\" (%6)")
                    .arg(data.path)
                    .arg(c + 1)
                    .arg(source.spec.name, enumName(source.spec.type), column.spec.name, enumName(column.spec.type)));
        if (!column.spec.isNumeric()) {
            positions[c].resize(source.categories.size());
            for (std::size_t k = 0; k < source.categories.size(); ++k)
                positions[c][k] = categoryIndex(c, source.categories[k]);
        }
    }
    // Rows of unseen categories, per column and dataset code, over all slices.
    std::vector<std::vector<qsizetype>> unseenRows(m_columns.size());
    std::vector<qsizetype> missingRows(m_columns.size(), 0);
    for (std::size_t c = 0; c < m_columns.size(); ++c)
        unseenRows[c].assign(positions[c].size(), 0);
    std::mutex lock;
    const std::size_t total = data.rowCount();
    sliceRows = std::max<std::size_t>(1, sliceRows);
    std::size_t first = 0;
    do { // once even for no rows
        const std::size_t rows = std::min(sliceRows, total - first);
        FeatureMatrix matrix(rows, std::size_t(m_width));
        // Rows in ranges over the cores; each range writes only its own rows of the matrix.
        forEachRange(rows, 32768, [&](std::size_t begin, std::size_t end) {
            std::vector<std::pair<std::size_t, std::int32_t>> unseen; // (column, code) of each unseen value
            for (std::size_t c = 0; c < m_columns.size(); ++c) {
                const Column &column = m_columns[c];
                const DataColumn &source = data.columns[c];
                if (column.spec.isNumeric()) {
                    std::size_t missing = 0;
                    for (std::size_t r = begin; r < end; ++r) {
                        const double v = source.numbers[first + r];
                        matrix.row(r)[column.offset] = numeric(column, v);
                        if (std::isnan(v)) {
                            ++missing;
                            if (column.missingIndicator)
                                matrix.row(r)[column.offset + 1] = 1.0f;
                        }
                    }
                    if (missing) {
                        const std::lock_guard<std::mutex> hold(lock);
                        missingRows[c] += qsizetype(missing);
                    }
                    continue;
                }
                const std::vector<int> &position = positions[c];
                for (std::size_t r = begin; r < end; ++r) {
                    const std::int32_t code = source.codes[first + r];
                    const int p = position[std::size_t(code)];
                    if (p >= 0)
                        matrix.row(r)[column.offset + p] = 1.0f;
                    else
                        unseen.emplace_back(c, code);
                }
            }
            const std::lock_guard<std::mutex> hold(lock);
            for (const auto &[c, code] : unseen)
                ++unseenRows[c][std::size_t(code)];
        });
        consume(std::move(matrix), first);
        first += rows;
    } while (first < total);
    if (report) {
        for (std::size_t c = 0; c < m_columns.size(); ++c) {
            if (missingRows[c] > 0)
                report->imputed.append({m_columns[c].spec.name, m_columns[c].median, missingRows[c], m_columns[c].nativeMissing});
        }
        for (std::size_t c = 0; c < m_columns.size(); ++c) {
            for (std::size_t k = 0; k < unseenRows[c].size(); ++k) {
                if (unseenRows[c][k] > 0)
                    report->unseen.append(
                        {m_columns[c].spec.name, QString::fromStdString(data.columns[c].categories[k]), unseenRows[c][k]});
            }
        }
    }
}

bool FeatureEncoder::encodeRow(const std::vector<double> &numbers, const std::vector<std::string> &texts, float *out) const
{
    std::fill(out, out + m_width, 0.0f);
    bool allSeen = true;
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
        const Column &column = m_columns[c];
        if (column.spec.isNumeric()) {
            out[column.offset] = numeric(column, numbers[c]);
            if (column.missingIndicator && std::isnan(numbers[c]))
                out[column.offset + 1] = 1.0f;
            continue;
        }
        const int p = categoryIndex(c, texts[c]);
        if (p >= 0)
            out[column.offset + p] = 1.0f;
        else
            allSeen = false;
    }
    return allSeen;
}

QJsonObject FeatureEncoder::toJson() const
{
    QJsonArray columns;
    for (const Column &column : m_columns) {
        QJsonObject json{{QStringLiteral("name"), column.spec.name}, {QStringLiteral("type"), enumName(column.spec.type)}};
        if (column.spec.isNumeric()) {
            json.insert(QStringLiteral("mean"), column.mean);
            json.insert(QStringLiteral("scale"), column.scale);
            json.insert(QStringLiteral("log1p"), column.log1p);
            json.insert(QStringLiteral("min"), column.minimum);
            json.insert(QStringLiteral("max"), column.maximum);
            json.insert(QStringLiteral("median"), column.median);
            if (column.missingIndicator)
                json.insert(QStringLiteral("missing_indicator"), true);
            if (column.nativeMissing)
                json.insert(QStringLiteral("native_missing"), true);
        } else {
            QJsonArray categories;
            for (const std::string &category : column.categories)
                categories.append(QString::fromStdString(category));
            json.insert(QStringLiteral("categories"), categories);
        }
        columns.append(json);
    }
    return QJsonObject{{QStringLiteral("columns"), columns}, {QStringLiteral("width"), m_width}};
}

FeatureEncoder FeatureEncoder::fromJson(const QJsonObject &json)
{
    FeatureEncoder encoder;
    for (const QJsonValue &value : json.value(QStringLiteral("columns")).toArray()) {
        const QJsonObject object = value.toObject();
        Column column;
        column.spec.name = object.value(QStringLiteral("name")).toString();
        column.spec.type
            = enumFromName<ColumnType>(object.value(QStringLiteral("type")).toString()).value_or(ColumnType::Categorical);
        column.offset = encoder.m_width;
        if (column.spec.isNumeric()) {
            column.mean = object.value(QStringLiteral("mean")).toDouble();
            column.scale = object.value(QStringLiteral("scale")).toDouble(1.0);
            column.log1p = object.value(QStringLiteral("log1p")).toBool();
            // Models written before the range was stored: four standard deviations either side.
            column.minimum = object.value(QStringLiteral("min")).toDouble(column.mean - 4 * column.scale);
            column.maximum = object.value(QStringLiteral("max")).toDouble(column.mean + 4 * column.scale);
            // Models written before imputation: a missing number reads as the mean.
            column.median = object.value(QStringLiteral("median")).toDouble(column.log1p ? std::expm1(column.mean) : column.mean);
            column.missingIndicator = object.value(QStringLiteral("missing_indicator")).toBool();
            column.nativeMissing = object.value(QStringLiteral("native_missing")).toBool();
            if (column.missingIndicator && column.nativeMissing)
                throw SchemaError(QStringLiteral("encoder column \"%1\": missing_indicator and native_missing exclude each other")
                                      .arg(column.spec.name));
            if (!(column.scale > 0))
                throw SchemaError(QStringLiteral("encoder column \"%1\": scale must be positive").arg(column.spec.name));
            if (!std::isfinite(column.median))
                throw SchemaError(QStringLiteral("encoder column \"%1\": median must be a number").arg(column.spec.name));
            encoder.m_width += column.missingIndicator ? 2 : 1;
        } else {
            for (const QJsonValue &category : object.value(QStringLiteral("categories")).toArray())
                column.categories.push_back(category.toString().toStdString());
            encoder.m_width += int(column.categories.size());
        }
        encoder.m_columns.push_back(std::move(column));
    }
    if (encoder.m_width != json.value(QStringLiteral("width")).toInt(-1))
        throw SchemaError(QStringLiteral("encoder: stored width %1 does not match its columns (%2)")
                              .arg(json.value(QStringLiteral("width")).toInt(-1))
                              .arg(encoder.m_width));
    return encoder;
}

} // namespace Audit
