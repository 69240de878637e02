#pragma once

#include <array>
#include <utility>

#include <QColor>
#include <QPalette>

#include "enumnames.h"

class QChart;

namespace Ui {

// The View → Theme choice: follow the desktop, or force light or dark.
enum class Theme { System, Light, Dark };

// Remembers the platform's own style and palette, before anything changes them. Call once,
// right after the QApplication is made (applyTheme() calls it when it was not).
void captureSystemTheme();

// Whether the desktop asks for a dark theme. Qt 6.4 has no QStyleHints::colorScheme (6.5),
// so this reads what is there at start-up: the platform palette's window lightness (a dark
// KDE or GTK theme through Qt's platform theme), else GTK_THEME ending in ":dark" or
// "-dark", gtk-3.0/4.0 settings.ini's gtk-application-prefer-dark-theme, or KDE's
// kdeglobals window background. Found once; a change of desktop theme needs a restart.
bool systemPrefersDark();

// Applies `theme` to the whole application at once (style and palette); every widget gets a
// PaletteChange, which the views use to recolour their charts. Light and Dark use Fusion;
// System restores the platform's own style and palette, or Fusion dark when the desktop asks
// for dark and the platform palette is light (no platform theme plugin).
void applyTheme(Theme theme);
Theme currentTheme();

// The saved choice (QSettings "view/theme"), System when none or unknown.
Theme savedTheme();
void saveTheme(Theme theme);

// A complete dark palette: every role in the Active, Inactive and Disabled groups.
QPalette darkPalette();
QPalette lightPalette();
bool isDark(const QPalette &palette); // the window colour is dark

// Colours a chart's chrome from `palette`: background, plot area, title, legend, axis labels,
// titles, lines and grid. Series keep their colours (the Okabe–Ito hues).
void styleChart(QChart *chart, const QPalette &palette);

} // namespace Ui

template <>
struct Audit::EnumNames<Ui::Theme>
{
    using Theme = Ui::Theme;
    static constexpr std::array<std::pair<Theme, const char *>, 3> table{
        {{Theme::System, "system"}, {Theme::Light, "light"}, {Theme::Dark, "dark"}}};
};
