#pragma once

// A hand-built dataset and a learner whose output is known in closed form, for the what-if
// sweep and the feature ranking: 101 rows with an integer column "x" = 0..100, a real column
// "r" and a categorical column "c" (a, b, c); the learner scores
// sigmoid(sum_i w_i * encoded_i), so with plain standardisation P crosses 0.5 exactly where
// the weighted encoded sum crosses 0.

#include <cmath>
#include <memory>
#include <ostream>

#include "featureencoder.h"
#include "learner.h"
#include "model.h"
#include "record.h"
#include "schema.h"

namespace WhatIfFixture {

constexpr int kRows = 101;

class KnownLearner final : public Audit::Learner
{
public:
    explicit KnownLearner(std::vector<double> weights)
        : m_weights(std::move(weights))
    {}
    Audit::LearnerKind kind() const override { return Audit::LearnerKind::Logistic; }
    void train(const Audit::FeatureMatrix &, const std::vector<std::int8_t> &, const Audit::LearnerParams &,
               const Audit::Progress &) override
    {}
    double score(const float *row, std::size_t width) const override
    {
        double z = 0;
        for (std::size_t i = 0; i < width && i < m_weights.size(); ++i)
            z += m_weights[i] * double(row[i]);
        return 1.0 / (1.0 + std::exp(-z));
    }
    void save(std::ostream &out) const override { out << m_weights.size(); }
    void load(std::istream &) override {}
    void checkInputWidth(std::size_t) const override {}
    std::unique_ptr<Audit::Learner> clone() const override { return std::make_unique<KnownLearner>(*this); }

private:
    std::vector<double> m_weights;
};

inline Audit::Schema schema()
{
    return Audit::Schema::fromYaml("name: known\n"
                                   "label: {column: y, positive: \"yes\", negative: \"no\"}\n"
                                   "columns:\n"
                                   "  - {name: x, type: integer}\n"
                                   "  - {name: r, type: real}\n"
                                   "  - {name: c, type: categorical}\n",
                                   QStringLiteral("known.schema.yaml"));
}

// x = i; r = ((37 i) mod 101) / 10, a shuffle of 0.0 .. 10.0; c cycles a, b, c.
inline Audit::Dataset dataset()
{
    Audit::Dataset data;
    data.schema = schema();
    data.path = QStringLiteral("known.csv");
    for (const Audit::ColumnSpec &spec : data.schema.features()) {
        Audit::DataColumn column;
        column.spec = spec;
        data.columns.push_back(column);
    }
    data.columns[2].categories = {"a", "b", "c"};
    for (int i = 0; i < kRows; ++i) {
        data.columns[0].numbers.push_back(i);
        data.columns[1].numbers.push_back(double((37 * i) % kRows) / 10.0);
        data.columns[2].codes.push_back(i % 3);
        data.labels.push_back(std::int8_t(i % 2));
        data.lines.push_back(i + 2);
    }
    return data;
}

// A model over dataset() scoring sigmoid(wx * x' + wr * r' + wb * [c = b]), x' and r' standardised.
inline Audit::Model model(double wx, double wr, double wb)
{
    Audit::EncoderOptions options;
    options.autoLog1p = false;
    Audit::FeatureEncoder encoder = Audit::FeatureEncoder::fit(dataset(), options);
    std::vector<double> weights(std::size_t(encoder.width()), 0.0);
    weights[std::size_t(encoder.columns()[0].offset)] = wx;
    weights[std::size_t(encoder.columns()[1].offset)] = wr;
    weights[std::size_t(encoder.columns()[2].offset + encoder.categoryIndex(2, "b"))] = wb;
    Audit::LearnerParams params;
    params.kind = Audit::LearnerKind::Logistic;
    return Audit::Model(schema(), std::move(encoder), std::make_unique<KnownLearner>(weights), params, 0.5, {});
}

inline Audit::Record record(double x, double r, const char *c)
{
    return Audit::Record{{x, r, 0}, {"", "", c}};
}

} // namespace WhatIfFixture
