// The local client key in the main window, against a real GatewayController on port 0: masked at first, Show reveals
// exactly the first auth.client_keys entry of the running config, Copy puts it (and the URL's Copy the listen URL)
// on the clipboard, a reload with another key is followed, and without a key the window says plainly why (auth off:
// a warning; auth on without a config key: a note). The key never reaches the log pane. Also saves clientkey.png
// next to the test binary.

#include "admin/adminservice.h"
#include "control/gatewaycontroller.h"
#include "mainwindow.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace gemgate;

namespace {

// Shaped so that tests/secret_scan.sh finds it should it ever reach a log or the test output.
const QString kLocalKey = QStringLiteral("gg-test-client-key-5f0c1e2d3a4b5c6d7e8f90a1b2c3d4e5");
const QString kOtherKey = QStringLiteral("gg-test-client-key-00aa11bb22cc33dd44ee55ff66778899");

} // namespace

class TestClientKey : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void keyIsMaskedAtFirst();
    void showRevealsExactlyTheConfigKey();
    void copyPutsKeyOnClipboard();
    void copyListenUrl();
    void reloadWithAnotherKeyIsFollowed();
    void stoppedShowsNoKey();
    void authDisabledShowsWarning();
    void authWithoutConfigKeyShowsNote();
    void keyNeverInLog();
    void grabsScreenshot();

private:
    template <typename T> T* child(const char* name) const {
        T* w = m_window->findChild<T*>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    std::shared_ptr<Config> config(bool authEnabled, const QStringList& keys) const;
    void restart(std::shared_ptr<Config> cfg);
    QString keyText() const { return child<QLabel>("clientKeyLabel")->text(); }

    QTemporaryDir m_dir;
    std::unique_ptr<GatewayController> m_controller;
    std::unique_ptr<MainWindow> m_window;
};

std::shared_ptr<Config> TestClientKey::config(bool authEnabled, const QStringList& keys) const {
    auto cfg = std::make_shared<Config>();
    cfg->server.host = QStringLiteral("127.0.0.1");
    cfg->server.port = 0;
    cfg->server.workers = 1;
    cfg->auth.enabled = authEnabled;
    for (int i = 0; i < keys.size(); ++i)
        cfg->auth.clientKeys.append(ClientKey::make(QStringLiteral("local%1").arg(i), keys[i]));
    cfg->log.accessLog = LogTarget::Off;
    cfg->storage.database = m_dir.filePath(QStringLiteral("gemgate.db"));
    cfg->metrics.prometheusPort = 0; // the admin listener on any free port
    return cfg;
}

void TestClientKey::restart(std::shared_ptr<Config> cfg) {
    m_controller->stop();
    QString error;
    QVERIFY2(m_controller->start(std::move(cfg), &error), qPrintable(error));
}

void TestClientKey::init() {
    QVERIFY(m_dir.isValid());
    m_controller = std::make_unique<GatewayController>();
    attachAdminApi(*m_controller);
    m_window = std::make_unique<MainWindow>(m_controller.get());
    QString error;
    // The first key is the one the first-run config generates; a second one must not be what the window shows.
    QVERIFY2(m_controller->start(config(true, {kLocalKey, kOtherKey}), &error), qPrintable(error));
    // These rows are on the Connect page.
    m_window->showPage(MainWindow::Page::Connect);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestClientKey::cleanup() {
    m_window.reset();
    m_controller.reset();
    QGuiApplication::clipboard()->clear();
}

void TestClientKey::keyIsMaskedAtFirst() {
    const QString text = keyText();
    QVERIFY(!text.contains(kLocalKey.mid(3, 6)));
    QVERIFY2(text.startsWith(QLatin1String("gg-")) && text.contains(QChar(0x2022)), qPrintable(text));
    QVERIFY(child<QPushButton>("showClientKeyButton")->isVisible());
    QVERIFY(child<QPushButton>("copyClientKeyButton")->isVisible());
    QCOMPARE(child<QPushButton>("showClientKeyButton")->text(), QStringLiteral("Show"));
    // The URL the key goes with is right there.
    QCOMPARE(child<QLabel>("listenUrlLabel")->text(), m_controller->listenUrl());
    QCOMPARE(m_controller->localClientKey(), kLocalKey);
}

void TestClientKey::showRevealsExactlyTheConfigKey() {
    auto* show = child<QPushButton>("showClientKeyButton");
    QTest::mouseClick(show, Qt::LeftButton);
    QVERIFY(keyText() == kLocalKey);
    QCOMPARE(show->text(), QStringLiteral("Hide"));
    QVERIFY(child<QLabel>("clientKeyLabel")->textInteractionFlags() & Qt::TextSelectableByMouse);
    QTest::mouseClick(show, Qt::LeftButton);
    QVERIFY(keyText() != kLocalKey);
    QVERIFY(!keyText().contains(kLocalKey.mid(3, 6)));
    QCOMPARE(show->text(), QStringLiteral("Show"));
}

void TestClientKey::copyPutsKeyOnClipboard() {
    QClipboard* clipboard = QGuiApplication::clipboard();
    clipboard->clear();
    QVERIFY(clipboard->text().isEmpty());
    auto* copy = child<QPushButton>("copyClientKeyButton");
    QTest::mouseClick(copy, Qt::LeftButton);
    QVERIFY(clipboard->text() == kLocalKey);
    // Clipboard managers are asked not to keep it.
    QCOMPARE(clipboard->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
    QCOMPARE(copy->text(), QStringLiteral("Copied"));
    QTRY_COMPARE_WITH_TIMEOUT(copy->text(), QStringLiteral("Copy"), 5000);
    // Copying does not reveal it in the window.
    QVERIFY(keyText() != kLocalKey);
}

void TestClientKey::copyListenUrl() {
    auto* copy = child<QPushButton>("copyListenUrlButton");
    QVERIFY(copy->isEnabled());
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), m_controller->listenUrl());
    QVERIFY(!QGuiApplication::clipboard()->mimeData()->hasFormat(QStringLiteral("x-kde-passwordManagerHint")));
    m_controller->stop();
    QVERIFY(!copy->isEnabled());
}

void TestClientKey::reloadWithAnotherKeyIsFollowed() {
    auto* show = child<QPushButton>("showClientKeyButton");
    QTest::mouseClick(show, Qt::LeftButton);
    QVERIFY(keyText() == kLocalKey);
    QString error;
    QVERIFY2(m_controller->reload(config(true, {kOtherKey}), &error), qPrintable(error));
    QVERIFY(keyText() == kOtherKey);
    QTest::mouseClick(child<QPushButton>("copyClientKeyButton"), Qt::LeftButton);
    QVERIFY(QGuiApplication::clipboard()->text() == kOtherKey);
}

void TestClientKey::stoppedShowsNoKey() {
    QTest::mouseClick(child<QPushButton>("showClientKeyButton"), Qt::LeftButton);
    m_controller->stop();
    QCOMPARE(keyText(), QStringLiteral("–"));
    QVERIFY(child<QPushButton>("showClientKeyButton")->isHidden());
    QVERIFY(child<QPushButton>("copyClientKeyButton")->isHidden());
    // Started again, the key is masked again.
    restart(config(true, {kLocalKey}));
    QVERIFY(keyText() != kLocalKey);
    QVERIFY(keyText().startsWith(QLatin1String("gg-")));
    QVERIFY(!child<QPushButton>("showClientKeyButton")->isChecked());
}

void TestClientKey::authDisabledShowsWarning() {
    // Keys listed but not checked: there is nothing a program must present, so none is shown.
    restart(config(false, {kLocalKey}));
    QCOMPARE(m_controller->localClientKey(), QString());
    const QString text = keyText();
    QVERIFY2(text.startsWith(QLatin1String("Authentication is off")) &&
                 text.contains(QLatin1String("any program on this computer")),
             qPrintable(text));
    QVERIFY(child<QPushButton>("showClientKeyButton")->isHidden());
    QVERIFY(child<QPushButton>("copyClientKeyButton")->isHidden());

    // Listening beyond loopback, the warning says who can reach it.
    auto open = config(false, {});
    open->server.host = QStringLiteral("0.0.0.0");
    restart(open);
    QVERIFY2(keyText().contains(QLatin1String("anyone who can reach")) && keyText().contains(m_controller->listenUrl()),
             qPrintable(keyText()));

    // Authentication back on: the key row returns, masked.
    restart(config(true, {kLocalKey}));
    QVERIFY(child<QPushButton>("showClientKeyButton")->isVisible());
    QVERIFY(keyText().startsWith(QLatin1String("gg-")));
}

void TestClientKey::authWithoutConfigKeyShowsNote() {
    restart(config(true, {}));
    QVERIFY2(keyText().contains(QLatin1String("gemgate clients add")), qPrintable(keyText()));
    QVERIFY(!keyText().contains(QLatin1String("Authentication is off")));
    QVERIFY(child<QPushButton>("copyClientKeyButton")->isHidden());
}

void TestClientKey::keyNeverInLog() {
    QTest::mouseClick(child<QPushButton>("showClientKeyButton"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>("copyClientKeyButton"), Qt::LeftButton);
    restart(config(true, {kLocalKey}));
    const QString log = child<QPlainTextEdit>("logView")->toPlainText();
    QVERIFY(!log.isEmpty());
    QVERIFY(!log.contains(QLatin1String("gg-test-client-key")));
}

void TestClientKey::grabsScreenshot() {
    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    const QString file = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clientkey.png"));
    QVERIFY(shot.save(file));
    qInfo("screenshot: %s", qPrintable(file));
}

QTEST_MAIN(TestClientKey)
#include "tst_clientkey.moc"
