#include <QtTest>

#include <cmath>

#include <QAbstractAxis>
#include <QAbstractItemView>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QScatterSeries>
#include <QStyle>
#include <QTabWidget>

#include "audit.h"
#include "biaschart.h"
#include "biastab.h"
#include "cardrenderer.h"
#include "heatmapwidget.h"
#include "mainwindow.h"
#include "okabeito.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "slicestab.h"
#include "testutil.h"
#include "theme.h"

using Ui::MainWindow;
using Ui::Theme;

namespace {

// WCAG 2.1 relative luminance and contrast ratio, written out here rather than taken from the
// code under test: https://www.w3.org/TR/WCAG21/#dfn-relative-luminance
double luminance(const QColor &colour)
{
    const auto linear = [](int channel) {
        const double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    const QColor c = colour.toRgb();
    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

bool looksDark(const QColor &c)
{
    return luminance(c) < 0.05; // #3f3f3f and darker
}

bool looksLight(const QColor &c)
{
    return luminance(c) > 0.6; // #cbcbcb and lighter
}

} // namespace

// View → Theme on the real window with a trained model: dark through the menu action makes the
// window palette dark, every chart's background dark with axis labels at 4.5:1 or better, the
// heatmap's numbers readable on their cells, the choice saved; light brings it all back. The
// charts' pass and fail colours are those of the card's exported charts.
class TestTheme : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<MainWindow> m_window;

    // Every chart in the window, each tab shown once so those built lazily exist.
    QList<QChartView *> charts()
    {
        auto *tabs = m_window->findChild<QTabWidget *>();
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            QApplication::processEvents();
        }
        return m_window->findChildren<QChartView *>();
    }

    void checkCharts(bool dark);
    void checkTables(bool dark);
    void checkHeatmap(bool dark);
    void switchTo(Theme theme);

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void themeMenu_checkableAndExclusive();
    void dark_throughTheViewMenu_everyChartDarkAndReadable();
    void dark_heatmapTextReadableOnEveryCell();
    void dark_paletteIsComplete();
    void light_restoresLightEverywhere();
    void chartsAndCardExport_samePassAndFailColours();
};

void TestTheme::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditThemeTest"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    Ui::captureSystemTheme();
    Ui::applyTheme(Theme::Light);
    TestUtil::makeProject(m_project);
    m_window = std::make_unique<MainWindow>(m_project.path());
    m_window->resize(1280, 800);
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->results() != nullptr, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 60000);
}

void TestTheme::cleanupTestCase()
{
    m_window.reset();
    QSettings().clear();
}

void TestTheme::switchTo(Theme theme)
{
    QAction *action = m_window->themeAction(theme);
    QVERIFY(action);
    action->trigger();
    QApplication::processEvents();
    QVERIFY(action->isChecked());
}

void TestTheme::themeMenu_checkableAndExclusive()
{
    int checked = 0;
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction *action = m_window->themeAction(theme);
        QVERIFY(action);
        QVERIFY(action->isCheckable());
        checked += action->isChecked();
        QVERIFY(action->actionGroup() && action->actionGroup()->isExclusive());
    }
    QCOMPARE(checked, 1);
}

void TestTheme::checkCharts(bool dark)
{
    const QList<QChartView *> views = charts();
    // Performance (4), Slices, Bias, Project, Predict at least.
    QVERIFY2(views.size() >= 8, qPrintable(QString::number(views.size())));
    int axesChecked = 0;
    for (QChartView *view : views) {
        QChart *chart = view->chart();
        QVERIFY(chart);
        const QColor background = chart->backgroundBrush().color();
        const QString where = chart->title().left(60);
        QVERIFY2(dark ? looksDark(background) : looksLight(background),
                 qPrintable(where + QLatin1String(": ") + background.name()));
        if (!chart->title().isEmpty())
            QVERIFY2(contrast(chart->titleBrush().color(), background) >= 4.5, qPrintable(where));
        if (chart->legend()->isVisible())
            QVERIFY2(contrast(chart->legend()->labelColor(), background) >= 4.5, qPrintable(where));
        for (QAbstractAxis *axis : chart->axes()) {
            const double ratio = contrast(axis->labelsColor(), background);
            QVERIFY2(ratio >= 4.5,
                     qPrintable(QStringLiteral("%1: axis labels %2 on %3, %4:1")
                                    .arg(where, axis->labelsColor().name(), background.name())
                                    .arg(ratio, 0, 'f', 2)));
            QVERIFY2(contrast(axis->titleBrush().color(), background) >= 4.5, qPrintable(where));
            ++axesChecked;
        }
    }
    QVERIFY(axesChecked >= 12);
}

// Every table, the slice table's frozen first column too (a view with a style sheet keeps the
// palette it was polished with unless polished again).
void TestTheme::checkTables(bool dark)
{
    QApplication::processEvents(); // style sheets are polished again once the palette event is done
    const QList<QAbstractItemView *> views = m_window->findChildren<QAbstractItemView *>();
    QVERIFY(views.size() > 5);
    for (QAbstractItemView *view : views) {
        const QColor base = view->palette().color(QPalette::Base);
        QVERIFY2(dark ? looksDark(base) : looksLight(base), qPrintable(view->objectName() + QLatin1String(": ") + base.name()));
        QVERIFY(contrast(view->palette().color(QPalette::Text), base) >= 7);
    }
}

void TestTheme::checkHeatmap(bool dark)
{
    m_window->showTab(MainWindow::Tab::Slices);
    const Ui::HeatmapWidget *heatmap = m_window->slicesTab()->heatmap();
    QVERIFY(heatmap->cellCount() > 0);
    int cells = 0;
    double meanLuminance = 0;
    for (int r = 0; r < int(heatmap->rowCount()); ++r) {
        for (int c = 0; c < int(heatmap->columnCount()); ++c) {
            const QColor fill = heatmap->cellColour(r, c);
            const QColor text = heatmap->cellTextColour(r, c);
            const double ratio = contrast(text, fill);
            QVERIFY2(ratio >= 4.5,
                     qPrintable(QStringLiteral("cell %1,%2: %3 on %4, %5:1")
                                    .arg(r)
                                    .arg(c)
                                    .arg(text.name(), fill.name())
                                    .arg(ratio, 0, 'f', 2)));
            meanLuminance += luminance(fill);
            ++cells;
        }
    }
    meanLuminance /= cells;
    // No glaring near-white grid on a dark window, no murky one on a light window.
    QVERIFY2(dark ? meanLuminance < 0.2 : meanLuminance > 0.3, qPrintable(QString::number(meanLuminance)));
}

void TestTheme::dark_throughTheViewMenu_everyChartDarkAndReadable()
{
    switchTo(Theme::Dark);
    QVERIFY(looksDark(QApplication::palette().color(QPalette::Window)));
    QVERIFY(looksDark(m_window->palette().color(QPalette::Window)));
    QVERIFY(contrast(m_window->palette().color(QPalette::WindowText), m_window->palette().color(QPalette::Window)) >= 7);
    QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("dark"));
    checkCharts(true);
    checkTables(true);
}

void TestTheme::dark_heatmapTextReadableOnEveryCell()
{
    checkHeatmap(true);
}

void TestTheme::dark_paletteIsComplete()
{
    const QPalette p = QApplication::palette();
    const auto pair = [&p](QPalette::ColorGroup group, QPalette::ColorRole fg, QPalette::ColorRole bg) {
        return contrast(p.color(group, fg), p.color(group, bg));
    };
    QVERIFY(pair(QPalette::Active, QPalette::Text, QPalette::Base) >= 7);
    QVERIFY(pair(QPalette::Active, QPalette::ButtonText, QPalette::Button) >= 4.5);
    QVERIFY(pair(QPalette::Active, QPalette::ToolTipText, QPalette::ToolTipBase) >= 4.5);
    QVERIFY(looksDark(p.color(QPalette::ToolTipBase)));
    QVERIFY(pair(QPalette::Active, QPalette::HighlightedText, QPalette::Highlight) >= 4.5);
    QVERIFY(pair(QPalette::Active, QPalette::Link, QPalette::Base) >= 4.5);
    QVERIFY(pair(QPalette::Active, QPalette::PlaceholderText, QPalette::Base) >= 3);
    // Disabled text is dimmer than enabled text, yet still there.
    QVERIFY(pair(QPalette::Disabled, QPalette::Text, QPalette::Base) < pair(QPalette::Active, QPalette::Text, QPalette::Base));
    QVERIFY(pair(QPalette::Disabled, QPalette::WindowText, QPalette::Window) >= 2);
    QVERIFY(looksDark(p.color(QPalette::Disabled, QPalette::Base)));
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
}

void TestTheme::light_restoresLightEverywhere()
{
    switchTo(Theme::Light);
    QVERIFY(looksLight(QApplication::palette().color(QPalette::Window)));
    QVERIFY(looksLight(m_window->palette().color(QPalette::Base)));
    QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("light"));
    QCOMPARE(Ui::savedTheme(), Theme::Light);
    QVERIFY(!m_window->themeAction(Theme::Dark)->isChecked());
    checkCharts(false);
    checkTables(false);
    checkHeatmap(false);
}

void TestTheme::chartsAndCardExport_samePassAndFailColours()
{
    // The card's exported bias charts (core/card) paint bars in the pass and fail colours...
    const Audit::AuditResults *results = m_window->session()->results();
    QVERIFY(results);
    QSet<QRgb> cardColours;
    for (const Audit::CardChart &chart : Audit::CardRenderer::charts(*results)) {
        for (int y = 0; y < chart.image.height(); y += 2) {
            for (int x = 0; x < chart.image.width(); x += 2)
                cardColours.insert(chart.image.pixel(x, y) & RGB_MASK);
        }
    }
    QVERIFY(cardColours.contains(Audit::OkabeIto::kPass.rgb() & RGB_MASK));
    // ...and the app's bias chart draws its markers in the very same ones on a light theme.
    m_window->showTab(MainWindow::Tab::Bias);
    QChart *chart = m_window->biasTab()->findChild<QChartView *>()->chart();
    int found = 0;
    for (QAbstractSeries *series : chart->series()) {
        auto *scatter = qobject_cast<QScatterSeries *>(series);
        if (!scatter)
            continue;
        if (scatter->name().startsWith(QStringLiteral("✓"))) {
            QCOMPARE(scatter->color().rgb(), Audit::OkabeIto::kPass.rgb());
            ++found;
        } else if (scatter->name().startsWith(QStringLiteral("✗"))) {
            QCOMPARE(scatter->color().rgb(), Audit::OkabeIto::kFail.rgb());
            ++found;
        }
    }
    QCOMPARE(found, 2);
    QCOMPARE(Ui::OkabeIto::kFail, Audit::OkabeIto::kVermillion);
}

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"
