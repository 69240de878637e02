#pragma once

#include <cstddef>
#include <vector>

namespace Audit {

// Encoded features, row-major: rows() x cols() floats in one block.
class FeatureMatrix
{
public:
    FeatureMatrix() = default;
    FeatureMatrix(std::size_t rows, std::size_t cols)
        : m_rows(rows)
        , m_cols(cols)
        , m_values(rows * cols, 0.0f)
    {}

    std::size_t rows() const { return m_rows; }
    std::size_t cols() const { return m_cols; }
    const float *row(std::size_t r) const { return m_values.data() + r * m_cols; }
    float *row(std::size_t r) { return m_values.data() + r * m_cols; }

    FeatureMatrix subset(const std::vector<std::size_t> &rows) const
    {
        FeatureMatrix out(rows.size(), m_cols);
        for (std::size_t i = 0; i < rows.size(); ++i)
            std::copy(row(rows[i]), row(rows[i]) + m_cols, out.row(i));
        return out;
    }

private:
    std::size_t m_rows = 0;
    std::size_t m_cols = 0;
    std::vector<float> m_values;
};

} // namespace Audit
