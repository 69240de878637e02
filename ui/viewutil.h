#pragma once

#include <QString>
#include <QTableView>

class QAbstractItemModel;
class QWidget;

namespace Ui {

// A table view with Ctrl+C copying the selection as tab-separated text, sorting on, and
// sensible defaults for report tables.
class ReportTableView final : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReportTableView)

public:
    explicit ReportTableView(QWidget *parent = nullptr);
    void copySelection() const;

protected:
    void keyPressEvent(QKeyEvent *event) override;
};

// The model's display text as CSV (RFC 4180 quoting), header first.
QByteArray modelToCsv(const QAbstractItemModel &model);

// Saves a widget (a chart view, say) as PNG, or as SVG when the path ends in .svg.
// Returns an error message, empty on success. Writes atomically.
QString exportWidget(QWidget *widget, const QString &path);

// Writes a table model as CSV atomically; returns an error message, empty on success.
QString exportTable(const QAbstractItemModel &model, const QString &path);

} // namespace Ui
