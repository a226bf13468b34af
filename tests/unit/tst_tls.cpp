// Self-signed TLS material: generation, persistence and reuse, file loading errors, and a real TLS handshake
// with the generated certificate as the client's only trusted CA.

#include "tls/selfsigned.h"

#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificateExtension>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace gemgate;

namespace {

// The exact mode bits, which QFile::permissions() cannot give (it mixes in the *User access flags).
int fileMode(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// Writes a bundle as cert.pem / key.pem into dir, the way an earlier run would have left it.
bool writeBundle(const QString& dir, const CertificateBundle& b) {
    return writeFile(dir + QStringLiteral("/cert.pem"), b.chain.constFirst().toPem()) &&
           writeFile(dir + QStringLiteral("/key.pem"), b.key.toPem());
}

} // namespace

class TestTls : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void generatedCertificateHasExpectedContents();
    void generateRejectsBadArguments();
    void loadOrCreateGeneratesThenReuses();
    void loadOrCreateCreatesMissingDirectory();
    void loadOrCreateReplacesStaleCertificate_data();
    void loadOrCreateReplacesStaleCertificate();
    void loadOrCreateReplacesMismatchedPair();
    void loadFilesRoundTrip();
    void loadFilesAcceptsKeyFormats_data();
    void loadFilesAcceptsKeyFormats();
    void loadFilesErrors_data();
    void loadFilesErrors();
    void tlsHandshakeSucceeds_data();
    void tlsHandshakeSucceeds();
    void tlsRejectsWrongPeerNameOrUntrustedCa_data();
    void tlsRejectsWrongPeerNameOrUntrustedCa();
    void tlsRefusesTls11();

private:
    // One server per handshake test, echoing whatever an encrypted client sends.
    struct EchoServer {
        QSslServer server;
        int accepted = 0;
    };
    bool startEchoServer(EchoServer* s, const CertificateBundle& bundle);
    static QSslConfiguration clientConfig(const QList<QSslCertificate>& trusted);

    CertificateBundle m_bundle;
    CertificateBundle m_other;
};

void TestTls::initTestCase() {
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    QString error;
    m_bundle = generateSelfSigned(QStringLiteral("GemGate local"), 30, &error);
    QVERIFY2(!m_bundle.isNull(), qPrintable(error));
    m_other = generateSelfSigned(QStringLiteral("GemGate other"), 30, &error);
    QVERIFY2(!m_other.isNull(), qPrintable(error));
}

void TestTls::generatedCertificateHasExpectedContents() {
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QString error;
    const CertificateBundle b = generateSelfSigned(QStringLiteral("GemGate local"), 825, &error);
    QVERIFY2(!b.isNull(), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(b.chain.size(), 1);
    const QSslCertificate& cert = b.chain.constFirst();

    QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName), QStringList{QStringLiteral("GemGate local")});
    QCOMPARE(cert.subjectInfo(QSslCertificate::Organization), QStringList{QStringLiteral("GemGate")});
    QCOMPARE(cert.issuerDisplayName(), cert.subjectDisplayName());
    QVERIFY(cert.isSelfSigned());
    QCOMPARE(cert.version(), QByteArray("3"));

    // Validity: backdated by one hour, ends validDays from now.
    QVERIFY(qAbs(cert.effectiveDate().secsTo(before.addSecs(-3600))) <= 60);
    QVERIFY(qAbs(cert.expiryDate().secsTo(before.addDays(825))) <= 60);

    // Positive serial of at most 128 bits; two generations never share one.
    const QByteArray serial = QByteArray::fromHex(cert.serialNumber().replace(':', QByteArray()));
    QVERIFY(!serial.isEmpty());
    QVERIFY(serial.size() <= 16);
    QVERIFY(serial != QByteArray::fromHex(m_bundle.chain.constFirst().serialNumber().replace(':', QByteArray())));

    // EC P-256 key, and the certificate carries the matching public key algorithm.
    QCOMPARE(b.key.algorithm(), QSsl::Ec);
    QCOMPARE(b.key.type(), QSsl::PrivateKey);
    QCOMPARE(b.key.length(), 256);
    QCOMPARE(cert.publicKey().algorithm(), QSsl::Ec);

    const auto sans = cert.subjectAlternativeNames();
    QCOMPARE(sans.values(QSsl::DnsEntry), QStringList{QStringLiteral("localhost")});
    QList<QHostAddress> ips;
    for (const QString& ip : sans.values(QSsl::IpAddressEntry))
        ips << QHostAddress(ip);
    QCOMPARE(ips.size(), 2);
    QVERIFY(ips.contains(QHostAddress(QHostAddress::LocalHost)));
    QVERIFY(ips.contains(QHostAddress(QHostAddress::LocalHostIPv6)));

    bool sawBasic = false, sawKeyUsage = false, sawEku = false, sawSki = false;
    for (const QSslCertificateExtension& ext : cert.extensions()) {
        if (ext.name() == QLatin1String("basicConstraints")) {
            sawBasic = true;
            QVERIFY(ext.isCritical());
            QCOMPARE(ext.value().toMap().value(QStringLiteral("ca")).toBool(), true);
        } else if (ext.name() == QLatin1String("keyUsage")) {
            sawKeyUsage = true;
            QVERIFY(ext.isCritical());
            // Qt reports keyUsage as a list of names.
            const QStringList v = ext.value().toStringList();
            QVERIFY2(v.contains(QLatin1String("Digital Signature")) && v.contains(QLatin1String("Certificate Sign")),
                     qPrintable(v.join(QLatin1Char(','))));
        } else if (ext.name() == QLatin1String("extendedKeyUsage")) {
            sawEku = true;
            const QString v = ext.value().toStringList().join(QLatin1Char(',')) + ext.value().toString();
            QVERIFY2(v.contains(QLatin1String("Server Authentication")), qPrintable(v));
        } else if (ext.name() == QLatin1String("subjectKeyIdentifier")) {
            sawSki = true;
        }
    }
    QVERIFY(sawBasic);
    QVERIFY(sawKeyUsage);
    QVERIFY(sawEku);
    QVERIFY(sawSki);

    // The SHA-256 signature verifies with the certificate's own key (Qt reports no errors for a self-signed CA
    // that is explicitly trusted and named correctly).
    const QList<QSslError> errors = QSslCertificate::verify({cert}, QStringLiteral("localhost"));
    QVERIFY2(errors.isEmpty() ||
                 (errors.size() == 1 && errors.constFirst().error() == QSslError::SelfSignedCertificate),
             qPrintable(errors.constFirst().errorString()));
}

void TestTls::generateRejectsBadArguments() {
    QString error;
    QVERIFY(generateSelfSigned(QStringLiteral("x"), 0, &error).isNull());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(generateSelfSigned(QString(), 10, &error).isNull());
    QVERIFY(!error.isEmpty());
}

void TestTls::loadOrCreateGeneratesThenReuses() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("tls"));

    bool generated = false;
    QString error;
    const CertificateBundle first = loadOrCreateSelfSigned(dir, &generated, &error);
    QVERIFY2(!first.isNull(), qPrintable(error));
    QVERIFY(generated);
    QCOMPARE(first.chain.constFirst().subjectInfo(QSslCertificate::CommonName),
             QStringList{QStringLiteral("GemGate local")});
    QVERIFY(qAbs(first.chain.constFirst().expiryDate().secsTo(QDateTime::currentDateTimeUtc().addDays(825))) <= 60);

    QCOMPARE(fileMode(dir), 0700);
    QCOMPARE(fileMode(dir + QStringLiteral("/key.pem")), 0600);
    QCOMPARE(fileMode(dir + QStringLiteral("/cert.pem")), 0644);

    const CertificateBundle second = loadOrCreateSelfSigned(dir, &generated, &error);
    QVERIFY2(!second.isNull(), qPrintable(error));
    QVERIFY(!generated);
    QCOMPARE(second.chain.constFirst().serialNumber(), first.chain.constFirst().serialNumber());
    QCOMPARE(second.chain.constFirst().digest(QCryptographicHash::Sha256),
             first.chain.constFirst().digest(QCryptographicHash::Sha256));
    QCOMPARE(second.key, first.key);

    // A key file whose mode was widened is tightened again on reuse.
    QVERIFY(QFile::setPermissions(dir + QStringLiteral("/key.pem"),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QVERIFY(!loadOrCreateSelfSigned(dir, &generated, &error).isNull());
    QVERIFY(!generated);
    QCOMPARE(fileMode(dir + QStringLiteral("/key.pem")), 0600);
}

void TestTls::loadOrCreateCreatesMissingDirectory() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("a/b/tls"));
    bool generated = false;
    QString error;
    QVERIFY2(!loadOrCreateSelfSigned(dir, &generated, &error).isNull(), qPrintable(error));
    QVERIFY(generated);
    QCOMPARE(fileMode(dir), 0700);
    QCOMPARE(fileMode(dir + QStringLiteral("/key.pem")), 0600);
}

void TestTls::loadOrCreateReplacesStaleCertificate_data() {
    QTest::addColumn<qint64>("notBeforeSecs");
    QTest::addColumn<qint64>("notAfterSecs");
    QTest::newRow("expired") << qint64(-10 * 86400) << qint64(-86400);
    QTest::newRow("expires within a day") << qint64(-3600) << qint64(12 * 3600);
    QTest::newRow("not yet valid") << qint64(86400) << qint64(30 * 86400);
}

void TestTls::loadOrCreateReplacesStaleCertificate() {
    QFETCH(qint64, notBeforeSecs);
    QFETCH(qint64, notAfterSecs);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString error;
    const CertificateBundle stale = generateSelfSigned(QStringLiteral("GemGate local"), now.addSecs(notBeforeSecs),
                                                       now.addSecs(notAfterSecs), &error);
    QVERIFY2(!stale.isNull(), qPrintable(error));
    QVERIFY(writeBundle(tmp.path(), stale));

    bool generated = false;
    const CertificateBundle fresh = loadOrCreateSelfSigned(tmp.path(), &generated, &error);
    QVERIFY2(!fresh.isNull(), qPrintable(error));
    QVERIFY(generated);
    QVERIFY(fresh.chain.constFirst() != stale.chain.constFirst());
    QVERIFY(fresh.chain.constFirst().expiryDate() > now.addDays(800));
    QCOMPARE(fileMode(tmp.filePath(QStringLiteral("key.pem"))), 0600);

    // What is on disk now is the fresh pair.
    const CertificateBundle onDisk =
        loadCertificateFiles(tmp.filePath(QStringLiteral("cert.pem")), tmp.filePath(QStringLiteral("key.pem")), &error);
    QVERIFY2(!onDisk.isNull(), qPrintable(error));
    QCOMPARE(onDisk.chain.constFirst(), fresh.chain.constFirst());
}

void TestTls::loadOrCreateReplacesMismatchedPair() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("cert.pem")), m_bundle.chain.constFirst().toPem()));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("key.pem")), m_other.key.toPem()));
    bool generated = false;
    QString error;
    const CertificateBundle b = loadOrCreateSelfSigned(tmp.path(), &generated, &error);
    QVERIFY2(!b.isNull(), qPrintable(error));
    QVERIFY(generated);
    QVERIFY(b.chain.constFirst() != m_bundle.chain.constFirst());
}

void TestTls::loadFilesRoundTrip() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    // A chain file with two certificates keeps both, leaf first.
    const QString certPath = tmp.filePath(QStringLiteral("chain.pem"));
    const QString keyPath = tmp.filePath(QStringLiteral("key.pem"));
    QVERIFY(writeFile(certPath, m_bundle.chain.constFirst().toPem() + m_other.chain.constFirst().toPem()));
    QVERIFY(writeFile(keyPath, m_bundle.key.toPem()));
    QString error;
    const CertificateBundle b = loadCertificateFiles(certPath, keyPath, &error);
    QVERIFY2(!b.isNull(), qPrintable(error));
    QCOMPARE(b.chain.size(), 2);
    QCOMPARE(b.chain.constFirst(), m_bundle.chain.constFirst());
    QCOMPARE(b.key, m_bundle.key);
}

void TestTls::loadFilesAcceptsKeyFormats_data() {
    QTest::addColumn<QStringList>("keyCommand"); // openssl arguments that write in.key -> out.key; empty = copy
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<QByteArray>("pemLabel");
    QTest::newRow("EC PKCS#8") << QStringList{QStringLiteral("pkey")} << false << QByteArray("BEGIN PRIVATE KEY");
    QTest::newRow("EC traditional") << QStringList{QStringLiteral("ec")} << false << QByteArray("BEGIN EC PRIVATE KEY");
    QTest::newRow("RSA PKCS#8") << QStringList() << true << QByteArray("BEGIN PRIVATE KEY");
    QTest::newRow("RSA traditional") << QStringList{QStringLiteral("rsa"), QStringLiteral("-traditional")} << true
                                     << QByteArray("BEGIN RSA PRIVATE KEY");
}

// User-supplied certificates come from elsewhere (certbot, mkcert, openssl req), so this uses the openssl tool.
void TestTls::loadFilesAcceptsKeyFormats() {
    QFETCH(QStringList, keyCommand);
    QFETCH(bool, rsa);
    QFETCH(QByteArray, pemLabel);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString certPath = tmp.filePath(QStringLiteral("cert.pem"));
    const QString inKey = tmp.filePath(QStringLiteral("in.key"));
    const QString outKey = tmp.filePath(QStringLiteral("out.key"));
    const auto runOpenSsl = [](const QStringList& args) {
        QProcess p;
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForStarted(5000))
            return -1;
        p.waitForFinished(30000);
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    };
    if (runOpenSsl({QStringLiteral("version")}) != 0)
        QSKIP("openssl command-line tool not available");

    if (rsa) {
        QCOMPARE(runOpenSsl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                             QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), inKey,
                             QStringLiteral("-out"), certPath, QStringLiteral("-days"), QStringLiteral("2"),
                             QStringLiteral("-subj"), QStringLiteral("/CN=localhost")}),
                 0);
    } else {
        QVERIFY(writeFile(certPath, m_bundle.chain.constFirst().toPem()));
        QVERIFY(writeFile(inKey, m_bundle.key.toPem()));
    }
    if (keyCommand.isEmpty())
        QVERIFY(QFile::copy(inKey, outKey));
    else
        QCOMPARE(runOpenSsl(keyCommand + QStringList{QStringLiteral("-in"), inKey, QStringLiteral("-out"), outKey}), 0);
    QFile keyFile(outKey);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    QVERIFY(keyFile.readAll().contains(pemLabel));

    QString error;
    const CertificateBundle b = loadCertificateFiles(certPath, outKey, &error);
    QVERIFY2(!b.isNull(), qPrintable(error));
    QCOMPARE(b.key.algorithm(), rsa ? QSsl::Rsa : QSsl::Ec);
    QCOMPARE(b.key.type(), QSsl::PrivateKey);
}

void TestTls::loadFilesErrors_data() {
    QTest::addColumn<QString>("certFile"); // "" = do not create
    QTest::addColumn<QByteArray>("certData");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("keyData");
    QTest::addColumn<QString>("expectPathOf"); // which file the error must name
    QTest::addColumn<QString>("expectText");

    const QByteArray cert = m_bundle.chain.constFirst().toPem();
    const QByteArray key = m_bundle.key.toPem();
    const QString c = QStringLiteral("cert.pem");
    const QString k = QStringLiteral("key.pem");

    QTest::newRow("missing cert") << QString() << QByteArray() << k << key << c << QStringLiteral("does not exist");
    QTest::newRow("missing key") << c << cert << QString() << QByteArray() << k << QStringLiteral("does not exist");
    QTest::newRow("garbage cert") << c
                                  << QByteArray("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                                "-----END CERTIFICATE-----\n")
                                  << k << key << c << QStringLiteral("no PEM certificate");
    QTest::newRow("not PEM at all") << c << QByteArray("hello world\n") << k << key << c
                                    << QStringLiteral("no PEM certificate");
    QTest::newRow("garbage key") << c << cert << k
                                 << QByteArray("-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n"
                                               "-----END PRIVATE KEY-----\n")
                                 << k << QStringLiteral("no readable private key");
    QTest::newRow("mismatched key") << c << cert << k << m_other.key.toPem() << k
                                    << QStringLiteral("does not match the certificate");
    QTest::newRow("encrypted key") << c << cert << k << m_bundle.key.toPem("secret") << k
                                   << QStringLiteral("encrypted");
}

void TestTls::loadFilesErrors() {
    QFETCH(QString, certFile);
    QFETCH(QByteArray, certData);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, keyData);
    QFETCH(QString, expectPathOf);
    QFETCH(QString, expectText);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    if (!certFile.isEmpty())
        QVERIFY(writeFile(tmp.filePath(certFile), certData));
    if (!keyFile.isEmpty())
        QVERIFY(writeFile(tmp.filePath(keyFile), keyData));

    QString error;
    const CertificateBundle b =
        loadCertificateFiles(tmp.filePath(QStringLiteral("cert.pem")), tmp.filePath(QStringLiteral("key.pem")), &error);
    QVERIFY(b.isNull());
    QVERIFY2(error.contains(tmp.filePath(expectPathOf)), qPrintable(error));
    QVERIFY2(error.contains(expectText), qPrintable(error));
}

bool TestTls::startEchoServer(EchoServer* s, const CertificateBundle& bundle) {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(bundle.chain);
    config.setPrivateKey(bundle.key);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    s->server.setSslConfiguration(config);
    s->server.setHandshakeTimeout(5000);
    // Qt 6.4: newConnection fires before the handshake; pendingConnectionAvailable once the socket is encrypted.
    connect(&s->server, &QTcpServer::pendingConnectionAvailable, &s->server, [s] {
        while (s->server.hasPendingConnections()) {
            auto* socket = qobject_cast<QSslSocket*>(s->server.nextPendingConnection());
            if (!socket)
                continue;
            ++s->accepted;
            connect(socket, &QSslSocket::readyRead, socket, [socket] { socket->write(socket->readAll()); });
            connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    return s->server.listen(QHostAddress::LocalHost, 0);
}

QSslConfiguration TestTls::clientConfig(const QList<QSslCertificate>& trusted) {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(trusted);
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    return config;
}

void TestTls::tlsHandshakeSucceeds_data() {
    QTest::addColumn<QString>("peerName");
    QTest::newRow("localhost") << QStringLiteral("localhost");
    QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1");
}

void TestTls::tlsHandshakeSucceeds() {
    QFETCH(QString, peerName);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    // Exercise the persisted path end to end: what the gateway would load on a second start.
    bool generated = false;
    QString error;
    QVERIFY(!loadOrCreateSelfSigned(tmp.path(), &generated, &error).isNull());
    const CertificateBundle bundle = loadOrCreateSelfSigned(tmp.path(), &generated, &error);
    QVERIFY2(!bundle.isNull(), qPrintable(error));
    QVERIFY(!generated);

    EchoServer s;
    QVERIFY(startEchoServer(&s, bundle));

    QSslSocket client;
    client.setSslConfiguration(clientConfig(bundle.chain));
    QList<QSslError> sslErrors;
    connect(&client, &QSslSocket::sslErrors, &client, [&sslErrors](const QList<QSslError>& e) { sslErrors << e; });
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), s.server.serverPort(), peerName);
    QVERIFY2(
        encrypted.wait(10000) || !encrypted.isEmpty(),
        qPrintable(client.errorString() +
                   (sslErrors.isEmpty() ? QString() : QStringLiteral(" / ") + sslErrors.constFirst().errorString())));
    QVERIFY(sslErrors.isEmpty());
    QVERIFY(client.sessionProtocol() == QSsl::TlsV1_2 || client.sessionProtocol() == QSsl::TlsV1_3);
    QCOMPARE(client.peerCertificate(), bundle.chain.constFirst());

    const QByteArray payload("ping over tls");
    client.write(payload);
    QByteArray echoed;
    QTRY_VERIFY_WITH_TIMEOUT((echoed += client.readAll()).size() >= payload.size(), 10000);
    QCOMPARE(echoed, payload);
    QCOMPARE(s.accepted, 1);
    client.disconnectFromHost();
}

void TestTls::tlsRejectsWrongPeerNameOrUntrustedCa_data() {
    QTest::addColumn<QString>("peerName");
    QTest::addColumn<bool>("trustOwnCert");
    QTest::addColumn<int>("expected"); // QSslError::SslError
    QTest::newRow("name not in SAN") << QStringLiteral("example.com") << true << int(QSslError::HostNameMismatch);
    QTest::newRow("trusts another certificate")
        << QStringLiteral("localhost") << false << int(QSslError::SelfSignedCertificate);
}

void TestTls::tlsRejectsWrongPeerNameOrUntrustedCa() {
    QFETCH(QString, peerName);
    QFETCH(bool, trustOwnCert);
    QFETCH(int, expected);

    EchoServer s;
    QVERIFY(startEchoServer(&s, m_bundle));
    QSslSocket client;
    client.setSslConfiguration(clientConfig(trustOwnCert ? m_bundle.chain : m_other.chain));
    QList<QSslError> sslErrors;
    connect(&client, &QSslSocket::sslErrors, &client, [&sslErrors](const QList<QSslError>& e) { sslErrors << e; });
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), s.server.serverPort(), peerName);
    QTRY_VERIFY_WITH_TIMEOUT(!sslErrors.isEmpty() || client.state() == QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(encrypted.isEmpty());
    QVERIFY(!client.isEncrypted());
    bool sawExpected = false;
    for (const QSslError& e : sslErrors)
        sawExpected = sawExpected || int(e.error()) == expected;
    QVERIFY(sawExpected);
}

void TestTls::tlsRefusesTls11() {
    EchoServer s;
    QVERIFY(startEchoServer(&s, m_bundle));

    QSslSocket client;
    QSslConfiguration config = clientConfig(m_bundle.chain);
    // Deliberately the deprecated protocol: the point is to prove the server refuses it.
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    config.setProtocol(QSsl::TlsV1_1);
    QT_WARNING_POP
    client.setSslConfiguration(config);
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    QSignalSpy failed(&client, &QSslSocket::errorOccurred);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), s.server.serverPort(), QStringLiteral("localhost"));
    // Either the server rejects the ClientHello or the local OpenSSL refuses to offer TLS 1.1 at all; both end in
    // an error and never in an encrypted connection.
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || client.state() == QAbstractSocket::UnconnectedState, 10000);
    QTest::qWait(100); // let a (wrong) late handshake completion surface before asserting
    QVERIFY(encrypted.isEmpty());
    QVERIFY(!client.isEncrypted());
    QCOMPARE(s.accepted, 0);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
