#include "openapi.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>

#include "model.h"

namespace Audit {

namespace {

QJsonObject fieldSchema(const FeatureEncoder::Column &column)
{
    if (!column.spec.isNumeric()) {
        QJsonArray values;
        for (const std::string &c : column.categories)
            values.append(QString::fromStdString(c));
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                           {QStringLiteral("examples"), QJsonArray{values.isEmpty() ? QJsonValue() : values.first()}},
                           {QStringLiteral("description"),
                            QStringLiteral("One of the %1 categories seen in training (others "
                                           "are accepted with a warning).")
                                .arg(values.size())},
                           {QStringLiteral("x-categories"), values}};
    }
    return QJsonObject{{QStringLiteral("type"),
                        QJsonArray{column.spec.type == ColumnType::Integer ? QStringLiteral("integer") : QStringLiteral("number"),
                                   QStringLiteral("null")}},
                       {QStringLiteral("description"),
                        column.nativeMissing
                            ? QStringLiteral("Seen in training from %1 to %2. null: missing, passed to the model as missing.")
                                  .arg(column.minimum)
                                  .arg(column.maximum)
                            : QStringLiteral("Seen in training from %1 to %2. null: missing, read as the training median %3.")
                                  .arg(column.minimum)
                                  .arg(column.maximum)
                                  .arg(column.median)},
                       {QStringLiteral("x-training-range"), QJsonArray{column.minimum, column.maximum}}};
}

} // namespace

QJsonObject openApiDocument(const Model *current, const std::optional<Record> &example, int batchLimit)
{
    QJsonObject properties;
    QJsonArray required;
    QJsonObject exampleRecord;
    if (current) {
        const auto &columns = current->encoder().columns();
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const QString name = columns[c].spec.name;
            QJsonObject field = fieldSchema(columns[c]);
            if (const GroupThresholds &g = current->groupThresholds(); g.active() && g.attribute == name) {
                // The decision threshold depends on it: only the groups the thresholds were fitted for.
                field.insert(QStringLiteral("enum"), QJsonArray::fromStringList(g.groupNames()));
                field.insert(QStringLiteral("description"),
                             QStringLiteral("Required, one of the groups listed: this model decides with thresholds %1, "
                                            "so a request without it, or with another value, is refused with 422.")
                                 .arg(g.describe()));
            }
            properties.insert(name, field);
            required.append(name);
            if (columns[c].spec.isNumeric())
                exampleRecord.insert(name,
                                     !example                              ? QJsonValue(std::round(columns[c].mean))
                                         : std::isnan(example->numbers[c]) ? QJsonValue(QJsonValue::Null)
                                                                           : QJsonValue(example->numbers[c]));
            else
                exampleRecord.insert(name,
                                     example ? QString::fromStdString(example->texts[c])
                                             : QString::fromStdString(columns[c].categories.front()));
        }
    }
    // "explain" next to the columns (unless the data has a column of that name: query only then).
    const QJsonObject explainSchema{
        {QStringLiteral("description"),
         QStringLiteral("Add each prediction's per-column attributions (Shapley values) and their base value: true "
                        "(log-odds), \"log-odds\" or \"probability\"")},
        {QStringLiteral("oneOf"),
         QJsonArray{
             QJsonObject{{QStringLiteral("type"), QStringLiteral("boolean")}},
             QJsonObject{{QStringLiteral("enum"), QJsonArray{QStringLiteral("log-odds"), QStringLiteral("probability")}}}}}};
    if (!properties.contains(QStringLiteral("explain")))
        properties.insert(QStringLiteral("explain"), explainSchema);
    const QJsonObject record{{QStringLiteral("type"), QStringLiteral("object")},
                             {QStringLiteral("properties"), properties},
                             {QStringLiteral("required"), required},
                             {QStringLiteral("additionalProperties"), false},
                             {QStringLiteral("examples"), QJsonArray{exampleRecord}}};
    const QJsonObject prediction{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{
             {QStringLiteral("prediction"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
             {QStringLiteral("probability"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
             {QStringLiteral("threshold"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
             {QStringLiteral("model"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
             {QStringLiteral("explanation"),
              QJsonObject{
                  {QStringLiteral("type"), QStringLiteral("object")},
                  {QStringLiteral("description"),
                   QStringLiteral("With explain: base + the sum of attributions = output (in space); exact says "
                                  "whether they are exact Shapley values there")},
                  {QStringLiteral("properties"),
                   QJsonObject{{QStringLiteral("space"),
                                QJsonObject{{QStringLiteral("enum"),
                                             QJsonArray{QStringLiteral("log-odds"), QStringLiteral("probability")}}}},
                               {QStringLiteral("method"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                               {QStringLiteral("exact"), QJsonObject{{QStringLiteral("type"), QStringLiteral("boolean")}}},
                               {QStringLiteral("base"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
                               {QStringLiteral("output"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
                               {QStringLiteral("attributions"),
                                QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                            {QStringLiteral("additionalProperties"),
                                             QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}}}},
                               {QStringLiteral("standard_errors"),
                                QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                            {QStringLiteral("description"), QStringLiteral("Sampled attributions only")}}}}}}},
             {QStringLiteral("warnings"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                          {QStringLiteral("items"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}}};
    const QJsonObject validationError{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{
             {QStringLiteral("detail"),
              QJsonObject{
                  {QStringLiteral("type"), QStringLiteral("array")},
                  {QStringLiteral("items"),
                   QJsonObject{
                       {QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"),
                        QJsonObject{
                            {QStringLiteral("loc"), QJsonObject{{QStringLiteral("type"), QStringLiteral("array")}}},
                            {QStringLiteral("msg"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                            {QStringLiteral("type"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}}}}}}};
    const auto ref = [](const char *name) {
        return QJsonObject{{QStringLiteral("$ref"), QStringLiteral("#/components/schemas/") + QLatin1String(name)}};
    };
    const auto content = [](const QJsonObject &schema) {
        return QJsonObject{{QStringLiteral("application/json"), QJsonObject{{QStringLiteral("schema"), schema}}}};
    };
    const QJsonObject errors{
        {QStringLiteral("422"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Validation error")},
                     {QStringLiteral("content"), content(ref("ValidationError"))}}},
        {QStringLiteral("400"), QJsonObject{{QStringLiteral("description"), QStringLiteral("Malformed JSON")}}},
        {QStringLiteral("413"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Body over 1 MiB or too many records")}}},
        {QStringLiteral("415"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Content-Type is not application/json")}}},
        {QStringLiteral("500"),
         QJsonObject{{QStringLiteral("description"),
                      QStringLiteral("Internal error: {\"error\": \"internal error\", \"request_id\": ...}; the server's "
                                     "log has the details under that id")}}}};
    QJsonObject predictResponses = errors;
    predictResponses.insert(QStringLiteral("200"),
                            QJsonObject{{QStringLiteral("description"), QStringLiteral("The prediction")},
                                        {QStringLiteral("content"), content(ref("Prediction"))}});
    QJsonObject batchResponses = errors;
    batchResponses.insert(
        QStringLiteral("200"),
        QJsonObject{{QStringLiteral("description"), QStringLiteral("One prediction per record, in order")},
                    {QStringLiteral("content"),
                     content(QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                         {QStringLiteral("properties"),
                                          QJsonObject{{QStringLiteral("predictions"),
                                                       QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                                                   {QStringLiteral("items"), ref("Prediction")}}}}}})}});
    const auto get = [](const QString &summary) {
        return QJsonObject{{QStringLiteral("get"),
                            QJsonObject{{QStringLiteral("summary"), summary},
                                        {QStringLiteral("responses"),
                                         QJsonObject{{QStringLiteral("200"),
                                                      QJsonObject{{QStringLiteral("description"), QStringLiteral("OK")}}}}}}}};
    };
    const QJsonObject explainQuery{
        {QStringLiteral("name"), QStringLiteral("explain")},
        {QStringLiteral("in"), QStringLiteral("query")},
        {QStringLiteral("required"), false},
        {QStringLiteral("description"), QStringLiteral("true, 1, false, 0, log-odds or probability: as the body's explain")},
        {QStringLiteral("schema"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}};
    const QJsonObject paths{
        {QStringLiteral("/"), get(QStringLiteral("Welcome: name, version, the loaded model's id and learner"))},
        {QStringLiteral("/health"), get(QStringLiteral("ok once a model is loaded (503 before)"))},
        {QStringLiteral("/model"),
         get(QStringLiteral("The model's schema, categories, ranges, learner, params, data md5, metrics, threshold"))},
        {QStringLiteral("/openapi.json"), get(QStringLiteral("This document"))},
        {QStringLiteral("/docs"), get(QStringLiteral("Readable documentation"))},
        {QStringLiteral("/predict"),
         QJsonObject{{QStringLiteral("post"),
                      QJsonObject{{QStringLiteral("summary"), QStringLiteral("Predict one record")},
                                  {QStringLiteral("parameters"), QJsonArray{explainQuery}},
                                  {QStringLiteral("requestBody"),
                                   QJsonObject{{QStringLiteral("required"), true},
                                               {QStringLiteral("content"),
                                                QJsonObject{{QStringLiteral("application/json"),
                                                             QJsonObject{{QStringLiteral("schema"), ref("Record")},
                                                                         {QStringLiteral("example"), exampleRecord}}}}}}},
                                  {QStringLiteral("responses"), predictResponses}}}}},
        {QStringLiteral("/predict/batch"),
         QJsonObject{
             {QStringLiteral("post"),
              QJsonObject{
                  {QStringLiteral("summary"), QStringLiteral("Predict up to %1 records").arg(batchLimit)},
                  {QStringLiteral("parameters"), QJsonArray{explainQuery}},
                  {QStringLiteral("requestBody"),
                   QJsonObject{
                       {QStringLiteral("required"), true},
                       {QStringLiteral("content"),
                        QJsonObject{
                            {QStringLiteral("application/json"),
                             QJsonObject{{QStringLiteral("schema"),
                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                                      {QStringLiteral("properties"),
                                                       QJsonObject{{QStringLiteral("records"),
                                                                    QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                                                                {QStringLiteral("items"), ref("Record")}}},
                                                                   {QStringLiteral("explain"), explainSchema}}},
                                                      {QStringLiteral("required"), QJsonArray{QStringLiteral("records")}}}},
                                         {QStringLiteral("example"),
                                          QJsonObject{{QStringLiteral("records"), QJsonArray{exampleRecord}}}}}}}}}},
                  {QStringLiteral("responses"), batchResponses}}}}},
    };
    return QJsonObject{
        {QStringLiteral("openapi"), QStringLiteral("3.1.0")},
        {QStringLiteral("info"),
         QJsonObject{{QStringLiteral("title"), QStringLiteral("ModelAudit predict API")},
                     {QStringLiteral("version"), QStringLiteral(MODELAUDIT_VERSION)},
                     {QStringLiteral("description"),
                      current
                          ? QStringLiteral("Model %1 (%2) predicting %3.%4")
                                .arg(current->id(), enumName(current->params().kind), current->schema().labelColumn(),
                                     current->groupThresholds().active()
                                         ? QStringLiteral(" It decides with group-aware thresholds %1; every request "
                                                          "must carry %2 (422 otherwise), and the response's threshold "
                                                          "is the one the record met.")
                                               .arg(current->groupThresholds().describe(), current->groupThresholds().attribute)
                                         : QString())
                          : QStringLiteral("No model loaded.")}}},
        {QStringLiteral("paths"), paths},
        {QStringLiteral("components"),
         QJsonObject{{QStringLiteral("schemas"),
                      QJsonObject{{QStringLiteral("Record"), record},
                                  {QStringLiteral("Prediction"), prediction},
                                  {QStringLiteral("ValidationError"), validationError}}}}},
    };
}

QString docsHtml(const QJsonObject &doc)
{
    const QJsonObject record = doc.value(QStringLiteral("components"))
                                   .toObject()
                                   .value(QStringLiteral("schemas"))
                                   .toObject()
                                   .value(QStringLiteral("Record"))
                                   .toObject();
    QString rows;
    const QJsonObject properties = record.value(QStringLiteral("properties")).toObject();
    for (const QJsonValue &name : record.value(QStringLiteral("required")).toArray()) {
        const QJsonObject field = properties.value(name.toString()).toObject();
        rows += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td><td>%3</td></tr>\n")
                    .arg(name.toString().toHtmlEscaped(), field.value(QStringLiteral("type")).toString(),
                         field.value(QStringLiteral("description")).toString().toHtmlEscaped());
    }
    const QString example = QString::fromUtf8(
        QJsonDocument(record.value(QStringLiteral("examples")).toArray().first().toObject()).toJson(QJsonDocument::Indented));
    QString endpoints;
    const QJsonObject paths = doc.value(QStringLiteral("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const QJsonObject ops = it.value().toObject();
        for (auto op = ops.begin(); op != ops.end(); ++op)
            endpoints += QStringLiteral("<tr><td><code>%1 %2</code></td><td>%3</td></tr>\n")
                             .arg(op.key().toUpper(), it.key(),
                                  op.value().toObject().value(QStringLiteral("summary")).toString().toHtmlEscaped());
    }
    return QStringLiteral(
               "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ModelAudit predict API</title>"
               "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}table{border-collapse:collapse}"
               "td,th{border:1px solid #bbb;padding:3px 8px}pre{background:#f4f4f4;padding:1em}</style></head><body>"
               "<h1>ModelAudit predict API</h1><p>%1</p><h2>Endpoints</h2><table><tr><th>Endpoint</th><th>What it "
               "does</th></tr>%2</table>"
               "<h2>Record</h2><p>Members are exactly the dataset's column names; all are required, no others are allowed "
               "(the label column is ignored).</p><table><tr><th>Member</th><th>Type</th><th>Notes</th></tr>%3</table>"
               "<h2>Example</h2><pre>curl -s localhost:8000/predict -H 'Content-Type: application/json' -d '%4'</pre>"
               "<h2>Explanations</h2><p>Add <code>\"explain\": true</code> to the record (or to a batch, next to "
               "<code>records</code>), or <code>?explain=true</code> to the URL, and each prediction carries "
               "<code>explanation</code>: the per-column attributions (Shapley values), their base value and the "
               "output they add up to, in log-odds (<code>\"probability\"</code> for that scale), with the method and "
               "whether they are exact.</p>"
               "<p>Errors are JSON: 400 malformed JSON; 422 <code>{\"detail\": [{\"loc\": [\"body\", \"&lt;member&gt;\"], "
               "\"msg\": ..., "
               "\"type\": ...}]}</code> listing every problem; 413 body over 1 MiB; 405 wrong method; 404 unknown path; "
               "415 wrong content type; 401 missing or wrong token; 408 request not complete within 10 s; 503 no model "
               "loaded, or too many open connections; 500 <code>{\"error\": \"internal error\", \"request_id\": ...}"
               "</code>, with the details in the server's log under that id. The machine-readable form is <a "
               "href=\"/openapi.json\">"
               "/openapi.json</a>.</p></body></html>\n")
        .arg(doc.value(QStringLiteral("info")).toObject().value(QStringLiteral("description")).toString().toHtmlEscaped(),
             endpoints, rows,
             QString::fromUtf8(QJsonDocument::fromJson(example.toUtf8()).toJson(QJsonDocument::Compact)).toHtmlEscaped());
}

} // namespace Audit
