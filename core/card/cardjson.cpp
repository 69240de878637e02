// The card as Model Card Toolkit JSON (schema v0.0.2), and back. Imports are checked against
// the toolkit's own schema, compiled in from resources/schemas/model-card.schema.json.
#include "modelcard.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "jsonschema.h"
#include "mctschema.h" // generated: kModelCardToolkitSchema
#include "schemaerror.h"

namespace Audit {

namespace {

const JsonSchema &mctSchema()
{
    static const JsonSchema schema(QJsonDocument::fromJson(QByteArray(kModelCardToolkitSchema)).object(),
                                   QStringLiteral("Model Card Toolkit"));
    return schema;
}

QString firstOf(const QJsonValue &list, const char *member)
{
    const QJsonArray array = list.toArray();
    return array.isEmpty() ? QString() : array.first().toObject().value(QLatin1String(member)).toString();
}

} // namespace

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

ModelCard ModelCard::fromJson(const QJsonObject &json, const QString &sourceName)
{
    mctSchema().validate(json, sourceName);
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

} // namespace Audit
