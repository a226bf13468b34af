// Client authentication and IP rules through the real gateway: HS256 JWTs (valid, expired, alg none, wrong
// secret), IP allow/deny lists, and the client address behind a trusted proxy (spoofing from an untrusted peer).

#include "gatewayfixture.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
const QString kSecret = QStringLiteral("jwt-test-secret-0123456789-abcdefghijklmnop");

QByteArray b64(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// A compact JWS signed with HMAC-SHA256 (or unsigned with alg "none").
QByteArray token(const QJsonObject& claims, const QByteArray& alg = "HS256", const QString& secret = kSecret) {
    const QByteArray head = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}");
    const QByteArray body = b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray input = head + '.' + body;
    if (alg == "none")
        return input + '.';
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, secret.toUtf8(), QCryptographicHash::Sha256));
}

QJsonObject claims(const QString& sub, qint64 expOffsetSeconds) {
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return QJsonObject{{QStringLiteral("sub"), sub},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + expOffsetSeconds},
                       {QStringLiteral("aud"), QStringLiteral("gemgate")}};
}

QString message(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object()[QLatin1String("error")][QLatin1String("message")].toString();
}

} // namespace

class TstClientAuth : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jwtClients();
    void shortSecretKeepsHs256Off();
    void ipRules();
    void trustedProxyForwardedAddress();
    void badRulesRejectTheConfig();
};

void TstClientAuth::jwtClients() {
    GatewayFixture f(1);
    f.config->auth.jwtSecret = kSecret;
    f.config->auth.jwt.audiences = {QStringLiteral("gemgate")};
    QVERIFY(f.start());
    auto call = [&](const QByteArray& jwt) {
        return f.request("POST", kGenerate, {{"Authorization", "Bearer " + jwt}}, kPrompt);
    };
    QCOMPARE(call(token(claims(QStringLiteral("alice"), 300))).status, 200);
    // The client key still works next to JWTs.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);

    const RawResponse expired = call(token(claims(QStringLiteral("alice"), -3600)));
    QCOMPARE(expired.status, 401);
    QVERIFY2(message(expired).contains(QStringLiteral("expired")), qPrintable(message(expired)));
    const RawResponse none = call(token(claims(QStringLiteral("mallory"), 300), "none"));
    QCOMPARE(none.status, 401);
    QVERIFY2(message(none).contains(QStringLiteral("none")), qPrintable(message(none)));
    QCOMPARE(call(token(claims(QStringLiteral("mallory"), 300), "HS256",
                        QStringLiteral("another-secret-0123456789-abcdefghijklmnop")))
                 .status,
             401);
    QJsonObject otherAudience = claims(QStringLiteral("alice"), 300);
    otherAudience[QStringLiteral("aud")] = QStringLiteral("someone-else");
    QCOMPARE(call(token(otherAudience)).status, 401);

    // The client is known by its subject in the access log; the token itself is never written.
    const QByteArray log = f.accessLog();
    QVERIFY(log.contains("\"client\":\"jwt:alice\"") || log.contains("jwt:alice"));
    QVERIFY(!log.contains(token(claims(QStringLiteral("alice"), 300)).left(40)));
}

void TstClientAuth::shortSecretKeepsHs256Off() {
    GatewayFixture f(1);
    f.config->auth.jwtSecret = QStringLiteral("too-short");
    QVERIFY(f.start()); // the seed config's placeholder secret must not stop the gateway
    const RawResponse r = f.request(
        "POST", kGenerate,
        {{"Authorization", "Bearer " + token(claims(QStringLiteral("a"), 300), "HS256", QStringLiteral("too-short"))}},
        kPrompt);
    QCOMPARE(r.status, 401);
}

void TstClientAuth::ipRules() {
    {
        GatewayFixture f(1);
        f.config->auth.ipDeny = {QStringLiteral("127.0.0.0/8")};
        QVERIFY(f.start());
        const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
        QCOMPARE(r.status, 403);
        QVERIFY2(message(r).contains(QStringLiteral("127.0.0.1")), qPrintable(message(r)));
        QCOMPARE(f.upstream.requestCount(), 0);
    }
    {
        GatewayFixture f(1);
        f.config->auth.ipAllow = {QStringLiteral("10.0.0.0/8"), QStringLiteral("::1")};
        f.config->auth.enabled = false; // IP rules apply without client authentication too
        QVERIFY(f.start());
        QCOMPARE(f.request("POST", kGenerate, {}, kPrompt).status, 403);
    }
    {
        GatewayFixture f(1);
        f.config->auth.ipAllow = {QStringLiteral("127.0.0.1")};
        QVERIFY(f.start());
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    }
}

void TstClientAuth::trustedProxyForwardedAddress() {
    GatewayFixture f(1);
    f.config->auth.ipAllow = {QStringLiteral("10.0.0.0/8")};
    f.config->auth.trustedProxies = {QStringLiteral("127.0.0.1")};
    f.config->auth.forwardedHeader = QStringLiteral("x-forwarded-for");
    QVERIFY(f.start());
    // The proxy (our loopback peer, trusted) says the client is 10.1.2.3: allowed.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth({{"X-Forwarded-For", "10.1.2.3"}}), kPrompt).status,
             200);
    // A client putting an allowed address on the left of what the proxy appended gets nowhere.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth({{"X-Forwarded-For", "10.9.9.9, 203.0.113.7"}}), kPrompt)
                 .status,
             403);
    // The address is not forwarded upstream.
    for (const RecordedRequest& r : f.upstream.requests())
        QVERIFY(r.header("x-forwarded-for").isEmpty());

    // Without trusted proxies the header is ignored: the loopback peer itself is not in 10/8.
    GatewayFixture g(1);
    g.config->auth.ipAllow = {QStringLiteral("10.0.0.0/8")};
    QVERIFY(g.start());
    QCOMPARE(g.request("POST", kGenerate, GatewayFixture::auth({{"X-Forwarded-For", "10.1.2.3"}}), kPrompt).status,
             403);
}

void TstClientAuth::badRulesRejectTheConfig() {
    GatewayFixture f(1);
    f.config->auth.ipDeny = {QStringLiteral("10.0.0.0/33")};
    QString error;
    QVERIFY(!f.controller.start(f.config, &error));
    QVERIFY2(error.contains(QStringLiteral("auth.ip_deny")) && error.contains(QStringLiteral("10.0.0.0/33")),
             qPrintable(error));
    GatewayFixture g(1);
    g.config->auth.jwt.publicKeys = {QStringLiteral("/no/such/key.pem")};
    QVERIFY(!g.controller.start(g.config, &error));
    QVERIFY2(error.contains(QStringLiteral("auth.jwt")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TstClientAuth)
#include "tst_clientauth.moc"
