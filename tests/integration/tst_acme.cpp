// The ACME client against Debian's pebble (a real RFC 8555 CA) on loopback, names resolved by pebble-challtestsrv:
// an http-01 issuance for two names through GemGate's own HTTP responder (which redirects everything else to
// HTTPS), with pebble refusing a quarter of the nonces (each badNonce retried); the chain verifies up to pebble's
// root and the key matches; the same account key finds its account again; a CA that is down and an unknown
// challenge type fail with a clear message; the JWS pieces are checked on their own.

#include "pebble.h"
#include "tls/acmeclient.h"
#include "tls/acmecrypto.h"
#include "tls/acmehttp.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

struct Result {
    bool done = false;
    std::optional<AcmeCertificate> certificate;
    QString error;
};

Result issue(AcmeClient& client, const AcmeOrderSpec& spec) {
    Result r;
    client.issue(spec, [&r](std::optional<AcmeCertificate> c, const QString& e) {
        r.certificate = std::move(c);
        r.error = e;
        r.done = true;
    });
    if (!QTest::qWaitFor([&r] { return r.done; }, 60'000))
        r.error = QStringLiteral("no answer within a minute");
    return r;
}

// One request to the responder, which runs on this thread: wait with the event loop running.
QByteArray httpGet(quint16 port, const QByteArray& target, const QByteArray& host) {
    QTcpSocket s;
    QByteArray out;
    QObject::connect(&s, &QTcpSocket::readyRead, [&] { out += s.readAll(); });
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return s.state() == QAbstractSocket::ConnectedState; }, 3000))
        return {};
    s.write("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    static_cast<void>(QTest::qWaitFor([&] { return s.state() == QAbstractSocket::UnconnectedState; }, 3000));
    return out;
}

} // namespace

class TestAcme : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jwsPieces();
    void http01IssuesForEveryName();
    void responderRedirectsEverythingElse();
    void caDownIsReported();
    void unknownChallengeIsReported();

private:
    Pebble m_pebble;
    AcmeHttpResponder m_responder;
    QByteArray m_accountKey;
};

void TestAcme::initTestCase() {
    QString error;
    QVERIFY2(m_responder.listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    m_responder.setHttpsPort(8443);
    QVERIFY2(Pebble::available(), "pebble is not installed (installer/linux/install-deps.sh --test installs it)");
    QVERIFY2(m_pebble.start(m_responder.port(), Pebble::freePort(), &error, 25), qPrintable(error));
    m_accountKey = acme::generateKeyPem(&error);
    QVERIFY2(!m_accountKey.isEmpty(), qPrintable(error));
}

void TestAcme::jwsPieces() {
    const acme::EcKey key(m_accountKey);
    QVERIFY(key.isValid());
    const QJsonObject jwk = key.jwk();
    QCOMPARE(jwk.keys(),
             (QStringList{QStringLiteral("crv"), QStringLiteral("kty"), QStringLiteral("x"), QStringLiteral("y")}));
    QCOMPARE(QByteArray::fromBase64(jwk.value(QStringLiteral("x")).toString().toLatin1(), QByteArray::Base64UrlEncoding)
                 .size(),
             32);
    QCOMPARE(key.thumbprint().size(), 43); // SHA-256, base64url without padding
    QCOMPARE(key.sign("abc").size(), 64);  // raw R||S
    const QJsonObject jws =
        QJsonDocument::fromJson(acme::signJws(key, {{QStringLiteral("url"), QStringLiteral("u")}}, {})).object();
    QCOMPARE(jws.value(QStringLiteral("payload")).toString(), QString()); // POST-as-GET
    const QJsonObject header =
        QJsonDocument::fromJson(QByteArray::fromBase64(jws.value(QStringLiteral("protected")).toString().toLatin1(),
                                                       QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
    QVERIFY(!acme::EcKey("not a key").isValid());
    QString error;
    QVERIFY(!key.csrDer({QStringLiteral("a.test"), QStringLiteral("b.test")}, &error).isEmpty());
}

void TestAcme::http01IssuesForEveryName() {
    AcmeClient client(m_accountKey, &m_responder);
    client.setPolling(50, 30'000);
    AcmeOrderSpec spec;
    spec.directory = m_pebble.directory();
    spec.domains = {QStringLiteral("gemgate.test"), QStringLiteral("alt.gemgate.test")};
    spec.email = QStringLiteral("ops@gemgate.test");
    spec.extraCaCertificates = {m_pebble.ca()};
    const Result r = issue(client, spec);
    QVERIFY2(r.certificate, qPrintable(r.error + QLatin1Char('\n') + m_pebble.output()));
    const QList<QSslCertificate> chain = QSslCertificate::fromData(r.certificate->chainPem, QSsl::Pem);
    QVERIFY(chain.size() >= 2); // leaf and intermediate
    const QStringList names = chain.first().subjectAlternativeNames().values(QSsl::DnsEntry);
    QVERIFY(names.contains(QStringLiteral("gemgate.test")) && names.contains(QStringLiteral("alt.gemgate.test")));
    // The chain ends at pebble's root, and the key is the certificate's.
    QCOMPARE(chain.last().issuerInfo(QSslCertificate::CommonName),
             m_pebble.root().subjectInfo(QSslCertificate::CommonName));
    const acme::EcKey certKey(r.certificate->keyPem);
    QVERIFY(certKey.isValid());
    // The leaf's public key (SubjectPublicKeyInfo ends with the point 04 || X || Y) is the private key's.
    auto coordinate = [&](const char* name) {
        return QByteArray::fromBase64(certKey.jwk().value(QLatin1String(name)).toString().toLatin1(),
                                      QByteArray::Base64UrlEncoding);
    };
    const QByteArray point = QByteArray(1, '\x04') + coordinate("x") + coordinate("y");
    QVERIFY(chain.first().publicKey().toDer().endsWith(point));
    QVERIFY(certKey.thumbprint() != acme::EcKey(m_accountKey).thumbprint()); // never the account key

    // Again with the same account key: the account is found, a new order is served.
    const Result again = issue(client, spec);
    QVERIFY2(again.certificate, qPrintable(again.error));
}

void TestAcme::responderRedirectsEverythingElse() {
    const QByteArray redirect = httpGet(m_responder.port(), "/v1beta/models?x=1", "gemgate.test:80");
    QVERIFY2(redirect.startsWith("HTTP/1.1 308"), redirect.constData());
    QVERIFY2(redirect.contains("Location: https://gemgate.test:8443/v1beta/models?x=1\r\n"), redirect.constData());
    QVERIFY(
        httpGet(m_responder.port(), "/.well-known/acme-challenge/unknown", "gemgate.test").startsWith("HTTP/1.1 404"));
    QVERIFY(httpGet(m_responder.port(), "/x", "bad host").startsWith("HTTP/1.1 400"));
}

void TestAcme::caDownIsReported() {
    AcmeClient client(m_accountKey, &m_responder);
    AcmeOrderSpec spec;
    spec.directory = QUrl(QStringLiteral("https://127.0.0.1:%1/dir").arg(Pebble::freePort()));
    spec.domains = {QStringLiteral("gemgate.test")};
    const Result r = issue(client, spec);
    QVERIFY(!r.certificate);
    QVERIFY2(r.error.contains(QStringLiteral("cannot reach the ACME server")), qPrintable(r.error));
}

void TestAcme::unknownChallengeIsReported() {
    AcmeClient client(m_accountKey, &m_responder);
    client.setPolling(50, 10'000);
    AcmeOrderSpec spec;
    spec.directory = m_pebble.directory();
    spec.domains = {QStringLiteral("other.gemgate.test")};
    spec.challenge = QStringLiteral("dns-01");
    spec.extraCaCertificates = {m_pebble.ca()};
    const Result r = issue(client, spec);
    QVERIFY(!r.certificate);
    QVERIFY2(r.error.contains(QStringLiteral("answers http-01 only")), qPrintable(r.error));
}

QTEST_MAIN(TestAcme)
#include "tst_acme.moc"
