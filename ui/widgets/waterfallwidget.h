#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

namespace Ui {

// A waterfall of one prediction's attributions: the base value, then each column's
// contribution as a bar from the running total (the largest first; the smallest summed into
// one "other columns" bar), ending at the model's output. Bars that raise the output are blue,
// those that lower it vermillion (Okabe-Ito); each says its value and the record's own value.
class WaterfallWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit WaterfallWidget(QWidget *parent = nullptr);

    struct Bar
    {
        QString label; // "age = 52"
        double value = 0;
        double error = 0; // a sampled attribution's standard error, 0 when exact
    };
    // `unit` names the scale ("log-odds", "probability").
    void setExplanation(double base, double output, std::vector<Bar> bars, const QString &unit, const QString &caption);
    void clear(const QString &message);

    int shownBars() const { return int(m_bars.size()); } // after folding the small ones
    QString summary() const; // the bars in words, for tests and the accessible description

    QSize sizeHint() const override { return {420, 320}; }
    QSize minimumSizeHint() const override { return {260, 160}; }

    static constexpr int kMaxBars = 10;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double m_base = 0;
    double m_output = 0;
    std::vector<Bar> m_bars;
    QString m_unit;
    QString m_caption;
    QString m_message;
};

} // namespace Ui
