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

// The confusion counts of one group of attribute "g".
struct GroupCounts
{
    const char *group;
    int tp, fp, tn, fn;
};

// Rows with exactly these confusion counts per group of attribute "g" (threshold 0.5).
inline Audit::ScoredData countsFixture(const std::vector<GroupCounts> &groups)
{
    using namespace Audit;
    ScoredData data;
    DataColumn g;
    g.spec.name = QStringLiteral("g");
    for (const GroupCounts &c : groups) {
        const int code = int(g.categories.size());
        g.categories.push_back(c.group);
        const auto add = [&](int n, int label, int predicted) {
            for (int i = 0; i < n; ++i) {
                g.codes.push_back(code);
                data.labels.push_back(std::int8_t(label));
                data.scores.push_back(predicted ? 0.9 : 0.1);
            }
        };
        add(c.tp, 1, 1);
        add(c.fp, 0, 1);
        add(c.tn, 0, 0);
        add(c.fn, 1, 0);
    }
    data.columns = {g};
    data.source = QStringLiteral("counts");
    return data;
}

// R: a 200-row reference. F: a large group whose FPR (60/120) is three times R's (20/120).
// N: 36 rows whose FPR 4/16 is 1.5x R's, outside the band but well within chance. S: 18 rows,
// under the 30 a verdict needs.
inline const std::vector<GroupCounts> kEvidenceGroups = {
    {"R", 60, 20, 100, 20}, {"F", 30, 60, 60, 50}, {"N", 10, 4, 12, 10}, {"S", 1, 6, 6, 5}};
