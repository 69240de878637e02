#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "record.h"

namespace Audit {

class FeatureEncoder;
class Schema;
struct GroupThresholds;

// One problem with a request body, in FastAPI's shape: {"loc": [...], "msg": ..., "type": ...}.
struct RecordProblem
{
    QJsonArray loc;
    QString msg;
    QString type;

    QJsonObject toJson() const;
};

// Turns a JSON object whose members are the schema's column names into a Record, listing
// every problem at once: a missing, extra or mistyped member; with `strict`, a category not
// seen in training. The label column is accepted and ignored. With `groups` (a model deciding
// with thresholds by group), the group attribute must hold one of their groups.
// Ensures: the record is complete when `problems` came back empty.
Record parseRecord(const QJsonObject &json, const Schema &schema, const FeatureEncoder &encoder, bool strict,
                   const QJsonArray &locPrefix, QList<RecordProblem> &problems, const GroupThresholds *groups = nullptr);

} // namespace Audit
