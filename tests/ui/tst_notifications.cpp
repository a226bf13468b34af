// The tray's health and the desktop notifications, against a real gateway in front of the fake upstream: a key
// Gemini refuses turns the tray amber and is announced once (grouped, not again within the quiet period, again after
// it on an injected clock); no key left turns it red; a stop the user did not ask for is announced, one they asked
// for is not; a client at 80% and 100% of its daily requests is announced; a certificate that expires within two
// weeks is announced; a muted kind says nothing.

#include "control/gatewaycontroller.h"
#include "gatewayfixture.h"
#include "mainwindow.h"
#include "notifier.h"
#include "settingsform.h"
#include "settingspage.h"
#include "tls/selfsigned.h"
#include "translations.h"
#include "trayicon.h"

#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

class TestNotifications : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { installUiTranslations(QStringLiteral("en")); }
    void init();
    void cleanup();

    void disabledKeyTurnsTrayAmberAndIsAnnouncedOnce();
    void noUsableKeyTurnsTrayRed();
    void unexpectedStopIsAnnounced();
    void clientQuotaAt80And100Percent();
    void expiringCertificateIsAnnounced();
    void failedCertificateOrderIsAnnounced();
    void mutedKindSaysNothing();

private:
    // Waits for the next snapshot (the tray and the notifier read the keys on each).
    void nextSnapshot();

    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
    qint64 m_now = 1'800'000'000'000;
};

void TestNotifications::init() {
    QSettings().clear(); // every kind on
    m_fixture = std::make_unique<GatewayFixture>(2);
    QVERIFY(m_fixture->start());
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    Notifier* n = m_window->trayIcon()->notifier();
    n->setGatherMs(0);
    n->setClock([this] { return m_now; });
}

void TestNotifications::cleanup() {
    m_window.reset();
    m_fixture.reset();
    QSettings().clear();
}

void TestNotifications::nextSnapshot() {
    QSignalSpy spy(&m_fixture->controller, &GatewayController::metricsUpdated);
    QVERIFY(spy.wait(3000));
}

void TestNotifications::disabledKeyTurnsTrayAmberAndIsAnnouncedOnce() {
    TrayIcon* tray = m_window->trayIcon();
    QSignalSpy notes(tray->notifier(), &Notifier::notify);
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Running);
    QCOMPARE(notes.count(), 0);

    // Gemini refuses key1 (403 CONSUMER_SUSPENDED): the pool disables it, the request goes on with key2.
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Degraded);
    QVERIFY2(tray->systemTrayIcon()->toolTip().contains(QStringLiteral("1 key disabled by Gemini")),
             qPrintable(tray->systemTrayIcon()->toolTip()));
    QVERIFY(m_window->findChild<QLabel*>(QStringLiteral("healthLabel"))->text().contains(QStringLiteral("disabled")));
    QTRY_COMPARE(notes.count(), 1);
    QCOMPARE(notes[0][0].value<Notifier::Kind>(), Notifier::Kind::KeyDisabled);
    QCOMPARE(notes[0][1].toString(), QStringLiteral("1 key disabled"));
    QVERIFY(notes[0][2].toString().startsWith(QStringLiteral("key1")));
    QVERIFY(!notes[0][2].toString().contains(QStringLiteral("AIza"))); // the reason never carries the key

    // Turned on and refused again within the quiet period: not announced again.
    m_fixture->upstream.clearKeyBehaviors();
    QString error;
    QVERIFY2(m_fixture->controller.setKeyEnabled(QStringLiteral("key1"), true, &error), qPrintable(error));
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Running);
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Degraded);
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 1);

    // After the quiet period (on the notifier's clock), the same key is news again.
    m_fixture->upstream.clearKeyBehaviors();
    QVERIFY(m_fixture->controller.setKeyEnabled(QStringLiteral("key1"), true, &error));
    nextSnapshot();
    m_now += Notifier::kQuietMs + 1;
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    nextSnapshot();
    QTRY_COMPARE(notes.count(), 2);
}

void TestNotifications::noUsableKeyTurnsTrayRed() {
    TrayIcon* tray = m_window->trayIcon();
    QString error;
    QVERIFY(m_fixture->controller.setKeyEnabled(QStringLiteral("key1"), false, &error));
    nextSnapshot();
    // A key the user turned off is not a problem.
    QCOMPARE(tray->health(), GatewayHealth::Running);
    QVERIFY(m_fixture->controller.setKeyEnabled(QStringLiteral("key2"), false, &error));
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Down);
    QVERIFY(tray->systemTrayIcon()->toolTip().contains(QStringLiteral("no key can take a request")));
    const QImage red = TrayIcon::gemIcon(GatewayHealth::Down).pixmap(64, 64).toImage();
    QCOMPARE(tray->systemTrayIcon()->icon().pixmap(64, 64).toImage(), red);
    QVERIFY(red != TrayIcon::gemIcon(GatewayHealth::Degraded).pixmap(64, 64).toImage());
}

void TestNotifications::unexpectedStopIsAnnounced() {
    TrayIcon* tray = m_window->trayIcon();
    QSignalSpy notes(tray->notifier(), &Notifier::notify);
    // Stopped through the tray (the user): nothing to say.
    QString error;
    QVERIFY(tray->toggleGateway(&error));
    QCOMPARE(m_fixture->controller.state(), GatewayState::Stopped);
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 0);
    QVERIFY(m_fixture->start());
    // Stopped by something else (here the controller directly, as a failure would): announced.
    m_now += 60'000;
    m_fixture->controller.stop();
    QTRY_COMPARE(notes.count(), 1);
    QCOMPARE(notes[0][0].value<Notifier::Kind>(), Notifier::Kind::GatewayStopped);
    QCOMPARE(notes[0][1].toString(), QStringLiteral("GemGate stopped"));
}

void TestNotifications::clientQuotaAt80And100Percent() {
    QSignalSpy notes(m_window->trayIcon()->notifier(), &Notifier::notify);
    NewClient c;
    c.name = QStringLiteral("agent");
    c.limits.requestsPerDay = 5;
    QString error;
    const std::optional<IssuedClient> issued = m_fixture->controller.addClient(c, &error);
    QVERIFY2(issued, qPrintable(error));
    const QList<QPair<QByteArray, QByteArray>> auth{{"x-goog-api-key", issued->key}};
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate(auth).status, 200);
    nextSnapshot();
    QTRY_COMPARE(notes.count(), 1);
    QCOMPARE(notes[0][0].value<Notifier::Kind>(), Notifier::Kind::ClientQuota);
    QVERIFY2(notes[0][2].toString().contains(QStringLiteral("agent has used 80% of its requests per day (4 of 5)")),
             qPrintable(notes[0][2].toString()));
    QCOMPARE(m_fixture->generate(auth).status, 200);
    nextSnapshot();
    QTRY_COMPARE(notes.count(), 2);
    QVERIFY(notes[1][2].toString().contains(QStringLiteral("100%")));
    // The sixth is refused; nothing new to say.
    QCOMPARE(m_fixture->generate(auth).status, 429);
    nextSnapshot();
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 2);
}

void TestNotifications::expiringCertificateIsAnnounced() {
    m_window.reset();
    m_fixture->controller.stop();
    QString error;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CertificateBundle cert =
        generateSelfSigned(QStringLiteral("localhost"), now.addDays(-80), now.addDays(3), &error);
    QVERIFY2(!cert.isNull(), qPrintable(error));
    const QString certPath = m_fixture->dir.filePath(QStringLiteral("cert.pem"));
    const QString keyPath = m_fixture->dir.filePath(QStringLiteral("key.pem"));
    QFile cf(certPath), kf(keyPath);
    QVERIFY(cf.open(QIODevice::WriteOnly) && kf.open(QIODevice::WriteOnly));
    cf.write(cert.chain.first().toPem());
    kf.write(cert.key.toPem());
    cf.close();
    kf.close();
    m_fixture->config->server.tls.enabled = true;
    m_fixture->config->server.tls.certPath = certPath;
    m_fixture->config->server.tls.keyPath = keyPath;
    QVERIFY(m_fixture->start());
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    Notifier* n = m_window->trayIcon()->notifier();
    n->setGatherMs(0);
    QSignalSpy notes(n, &Notifier::notify);
    n->check();
    QTRY_COMPARE(notes.count(), 1);
    QCOMPARE(notes[0][0].value<Notifier::Kind>(), Notifier::Kind::CertificateExpiring);
    QVERIFY(notes[0][2].toString().contains(certPath));
    // Once a day, not once a second.
    n->check();
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 1);
}

void TestNotifications::failedCertificateOrderIsAnnounced() {
    m_window.reset();
    m_fixture->controller.stop();
    // An ACME CA that does not answer: the first order fails at once.
    auto freePort = [] {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    };
    const quint16 port = freePort();
    TlsConfig& tls = m_fixture->config->server.tls;
    tls.enabled = true;
    tls.selfSignedDir = m_fixture->dir.filePath(QStringLiteral("self-signed"));
    tls.acmeEnabled = true;
    tls.acmeDomains = {QStringLiteral("gemgate.test")};
    tls.acmeDirectoryUrl = QStringLiteral("https://127.0.0.1:%1/dir").arg(port);
    tls.acmeHttpPort = freePort();
    tls.acmeStorageDir = m_fixture->dir.filePath(QStringLiteral("acme"));
    QVERIFY(m_fixture->start());
    QTRY_VERIFY(m_fixture->controller.acmeStatus().failures > 0);
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    Notifier* n = m_window->trayIcon()->notifier();
    n->setGatherMs(0);
    QSignalSpy notes(n, &Notifier::notify);
    n->check();
    QTRY_COMPARE(notes.count(), 1);
    QCOMPARE(notes[0][0].value<Notifier::Kind>(), Notifier::Kind::CertificateExpiring);
    QVERIFY2(notes[0][2].toString().contains(QStringLiteral("Could not get a certificate for gemgate.test")),
             qPrintable(notes[0][2].toString()));
    // Not again with the next snapshot.
    n->check();
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 1);
    // The Settings page says what is served and why ACME has not replaced it.
    auto* settings = qobject_cast<SettingsPage*>(m_window->page(MainWindow::Page::Settings));
    QVERIFY(settings);
    settings->reload();
    const QString status = settings->form()->tlsStatus();
    QVERIFY2(status.contains(QStringLiteral("a self-signed certificate")) &&
                 status.contains(QStringLiteral("ACME: the last order failed")),
             qPrintable(status));
}

void TestNotifications::mutedKindSaysNothing() {
    TrayIcon* tray = m_window->trayIcon();
    // Muting goes through the tray's Notifications submenu and lands in the settings.
    QAction* keyDisabled = tray->notificationsMenu()->actions().at(int(Notifier::Kind::KeyDisabled));
    QVERIFY(keyDisabled->isChecked());
    keyDisabled->setChecked(false);
    QVERIFY(!Notifier::isEnabled(Notifier::Kind::KeyDisabled));
    QSignalSpy notes(tray->notifier(), &Notifier::notify);
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    nextSnapshot();
    QCOMPARE(tray->health(), GatewayHealth::Degraded);
    QCoreApplication::processEvents();
    QCOMPARE(notes.count(), 0);
}

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
