#include "counterfactuals.h"

#include "prediction.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <QJsonArray>

#include "dataset.h"
#include "metrics.h" // jsonNumber
#include "model.h"
#include "whatifsweep.h"

namespace Audit {

namespace {

QString numberText(double v)
{
    return std::isnan(v) ? QStringLiteral("missing") : QString::number(v, 'g', 10);
}

struct Candidate
{
    std::size_t feature = 0;
    double number = 0;
    std::string text;
    double cost = 0;
};

struct State
{
    std::vector<Candidate> changes; // sorted by feature
    double probability = 0;
    double cost = 0;
};

class Search
{
public:
    Search(const Model &model, const Record &record, double threshold)
        : m_model(model)
        , m_record(record)
        , m_threshold(threshold)
        , m_row(std::size_t(model.encoder().width()))
    {}

    double score(const std::vector<Candidate> &changes)
    {
        Record variant = m_record;
        for (const Candidate &c : changes) {
            if (m_model.encoder().columns()[c.feature].spec.isNumeric())
                variant.numbers[c.feature] = c.number;
            else
                variant.texts[c.feature] = c.text;
        }
        ++evaluated;
        m_model.encoder().encodeRow(variant.numbers, variant.texts, m_row.data());
        return m_model.learner().score(m_row.data(), m_row.size());
    }

    bool flips(double p, bool positive) const { return (p >= m_threshold) != positive; }

    int evaluated = 0;

private:
    const Model &m_model;
    const Record &m_record;
    double m_threshold;
    std::vector<float> m_row;
};

double numericCost(const FeatureEncoder::Column &column, double from, double to)
{
    if (std::isnan(from))
        from = column.median;
    const double a = column.log1p ? std::log1p(std::max(0.0, from)) : from;
    const double b = column.log1p ? std::log1p(std::max(0.0, to)) : to;
    return std::abs(b - a) / column.scale;
}

} // namespace

CounterfactualSearch findCounterfactuals(const Model &model, const Record &record, double requested, const Dataset *data,
                                         const CounterfactualOptions &options)
{
    // A model deciding by group: the record's group's threshold (a counterfactual never changes
    // a protected attribute, so the group stays; a randomised group keeps the record's draw).
    const double threshold = model.groupThresholds().active() ? predictRecord(model, record).threshold : requested;
    const FeatureEncoder &encoder = model.encoder();
    const auto &columns = encoder.columns();
    Search search(model, record, threshold);
    CounterfactualSearch out;
    out.threshold = threshold;
    out.probability = search.score({});
    out.positive = out.probability >= threshold;

    // What may change, and to what.
    std::vector<std::vector<Candidate>> candidates(columns.size());
    for (std::size_t f = 0; f < columns.size(); ++f) {
        const FeatureEncoder::Column &column = columns[f];
        const ColumnSpec &spec = model.schema().features()[f]; // the encoder's copy keeps no schema flags
        if (!spec.actionable || model.schema().isProtected(column.spec.name))
            continue;
        out.actionable << column.spec.name;
        if (column.spec.isNumeric()) {
            std::vector<double> grid;
            const int dataIndex = data ? data->schema.featureIndex(column.spec.name) : -1;
            SweepOptions sweep;
            sweep.steps = std::max(2, options.steps);
            if (dataIndex >= 0 && data->rowCount() > 0)
                grid = quantileGrid(data->columns[std::size_t(dataIndex)].numbers, column.spec.type, sweep);
            if (grid.empty()) {
                for (int i = 0; i < sweep.steps; ++i) {
                    double v = column.minimum + (column.maximum - column.minimum) * i / (sweep.steps - 1);
                    grid.push_back(column.spec.type == ColumnType::Integer ? std::round(v) : v);
                }
            }
            for (double v : grid) {
                if (v < column.minimum || v > column.maximum || v == record.numbers[f])
                    continue;
                candidates[f].push_back({f, v, {}, numericCost(column, record.numbers[f], v)});
            }
        } else {
            const QStringList &missing = model.schema().missingTokens(f); // "become unknown" is no advice
            for (const std::string &category : column.categories) {
                if (category != record.texts[f] && !missing.contains(QString::fromStdString(category)))
                    candidates[f].push_back({f, 0, category, 1.0});
            }
        }
    }
    if (out.actionable.isEmpty()) {
        out.note = QStringLiteral("the schema marks no column actionable (actionable: true on a column a person could "
                                  "change), so there is nothing to search");
        return out;
    }

    std::map<std::set<std::size_t>, State> found; // cheapest answer per set of columns
    const auto keep = [&](const State &s) {
        std::set<std::size_t> key;
        for (const Candidate &c : s.changes)
            key.insert(c.feature);
        auto it = found.find(key);
        if (it == found.end() || s.cost < it->second.cost)
            found[key] = s;
    };
    const auto gap = [&](double p) { return out.positive ? p - threshold : threshold - p; }; // > 0: not flipped yet

    // One change: every candidate; a numeric flip bisected towards the record's own value.
    std::vector<State> level;
    for (std::size_t f = 0; f < columns.size(); ++f) {
        for (const Candidate &c : candidates[f]) {
            State s{{c}, search.score({c}), c.cost};
            if (search.flips(s.probability, out.positive) && columns[f].spec.isNumeric() && !std::isnan(record.numbers[f])) {
                // Between the own value (no flip) and c (a flip): the nearest number that flips.
                double near = record.numbers[f];
                double far = c.number;
                const bool integer = columns[f].spec.type == ColumnType::Integer;
                for (int i = 0; i < 40 && std::abs(far - near) > (integer ? 1.0 : 1e-9 * std::max(1.0, std::abs(far))); ++i) {
                    double mid = (near + far) / 2;
                    if (integer)
                        mid = far > near ? std::ceil(mid) : std::floor(mid);
                    if (mid == far || mid == near)
                        break;
                    Candidate m = c;
                    m.number = mid;
                    const double p = search.score({m});
                    if (search.flips(p, out.positive)) {
                        far = mid;
                        s.probability = p;
                    } else {
                        near = mid;
                    }
                }
                s.changes[0].number = far;
                s.changes[0].cost = s.cost = numericCost(columns[f], record.numbers[f], far);
                if (far == c.number)
                    s.probability = search.score(s.changes);
            }
            if (search.flips(s.probability, out.positive))
                keep(s);
            else
                level.push_back(s);
        }
    }
    // More changes: from the partial answers closest to the threshold (cheaper first on ties).
    for (int depth = 2; depth <= options.maxChanges; ++depth) {
        std::sort(level.begin(), level.end(), [&](const State &a, const State &b) {
            return gap(a.probability) != gap(b.probability) ? gap(a.probability) < gap(b.probability) : a.cost < b.cost;
        });
        level.resize(std::min(level.size(), std::size_t(std::max(1, options.beam))));
        std::vector<State> next;
        std::set<std::string> seen; // a set of changes reached from two partial answers is scored once
        for (const State &base : level) {
            for (std::size_t f = 0; f < columns.size(); ++f) {
                if (std::any_of(base.changes.begin(), base.changes.end(), [f](const Candidate &c) { return c.feature == f; }))
                    continue;
                for (const Candidate &c : candidates[f]) {
                    State s = base;
                    s.changes.push_back(c);
                    std::sort(s.changes.begin(), s.changes.end(),
                              [](const Candidate &a, const Candidate &b) { return a.feature < b.feature; });
                    std::string id;
                    for (const Candidate &x : s.changes)
                        id += std::to_string(x.feature) + '=' + (x.text.empty() ? std::to_string(x.number) : x.text) + '\x1f';
                    if (!seen.insert(id).second)
                        continue;
                    s.cost += c.cost;
                    s.probability = search.score(s.changes);
                    if (search.flips(s.probability, out.positive))
                        keep(s);
                    else
                        next.push_back(std::move(s));
                }
            }
        }
        level = std::move(next);
    }

    // Minimal answers only: drop one whose columns contain a cheaper answer's columns.
    std::vector<std::pair<std::set<std::size_t>, State>> answers(found.begin(), found.end());
    std::sort(answers.begin(), answers.end(), [](const auto &a, const auto &b) {
        return a.second.cost != b.second.cost ? a.second.cost < b.second.cost : a.first < b.first;
    });
    std::vector<std::set<std::size_t>> taken;
    for (const auto &[key, state] : answers) {
        if (int(out.answers.size()) >= options.answers)
            break;
        const bool containsCheaper = std::any_of(taken.begin(), taken.end(), [&key = key](const std::set<std::size_t> &t) {
            return std::includes(key.begin(), key.end(), t.begin(), t.end());
        });
        if (containsCheaper)
            continue;
        taken.push_back(key);
        Counterfactual answer;
        answer.cost = state.cost;
        answer.probability = state.probability;
        for (const Candidate &c : state.changes) {
            const FeatureEncoder::Column &column = columns[c.feature];
            CounterfactualChange change;
            change.column = column.spec.name;
            change.numeric = column.spec.isNumeric();
            change.cost = c.cost;
            if (change.numeric) {
                change.fromNumber = record.numbers[c.feature];
                change.toNumber = c.number;
                change.from = numberText(change.fromNumber);
                change.to = numberText(change.toNumber);
            } else {
                change.from = QString::fromStdString(record.texts[c.feature]);
                change.to = QString::fromStdString(c.text);
            }
            answer.changes.push_back(change);
        }
        out.answers.push_back(std::move(answer));
    }
    out.evaluated = search.evaluated;
    if (out.answers.empty())
        out.note = QStringLiteral("no change of up to %1 of the actionable columns (%2), within the training ranges, "
                                  "gives the other decision")
                       .arg(options.maxChanges)
                       .arg(out.actionable.join(QStringLiteral(", ")));
    return out;
}

QJsonObject CounterfactualSearch::toJson() const
{
    QJsonArray list;
    for (const Counterfactual &a : answers) {
        QJsonArray changes;
        for (const CounterfactualChange &c : a.changes)
            changes.append(QJsonObject{{QStringLiteral("column"), c.column},
                                       {QStringLiteral("from"), c.numeric ? jsonNumber(c.fromNumber) : QJsonValue(c.from)},
                                       {QStringLiteral("to"), c.numeric ? jsonNumber(c.toNumber) : QJsonValue(c.to)},
                                       {QStringLiteral("cost"), jsonNumber(c.cost)}});
        list.append(QJsonObject{{QStringLiteral("changes"), changes},
                                {QStringLiteral("cost"), jsonNumber(a.cost)},
                                {QStringLiteral("probability"), jsonNumber(a.probability)}});
    }
    QJsonObject json{{QStringLiteral("probability"), jsonNumber(probability)},
                     {QStringLiteral("decision_positive"), positive},
                     {QStringLiteral("threshold"), jsonNumber(threshold)},
                     {QStringLiteral("actionable"), QJsonArray::fromStringList(actionable)},
                     {QStringLiteral("cost_unit"), QStringLiteral("numeric: training standard deviations; category: 1")},
                     {QStringLiteral("counterfactuals"), list},
                     {QStringLiteral("evaluated"), evaluated}};
    if (!note.isEmpty())
        json.insert(QStringLiteral("note"), note);
    return json;
}

} // namespace Audit
