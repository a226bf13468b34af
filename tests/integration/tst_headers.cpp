// Header hygiene and body logging through the real gateway: privacy headers never reach the upstream (unless
// headers.strip_upstream is []), Server / X-Powered-By / Set-Cookie never reach the client, security headers on
// relayed, local, upstream-error and malformed-request responses (HSTS only over TLS), and log.bodies: redacted,
// cut, 0600, and no file at all while it is off.

#include "gatewayfixture.h"
#include "tls/selfsigned.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>

#include <sys/stat.h>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";

using Headers = QList<QPair<QByteArray, QByteArray>>;

const Headers kPrivacyHeaders = {
    {"X-Forwarded-For", "203.0.113.7"}, {"Via", "1.1 corp-proxy"},    {"Forwarded", "for=203.0.113.7"},
    {"Cookie", "session=abc"},          {"X-Real-IP", "203.0.113.7"}, {"X-Custom-Trace", "t-1"},
};

bool hasHeader(const RawResponse& r, const QByteArray& lowerName) {
    for (const auto& h : r.headers) {
        if (h.first == lowerName)
            return true;
    }
    return false;
}

// The three headers every response carries while headers.security_headers is on.
bool hasBaseSecurityHeaders(const RawResponse& r) {
    return r.header("x-content-type-options") == "nosniff" && r.header("referrer-policy") == "no-referrer" &&
           r.header("x-frame-options") == "DENY";
}

QList<QJsonObject> readLines(const QString& path) {
    QList<QJsonObject> lines;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return lines;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (!line.isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    }
    return lines;
}

QJsonObject lineFor(const QList<QJsonObject>& lines, const QByteArray& requestId) {
    for (const QJsonObject& o : lines) {
        if (o[QLatin1String("request_id")].toString() == QString::fromLatin1(requestId))
            return o;
    }
    return {};
}

QString body(const QJsonObject& line, const char* which) {
    return line[QLatin1String(which)].toObject()[QLatin1String("body")].toString();
}

} // namespace

class TstHeaders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void privacyHeadersNotForwarded();
    void emptyStripListForwardsThem();
    void upstreamResponseHeadersFiltered();
    void securityHeadersOnEveryResponse();
    void securityHeadersOff();
    void hstsOnlyOverTls();
    void bodyLogRedactsAndCuts();
    void bodyLogOffWritesNothing();
};

void TstHeaders::privacyHeadersNotForwarded() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(kPrivacyHeaders), kPrompt).status, 200);
    const QList<RecordedRequest> seen = f.upstream.requests();
    QCOMPARE(seen.size(), 1);
    const RecordedRequest& up = seen.first();
    for (const char* name : {"x-forwarded-for", "via", "forwarded", "cookie", "x-real-ip"})
        QVERIFY2(up.header(name).isEmpty(), name);
    QCOMPARE(up.header("x-custom-trace"), QByteArray("t-1"));
    QCOMPARE(up.apiKey, upstreamKey(1).toUtf8()); // the client's key was replaced, not forwarded
}

void TstHeaders::emptyStripListForwardsThem() {
    GatewayFixture f(1);
    f.config->headers.stripUpstream = {};
    QVERIFY(f.start());
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(kPrivacyHeaders), kPrompt).status, 200);
    const RecordedRequest up = f.upstream.requests().value(0);
    QCOMPARE(up.header("x-forwarded-for"), QByteArray("203.0.113.7"));
    QCOMPARE(up.header("via"), QByteArray("1.1 corp-proxy"));
    QCOMPARE(up.header("forwarded"), QByteArray("for=203.0.113.7"));
    QCOMPARE(up.header("cookie"), QByteArray("session=abc"));
    QCOMPARE(up.apiKey, upstreamKey(1).toUtf8()); // credentials are never forwarded, whatever the list says
}

void TstHeaders::upstreamResponseHeadersFiltered() {
    const Headers extra = {{"x-fake-response-header", "X-Powered-By: Express"},
                           {"x-fake-response-header", "Set-Cookie: tracking=1"},
                           {"x-fake-response-header", "X-Goog-Debug-Info: trace"}};
    {
        GatewayFixture f(1);
        QVERIFY(f.start());
        const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(extra), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY(!hasHeader(r, "server")); // the fake sends "Server: fake-gemini"
        QVERIFY(!hasHeader(r, "x-powered-by"));
        QVERIFY(!hasHeader(r, "set-cookie"));
        QCOMPARE(r.header("x-goog-debug-info"), QByteArray("trace"));
        QVERIFY(hasBaseSecurityHeaders(r));
        QVERIFY(r.header("cache-control") != "no-store"); // only GemGate's own answers get no-store
        QVERIFY(!hasHeader(r, "strict-transport-security"));

        // A relayed upstream error goes through the same filter.
        Headers failing = extra;
        failing.append(qMakePair(QByteArray("x-fake-status"), QByteArray("400")));
        const RawResponse e = f.request("POST", kGenerate, GatewayFixture::auth(failing), kPrompt);
        QCOMPARE(e.status, 400);
        QVERIFY(!hasHeader(e, "server"));
        QVERIFY(!hasHeader(e, "x-powered-by"));
        QVERIFY(hasBaseSecurityHeaders(e));
    }
    {
        GatewayFixture f(1);
        f.config->headers.stripResponse = {QStringLiteral("x-goog-debug-info")};
        QVERIFY(f.start());
        const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(extra), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY(!hasHeader(r, "x-goog-debug-info"));
        QVERIFY(hasHeader(r, "x-gemgate-request-id"));
    }
}

void TstHeaders::securityHeadersOnEveryResponse() {
    GatewayFixture f(1);
    f.config->server.maxHeaderBytes = 8 * 1024;
    QVERIFY(f.start());
    const RawResponse unauthorized = f.request("POST", kGenerate, {}, kPrompt);
    QCOMPARE(unauthorized.status, 401);
    QVERIFY(hasBaseSecurityHeaders(unauthorized));
    QCOMPARE(unauthorized.header("cache-control"), QByteArray("no-store"));

    const RawResponse health = f.request("GET", "/health", {});
    QCOMPARE(health.status, 200);
    QVERIFY(hasBaseSecurityHeaders(health));
    QCOMPARE(health.header("cache-control"), QByteArray("no-store"));
    QVERIFY(!hasHeader(health, "server"));

    // Answered by the connection itself, before any session: malformed framing (400) and oversized headers (431).
    RawHttpClient bad;
    QVERIFY(bad.connectTo(f.port()));
    bad.sendRaw("POST /v1beta/models HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    QVERIFY(bad.waitForResponse());
    QCOMPARE(bad.response().status, 400);
    QVERIFY(hasBaseSecurityHeaders(bad.response()));
    QCOMPARE(bad.response().header("cache-control"), QByteArray("no-store"));
    QVERIFY(!hasHeader(bad.response(), "server"));

    RawHttpClient big;
    QVERIFY(big.connectTo(f.port()));
    big.sendRaw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(16 * 1024, 'a') + "\r\n\r\n");
    QVERIFY(big.waitForResponse());
    QCOMPARE(big.response().status, 431);
    QVERIFY(hasBaseSecurityHeaders(big.response()));
}

void TstHeaders::securityHeadersOff() {
    GatewayFixture f(1);
    f.config->headers.securityHeaders = false;
    QVERIFY(f.start());
    for (const RawResponse& r : {f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt),
                                 f.request("GET", "/health", {}), f.request("POST", kGenerate, {}, kPrompt)}) {
        QVERIFY(r.status != 0);
        QVERIFY(!hasHeader(r, "x-content-type-options"));
        QVERIFY(!hasHeader(r, "x-frame-options"));
        QVERIFY(!hasHeader(r, "referrer-policy"));
    }
}

void TstHeaders::hstsOnlyOverTls() {
    GatewayFixture f(1);
    f.config->server.tls.enabled = true;
    f.config->server.tls.selfSignedDir = f.dir.filePath(QStringLiteral("tls"));
    QVERIFY(f.start());
    bool generated = false;
    QString err;
    const CertificateBundle cert = loadOrCreateSelfSigned(f.config->server.tls.selfSignedDir, &generated, &err);
    QVERIFY2(!cert.isNull(), qPrintable(err));
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setCaCertificates(cert.chain);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    RawHttpClient c;
    QVERIFY(c.connectTls(f.port(), conf, QStringLiteral("localhost")));
    c.send("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    QCOMPARE(c.response().header("strict-transport-security"), QByteArray("max-age=31536000"));
    QVERIFY(hasBaseSecurityHeaders(c.response()));
    c.send("GET", "/health");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    QCOMPARE(c.response().header("strict-transport-security"), QByteArray("max-age=31536000"));
}

void TstHeaders::bodyLogRedactsAndCuts() {
    GatewayFixture f(1);
    const QString path = f.dir.filePath(QStringLiteral("bodies.log"));
    f.config->log.bodies.enabled = true;
    f.config->log.bodies.path = path;
    f.config->log.bodies.maxBytes = 1024;
    QVERIFY(f.start());

    // Secrets in the prompt; the fake echoes the first text part, so they are in the reply too.
    const QByteArray jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw";
    const QByteArray issued = "gg_" + QByteArray(43, 'Z');
    const QByteArray secrets =
        "client " + kClientKey.toUtf8() + " upstream " + upstreamKey(1).toUtf8() + " jwt " + jwt + " issued " + issued;
    const QByteArray prompt = R"({"contents":[{"role":"user","parts":[{"text":")" + secrets + R"("}]}]})";
    const RawResponse r = f.request("POST", kGenerate + "?alt=json&key=" + kClientKey.toUtf8(), {}, prompt);
    QCOMPARE(r.status, 200);
    const QByteArray id = r.header("x-gemgate-request-id");

    const QByteArray longPrompt =
        R"({"contents":[{"role":"user","parts":[{"text":")" + QByteArray(5000, 'w') + R"("}]}]})";
    const RawResponse longReply = f.request("POST", kGenerate, GatewayFixture::auth(), longPrompt);
    QCOMPARE(longReply.status, 200);
    const QByteArray longId = longReply.header("x-gemgate-request-id");

    const RawResponse denied = f.request("POST", kGenerate, {}, kPrompt);
    QCOMPARE(denied.status, 401);
    const QByteArray deniedId = denied.header("x-gemgate-request-id");

    f.controller.stop(); // flushes the logs
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(!text.contains(kClientKey.toUtf8()));
    QVERIFY(!text.contains(upstreamKey(1).toUtf8()));
    QVERIFY(!text.contains(jwt));
    QVERIFY(!text.contains(issued));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);

    const QList<QJsonObject> lines = readLines(path);
    QCOMPARE(lines.size(), 3);
    const QJsonObject line = lineFor(lines, id);
    QCOMPARE(line[QLatin1String("method")].toString(), QStringLiteral("POST"));
    QCOMPARE(line[QLatin1String("path")].toString(), QString::fromLatin1(kGenerate)); // no query string
    QCOMPARE(line[QLatin1String("status")].toInt(), 200);
    QCOMPARE(body(line, "request").count(QLatin1String("[REDACTED]")), 4);
    QVERIFY(body(line, "request").contains(QLatin1String("client [REDACTED] upstream [REDACTED]")));
    QVERIFY(body(line, "response").contains(QLatin1String("echo: client [REDACTED]")));
    QCOMPARE(line[QLatin1String("response")].toObject()[QLatin1String("bytes")].toInteger(), qint64(r.body.size()));

    const QJsonObject cut = lineFor(lines, longId);
    const QJsonObject request = cut[QLatin1String("request")].toObject();
    QCOMPARE(request[QLatin1String("truncated")].toBool(), true);
    QCOMPARE(request[QLatin1String("bytes")].toInteger(), qint64(longPrompt.size()));
    QCOMPARE(request[QLatin1String("body")].toString().size(), qsizetype(1024));
    QCOMPARE(cut[QLatin1String("response")].toObject()[QLatin1String("truncated")].toBool(), true);

    // Local answers are logged too.
    const QJsonObject local = lineFor(lines, deniedId);
    QCOMPARE(local[QLatin1String("status")].toInt(), 401);
    QVERIFY(body(local, "response").contains(QLatin1String("\"error\"")));
}

void TstHeaders::bodyLogOffWritesNothing() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    f.controller.stop();
    QVERIFY(!QFile::exists(f.dir.filePath(QStringLiteral("bodies.log"))));
    QVERIFY(!QFile::exists(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                           QLatin1String("/gemgate/bodies.log")));
}

QTEST_GUILESS_MAIN(TstHeaders)
#include "tst_headers.moc"
