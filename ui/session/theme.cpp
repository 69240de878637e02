#include "theme.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QDir>
#include <QFileInfo>
#include <QLegend>
#include <QPen>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QToolTip>

#include "okabeito.h"

namespace Ui {

namespace {

namespace OkabeIto = Audit::OkabeIto;

struct SystemTheme
{
    bool captured = false;
    QString style; // the platform's own widget style ("fusion", "breeze", ...)
    QPalette palette;
    bool prefersDark = false;
    Theme current = Theme::System;
};

SystemTheme &systemTheme()
{
    static SystemTheme s;
    return s;
}

QString configFile(const QString &relative)
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)).filePath(relative);
}

// GTK_THEME=Adwaita:dark, or a theme named like "Adwaita-dark" in the environment or settings.ini.
bool gtkPrefersDark()
{
    const QString env = qEnvironmentVariable("GTK_THEME").toLower();
    if (env.endsWith(QLatin1String(":dark")) || env.contains(QLatin1String("-dark")))
        return true;
    for (const QString &file :
         {configFile(QStringLiteral("gtk-4.0/settings.ini")), configFile(QStringLiteral("gtk-3.0/settings.ini"))}) {
        if (!QFileInfo::exists(file))
            continue;
        const QSettings ini(file, QSettings::IniFormat);
        const QString prefer = ini.value(QStringLiteral("Settings/gtk-application-prefer-dark-theme")).toString().toLower();
        if (prefer == QLatin1String("1") || prefer == QLatin1String("true"))
            return true;
        if (ini.value(QStringLiteral("Settings/gtk-theme-name")).toString().contains(QLatin1String("dark"), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// kdeglobals' [Colors:Window] BackgroundNormal=r,g,b (read by the ini reader as a list).
bool kdePrefersDark()
{
    const QString file = configFile(QStringLiteral("kdeglobals"));
    if (!QFileInfo::exists(file))
        return false;
    const QSettings ini(file, QSettings::IniFormat);
    const QVariant value = ini.value(QStringLiteral("Colors:Window/BackgroundNormal"));
    const QStringList rgb = value.typeId() == QMetaType::QStringList ? value.toStringList()
                                                                     : value.toString().split(QLatin1Char(','));
    if (rgb.size() < 3)
        return false;
    return QColor(rgb[0].trimmed().toInt(), rgb[1].trimmed().toInt(), rgb[2].trimmed().toInt()).lightnessF() < 0.5;
}

void setAll(QPalette &p, QPalette::ColorRole role, const QColor &active, const QColor &disabled)
{
    p.setColor(QPalette::Active, role, active);
    p.setColor(QPalette::Inactive, role, active);
    p.setColor(QPalette::Disabled, role, disabled);
}

void setPaletteAndStyle(const QString &style, const QPalette &palette)
{
    if (QApplication::style()->name().compare(style, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(style);
    QApplication::setPalette(palette);
    QToolTip::setPalette(palette);
}

} // namespace

void captureSystemTheme()
{
    SystemTheme &s = systemTheme();
    if (s.captured)
        return;
    s.captured = true;
    s.style = QApplication::style()->name();
    s.palette = QApplication::palette();
    s.prefersDark = isDark(s.palette) || gtkPrefersDark() || kdePrefersDark();
}

bool systemPrefersDark()
{
    captureSystemTheme();
    return systemTheme().prefersDark;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Active, QPalette::Window).lightnessF() < 0.5;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor text(230, 230, 230);
    const QColor disabledText(128, 128, 128);
    setAll(p, QPalette::Window, QColor(45, 45, 48), QColor(45, 45, 48));
    setAll(p, QPalette::WindowText, text, disabledText);
    setAll(p, QPalette::Base, QColor(30, 30, 32), QColor(40, 40, 42));
    setAll(p, QPalette::AlternateBase, QColor(40, 40, 44), QColor(45, 45, 48));
    setAll(p, QPalette::Text, text, disabledText);
    setAll(p, QPalette::PlaceholderText, QColor(150, 150, 150), QColor(100, 100, 100));
    setAll(p, QPalette::Button, QColor(58, 58, 62), QColor(50, 50, 53));
    setAll(p, QPalette::ButtonText, text, disabledText);
    setAll(p, QPalette::BrightText, QColor(255, 255, 255), QColor(160, 160, 160));
    setAll(p, QPalette::ToolTipBase, QColor(60, 60, 64), QColor(60, 60, 64));
    setAll(p, QPalette::ToolTipText, QColor(240, 240, 240), disabledText);
    setAll(p, QPalette::Light, QColor(80, 80, 85), QColor(70, 70, 74));
    setAll(p, QPalette::Midlight, QColor(66, 66, 70), QColor(58, 58, 62));
    setAll(p, QPalette::Mid, QColor(90, 90, 95), QColor(70, 70, 74));
    setAll(p, QPalette::Dark, QColor(25, 25, 27), QColor(25, 25, 27));
    setAll(p, QPalette::Shadow, QColor(0, 0, 0), QColor(0, 0, 0));
    // Okabe–Ito blue: white text on it has 5:1 contrast.
    setAll(p, QPalette::Highlight, OkabeIto::kBlue, QColor(70, 70, 74));
    setAll(p, QPalette::HighlightedText, QColor(255, 255, 255), QColor(160, 160, 160));
    setAll(p, QPalette::Link, OkabeIto::kSkyBlue, QColor(100, 130, 150));
    setAll(p, QPalette::LinkVisited, QColor(204, 121, 167), QColor(140, 110, 130)); // Okabe–Ito reddish purple
    return p;
}

QPalette lightPalette()
{
    QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    QPalette p = fusion->standardPalette();
    delete fusion;
    return p;
}

void applyTheme(Theme theme)
{
    captureSystemTheme();
    SystemTheme &s = systemTheme();
    s.current = theme;
    const bool dark = theme == Theme::Dark || (theme == Theme::System && s.prefersDark);
    if (dark == isDark(s.palette)) // the platform's own look already is what is asked for
        setPaletteAndStyle(s.style, s.palette);
    else
        setPaletteAndStyle(QStringLiteral("Fusion"), dark ? darkPalette() : lightPalette());
}

Theme currentTheme()
{
    return systemTheme().current;
}

Theme savedTheme()
{
    return Audit::enumFromName<Theme>(QSettings().value(QStringLiteral("view/theme")).toString()).value_or(Theme::System);
}

void saveTheme(Theme theme)
{
    QSettings().setValue(QStringLiteral("view/theme"), Audit::enumName(theme));
}

void styleChart(QChart *chart, const QPalette &palette)
{
    if (!chart)
        return;
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    chart->setBackgroundBrush(base);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    chart->legend()->setBrush(Qt::NoBrush);
    chart->legend()->setPen(Qt::NoPen);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setLinePenColor(OkabeIto::tint(text, 0.55, base));
        axis->setGridLineColor(OkabeIto::tint(text, 0.2, base));
        axis->setMinorGridLineColor(OkabeIto::tint(text, 0.1, base));
        axis->setShadesVisible(false);
    }
}

} // namespace Ui
