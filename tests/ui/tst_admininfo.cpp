// The admin API row of the main window, against a real GatewayController (public listener and admin listener on
// free ports): the admin URL is the controller's adminUrl(), the admin token generated on first run (the one in the
// owner-only admin-token file) is masked at first and appears in no label, Show reveals exactly it, Copy puts it on
// the clipboard (marked secret for clipboard managers), a reload that brings a token from the config or turns the
// admin listener off is followed, a listener that cannot bind says Off, and after a stop the row says Off with no
// token left. The token never reaches the log pane. Also saves admininfo.png next to the test binary.

#include "admin/adminservice.h"
#include "control/gatewaycontroller.h"
#include "mainwindow.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace gemgate;

namespace {

const QString kClientKey = QStringLiteral("gg-test-client-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9");
const QString kConfiguredToken = QStringLiteral("gga_configured-admin-token-5f0c1e2d3a4b5c6d");

} // namespace

class TestAdminInfo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void urlIsTheAdminListener();
    void generatedTokenIsMaskedAtFirst();
    void showRevealsExactlyTheToken();
    void copyPutsTokenOnClipboard();
    void reloadWithConfiguredTokenIsFollowed();
    void reloadTurningAdminOffIsFollowed();
    void listenerThatCannotBindSaysOff();
    void stopClearsTheRow();
    void tokenNeverInLog();
    void grabsScreenshot();

private:
    template <typename T> T* child(const char* name) const {
        T* w = m_window->findChild<T*>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    std::shared_ptr<Config> config() const;
    void restart(std::shared_ptr<Config> cfg);
    QString urlText() const { return child<QLabel>("adminUrlLabel")->text(); }
    QString tokenText() const { return child<QLabel>("adminTokenLabel")->text(); }
    // Whether any label of the window shows text (or a recognisable piece of it).
    bool anyLabelContains(const QString& text) const;

    QTemporaryDir m_dir;
    std::unique_ptr<GatewayController> m_controller;
    std::unique_ptr<MainWindow> m_window;
};

std::shared_ptr<Config> TestAdminInfo::config() const {
    auto cfg = std::make_shared<Config>();
    cfg->server.host = QStringLiteral("127.0.0.1");
    cfg->server.port = 0;
    cfg->server.workers = 1;
    cfg->auth.enabled = true;
    cfg->auth.clientKeys.append(ClientKey::make(QStringLiteral("local"), kClientKey));
    cfg->metrics.prometheusPort = 0; // the admin listener takes a free port
    cfg->log.accessLog = LogTarget::Off;
    // The generated admin token goes next to it (admin-token).
    cfg->storage.database = m_dir.filePath(QStringLiteral("gemgate.db"));
    return cfg;
}

void TestAdminInfo::restart(std::shared_ptr<Config> cfg) {
    m_controller->stop();
    QString error;
    QVERIFY2(m_controller->start(std::move(cfg), &error), qPrintable(error));
}

bool TestAdminInfo::anyLabelContains(const QString& text) const {
    const QList<QLabel*> labels = m_window->findChildren<QLabel*>();
    return std::any_of(labels.begin(), labels.end(), [&text](const QLabel* l) { return l->text().contains(text); });
}

void TestAdminInfo::init() {
    QVERIFY(m_dir.isValid());
    m_controller = std::make_unique<GatewayController>();
    attachAdminApi(*m_controller);
    m_window = std::make_unique<MainWindow>(m_controller.get());
    QString error;
    QVERIFY2(m_controller->start(config(), &error), qPrintable(error));
    // These rows are on the Connect page.
    m_window->showPage(MainWindow::Page::Connect);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestAdminInfo::cleanup() {
    m_window.reset();
    m_controller.reset();
    QGuiApplication::clipboard()->clear();
}

void TestAdminInfo::urlIsTheAdminListener() {
    const QString url = m_controller->adminUrl();
    QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(url));
    QVERIFY(!url.endsWith(QLatin1String(":0")));
    QCOMPARE(urlText(), url);
    // Not the public listener's URL.
    QVERIFY(url != m_controller->listenUrl());
    QVERIFY(child<QLabel>("adminUrlLabel")->textInteractionFlags() & Qt::TextSelectableByMouse);
}

void TestAdminInfo::generatedTokenIsMaskedAtFirst() {
    const QString token = m_controller->adminToken();
    QVERIFY(token.startsWith(QLatin1String("gga_")));
    QVERIFY(token.size() > 20);
    // The token generated on first run, kept in the owner-only file next to the state database.
    QFile file(m_dir.filePath(QStringLiteral("admin-token")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(file.readAll()).trimmed() == token);

    const QString text = tokenText();
    QVERIFY2(text.startsWith(QLatin1String("gga_")) && text.contains(QChar(0x2022)), qPrintable(text));
    QVERIFY(!anyLabelContains(token));
    QVERIFY(!anyLabelContains(token.mid(4, 6)));
    QVERIFY(!(child<QLabel>("adminTokenLabel")->textInteractionFlags() & Qt::TextSelectableByMouse));
    auto* show = child<QPushButton>("showAdminTokenButton");
    QVERIFY(show->isVisible());
    QVERIFY(!show->isChecked());
    QCOMPARE(show->text(), QStringLiteral("Show"));
    QVERIFY(child<QPushButton>("copyAdminTokenButton")->isVisible());
}

void TestAdminInfo::showRevealsExactlyTheToken() {
    const QString token = m_controller->adminToken();
    auto* show = child<QPushButton>("showAdminTokenButton");
    QTest::mouseClick(show, Qt::LeftButton);
    QVERIFY(tokenText() == token);
    QCOMPARE(show->text(), QStringLiteral("Hide"));
    QVERIFY(child<QLabel>("adminTokenLabel")->textInteractionFlags() & Qt::TextSelectableByMouse);
    // The client key row is a separate secret and stays masked.
    QVERIFY(!child<QLabel>("clientKeyLabel")->text().contains(kClientKey));

    QTest::mouseClick(show, Qt::LeftButton);
    QVERIFY(!anyLabelContains(token));
    QVERIFY(tokenText().startsWith(QLatin1String("gga_")));
    QCOMPARE(show->text(), QStringLiteral("Show"));
}

void TestAdminInfo::copyPutsTokenOnClipboard() {
    QClipboard* clipboard = QGuiApplication::clipboard();
    clipboard->clear();
    QVERIFY(clipboard->text().isEmpty());
    auto* copy = child<QPushButton>("copyAdminTokenButton");
    QTest::mouseClick(copy, Qt::LeftButton);
    QVERIFY(clipboard->text() == m_controller->adminToken());
    QCOMPARE(clipboard->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
    QCOMPARE(copy->text(), QStringLiteral("Copied"));
    QTRY_COMPARE_WITH_TIMEOUT(copy->text(), QStringLiteral("Copy"), 5000);
    // Copying does not reveal it in the window.
    QVERIFY(!anyLabelContains(m_controller->adminToken()));
}

void TestAdminInfo::reloadWithConfiguredTokenIsFollowed() {
    const QString url = m_controller->adminUrl();
    const QString generated = m_controller->adminToken();
    QTest::mouseClick(child<QPushButton>("showAdminTokenButton"), Qt::LeftButton);
    QVERIFY(tokenText() == generated);

    auto cfg = config();
    cfg->admin.token = kConfiguredToken;
    QString error;
    QVERIFY2(m_controller->reload(cfg, &error), qPrintable(error));
    QVERIFY(m_controller->adminToken() == kConfiguredToken);
    QVERIFY(tokenText() == kConfiguredToken);
    QCOMPARE(urlText(), url);
    QTest::mouseClick(child<QPushButton>("copyAdminTokenButton"), Qt::LeftButton);
    QVERIFY(QGuiApplication::clipboard()->text() == kConfiguredToken);

    // Hidden again, neither token shows.
    QTest::mouseClick(child<QPushButton>("showAdminTokenButton"), Qt::LeftButton);
    QVERIFY(!anyLabelContains(kConfiguredToken));
    QVERIFY(!anyLabelContains(generated));
}

void TestAdminInfo::reloadTurningAdminOffIsFollowed() {
    QTest::mouseClick(child<QPushButton>("showAdminTokenButton"), Qt::LeftButton);
    const QString token = m_controller->adminToken();

    auto off = config();
    off->admin.enabled = false;
    QString error;
    QVERIFY2(m_controller->reload(off, &error), qPrintable(error));
    QCOMPARE(m_controller->adminUrl(), QString());
    QVERIFY2(urlText().startsWith(QLatin1String("Off")) && urlText().contains(QLatin1String("admin.enabled")),
             qPrintable(urlText()));
    QCOMPARE(tokenText(), QStringLiteral("–"));
    QVERIFY(child<QPushButton>("showAdminTokenButton")->isHidden());
    QVERIFY(child<QPushButton>("copyAdminTokenButton")->isHidden());
    QVERIFY(!anyLabelContains(token));

    // Back on: a new listener, the token masked again.
    QVERIFY2(m_controller->reload(config(), &error), qPrintable(error));
    QVERIFY(!m_controller->adminUrl().isEmpty());
    QCOMPARE(urlText(), m_controller->adminUrl());
    QVERIFY(!child<QPushButton>("showAdminTokenButton")->isChecked());
    QVERIFY(child<QPushButton>("showAdminTokenButton")->isVisible());
    QVERIFY(!anyLabelContains(m_controller->adminToken()));
    QVERIFY(tokenText().startsWith(QLatin1String("gga_")));
}

void TestAdminInfo::listenerThatCannotBindSaysOff() {
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    auto cfg = config();
    cfg->metrics.prometheusPort = taken.serverPort();
    restart(cfg);
    QCOMPARE(m_controller->adminUrl(), QString());
    QVERIFY2(urlText().startsWith(QLatin1String("Off")) && urlText().contains(QLatin1String("Messages")),
             qPrintable(urlText()));
    QCOMPARE(tokenText(), QStringLiteral("–"));
    QVERIFY(child<QPushButton>("copyAdminTokenButton")->isHidden());
    // The public listener is unaffected.
    QCOMPARE(child<QLabel>("listenUrlLabel")->text(), m_controller->listenUrl());
}

void TestAdminInfo::stopClearsTheRow() {
    const QString token = m_controller->adminToken();
    QTest::mouseClick(child<QPushButton>("showAdminTokenButton"), Qt::LeftButton);
    QVERIFY(tokenText() == token);
    m_controller->stop();
    QCOMPARE(urlText(), QStringLiteral("Off"));
    QCOMPARE(tokenText(), QStringLiteral("–"));
    QVERIFY(child<QPushButton>("showAdminTokenButton")->isHidden());
    QVERIFY(child<QPushButton>("copyAdminTokenButton")->isHidden());
    QVERIFY(!anyLabelContains(token));

    // Started again: the same generated token (from its file), masked again, on the new listener's URL.
    restart(config());
    QVERIFY(m_controller->adminToken() == token);
    QCOMPARE(urlText(), m_controller->adminUrl());
    QVERIFY(!urlText().isEmpty());
    QVERIFY(!child<QPushButton>("showAdminTokenButton")->isChecked());
    QVERIFY(!anyLabelContains(token));
    QVERIFY(tokenText().startsWith(QLatin1String("gga_")));
}

void TestAdminInfo::tokenNeverInLog() {
    const QString generated = m_controller->adminToken();
    QTest::mouseClick(child<QPushButton>("showAdminTokenButton"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>("copyAdminTokenButton"), Qt::LeftButton);
    auto cfg = config();
    cfg->admin.token = kConfiguredToken;
    QString error;
    QVERIFY2(m_controller->reload(cfg, &error), qPrintable(error));
    restart(config());
    const QString log = child<QPlainTextEdit>("logView")->toPlainText();
    QVERIFY(log.contains(QLatin1String("admin listener on")));
    QVERIFY(!log.contains(generated));
    QVERIFY(!log.contains(generated.mid(4, 6)));
    QVERIFY(!log.contains(kConfiguredToken));
}

void TestAdminInfo::grabsScreenshot() {
    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    const QString file = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("admininfo.png"));
    QVERIFY(shot.save(file));
    qInfo("screenshot: %s", qPrintable(file));
}

QTEST_MAIN(TestAdminInfo)
#include "tst_admininfo.moc"
