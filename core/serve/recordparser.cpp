#include "recordparser.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "echovalue.h"
#include "featureencoder.h"
#include "groupthresholds.h"
#include "schema.h"

namespace Audit {

QJsonObject RecordProblem::toJson() const
{
    return QJsonObject{{QStringLiteral("loc"), loc}, {QStringLiteral("msg"), msg}, {QStringLiteral("type"), type}};
}

Record parseRecord(const QJsonObject &json, const Schema &schema, const FeatureEncoder &encoder, bool strict,
                   const QJsonArray &locPrefix, QList<RecordProblem> &problems, const GroupThresholds *groups)
{
    if (groups && !groups->active())
        groups = nullptr;
    const auto at = [&locPrefix](const QString &member) {
        QJsonArray loc = locPrefix;
        loc.append(member);
        return loc;
    };
    Record record;
    const std::size_t n = schema.features().size();
    record.numbers.resize(n);
    record.texts.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        const ColumnSpec &spec = schema.features()[c];
        const auto found = json.constFind(spec.name);
        const bool grouping = groups && spec.name == groups->attribute;
        if (found == json.constEnd()) {
            problems.append({at(spec.name),
                             grouping ? QStringLiteral("Field required: this model decides with thresholds by %1, so every "
                                                       "request needs it (one of: %2)")
                                            .arg(spec.name, groups->shownGroups())
                                      : QStringLiteral("Field required"),
                             QStringLiteral("missing")});
            continue;
        }
        const QJsonValue value = *found;
        if (spec.type == ColumnType::Categorical && value.isDouble()) {
            // A number for a category coded as numbers ("1.0" in the data, 1 in JSON): the
            // category of the same value. Any other number is no category (422 below).
            const std::string wanted = normalLabel(QByteArray::number(value.toDouble(), 'g', 17).toStdString());
            const auto &categories = encoder.columns()[c].categories;
            const auto same = std::find_if(categories.begin(), categories.end(),
                                           [&wanted](const std::string &category) { return normalLabel(category) == wanted; });
            if (same != categories.end() && !(grouping && groups->groupIndex(*same) < 0)) {
                record.texts[c] = *same;
                continue;
            }
        }
        if (spec.type == ColumnType::Categorical) {
            if (!value.isString()) {
                problems.append({at(spec.name), QStringLiteral("Input should be a valid string"), QStringLiteral("string_type")});
                continue;
            }
            const QString text = value.toString();
            if (!QStringView(text).isValidUtf16()) { // a lone surrogate ("\ud800"): no text at all
                problems.append({at(spec.name), QStringLiteral("Input should be valid Unicode text (it has a lone surrogate)"),
                                 QStringLiteral("string_unicode")});
                continue;
            }
            record.texts[c] = text.trimmed().toStdString();
            if (grouping && groups->groupIndex(record.texts[c]) < 0) {
                problems.append({at(spec.name),
                                 QStringLiteral("Input should be one of the groups this model's thresholds by %1 were fitted "
                                                "for (%2); \"%3\" is not")
                                     .arg(spec.name, groups->shownGroups(), echoValue(text)),
                                 QStringLiteral("enum")});
                continue;
            }
            if (strict && encoder.categoryIndex(c, record.texts[c]) < 0)
                problems.append(
                    {at(spec.name),
                     QStringLiteral("Input should be one of the categories seen in training; \"%1\" is not").arg(echoValue(text)),
                     QStringLiteral("enum")});
            continue;
        }
        // A missing number: null, or one of the column's missing tokens as in the data files ("?"
        // as a string, or -1 where the schema says -1 means missing). The model reads it as
        // its training median.
        const QStringList &tokens = schema.missingTokens(c);
        const bool missing = value.isNull() || (value.isString() && tokens.contains(value.toString()))
            || (value.isDouble() && std::any_of(tokens.begin(), tokens.end(), [&value](const QString &token) {
                                 bool ok = false;
                                 const double number = token.toDouble(&ok);
                                 return ok && number == value.toDouble();
                             }));
        if (missing) {
            record.numbers[c] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        if (!value.isDouble()) {
            problems.append({at(spec.name),
                             spec.type == ColumnType::Integer ? QStringLiteral("Input should be a valid integer")
                                                              : QStringLiteral("Input should be a valid number"),
                             spec.type == ColumnType::Integer ? QStringLiteral("int_type") : QStringLiteral("float_type")});
            continue;
        }
        const double number = value.toDouble();
        if (spec.type == ColumnType::Integer && std::abs(number) >= 9.2e18) { // as the CSV reader: a 64-bit integer
            problems.append({at(spec.name),
                             QStringLiteral("Input should be a valid integer, unable to parse number as an integer"),
                             QStringLiteral("int_parsing")});
            continue;
        }
        if (spec.type == ColumnType::Integer && std::floor(number) != number) {
            problems.append({at(spec.name),
                             QStringLiteral("Input should be a valid integer, got a number with a fractional part"),
                             QStringLiteral("int_from_float")});
            continue;
        }
        record.numbers[c] = number;
        const FeatureEncoder::Column &column = encoder.columns()[c];
        if (strict && (number < column.minimum || number > column.maximum))
            problems.append({at(spec.name),
                             QStringLiteral("Input should be within the training range [%1, %2]; %3 is not")
                                 .arg(column.minimum, 0, 'g', 10)
                                 .arg(column.maximum, 0, 'g', 10)
                                 .arg(number, 0, 'g', 10),
                             QStringLiteral("range")});
    }
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        if (schema.featureIndex(it.key()) < 0 && it.key() != schema.labelColumn())
            problems.append({at(it.key()), QStringLiteral("Extra inputs are not permitted"), QStringLiteral("extra_forbidden")});
    }
    return record;
}

} // namespace Audit
