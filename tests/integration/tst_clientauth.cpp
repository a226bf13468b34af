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
    void clientsGetExactlyTheirAllowance();
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

void TstClientAuth::clientsGetExactlyTheirAllowance() {
    GatewayFixture f(2);
    const QByteArray slowKey = "gg-test-client-key-5555555555555555";
    const QByteArray fastKey = "gg-test-client-key-cccccccccccccccc";
    f.config->auth.rateLimitPerMinute = 3; // everyone without a limit of their own, e.g. the fixture's "tester"
    f.config->auth.clientKeys.append(ClientKey::make(QStringLiteral("slow"), QString::fromLatin1(slowKey), 5));
    f.config->auth.clientKeys.append(ClientKey::make(QStringLiteral("fast"), QString::fromLatin1(fastKey), 12));
    QVERIFY(f.start());
    // Both hammer at once, 20 requests each on their own connections, spread over the two worker threads.
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    for (int i = 0; i < 40; ++i) {
        auto c = std::make_unique<RawHttpClient>();
        QVERIFY(c->connectTo(f.port()));
        c->send("POST", kGenerate, {{"x-goog-api-key", i % 2 ? slowKey : fastKey}}, kPrompt);
        clients.push_back(std::move(c));
    }
    int ok[2] = {0, 0}, limited[2] = {0, 0};
    for (int i = 0; i < 40; ++i) {
        QVERIFY(clients[i]->waitForResponse(10'000));
        const RawResponse& r = clients[i]->response();
        if (r.status == 200) {
            ++ok[i % 2];
        } else {
            QCOMPARE(r.status, 429);
            ++limited[i % 2];
            QVERIFY(r.header("retry-after").toInt() >= 1);
            QVERIFY(message(r).contains(QStringLiteral("requests_per_minute = ")));
        }
    }
    QCOMPARE(ok[0], 12); // fast
    QCOMPARE(ok[1], 5);  // slow
    QCOMPARE(limited[0] + limited[1], 40 - 17);
    QCOMPARE(f.upstream.requestCount(), 17); // refused requests never reach Google
    // The default applies to a client without its own limit.
    int testerOk = 0;
    for (int i = 0; i < 5; ++i)
        testerOk += f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status == 200;
    QCOMPARE(testerOk, 3);
    const RawResponse over = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QVERIFY2(message(over).contains(QStringLiteral("auth.rate_limit_per_minute")), qPrintable(message(over)));
}

QTEST_GUILESS_MAIN(TstClientAuth)
#include "tst_clientauth.moc"
