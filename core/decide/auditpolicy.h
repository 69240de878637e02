#pragma once

#include <map>
#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "audit.h"

namespace Audit {

// What a policy does with a verdict that is neither a clear pass nor a clear fail (a parity
// outside the band but not significant, a group with too little data): docs/policy.md.
enum class Unclear { Pass, Warn, Fail };

// One rule of an audit policy (audit.yaml). Exactly one kind per rule.
struct PolicyRule
{
    enum class Kind { Metric, WeakSlices, Parity, Calibration, Card, Regression };
    Kind kind = Kind::Metric;
    QString name;
    int line = 0; // where the rule starts in the policy file (1-based)
    bool warning = false; // severity: warning (a failure is reported, the gate still passes)
    QString reason; // why a warning rule is only a warning (required then)

    // Metric: an overall metric's floor (min) or ceiling (max). require_interval: the 95%
    // interval must clear it too (precision, recall, f1, accuracy have one).
    QString metric;
    std::optional<double> min;
    std::optional<double> max;
    bool requireInterval = false;
    // WeakSlices: at most `maxCount` weak slices with n >= minSize, q <= q and gap > gap, among
    // the slices the audit made (single features and pairs: maxFeatures 3 counts no more than 2).
    std::int64_t minSize = 30;
    double q = 0.05;
    double gap = 0;
    int maxCount = 0;
    int maxFeatures = 3; // 1: single-feature slices only; 2, 3: intersections of that many too
    // Parity: the named roll-ups (Aequitas's names, snake_case) pass for `attribute`.
    QString attribute;
    int attributeLine = 0; // where `attribute` is written (for "not an audited attribute")
    std::vector<Parity> parities;
    Unclear insufficient = Unclear::Warn;
    Unclear notSignificant = Unclear::Warn;
    // Calibration: ECE at most eceMax (with require_interval: its interval's upper bound too).
    double eceMax = 0.05;
    // Card: complete (every prose field written) and fresh (numbers from this model and data).
    bool requireComplete = true;
    bool requireFresh = true;
    // Regression against `check --against REV`: at most maxWorseSlices slices significantly
    // worse (the diff's BH q), and the overall `metric` at most maxDrop lower.
    int maxWorseSlices = 0;
    double maxDrop = 0.01;

    QString kindName() const; // "metric", "weak_slices", "parity", "calibration", "card", "regression"
    QString requirement() const; // "f1 >= 0.7", "no weak slice with n >= 100, q <= 0.05, gap > 0.1"
};

struct AuditPolicy
{
    QString path;
    std::vector<PolicyRule> rules;

    // Reads and validates a policy file. Throws: SchemaError naming the file, line and key
    // ("audit.yaml:7: rules[1].metric: unknown metric "f2"; one of ..."), IoError when unreadable.
    static AuditPolicy load(const QString &path);
    static AuditPolicy parse(const QByteArray &yaml, const QString &sourceName);
};

// What the front end found about the model card, for the card rule.
struct CardFacts
{
    QString path;
    bool exists = false;
    bool stale = false; // its numbers are from another model or data
    QStringList emptyFields; // prose fields with nothing written
    QString problem; // it could not be read: why
};

// What `check --against REV` found, for the regression rule.
struct RegressionFacts
{
    QString against; // the revision
    std::int64_t worseSlices = 0; // significantly lower F1 (q <= the diff's fdr q)
    std::int64_t testedSlices = 0;
    std::map<QString, std::pair<double, double>> metrics; // overall metric -> (before, after)
    QString problem; // the revision could not be audited: why
};

struct RuleResult
{
    enum class Status { Pass, Fail, Warn, Skipped };
    PolicyRule rule;
    Status status = Status::Pass;
    QString measured; // the numbers, with their intervals or q values
    QString detail; // why it failed or warned, or was skipped
};

struct PolicyVerdict
{
    QString policyPath;
    QString modelId;
    QString source;
    double threshold = 0;
    QString decisionRule; // the model's thresholds by group, when it decides with them
    std::vector<RuleResult> results;

    bool passed() const; // no rule failed (warnings and skipped rules do not fail the gate)
    int count(RuleResult::Status status) const;
    QString decisionText() const; // "at threshold 0.3568", "with thresholds by sex: ..."
    QString toText() const;
    QString toMarkdown() const; // a summary fit for a pull-request comment
    QByteArray toJUnitXml() const; // one test case per rule
    QJsonObject toJson() const;
};

// Evaluates every rule against an audit (at its threshold). `card` and `regression` may be
// null: their rules are then skipped, saying why.
PolicyVerdict evaluatePolicy(const AuditPolicy &policy, const AuditResults &results, const CardFacts *card,
                             const RegressionFacts *regression);

QString ruleStatusName(RuleResult::Status status); // "pass", "fail", "warn", "skipped"

} // namespace Audit
