// The native Gemini pass-through, end to end: real listener on port 0, real workers, real fake upstream.

#include "gatewayfixture.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;
Q_DECLARE_METATYPE(gemgate::UpstreamTransportKind)

namespace {
QJsonObject json(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object();
}
const QByteArray kGenerateBody = R"({"contents":[{"role":"user","parts":[{"text":"hello there"}]}]})";
} // namespace

class TstGateway : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void health();
    void nativeRoutes_data();
    void nativeRoutes();
    void generateContentShapeAndUsage();
    void unknownPathUnderPrefixIsForwarded();
    void otherPathsAre404();
    void authRequired_data();
    void authRequired();
    void clientCredentialWaysAccepted_data();
    void clientCredentialWaysAccepted();
    void clientKeyNeverReachesUpstream();
    void hopByHopAndEncodingHeaders();
    void largeInlineBodyArrivesIntact();
    void keepAliveReuseBothSides();
    void weightedRoundRobinSpreadsKeys();
    void retryOnAnotherKeyAfter429();
    void retryOnAnotherKeyAfter503AndInvalidKey();
    void nonRetryable400IsRelayed();
    void allKeysFailingGives503WithScrubbedReasons();
    void noKeysConfiguredGives503();
    void upstreamUnreachableGives502();
    void uploadSessionKeyAffinity();
    void cachedContentsCrud();
    void noSecretInResponsesOrLog();
    void reloadSwapsKeysWithoutRestart();
    void httpsUpstreamWithCustomCa_data();
    void httpsUpstreamWithCustomCa();
    void egressProxy();
    void upstreamReadTimeoutGives504();
};

void TstGateway::health() {
    GatewayFixture f;
    QVERIFY(f.start());
    const RawResponse r = f.request("GET", "/health", {});
    QCOMPARE(r.status, 200);
    const QJsonObject o = json(r);
    QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("up"));
    QCOMPARE(o.value(QLatin1String("version")).toString(), QStringLiteral(GEMGATE_VERSION));
    QCOMPARE(o.value(QLatin1String("keys")).toObject().value(QLatin1String("total")).toInt(), 2);
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstGateway::nativeRoutes_data() {
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expectKey"); // a top-level field the answer must have
    QTest::newRow("models list v1beta") << QByteArray("GET") << QByteArray("/v1beta/models") << QByteArray()
                                        << QStringLiteral("models");
    QTest::newRow("models list v1") << QByteArray("GET") << QByteArray("/v1/models?pageSize=1") << QByteArray()
                                    << QStringLiteral("models");
    QTest::newRow("models get") << QByteArray("GET") << QByteArray("/v1beta/models/gemini-2.5-flash") << QByteArray()
                                << QStringLiteral("name");
    QTest::newRow("generateContent v1") << QByteArray("POST")
                                        << QByteArray("/v1/models/gemini-2.5-flash:generateContent") << kGenerateBody
                                        << QStringLiteral("candidates");
    QTest::newRow("countTokens") << QByteArray("POST") << QByteArray("/v1beta/models/gemini-2.5-flash:countTokens")
                                 << kGenerateBody << QStringLiteral("totalTokens");
    QTest::newRow("embedContent") << QByteArray("POST")
                                  << QByteArray("/v1beta/models/gemini-embedding-001:embedContent")
                                  << QByteArray(R"({"content":{"parts":[{"text":"hello world"}]}})")
                                  << QStringLiteral("embedding");
    QTest::newRow("batchEmbedContents")
        << QByteArray("POST") << QByteArray("/v1beta/models/gemini-embedding-001:batchEmbedContents")
        << QByteArray(R"({"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]}},)"
                      R"({"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]}}]})")
        << QStringLiteral("embeddings");
    QTest::newRow("batchGenerateContent")
        << QByteArray("POST") << QByteArray("/v1beta/models/gemini-2.5-flash:batchGenerateContent")
        << QByteArray(R"({"batch":{"displayName":"j1","inputConfig":{"requests":{"requests":[{"request":)"
                      R"({"contents":[{"parts":[{"text":"hi"}]}]},"metadata":{"key":"q1"}}]}}}})")
        << QStringLiteral("name");
    QTest::newRow("batches list") << QByteArray("GET") << QByteArray("/v1beta/batches") << QByteArray()
                                  << QStringLiteral("");
    QTest::newRow("files list") << QByteArray("GET") << QByteArray("/v1beta/files") << QByteArray()
                                << QStringLiteral("");
    QTest::newRow("cachedContents list") << QByteArray("GET") << QByteArray("/v1beta/cachedContents") << QByteArray()
                                         << QStringLiteral("");
}

void TstGateway::nativeRoutes() {
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(QString, expectKey);
    GatewayFixture f(1);
    QVERIFY(f.start());
    HeaderList h = GatewayFixture::auth();
    if (!body.isEmpty())
        h.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    const RawResponse r = f.request(method, target, h, body);
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    QVERIFY2(QJsonDocument::fromJson(r.body).isObject(), r.body.constData());
    if (!expectKey.isEmpty())
        QVERIFY2(json(r).contains(expectKey), r.body.constData());
    const auto reqs = f.upstream.requests();
    QCOMPARE(reqs.size(), 1);
    QCOMPARE(reqs[0].method, method);
    // The path and query reach Google unchanged.
    QCOMPARE(reqs[0].target, target);
    if (!body.isEmpty())
        QCOMPARE(reqs[0].body, body);
}

void TstGateway::generateContentShapeAndUsage() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                    GatewayFixture::auth({{"Content-Type", "application/json"}}), kGenerateBody);
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("application/json"));
    QVERIFY(!r.header("x-gemgate-request-id").isEmpty());
    const QJsonObject o = json(r);
    const QString text =
        o[QLatin1String("candidates")][0][QLatin1String("content")][QLatin1String("parts")][0][QLatin1String("text")]
            .toString();
    QCOMPARE(text, QStringLiteral("echo: hello there"));
    const qint64 prompt = o[QLatin1String("usageMetadata")][QLatin1String("promptTokenCount")].toInteger();
    QVERIFY(prompt > 0);
    QTRY_COMPARE_WITH_TIMEOUT(f.controller.currentMetrics().promptTokens, prompt, 3000);
    const QByteArray log = f.accessLog();
    QVERIFY2(log.contains("\"model\":\"gemini-2.5-flash\""), log.constData());
    QVERIFY(log.contains(QByteArray("\"prompt_tokens\":" + QByteArray::number(prompt))));
    QVERIFY(log.contains("\"client\":\"tester\""));
    QVERIFY(log.contains("\"key\":\"key1\""));
}

void TstGateway::unknownPathUnderPrefixIsForwarded() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", "/v1beta/interactions", GatewayFixture::auth(), "{}");
    // The fake has no such route: its own 404 envelope comes back, proving the request went upstream.
    QCOMPARE(r.status, 404);
    QCOMPARE(f.upstream.requestCount(), 1);
    QCOMPARE(f.upstream.requests()[0].target, QByteArray("/v1beta/interactions"));
}

void TstGateway::otherPathsAre404() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    for (const QByteArray& target : {QByteArray("/"), QByteArray("/v2/models"), QByteArray("/favicon.ico")}) {
        const RawResponse r = f.request("GET", target);
        QCOMPARE(r.status, 404);
        const QJsonObject e = json(r).value(QLatin1String("error")).toObject();
        QCOMPARE(e.value(QLatin1String("code")).toInt(), 404);
        QCOMPARE(e.value(QLatin1String("status")).toString(), QStringLiteral("NOT_FOUND"));
        QVERIFY(e.value(QLatin1String("message")).toString().contains(QLatin1String("/v1beta/")));
    }
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstGateway::authRequired_data() {
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("messagePart");
    using H = QList<QPair<QByteArray, QByteArray>>;
    QTest::newRow("missing") << H{} << QByteArray("/v1beta/models") << QStringLiteral("Missing");
    QTest::newRow("wrong header") << H{{"x-goog-api-key", "nope"}} << QByteArray("/v1beta/models")
                                  << QStringLiteral("Invalid");
    QTest::newRow("wrong bearer") << H{{"Authorization", "Bearer nope"}} << QByteArray("/v1beta/models")
                                  << QStringLiteral("Invalid");
    QTest::newRow("wrong query") << H{} << QByteArray("/v1beta/models?key=nope") << QStringLiteral("Invalid");
    QTest::newRow("upstream key is not a client key")
        << H{{"x-goog-api-key", upstreamKey(1).toUtf8()}} << QByteArray("/v1beta/models") << QStringLiteral("Invalid");
}

void TstGateway::authRequired() {
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, target);
    QFETCH(QString, messagePart);
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("GET", target, headers);
    QCOMPARE(r.status, 401);
    const QJsonObject e = json(r).value(QLatin1String("error")).toObject();
    QCOMPARE(e.value(QLatin1String("status")).toString(), QStringLiteral("UNAUTHENTICATED"));
    QVERIFY(e.value(QLatin1String("message")).toString().contains(messagePart));
    QCOMPARE(f.upstream.requestCount(), 0); // nothing goes upstream
}

void TstGateway::clientCredentialWaysAccepted_data() {
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("target");
    using H = QList<QPair<QByteArray, QByteArray>>;
    const QByteArray key = kClientKey.toUtf8();
    QTest::newRow("x-goog-api-key") << H{{"x-goog-api-key", key}} << QByteArray("/v1beta/models");
    QTest::newRow("bearer") << H{{"Authorization", "Bearer " + key}} << QByteArray("/v1beta/models");
    QTest::newRow("query") << H{} << QByteArray("/v1beta/models?pageSize=2&key=" + key);
}

void TstGateway::clientCredentialWaysAccepted() {
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, target);
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("GET", target, headers);
    QCOMPARE(r.status, 200);
    const auto reqs = f.upstream.requests();
    QCOMPARE(reqs.size(), 1);
    QCOMPARE(reqs[0].apiKey, upstreamKey(1).toUtf8());
    QVERIFY(!reqs[0].target.contains("key="));
    QVERIFY(reqs[0].header("authorization").isEmpty());
}

void TstGateway::clientKeyNeverReachesUpstream() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    const QByteArray key = kClientKey.toUtf8();
    f.request("GET", "/v1beta/models?key=" + key, {{"Authorization", "Bearer " + key}, {"x-goog-api-key", key}});
    f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent?key=" + key, {{"x-goog-api-key", key}},
              kGenerateBody);
    const auto reqs = f.upstream.requests();
    QCOMPARE(reqs.size(), 2);
    for (const RecordedRequest& r : reqs) {
        QVERIFY(!r.target.contains(key));
        for (const auto& h : r.headers)
            QVERIFY2(!h.second.contains(key), h.first.constData());
        // Exactly one credential goes upstream: the pool's key, in x-goog-api-key.
        int keyHeaders = 0;
        for (const auto& h : r.headers)
            keyHeaders += h.first == "x-goog-api-key" ? 1 : 0;
        QCOMPARE(keyHeaders, 1);
        QVERIFY(r.apiKey.startsWith("AIzaSyTestKey"));
    }
}

void TstGateway::hopByHopAndEncodingHeaders() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                    GatewayFixture::auth({{"Connection", "keep-alive, X-Private"},
                                                          {"X-Private", "hop"},
                                                          {"Keep-Alive", "timeout=5"},
                                                          {"Proxy-Authorization", "Basic Zm9vOmJhcg=="},
                                                          {"TE", "trailers"},
                                                          {"Accept-Encoding", "gzip, br"},
                                                          {"x-goog-api-client", "genai-js/1.30.0"},
                                                          {"User-Agent", "google-genai-sdk/1.30.0 gl-node/20"},
                                                          {"X-Server-Timeout", "60"}}),
                                    kGenerateBody);
    QCOMPARE(r.status, 200);
    const RecordedRequest up = f.upstream.requests().value(0);
    for (const char* gone : {"connection", "x-private", "keep-alive", "proxy-authorization", "te"})
        QVERIFY2(up.header(gone).isEmpty(), gone);
    // Bodies pass through byte for byte: the gateway asks for identity so it never has to re-encode.
    QCOMPARE(up.header("accept-encoding"), QByteArray("identity"));
    QCOMPARE(up.header("x-goog-api-client"), QByteArray("genai-js/1.30.0"));
    QCOMPARE(up.header("user-agent"), QByteArray("google-genai-sdk/1.30.0 gl-node/20"));
    QCOMPARE(up.header("x-server-timeout"), QByteArray("60"));
    QCOMPARE(up.header("host"), QByteArray("127.0.0.1:") + QByteArray::number(f.upstream.port()));
    QVERIFY(r.header("content-encoding").isEmpty());
}

void TstGateway::largeInlineBodyArrivesIntact() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    // 8 MiB of base64 "image" data inside a generateContent request.
    QByteArray raw(6 * 1024 * 1024 + 123, Qt::Uninitialized);
    QRandomGenerator gen(42);
    for (qsizetype i = 0; i < raw.size(); ++i)
        raw[i] = static_cast<char>(gen.bounded(256));
    const QByteArray body = R"({"contents":[{"role":"user","parts":[{"text":"what is this"},{"inlineData":)"
                            R"({"mimeType":"image/png","data":")" +
                            raw.toBase64() + R"("}}]}]})";
    QVERIFY(body.size() > 8 * 1024 * 1024);
    const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                    GatewayFixture::auth({{"Content-Type", "application/json"}}), body, 30'000);
    QCOMPARE(r.status, 200);
    const RecordedRequest up = f.upstream.requests().value(0);
    QCOMPARE(up.bodySize, body.size());
    QCOMPARE(up.bodySha256Hex, QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
}

void TstGateway::keepAliveReuseBothSides() {
    GatewayFixture f(1);
    f.config->server.workers = 1;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    for (int i = 0; i < 5; ++i) {
        c.send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kGenerateBody);
        QVERIFY(c.waitForResponse());
        QCOMPARE(c.response().status, 200);
        QVERIFY(!c.response().closed);
    }
    QCOMPARE(c.completedResponses(), 5);
    // Upstream: the pooled client reused one connection for all five.
    const auto reqs = f.upstream.requests();
    QCOMPARE(reqs.size(), 5);
    for (const RecordedRequest& r : reqs)
        QCOMPARE(r.connectionId, reqs[0].connectionId);
}

void TstGateway::weightedRoundRobinSpreadsKeys() {
    GatewayFixture f(0);
    f.config->gemini.apiKeys = {UpstreamKey::literal(QStringLiteral("a"), upstreamKey(1), 3),
                                UpstreamKey::literal(QStringLiteral("b"), upstreamKey(2), 1)};
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    for (int i = 0; i < 40; ++i) {
        c.send("GET", "/v1beta/models", GatewayFixture::auth());
        QVERIFY(c.waitForResponse());
    }
    const auto perKey = f.upstream.requestsPerKey();
    QCOMPARE(perKey.value(upstreamKey(1).toUtf8()), 30);
    QCOMPARE(perKey.value(upstreamKey(2).toUtf8()), 10);
}

void TstGateway::retryOnAnotherKeyAfter429() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::RateLimitMinute);
    for (int i = 0; i < 6; ++i) {
        const RawResponse r =
            f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kGenerateBody);
        QCOMPARE(r.status, 200);
    }
    const auto perKey = f.upstream.requestsPerKey();
    QCOMPARE(perKey.value(upstreamKey(2).toUtf8()), 6);
    QVERIFY(perKey.value(upstreamKey(1).toUtf8()) >= 1);
    QVERIFY(f.controller.currentMetrics().upstreamRetries >= 1);
}

void TstGateway::retryOnAnotherKeyAfter503AndInvalidKey() {
    for (auto behavior :
         {FakeUpstream::Unavailable, FakeUpstream::InvalidKey, FakeUpstream::Forbidden, FakeUpstream::Internal}) {
        GatewayFixture f(2);
        QVERIFY(f.start());
        f.upstream.setKeyBehavior(upstreamKey(1), behavior);
        f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::Ok);
        for (int i = 0; i < 4; ++i) {
            const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                            GatewayFixture::auth(), kGenerateBody);
            QCOMPARE(r.status, 200);
        }
    }
}

void TstGateway::nonRetryable400IsRelayed() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                    GatewayFixture::auth({{"x-fake-status", "400"}}), kGenerateBody);
    QCOMPARE(r.status, 400);
    QCOMPARE(json(r)[QLatin1String("error")][QLatin1String("status")].toString(), QStringLiteral("INVALID_ARGUMENT"));
    QCOMPARE(f.upstream.requestCount(), 1); // a bad request is the client's, never retried
}

void TstGateway::allKeysFailingGives503WithScrubbedReasons() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::Forbidden);
    const RawResponse r =
        f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kGenerateBody);
    // Both keys are now disabled: the client is told that no key can serve, with each key's reason.
    QCOMPARE(r.status, 503);
    QCOMPARE(f.upstream.requestCount(), 2); // one retry, then the error
    // The fake quotes the key in its message, as Google does for suspended consumers: it must be scrubbed.
    QVERIFY2(!r.body.contains("AIzaSyTestKey"), r.body.constData());
    QVERIFY(r.body.contains("[REDACTED]"));
    QVERIFY(r.body.contains("CONSUMER_SUSPENDED"));
    QCOMPARE(json(r)[QLatin1String("error")][QLatin1String("status")].toString(), QStringLiteral("UNAVAILABLE"));
}

void TstGateway::noKeysConfiguredGives503() {
    GatewayFixture f(0);
    QVERIFY(f.start());
    const RawResponse r = f.request("GET", "/v1beta/models");
    QCOMPARE(r.status, 503);
    QVERIFY(json(r)[QLatin1String("error")][QLatin1String("message")].toString().contains(
        QLatin1String("gemini.api_keys")));
}

void TstGateway::upstreamUnreachableGives502() {
    GatewayFixture f(1);
    f.config->gemini.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    QVERIFY(f.start());
    QElapsedTimer t;
    t.start();
    const RawResponse r = f.request("GET", "/v1beta/models");
    QCOMPARE(r.status, 502);
    QVERIFY2(t.elapsed() < 2000, "a refused connect must fail at once, not after the connect timeout");
    QCOMPARE(json(r)[QLatin1String("error")][QLatin1String("status")].toString(), QStringLiteral("UNAVAILABLE"));
}

void TstGateway::uploadSessionKeyAffinity() {
    GatewayFixture f(3);
    QVERIFY(f.start());
    const QByteArray data = QByteArray(300 * 1024, 'x') + QByteArray(200 * 1024, 'y');
    const RawResponse start =
        f.request("POST", "/upload/v1beta/files",
                  GatewayFixture::auth({{"X-Goog-Upload-Protocol", "resumable"},
                                        {"X-Goog-Upload-Command", "start"},
                                        {"X-Goog-Upload-Header-Content-Length", QByteArray::number(data.size())},
                                        {"X-Goog-Upload-Header-Content-Type", "text/plain"},
                                        {"Content-Type", "application/json"}}),
                  R"({"file":{"display_name":"notes"}})");
    QCOMPARE(start.status, 200);
    const QByteArray uploadUrl = start.header("x-goog-upload-url");
    // Rewritten to point back at the gateway.
    QVERIFY2(uploadUrl.startsWith(QByteArray("http://127.0.0.1:" + QByteArray::number(f.port()) + "/upload/")),
             uploadUrl.constData());
    QVERIFY(!uploadUrl.contains(QByteArray::number(f.upstream.port())));
    const QByteArray target = QUrl::fromEncoded(uploadUrl).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    const QByteArray startKey = f.upstream.requests().last().apiKey;

    // Two chunks; the round-robin would move to another key, but the session pins the first one.
    const RawResponse c1 = f.request(
        "POST", target, GatewayFixture::auth({{"X-Goog-Upload-Command", "upload"}, {"X-Goog-Upload-Offset", "0"}}),
        data.left(300 * 1024));
    QCOMPARE(c1.status, 200);
    const RawResponse c2 = f.request("POST", target,
                                     GatewayFixture::auth({{"X-Goog-Upload-Command", "upload, finalize"},
                                                           {"X-Goog-Upload-Offset", QByteArray::number(300 * 1024)}}),
                                     data.mid(300 * 1024));
    QCOMPARE(c2.status, 200);
    QCOMPARE(c2.header("x-goog-upload-status"), QByteArray("final"));
    const QJsonObject file = json(c2).value(QLatin1String("file")).toObject();
    QCOMPARE(file.value(QLatin1String("sizeBytes")).toString(), QString::number(data.size()));
    QCOMPARE(file.value(QLatin1String("sha256Hash")).toString(),
             QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toBase64()));
    const auto reqs = f.upstream.requests();
    QCOMPARE(reqs.size(), 3);
    for (const RecordedRequest& r : reqs)
        QCOMPARE(r.apiKey, startKey);
}

void TstGateway::cachedContentsCrud() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse created = f.request(
        "POST", "/v1beta/cachedContents", GatewayFixture::auth({{"Content-Type", "application/json"}}),
        R"({"model":"models/gemini-2.5-flash","contents":[{"role":"user","parts":[{"text":"manual"}]}],"ttl":"300s"})");
    QCOMPARE(created.status, 200);
    const QString name = json(created).value(QLatin1String("name")).toString();
    QVERIFY(name.startsWith(QLatin1String("cachedContents/")));
    const QByteArray path = "/v1beta/" + name.toUtf8();
    QCOMPARE(f.request("GET", path).status, 200);
    QCOMPARE(f.request("PATCH", path + "?updateMask=ttl", GatewayFixture::auth(), R"({"ttl":"600s"})").status, 200);
    QCOMPARE(f.request("DELETE", path).status, 200);
    QCOMPARE(f.request("GET", path).status, 404);
}

void TstGateway::noSecretInResponsesOrLog() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Forbidden);
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::InvalidKey);
    QList<RawResponse> all;
    all << f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kGenerateBody);
    all << f.request("GET", "/v1beta/models?key=" + kClientKey.toUtf8(), {});
    all << f.request("GET", "/v1beta/models", {{"x-goog-api-key", "wrong-client-key-1234567"}});
    all << f.request("GET", "/health", {});
    for (const RawResponse& r : all) {
        for (int i = 1; i <= 2; ++i)
            QVERIFY(!r.body.contains(upstreamKey(i).toUtf8()));
        QVERIFY(!r.body.contains(kClientKey.toUtf8()));
        for (const auto& h : r.headers)
            QVERIFY(!h.second.contains("AIza"));
    }
    const QByteArray log = f.accessLog();
    QVERIFY(!log.isEmpty());
    QVERIFY(!log.contains("AIza"));
    QVERIFY(!log.contains(kClientKey.toUtf8()));
    QVERIFY(!log.contains("wrong-client-key"));
}

void TstGateway::reloadSwapsKeysWithoutRestart() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const quint16 port = f.port();
    QCOMPARE(f.request("GET", "/v1beta/models").status, 200);
    auto next = std::make_shared<Config>(*f.config);
    next->gemini.apiKeys = {UpstreamKey::literal(QStringLiteral("fresh"), upstreamKey(7), 1)};
    QString error;
    QVERIFY2(f.controller.reload(next, &error), qPrintable(error));
    QCOMPARE(f.port(), port);
    QCOMPARE(f.request("GET", "/v1beta/models").status, 200);
    QCOMPARE(f.upstream.requests().last().apiKey, upstreamKey(7).toUtf8());
}

void TstGateway::httpsUpstreamWithCustomCa_data() {
    QTest::addColumn<UpstreamTransportKind>("transport");
    QTest::newRow("http1 pool") << UpstreamTransportKind::Http1;
    QTest::newRow("QNetworkAccessManager") << UpstreamTransportKind::Http2;
}

void TstGateway::httpsUpstreamWithCustomCa() {
    // A TLS upstream with a certificate no system CA knows: a second gateway serving HTTPS with its generated
    // certificate stands in for Google. The first gateway must verify it through gemini.ca_file and SNI
    // "localhost", and refuse it without that CA.
    QFETCH(UpstreamTransportKind, transport);
    GatewayFixture inner(1);
    inner.config->server.tls.enabled = true;
    inner.config->server.tls.selfSignedDir = inner.dir.filePath(QStringLiteral("tls"));
    inner.config->auth.clientKeys = {ClientKey::make(QStringLiteral("outer"), upstreamKey(9))};
    QVERIFY(inner.start());

    GatewayFixture outer(0);
    outer.upstream.stop();
    outer.config->gemini.apiKeys = {UpstreamKey::literal(QStringLiteral("to-inner"), upstreamKey(9), 1)};
    outer.config->gemini.baseUrl = QUrl(QStringLiteral("https://localhost:%1").arg(inner.port()));
    outer.config->gemini.caFile = inner.config->server.tls.selfSignedDir + QLatin1String("/cert.pem");
    outer.config->gemini.transport = transport;
    outer.config->gemini.maxRetries = 0;
    QVERIFY(outer.start());
    const RawResponse r = outer.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                        GatewayFixture::auth(), kGenerateBody);
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    QCOMPARE(r.body.count("data: "), 3);
    QCOMPARE(inner.upstream.requests().value(0).apiKey, upstreamKey(1).toUtf8());

    // Without the CA the certificate is not trusted: 502, nothing reaches the inner gateway.
    outer.controller.stop();
    outer.config->gemini.caFile.clear();
    QVERIFY(outer.start());
    inner.upstream.clearRequests();
    const RawResponse refused = outer.request("GET", "/v1beta/models");
    QCOMPARE(refused.status, 502);
    QCOMPARE(inner.upstream.requestCount(), 0);
}

void TstGateway::egressProxy() {
    // The upstream host does not resolve; only a forward proxy can reach it. The fake upstream understands the
    // absolute-form request target a client sends to an HTTP proxy, so it plays the proxy here.
    GatewayFixture f(1);
    f.config->gemini.baseUrl = QUrl(QStringLiteral("http://gemini.invalid:9"));
    f.config->gemini.proxy = f.upstream.baseUrl();
    QVERIFY(f.start());
    const RawResponse r =
        f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kGenerateBody);
    QCOMPARE(r.status, 200);
    const RecordedRequest up = f.upstream.requests().value(0);
    QCOMPARE(up.target, QByteArray("http://gemini.invalid:9/v1beta/models/gemini-2.5-flash:generateContent"));
    QCOMPARE(up.apiKey, upstreamKey(1).toUtf8());
}

void TstGateway::upstreamReadTimeoutGives504() {
    GatewayFixture f(1);
    f.config->gemini.timeoutSeconds = 1;
    QVERIFY(f.start());
    QElapsedTimer t;
    t.start();
    const RawResponse r = f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                                    GatewayFixture::auth({{"x-fake-delay-ms", "4000"}}), kGenerateBody);
    QCOMPARE(r.status, 504);
    QCOMPARE(json(r)[QLatin1String("error")][QLatin1String("status")].toString(), QStringLiteral("DEADLINE_EXCEEDED"));
    QVERIFY(t.elapsed() >= 900 && t.elapsed() < 3500);
    // A stream that keeps sending is not cut by the read timeout: it is a limit on silence, not on duration.
    const RawResponse s =
        f.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                  GatewayFixture::auth({{"x-fake-chunks", "6"}, {"x-fake-interval-ms", "400"}}), kGenerateBody);
    QCOMPARE(s.status, 200);
    QVERIFY(s.complete);
    QCOMPARE(s.body.count("data: "), 6);
}

QTEST_GUILESS_MAIN(TstGateway)
#include "tst_gateway.moc"
