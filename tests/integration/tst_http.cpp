// The HTTP/1.1 front end: framing, limits and timeouts, each with the right status and a Gemini error envelope.

#include "gatewayfixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>

#include "tls/selfsigned.h"

using namespace gemgate;
using namespace gemgate::test;

namespace {
const QByteArray kAuth = "x-goog-api-key: " + kClientKey.toUtf8() + "\r\n";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
} // namespace

class TstHttp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void malformed_data();
    void malformed();
    void oversizedHeadersAre431();
    void tooManyHeadersAre431();
    void bodyTooLargeIs413();
    void chunkedBodyTooLargeIs413();
    void slowHeadersAre408();
    void chunkedRequestBody();
    void expectContinue();
    void pipelinedRequestsAnsweredInOrder();
    void http10ClientGetsClose();
    void idleConnectionIsClosed();
    void maxConnections();
    void httpsWithGeneratedCertificate();
};

void TstHttp::malformed_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::newRow("bad request line") << QByteArray("GARBAGE\r\n\r\n") << 400;
    QTest::newRow("bad version") << QByteArray("GET / HTTP/9.9\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("bad content-length")
        << QByteArray("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        << 400;
    QTest::newRow("two content-lengths")
        << QByteArray("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                      "Content-Length: 3\r\n\r\nab")
        << 400;
    QTest::newRow("content-length with transfer-encoding")
        << QByteArray("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("bad chunk size")
        << QByteArray("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("header without colon") << QByteArray("GET /health HTTP/1.1\r\nHost x\r\n\r\n") << 400;
    QTest::newRow("unknown expectation")
        << QByteArray("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n"
                      "Content-Length: 2\r\n\r\n{}")
        << 417;
}

void TstHttp::malformed() {
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw(raw);
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, status);
    const QJsonObject e = QJsonDocument::fromJson(c.response().body).object()[QLatin1String("error")].toObject();
    QCOMPARE(e[QLatin1String("code")].toInt(), status);
    QVERIFY(!e[QLatin1String("message")].toString().isEmpty());
    QCOMPARE(c.response().header("connection"), QByteArray("close"));
    QTRY_VERIFY_WITH_TIMEOUT(c.response().closed, 3000);
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstHttp::oversizedHeadersAre431() {
    GatewayFixture f(1);
    f.config->server.maxHeaderBytes = 8 * 1024;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw("GET /v1beta/models HTTP/1.1\r\nHost: x\r\n" + kAuth + "X-Big: " + QByteArray(16 * 1024, 'a') +
              "\r\n\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 431);
    QVERIFY(c.response().body.contains("8192"));
}

void TstHttp::tooManyHeadersAre431() {
    GatewayFixture f(1);
    f.config->server.maxHeaderCount = 20;
    QVERIFY(f.start());
    QByteArray req = "GET /v1beta/models HTTP/1.1\r\nHost: x\r\n" + kAuth;
    for (int i = 0; i < 30; ++i)
        req += "X-H" + QByteArray::number(i) + ": v\r\n";
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw(req + "\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 431);
}

void TstHttp::bodyTooLargeIs413() {
    GatewayFixture f(1);
    f.config->server.maxBodyBytes = 64 * 1024;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    // Declared too large: answered from the headers alone, before any body byte is read.
    c.sendRaw("POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\n" + kAuth +
              "Content-Length: 100000\r\n\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 413);
    QVERIFY(c.response().body.contains("65536"));
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstHttp::chunkedBodyTooLargeIs413() {
    GatewayFixture f(1);
    f.config->server.maxBodyBytes = 64 * 1024;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    QByteArray req =
        "POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\n" + kAuth + "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i)
        req += "4000\r\n" + QByteArray(0x4000, 'a') + "\r\n";
    c.sendRaw(req + "0\r\n\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 413);
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstHttp::slowHeadersAre408() {
    GatewayFixture f(1);
    f.config->server.headerTimeoutMs = 500;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw("GET /v1beta/models HTTP/1.1\r\nHost: x\r\n"); // never finishes its headers
    QElapsedTimer t;
    t.start();
    QVERIFY(c.waitForResponse(5000));
    QCOMPARE(c.response().status, 408);
    QVERIFY(t.elapsed() >= 400);
    QTRY_VERIFY_WITH_TIMEOUT(c.response().closed, 3000);
}

void TstHttp::chunkedRequestBody() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    const QByteArray a = kBody.left(10), b = kBody.mid(10);
    c.sendRaw("POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\nHost: x\r\n" + kAuth +
              "Transfer-Encoding: chunked\r\n\r\n" + QByteArray::number(a.size(), 16) + "\r\n" + a + "\r\n" +
              QByteArray::number(b.size(), 16) + "\r\n" + b + "\r\n0\r\n\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    const RecordedRequest up = f.upstream.requests().value(0);
    QCOMPARE(up.body, kBody); // de-chunked and sent with a Content-Length
    QCOMPARE(up.header("content-length"), QByteArray::number(kBody.size()));
    QVERIFY(up.header("transfer-encoding").isEmpty());
}

void TstHttp::expectContinue() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw("POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\nHost: x\r\n" + kAuth +
              "Expect: 100-continue\r\nContent-Length: " + QByteArray::number(kBody.size()) + "\r\n\r\n");
    // The interim answer arrives before the body is sent.
    QTRY_VERIFY_WITH_TIMEOUT(c.response().sawContinue, 3000);
    QCOMPARE(c.response().status, 0);
    c.socket()->write(kBody);
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
}

void TstHttp::pipelinedRequestsAnsweredInOrder() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), f.port());
    QVERIFY(s.waitForConnected(3000));
    const QByteArray one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray two = "GET /nothing-here HTTP/1.1\r\nHost: x\r\n" + kAuth + "\r\n";
    s.write(one + two + one);
    QByteArray all;
    QTRY_VERIFY_WITH_TIMEOUT((all += s.readAll()).count("HTTP/1.1 ") >= 3, 5000);
    const qsizetype a = all.indexOf("HTTP/1.1 200"), b = all.indexOf("HTTP/1.1 404"),
                    c = all.lastIndexOf("HTTP/1.1 200");
    QVERIFY(a >= 0 && b > a && c > b);
}

void TstHttp::http10ClientGetsClose() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.sendRaw("GET /health HTTP/1.0\r\n\r\n");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(c.response().closed, 3000);

    // A stream to an HTTP/1.0 client cannot be chunked: it is delimited by closing the connection.
    RawHttpClient s;
    QVERIFY(s.connectTo(f.port()));
    s.sendRaw("POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse HTTP/1.0\r\n" + kAuth +
              "Content-Length: " + QByteArray::number(kBody.size()) + "\r\n\r\n" + kBody);
    QVERIFY(s.waitForResponse());
    QTRY_VERIFY_WITH_TIMEOUT(s.response().closed, 3000);
    QCOMPARE(s.response().status, 200);
    QVERIFY(s.response().header("transfer-encoding").isEmpty());
    QCOMPARE(s.response().body.count("data: "), 3);
}

void TstHttp::idleConnectionIsClosed() {
    GatewayFixture f(1);
    f.config->server.idleTimeoutMs = 400;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("GET", "/health");
    QVERIFY(c.waitForResponse());
    QVERIFY(!c.response().closed);
    QTRY_VERIFY_WITH_TIMEOUT(c.response().closed, 3000);
}

void TstHttp::maxConnections() {
    GatewayFixture f(1);
    f.config->server.maxConnections = 3;
    QVERIFY(f.start());
    std::vector<std::unique_ptr<RawHttpClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(held.back()->connectTo(f.port()));
        held.back()->send("GET", "/health");
        QVERIFY(held.back()->waitForResponse());
    }
    RawHttpClient extra;
    extra.connectTo(f.port());
    extra.send("GET", "/health");
    QVERIFY(extra.waitForResponse(3000));
    QVERIFY(extra.response().closed);
    QCOMPARE(extra.response().status, 0);
    held.front()->close();
    QTest::qWait(200);
    const RawResponse ok = f.request("GET", "/health", {});
    QCOMPARE(ok.status, 200);
}

void TstHttp::httpsWithGeneratedCertificate() {
    GatewayFixture f(1);
    f.config->server.tls.enabled = true;
    f.config->server.tls.selfSignedDir = f.dir.filePath(QStringLiteral("tls"));
    QVERIFY(f.start());
    QVERIFY(f.controller.listenUrl().startsWith(QLatin1String("https://")));
    bool generated = false;
    QString err;
    const CertificateBundle cert = loadOrCreateSelfSigned(f.config->server.tls.selfSignedDir, &generated, &err);
    QVERIFY2(!cert.isNull(), qPrintable(err));
    QVERIFY(!generated); // the gateway made it on start; this call reuses it

    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setCaCertificates(cert.chain);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    RawHttpClient c;
    QVERIFY(c.connectTls(f.port(), conf, QStringLiteral("localhost")));
    c.send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kBody);
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    c.send("GET", "/health");
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    const auto* ssl = static_cast<QSslSocket*>(c.socket());
    QVERIFY(ssl->sessionProtocol() == QSsl::TlsV1_2 || ssl->sessionProtocol() == QSsl::TlsV1_3);

    // Plain HTTP on the TLS port is refused, and so is an old protocol.
    RawHttpClient plain;
    QVERIFY(plain.connectTo(f.port()));
    plain.send("GET", "/health");
    QVERIFY(plain.waitForResponse(5000));
    QCOMPARE(plain.response().status, 0);
    QSslConfiguration old = conf;
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    old.setProtocol(QSsl::TlsV1_1);
    QT_WARNING_POP
    RawHttpClient legacy;
    QVERIFY(!legacy.connectTls(f.port(), old, QStringLiteral("localhost"), 3000));
}

QTEST_GUILESS_MAIN(TstHttp)
#include "tst_http.moc"
