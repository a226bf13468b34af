// The desktop shell against a real GatewayController on port 0: state and URL shown, counters following real HTTP
// traffic, the Start/Stop button and the tray actions driving the gateway, start failures shown in the window, the
// log pane's cap, and a screenshot (mainwindow.png next to the test binary) for a human look.

#include "admin/adminservice.h"
#include "control/gatewaycontroller.h"
#include "mainwindow.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QUrl>

#include <memory>

using namespace gemgate;

namespace {

std::shared_ptr<Config> testConfig() {
    auto cfg = std::make_shared<Config>();
    cfg->metrics.prometheusPort = 0; // the admin listener on any free port
    cfg->server.port = 0;
    cfg->server.workers = 1;
    cfg->auth.enabled = false;
    cfg->log.accessLog = LogTarget::Off;
    return cfg;
}

// The same settings as a file: the Start button (and the tray action) start from the controller's config path.
const char* const kConfigYaml = "server:\n"
                                "  host: 127.0.0.1\n"
                                "  port: 0\n"
                                "  workers: 1\n"
                                "auth:\n"
                                "  enabled: false\n"
                                "log:\n"
                                "  access_log: \"off\"\n";

qint64 labelNumber(const QLabel* label) {
    bool ok = false;
    const qint64 n = QLocale().toLongLong(label->text(), &ok);
    return ok ? n : -1;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void showsRunningStateAndUrl();
    void countersFollowRealTraffic();
    void startStopButtonTogglesGateway();
    void startFailureShownInWindow();
    void drainingDisablesButton();
    void trayActionsToggleGateway();
    void trayIconFollowsState();
    void logPaneKeepsAtMostMaxLines();
    void closeHidesToTrayOrCloses();
    void grabsSensibleScreenshot();

private:
    template <typename T> T* child(const char* name) const {
        T* w = m_window->findChild<T*>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    // Sends GET requests and waits for every reply; returns the HTTP status codes.
    QList<int> get(const QStringList& paths);
    void writeConfigFile(const QByteArray& yaml);

    QTemporaryDir m_dir;
    QString m_configPath;
    std::unique_ptr<GatewayController> m_controller;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_configPath = m_dir.filePath(QStringLiteral("gemgate.yaml"));
    writeConfigFile(kConfigYaml);
}

void TestMainWindow::init() {
    m_controller = std::make_unique<GatewayController>();
    attachAdminApi(*m_controller);
    // The window's Start button (and the tray action) read this file; the first start below is in-memory.
    m_controller->setConfigPath(m_configPath);
    m_window = std::make_unique<MainWindow>(m_controller.get());
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Stopped"));
    QString error;
    QVERIFY2(m_controller->start(testConfig(), &error), qPrintable(error));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanup() {
    m_window.reset();
    m_controller.reset();
    writeConfigFile(kConfigYaml);
}

void TestMainWindow::writeConfigFile(const QByteArray& yaml) {
    QFile f(m_configPath);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(yaml), yaml.size());
}

QList<int> TestMainWindow::get(const QStringList& paths) {
    QNetworkAccessManager nam;
    // A proxy from the environment must not intercept loopback requests.
    nam.setProxy(QNetworkProxy::NoProxy);
    QList<QNetworkReply*> replies;
    for (const QString& path : paths) {
        const QUrl url(QStringLiteral("http://127.0.0.1:%1%2").arg(m_controller->boundPort()).arg(path));
        replies.append(nam.get(QNetworkRequest(url)));
    }
    QList<int> statuses;
    for (QNetworkReply* reply : replies) {
        [&] { QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000); }();
        statuses.append(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt());
        delete reply;
    }
    return statuses;
}

void TestMainWindow::showsRunningStateAndUrl() {
    QVERIFY(m_controller->isRunning());
    QVERIFY(m_controller->boundPort() != 0);
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Running"));
    const QString url = child<QLabel>("listenUrlLabel")->text();
    QVERIFY2(url.contains(QStringLiteral(":%1").arg(m_controller->boundPort())), qPrintable(url));
    QCOMPARE(url, m_controller->listenUrl());
    QVERIFY(child<QLabel>("listenUrlLabel")->textInteractionFlags() & Qt::TextSelectableByMouse);
    // Started from an in-memory config: no file behind it.
    QCOMPARE(child<QLabel>("configPathLabel")->text(), QStringLiteral("(built-in configuration)"));
    QVERIFY2(child<QLabel>("keysLabel")->text().startsWith(QLatin1Char('0')),
             qPrintable(child<QLabel>("keysLabel")->text()));
    QCOMPARE(child<QPushButton>("startStopButton")->text(), QStringLiteral("Stop"));
    QVERIFY(!m_window->windowIcon().isNull());
    // The controller's start message landed in the log, time-stamped.
    const QString log = child<QPlainTextEdit>("logView")->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("listening on ") + m_controller->listenUrl()), qPrintable(log));
    QVERIFY(child<QPlainTextEdit>("logView")->isReadOnly());
}

void TestMainWindow::countersFollowRealTraffic() {
    const QList<int> statuses = get({QStringLiteral("/health"), QStringLiteral("/health"), QStringLiteral("/health"),
                                     QStringLiteral("/v1beta/models"), QStringLiteral("/v1beta/models")});
    QCOMPARE(statuses, (QList<int>{200, 200, 200, 503, 503}));

    // metricsUpdated arrives once a second.
    QLabel* requests = child<QLabel>("requestsValue");
    QLabel* errors = child<QLabel>("errorsValue");
    QTRY_VERIFY_WITH_TIMEOUT(labelNumber(requests) >= 5 && labelNumber(errors) >= 2, 5000);
    QCOMPARE(labelNumber(requests), m_controller->metrics().requestsTotal);
    QCOMPARE(labelNumber(errors), m_controller->metrics().errorsTotal);
    QCOMPARE(labelNumber(child<QLabel>("streamsValue")), 0);
    QVERIFY(labelNumber(child<QLabel>("connectionsValue")) >= 0);
    QVERIFY(labelNumber(child<QLabel>("promptTokensValue")) == 0);
    QVERIFY(labelNumber(child<QLabel>("outputTokensValue")) == 0);
    QVERIFY(!child<QLabel>("requestsPerSecondValue")->text().isEmpty());

    // The tooltip follows the same snapshot.
    const QString tip = m_window->trayIcon()->systemTrayIcon()->toolTip();
    QVERIFY2(tip.contains(QStringLiteral("Running")) && tip.contains(m_controller->listenUrl()), qPrintable(tip));
    QVERIFY2(tip.contains(requests->text()), qPrintable(tip));
}

void TestMainWindow::startStopButtonTogglesGateway() {
    auto* button = child<QPushButton>("startStopButton");
    const quint16 firstPort = m_controller->boundPort();

    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!m_controller->isRunning());
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Stopped"));
    QCOMPARE(button->text(), QStringLiteral("Start"));
    QVERIFY(!child<QLabel>("listenUrlLabel")->text().contains(QString::number(firstPort)));
    QCOMPARE(child<QLabel>("configPathLabel")->text(), m_configPath);
    QVERIFY(child<QPlainTextEdit>("logView")->toPlainText().contains(QStringLiteral("stopped")));

    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY2(m_controller->isRunning(), qPrintable(child<QLabel>("errorLabel")->text()));
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Running"));
    QCOMPARE(button->text(), QStringLiteral("Stop"));
    QVERIFY(child<QLabel>("listenUrlLabel")->text().contains(QStringLiteral(":%1").arg(m_controller->boundPort())));
    QCOMPARE(child<QLabel>("configPathLabel")->text(), m_configPath);
    QCOMPARE(labelNumber(child<QLabel>("requestsValue")), 0);
    QVERIFY(!child<QLabel>("errorLabel")->isVisible());
    QVERIFY(child<QPlainTextEdit>("logView")->toPlainText().contains(QStringLiteral("listening on")));
    // The restarted gateway answers.
    QCOMPARE(get({QStringLiteral("/health")}), QList<int>{200});
}

void TestMainWindow::startFailureShownInWindow() {
    auto* button = child<QPushButton>("startStopButton");
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!m_controller->isRunning());

    writeConfigFile("server:\n  port: 70000\n");
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!m_controller->isRunning());
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Stopped"));
    QLabel* error = child<QLabel>("errorLabel");
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("server.port")), qPrintable(error->text()));
    QVERIFY(child<QPlainTextEdit>("logView")->toPlainText().contains(QStringLiteral("server.port")));
    // No modal dialog: nothing blocks the event loop.
    QCOMPARE(QApplication::activeModalWidget(), nullptr);

    // Fixing the file and starting again clears the message.
    writeConfigFile(kConfigYaml);
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(m_controller->isRunning());
    QVERIFY(!error->isVisible());
}

void TestMainWindow::drainingDisablesButton() {
    // With nothing in flight the drain still passes through Draining before it stops.
    m_controller->drainAndStop(2000);
    QCOMPARE(m_controller->state(), GatewayState::Draining);
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Draining"));
    QVERIFY(!child<QPushButton>("startStopButton")->isEnabled());
    QVERIFY(!m_window->trayIcon()->startStopAction()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(m_controller->state(), GatewayState::Stopped, 5000);
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Stopped"));
    QVERIFY(child<QPushButton>("startStopButton")->isEnabled());
    QVERIFY(m_window->trayIcon()->startStopAction()->isEnabled());
}

void TestMainWindow::trayActionsToggleGateway() {
    TrayIcon* tray = m_window->trayIcon();
    QMenu* menu = tray->menu();
    QVERIFY(menu);
    auto* startStop = menu->findChild<QAction*>(QStringLiteral("startStopAction"));
    auto* show = menu->findChild<QAction*>(QStringLiteral("showAction"));
    auto* quit = menu->findChild<QAction*>(QStringLiteral("quitAction"));
    QVERIFY(startStop && show && quit);
    QCOMPARE(startStop, tray->startStopAction());
    QVERIFY(menu->actions().contains(startStop) && menu->actions().contains(show) && menu->actions().contains(quit));
    QCOMPARE(startStop->text(), QStringLiteral("Stop gateway"));

    startStop->trigger();
    QVERIFY(!m_controller->isRunning());
    QCOMPARE(startStop->text(), QStringLiteral("Start gateway"));
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Stopped"));
    QVERIFY(tray->systemTrayIcon()->toolTip().contains(QStringLiteral("Stopped")));

    startStop->trigger();
    QVERIFY(m_controller->isRunning());
    QCOMPARE(startStop->text(), QStringLiteral("Stop gateway"));
    QCOMPARE(child<QLabel>("stateLabel")->text(), QStringLiteral("Running"));
    QVERIFY(tray->systemTrayIcon()->toolTip().contains(m_controller->listenUrl()));

    // A failing start from the tray lands in the window too.
    startStop->trigger();
    writeConfigFile("server:\n  workers: -3\n");
    startStop->trigger();
    QVERIFY(!m_controller->isRunning());
    QVERIFY(child<QLabel>("errorLabel")->isVisible());
    QVERIFY2(child<QLabel>("errorLabel")->text().contains(QStringLiteral("server.workers")),
             qPrintable(child<QLabel>("errorLabel")->text()));

    m_window->hide();
    QVERIFY(!m_window->isVisible());
    show->trigger();
    QVERIFY(m_window->isVisible());
}

void TestMainWindow::trayIconFollowsState() {
    // The painted gem: green while running, grey when stopped, transparent around it.
    const QImage running = TrayIcon::gemIcon(GatewayState::Running).pixmap(64, 64).toImage();
    const QImage stopped = TrayIcon::gemIcon(GatewayState::Stopped).pixmap(64, 64).toImage();
    QVERIFY(!running.isNull() && !stopped.isNull());
    const QColor runningCenter = running.pixelColor(32, 60 * 64 / 100);
    const QColor stoppedCenter = stopped.pixelColor(32, 60 * 64 / 100);
    QVERIFY2(runningCenter.green() > runningCenter.red() + 40 && runningCenter.green() > runningCenter.blue() + 40,
             qPrintable(runningCenter.name()));
    QVERIFY2(qAbs(stoppedCenter.red() - stoppedCenter.green()) < 20 &&
                 qAbs(stoppedCenter.green() - stoppedCenter.blue()) < 20,
             qPrintable(stoppedCenter.name()));
    QCOMPARE(running.pixelColor(1, 62).alpha(), 0);
    QVERIFY(!TrayIcon::gemIcon(GatewayState::Stopped).pixmap(16, 16).isNull());

    // This window's gateway runs without any upstream key: running, but no key can take a request, so the gem is
    // red ("down"); tst_notifications covers green, amber and red with keys.
    const QImage trayNow = m_window->trayIcon()->systemTrayIcon()->icon().pixmap(64, 64).toImage();
    QCOMPARE(trayNow, TrayIcon::gemIcon(GatewayHealth::Down).pixmap(64, 64).toImage());
    m_controller->stop();
    QCOMPARE(m_window->trayIcon()->systemTrayIcon()->icon().pixmap(64, 64).toImage(), stopped);
    QCOMPARE(m_window->windowIcon().pixmap(64, 64).toImage(), stopped);
}

void TestMainWindow::logPaneKeepsAtMostMaxLines() {
    auto* log = child<QPlainTextEdit>("logView");
    for (int i = 0; i < MainWindow::MaxLogLines + 200; ++i)
        Q_EMIT m_controller->message(QStringLiteral("line %1").arg(i));
    QVERIFY(log->document()->blockCount() <= MainWindow::MaxLogLines);
    const QString text = log->toPlainText();
    QVERIFY(text.contains(QStringLiteral("line %1").arg(MainWindow::MaxLogLines + 199)));
    QVERIFY(!text.contains(QStringLiteral(" line 0\n")));
    QVERIFY(!text.contains(QStringLiteral(" line 199\n")));
    QVERIFY(text.contains(QStringLiteral(" line 200\n")));
    // Each line carries a time stamp.
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d line 1199$"), QRegularExpression::MultilineOption)
                .match(text)
                .hasMatch());
}

void TestMainWindow::closeHidesToTrayOrCloses() {
    const bool tray = QSystemTrayIcon::isSystemTrayAvailable();
    const bool closed = m_window->close();
    QVERIFY(!m_window->isVisible());
    // With a tray the close is refused (the window only hides); without one the window really closes.
    QCOMPARE(closed, !tray);
    // Either way the gateway is untouched by closing the window.
    QVERIFY(m_controller->isRunning());
}

void TestMainWindow::grabsSensibleScreenshot() {
    get({QStringLiteral("/health"), QStringLiteral("/v1beta/models")});
    QTRY_VERIFY_WITH_TIMEOUT(labelNumber(child<QLabel>("requestsValue")) >= 2, 5000);
    Q_EMIT m_controller->message(QStringLiteral("a message from the test, to show the log pane"));
    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 400 && shot.height() >= 300);
    const QString file = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("mainwindow.png"));
    QVERIFY(shot.save(file));
    qInfo("screenshot: %s", qPrintable(file));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
