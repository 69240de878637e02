#pragma once

#include <QMainWindow>

class QLabel;
class QTextBrowser;

namespace Ui {

// The main window. In this first version it loads the project's model off the GUI thread
// and shows what the model file records; the audit tabs come later.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(const QString &projectDir, QWidget *parent = nullptr);

private:
    void loadModel(const QString &path);

    QString m_projectDir;
    QTextBrowser *m_summary = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace Ui
