#pragma once

#include "scoreddata.h"

// A hand-made scored dataset whose every metric is worked out in the tests' comments.
// Attribute "g": A (6 rows), B (4), C (2), D (2) and one row with no value; numeric "x".
// Outcomes at threshold 0.5 (label, prediction):
//   A: (1,1) (1,1) (1,0) (0,1) (0,0) (0,0)   tp 2 fp 1 tn 2 fn 1
//   B: (1,1) (1,0) (0,0) (0,0)               tp 1 fp 0 tn 2 fn 1
//   C: (0,1) (0,0)                           tp 0 fp 1 tn 1 fn 0
//   D: (0,1) (0,1)                           tp 0 fp 2 tn 0 fn 0
//   -: (1,1)                                 counts only in k
// k = 3 + 1 + 1 + 2 + 1 = 8 predicted positives.
inline Audit::ScoredData auditFixture()
{
    using namespace Audit;
    ScoredData data;
    DataColumn g;
    g.spec.name = QStringLiteral("g");
    g.categories = {"A", "B", "C", "D"};
    DataColumn x;
    x.spec.name = QStringLiteral("x");
    x.spec.type = ColumnType::Integer;
    struct Row
    {
        int group;
        int label;
        int prediction;
    };
    const Row rows[] = {{0, 1, 1}, {0, 1, 1}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {0, 0, 0}, {1, 1, 1}, {1, 1, 0},
                        {1, 0, 0}, {1, 0, 0}, {2, 0, 1}, {2, 0, 0}, {3, 0, 1}, {3, 0, 1}, {-1, 1, 1}};
    int i = 0;
    for (const Row &r : rows) {
        g.codes.push_back(r.group);
        x.numbers.push_back(i++ % 2 ? 10 : 20);
        data.labels.push_back(std::int8_t(r.label));
        data.scores.push_back(r.prediction ? 0.9 : 0.1);
    }
    data.columns = {g, x};
    data.threshold = 0.5;
    data.source = QStringLiteral("fixture");
    return data;
}
