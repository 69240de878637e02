#pragma once

#include <algorithm>
#include <cmath>

#include <QColor>
#include <QString>

// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), safe for the common
// colour-vision deficiencies, and what each colour means in ModelAudit. One definition for the
// app's charts and tables (ui/) and the exported card and report (core/card/), so a fail is
// the same vermillion on screen and on paper. Header-only: ui/ includes it through ma_card.
namespace Audit::OkabeIto {

inline const QColor kOrange(230, 159, 0);
inline const QColor kSkyBlue(86, 180, 233);
inline const QColor kBluishGreen(0, 158, 115);
inline const QColor kBlue(0, 114, 178);
inline const QColor kVermillion(213, 94, 0);
inline const QColor kGrey(153, 153, 153);

// What the colours stand for; colour is never the only sign (marks, shapes and words go too).
inline const QColor &kPass = kBlue; // within tolerance
inline const QColor &kFail = kVermillion; // outside tolerance
inline const QColor &kBand = kBluishGreen; // the tolerance band
inline const QColor &kUndefined = kGrey; // no verdict
inline const QColor &kHighlight = kOrange; // the selected bar, this record
inline const QColor &kReference = kVermillion; // an overall value or threshold line (dashed)

// WCAG 2.x relative luminance of an sRGB colour, 0 (black) to 1 (white).
inline double relativeLuminance(const QColor &c)
{
    const auto channel = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

// WCAG contrast ratio, 1 to 21.
inline double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = relativeLuminance(a);
    const double lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// `colour` lightened (on a dark background) or darkened (on a light one) in small steps, keeping
// its hue, until it has `ratio` contrast against `background`: the same Okabe–Ito hue, readable
// as text or a thin line in either theme.
inline QColor readableOn(const QColor &colour, const QColor &background, double ratio = 4.5)
{
    const bool darkBackground = relativeLuminance(background) < 0.18;
    QColor c = colour.toHsl();
    for (int step = 0; step < 40 && contrastRatio(c, background) < ratio; ++step) {
        const float l = c.hslSaturationF() >= 0 ? c.lightnessF() : 0.5f;
        c.setHslF(c.hslHueF(), c.hslSaturationF(), std::clamp(l + (darkBackground ? 0.025f : -0.025f), 0.0f, 1.0f));
    }
    return c.toRgb();
}

// `colour` at `alpha` (0..1) over `base`, opaque: a tint for a table cell or an HTML background.
inline QColor tint(const QColor &colour, double alpha, const QColor &base = Qt::white)
{
    const auto mixed = [alpha](double a, double b) { return a * alpha + b * (1 - alpha); };
    return QColor::fromRgbF(float(mixed(colour.redF(), base.redF())), float(mixed(colour.greenF(), base.greenF())),
                            float(mixed(colour.blueF(), base.blueF())));
}

// "#rrggbb", for HTML and style sheets.
inline QString hex(const QColor &colour)
{
    return colour.name(QColor::HexRgb);
}

} // namespace Audit::OkabeIto
