#include "metricglossary.h"

#include <QHash>
#include <QObject>

namespace Ui {

namespace {

struct Entry
{
    const char *title;
    const char *tooltip;
};

const QHash<QString, Entry> &glossary()
{
    static const QHash<QString, Entry> entries = {
        {QStringLiteral("feature"), {"Feature", "The column (or columns, joined by &) that defines the slice."}},
        {QStringLiteral("value"), {"Value", "The value or bin of the feature that the slice's rows share."}},
        {QStringLiteral("n"), {"n", "How many rows the slice or group holds."}},
        {QStringLiteral("label_pos"), {"Label +", "Rows whose true label is the positive class."}},
        {QStringLiteral("pred_pos"), {"Pred +", "Rows the model predicts as the positive class at this threshold."}},
        {QStringLiteral("precision"),
         {"Precision", "Of the rows predicted positive, the share that truly are positive (with its 95% Wilson interval)."}},
        {QStringLiteral("recall"),
         {"Recall", "Of the truly positive rows, the share the model finds (with its 95% Wilson interval)."}},
        {QStringLiteral("f1"), {"F1", "The harmonic mean of precision and recall (with a 95% interval)."}},
        {QStringLiteral("accuracy"), {"Accuracy", "The share of rows predicted correctly (with its 95% Wilson interval)."}},
        {QStringLiteral("fpr"), {"FPR", "False positive rate: the share of truly negative rows predicted positive."}},
        {QStringLiteral("fnr"), {"FNR", "False negative rate: the share of truly positive rows the model misses."}},
        {QStringLiteral("tpr"), {"TPR", "True positive rate (recall): the share of truly positive rows found."}},
        {QStringLiteral("tnr"), {"TNR", "True negative rate: the share of truly negative rows predicted negative."}},
        {QStringLiteral("fdr"), {"FDR", "False discovery rate: the share of positive predictions that are wrong."}},
        {QStringLiteral("for"), {"FOR", "False omission rate: the share of negative predictions that are wrong."}},
        {QStringLiteral("npv"), {"NPV", "Negative predictive value: the share of negative predictions that are right."}},
        {QStringLiteral("ppr"), {"PPR", "Predicted positive rate: the group's share of all positive predictions (pp / k)."}},
        {QStringLiteral("pprev"),
         {"PPrev", "Predicted prevalence: the share of the group predicted positive (pp / group size)."}},
        {QStringLiteral("prev"), {"Prev", "Prevalence: the share of the group whose true label is positive."}},
        {QStringLiteral("weak"), {"Weak", "Flagged when the slice's metric is well below overall and its interval is too."}},
        {QStringLiteral("roc_auc"), {"ROC AUC", "The chance a random positive row scores above a random negative one."}},
        {QStringLiteral("pr_auc"),
         {"PR AUC", "Average precision over all recall levels: area under the precision-recall curve."}},
        {QStringLiteral("log_loss"),
         {"Log loss", "Mean negative log-likelihood of the true labels under the scores; lower is better."}},
        {QStringLiteral("brier"), {"Brier", "Mean squared gap between the score and the 0/1 label; lower is better."}},
        {QStringLiteral("threshold"), {"Threshold", "Rows scoring at or above it are predicted positive."}},
        {QStringLiteral("group_size"), {"Size", "How many rows the group holds."}},
        {QStringLiteral("disparity"), {"Disparity", "The group's metric divided by the reference group's; 1 means parity."}},
    };
    return entries;
}

} // namespace

QString metricTitle(const QString &key)
{
    const auto found = glossary().find(key);
    return found == glossary().end() ? key : QObject::tr(found->title);
}

QString metricTooltip(const QString &key)
{
    const auto found = glossary().find(key);
    return found == glossary().end() ? QString() : QObject::tr(found->tooltip);
}

} // namespace Ui
