// server.tls.acme end to end: a real gateway whose config points at Debian's pebble. It serves a self-signed
// certificate while the order runs, then the CA's certificate for every configured name (verified against pebble's
// root, as `curl --cacert` would); the account key and certificate are stored 0600 and a restart serves them
// without a new order; a renewal (a larger renew_before_days) swaps in a new certificate for new connections while
// a connection opened before keeps working; with the CA gone, an order fails, the error is reported and the
// gateway keeps serving the certificate it has; plain HTTP on http_port redirects to HTTPS.

#include "gatewayfixture.h"
#include "pebble.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

// A TLS handshake with SNI `name`, trusting only `root`: the served leaf, or a null certificate when it does not
// verify.
QSslCertificate handshake(quint16 port, const QString& name, const QSslCertificate& root, QSslSocket* keep = nullptr) {
    QSslSocket local;
    QSslSocket* s = keep ? keep : &local;
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setCaCertificates({root});
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    s->setSslConfiguration(conf);
    s->setPeerVerifyName(name);
    s->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, name);
    if (!s->waitForEncrypted(5000))
        return QSslCertificate();
    return s->peerCertificate();
}

QJsonObject tlsStatus(GatewayController& c) {
    RawHttpClient admin;
    if (!admin.connectTo(quint16(QUrl(c.adminUrl()).port())))
        return {};
    admin.send("GET", "/api/tls", {{"authorization", "Bearer " + c.adminToken().toUtf8()}});
    admin.waitForResponse(5000);
    return admin.response().status == 200 ? QJsonDocument::fromJson(admin.response().body).object() : QJsonObject();
}

int healthOver(QSslSocket& s) {
    s.write("GET /health HTTP/1.1\r\nHost: gemgate.test\r\n\r\n");
    QByteArray out;
    while (!out.contains("\r\n\r\n") && s.waitForReadyRead(5000))
        out += s.readAll();
    return out.startsWith("HTTP/1.1 ") ? out.mid(9, 3).toInt() : 0;
}

} // namespace

class TestAcmeGateway : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void issuesStoresRenewsAndSurvivesTheCa();

private:
    Pebble m_pebble;
    quint16 m_httpPort = 0;
};

void TestAcmeGateway::initTestCase() {
    QVERIFY2(Pebble::available(), "pebble is not installed (installer/linux/install-deps.sh --test installs it)");
    m_httpPort = Pebble::freePort();
    QString error;
    // 60-day certificates: not due for renewal with renew_before_days 30, due with 90.
    QVERIFY2(m_pebble.start(m_httpPort, Pebble::freePort(), &error, 5, 60 * 86400), qPrintable(error));
}

void TestAcmeGateway::issuesStoresRenewsAndSurvivesTheCa() {
    GatewayFixture fx(1);
    TlsConfig& tls = fx.config->server.tls;
    tls.enabled = true;
    tls.selfSignedDir = fx.dir.filePath(QStringLiteral("self-signed"));
    tls.acmeEnabled = true;
    tls.acmeDomains = {QStringLiteral("gemgate.test"), QStringLiteral("alt.gemgate.test")};
    tls.acmeEmail = QStringLiteral("ops@gemgate.test");
    tls.acmeDirectoryUrl = m_pebble.directory().toString();
    tls.acmeCaFile = m_pebble.caPath();
    tls.acmeHttpPort = m_httpPort;
    tls.acmeRenewBeforeDays = 30;
    tls.acmeStorageDir = fx.dir.filePath(QStringLiteral("acme"));
    QVERIFY(fx.start());
    GatewayController& c = fx.controller;
    QCOMPARE(c.acmeHttpPort(), m_httpPort);

    // Meanwhile: HTTPS works with the self-signed certificate (which pebble's root does not verify).
    QVERIFY(handshake(fx.port(), QStringLiteral("gemgate.test"), m_pebble.root()).isNull());
    QTRY_VERIFY_WITH_TIMEOUT(c.acmeStatus().renewals == 1 || !c.acmeStatus().lastError.isEmpty(), 60'000);
    QVERIFY2(c.acmeStatus().lastError.isEmpty(), qPrintable(c.acmeStatus().lastError + m_pebble.output()));
    QSslCertificate first;
    QTRY_VERIFY_WITH_TIMEOUT(!(first = handshake(fx.port(), QStringLiteral("gemgate.test"), m_pebble.root())).isNull(),
                             10'000);
    QVERIFY(!handshake(fx.port(), QStringLiteral("alt.gemgate.test"), m_pebble.root()).isNull());
    QVERIFY(c.acmeStatus().nextAttemptMs > QDateTime::currentMSecsSinceEpoch() + 20LL * 86'400'000);

    // Status: GET /api/tls (admin token) and /metrics.
    QJsonObject status = tlsStatus(c);
    QCOMPARE(status.value(QStringLiteral("certificate")).toObject().value(QStringLiteral("source")).toString(),
             QStringLiteral("acme"));
    QCOMPARE(status.value(QStringLiteral("certificate")).toObject().value(QStringLiteral("serial")).toString(),
             QString::fromLatin1(first.serialNumber()));
    QCOMPARE(status.value(QStringLiteral("acme")).toObject().value(QStringLiteral("orders_ok")).toInt(), 1);
    QCOMPARE(status.value(QStringLiteral("acme")).toObject().value(QStringLiteral("last_error")).toString(), QString());
    QVERIFY(!status.value(QStringLiteral("acme")).toObject().value(QStringLiteral("next_renewal")).isNull());
    const QByteArray metrics = c.prometheusMetrics();
    QVERIFY2(metrics.contains(QByteArray("gemgate_tls_certificate_expiry_seconds{domain=\"alt.gemgate.test\"} ")),
             metrics.constData());
    QVERIFY(metrics.contains("gemgate_acme_orders_total{result=\"success\"} 1"));

    // Stored owner-only.
    for (const QString& f : {QStringLiteral("acme/account.key"), QStringLiteral("acme/gemgate.test/key.pem"),
                             QStringLiteral("acme/gemgate.test/cert.pem")}) {
        const QFileDevice::Permissions p = QFile::permissions(fx.dir.filePath(f));
        QVERIFY2(p & QFileDevice::ReadOwner, qPrintable(f));
        QVERIFY2(!(p & (QFileDevice::ReadGroup | QFileDevice::ReadOther)), qPrintable(f));
    }

    // Plain HTTP on http_port: everything but the challenge path goes to HTTPS.
    {
        // The responder runs on the controller's thread (this one): read with the event loop running.
        QTcpSocket plain;
        QByteArray out;
        connect(&plain, &QTcpSocket::readyRead, this, [&] { out += plain.readAll(); });
        plain.connectToHost(QHostAddress::LocalHost, m_httpPort);
        QTRY_COMPARE(plain.state(), QAbstractSocket::ConnectedState);
        plain.write("GET /v1beta/models HTTP/1.1\r\nHost: gemgate.test\r\n\r\n");
        QTRY_COMPARE(plain.state(), QAbstractSocket::UnconnectedState);
        QVERIFY2(
            out.startsWith("HTTP/1.1 308") &&
                out.contains(QStringLiteral("Location: https://gemgate.test:%1/v1beta/models").arg(fx.port()).toUtf8()),
            out.constData());
    }

    // A restart serves the stored certificate and orders nothing.
    c.stop();
    QVERIFY(fx.start());
    QCOMPARE(handshake(fx.port(), QStringLiteral("gemgate.test"), m_pebble.root()).serialNumber(),
             first.serialNumber());
    QVERIFY(!c.acmeStatus().ordering);
    QCOMPARE(c.acmeStatus().renewals, 1);

    // Renewal: due with renew_before_days 90. A connection opened before keeps working; new ones see the new serial.
    QSslSocket before;
    QVERIFY(!handshake(fx.port(), QStringLiteral("gemgate.test"), m_pebble.root(), &before).isNull());
    auto renewing = std::make_shared<Config>(*fx.config);
    renewing->server.tls.acmeRenewBeforeDays = 90;
    QString error;
    QVERIFY2(c.reload(renewing, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(c.acmeStatus().renewals, 2, 60'000);
    QSslCertificate second;
    QTRY_VERIFY_WITH_TIMEOUT(
        (second = handshake(fx.port(), QStringLiteral("gemgate.test"), m_pebble.root())).serialNumber() !=
            first.serialNumber(),
        10'000);
    QVERIFY(!second.isNull());
    QCOMPARE(healthOver(before), 200);

    // The CA goes away: the next order fails, is reported, and the gateway keeps serving what it has.
    m_pebble.stop();
    // Still due; new settings (91 days) lift the hour a success waits before the same settings order again.
    auto again = std::make_shared<Config>(*renewing);
    again->server.tls.acmeRenewBeforeDays = 91;
    QVERIFY2(c.reload(again, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!c.acmeStatus().lastError.isEmpty(), 60'000);
    QVERIFY2(c.acmeStatus().lastError.contains(QStringLiteral("cannot reach the ACME server")),
             qPrintable(c.acmeStatus().lastError));
    QVERIFY(c.acmeStatus().failures >= 1);
    QVERIFY(c.acmeStatus().nextAttemptMs > QDateTime::currentMSecsSinceEpoch()); // backing off
    status = tlsStatus(c);
    QVERIFY(status.value(QStringLiteral("acme"))
                .toObject()
                .value(QStringLiteral("last_error"))
                .toString()
                .contains(QStringLiteral("cannot reach")));
    QVERIFY(c.prometheusMetrics().contains("gemgate_acme_orders_total{result=\"failure\"} "));
    QSslCertificate root = m_pebble.root();
    QCOMPARE(handshake(fx.port(), QStringLiteral("gemgate.test"), root).serialNumber(), second.serialNumber());
}

QTEST_MAIN(TestAcmeGateway)
#include "tst_acmegateway.moc"
