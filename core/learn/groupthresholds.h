#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Audit {

class Schema;

// Decision thresholds that differ by the group of one protected attribute (post-processing
// mitigation, `mitigate --apply`): a row of a group is positive when its score reaches the
// group's threshold; a row of no listed group keeps the model's single threshold. A group
// whose rule is randomised (equalized odds, Hardt et al. 2016) mixes up to three thresholds:
// which one a record meets is drawn from the record itself (a hash of what the learner reads,
// seeded), so the same record always gets the same decision, in the audit and on the server.
struct GroupThresholds
{
    static constexpr std::size_t kMaxGroups = 1000;
    static constexpr std::size_t kMaxMix = 3;
    static constexpr qsizetype kMaxNameLength = 256; // a group's name, in characters
    static constexpr qsizetype kShownGroups = 12; // listed by name in messages and describe()

    struct Group
    {
        QString name;
        // (threshold, probability), thresholds descending, probabilities summing to 1; one
        // entry for a plain threshold.
        std::vector<std::pair<double, double>> mix;
        double threshold() const; // the most likely one (the one shown where one number is)
    };

    QString attribute; // a categorical feature of the schema
    QString constraint; // demographic_parity | equal_opportunity | equalized_odds
    double tolerance = 0;
    QString objective; // the objective's spec ("f1", "cost:5")
    QString fittedOn; // what the thresholds were fitted on, for people
    std::int64_t fitRows = 0;
    std::uint64_t seed = 0; // of the per-record draw
    std::vector<Group> groups;

    bool active() const { return !groups.empty(); }
    bool randomised() const;
    int groupIndex(std::string_view value) const; // -1: no such group
    QStringList groupNames() const;
    // The first kShownGroups names, each echoed safely, "…, and N more" after: for messages.
    QString shownGroups() const;

    // The threshold a record of group `group` (-1: none) meets; `key` picks from a mix.
    double thresholdOf(int group, std::uint64_t key, double single) const;
    // The draw key of an encoded row: a hash of its values (NaN and -0 made canonical) and the seed.
    std::uint64_t keyOf(const float *row, std::size_t width) const;

    // "by sex: Male 0.4057, Female 0.2839 (equal opportunity within 0.02; best F1)"; past
    // kShownGroups groups, "…, and N more" (the model's JSON has them all).
    QString describe() const;
    QJsonObject toJson() const;
    // Throws: SchemaError naming the member at fault ("group_thresholds.groups[2].mix: ...");
    // the attribute must be a categorical feature of `schema`.
    static GroupThresholds fromJson(const QJsonObject &json, const Schema &schema);
};

} // namespace Audit
