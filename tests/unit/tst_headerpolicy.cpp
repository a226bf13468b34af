// HeaderPolicy: which request headers go upstream (credentials and hop-by-hop always dropped, the privacy list
// from headers.strip_upstream), which upstream response headers are relayed, and the security headers.

#include "http/headerpolicy.h"

#include <QTest>

using namespace gemgate;

class TestHeaderPolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestHeaders_data();
    void requestHeaders();
    void emptyStripListForwardsPrivacyHeaders();
    void responseHeaders_data();
    void responseHeaders();
    void securityHeaders_data();
    void securityHeaders();
    void securityHeadersOff();
    void existingHeadersKept();
};

void TestHeaderPolicy::requestHeaders_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("dropped");
    for (const char* n : {"host",
                          "content-length",
                          "x-goog-api-key",
                          "authorization",
                          "accept-encoding",
                          "expect",
                          "connection",
                          "keep-alive",
                          "te",
                          "transfer-encoding",
                          "upgrade",
                          "proxy-authorization",
                          "x-forwarded-for",
                          "x-forwarded-host",
                          "x-forwarded-proto",
                          "x-real-ip",
                          "forwarded",
                          "via",
                          "cf-connecting-ip",
                          "true-client-ip",
                          "x-client-ip",
                          "cookie"})
        QTest::newRow(n) << QByteArray(n) << true;
    for (const char* n : {"content-type", "user-agent", "x-goog-api-client", "x-goog-user-project", "accept"})
        QTest::newRow(n) << QByteArray(n) << false;
}

void TestHeaderPolicy::requestHeaders() {
    QFETCH(QByteArray, name);
    QFETCH(bool, dropped);
    QCOMPARE(HeaderPolicy().dropRequestHeader(name), dropped);
}

void TestHeaderPolicy::emptyStripListForwardsPrivacyHeaders() {
    HeadersConfig c;
    c.stripUpstream = {};
    const HeaderPolicy p(c);
    QVERIFY(!p.dropRequestHeader("x-forwarded-for"));
    QVERIFY(!p.dropRequestHeader("via"));
    QVERIFY(!p.dropRequestHeader("cookie"));
    // Credentials and framing stay dropped whatever the list says.
    QVERIFY(p.dropRequestHeader("authorization"));
    QVERIFY(p.dropRequestHeader("x-goog-api-key"));
    QVERIFY(p.dropRequestHeader("host"));
    QVERIFY(p.dropRequestHeader("connection"));

    c.stripUpstream = {QStringLiteral("X-Debug-Token ")};
    const HeaderPolicy custom(c);
    QVERIFY(custom.dropRequestHeader("x-debug-token"));
    QVERIFY(!custom.dropRequestHeader("x-forwarded-for"));
}

void TestHeaderPolicy::responseHeaders_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("kept");
    QTest::addColumn<bool>("keptWithStripList");
    QTest::newRow("content-type") << QByteArray("content-type") << true << true;
    QTest::newRow("retry-after") << QByteArray("retry-after") << true << true;
    QTest::newRow("x-goog-upload-url") << QByteArray("x-goog-upload-url") << true << true;
    QTest::newRow("x-goog-debug (stripped)") << QByteArray("x-goog-debug") << true << false;
    QTest::newRow("server") << QByteArray("server") << false << false;
    QTest::newRow("x-powered-by") << QByteArray("x-powered-by") << false << false;
    QTest::newRow("set-cookie") << QByteArray("set-cookie") << false << false;
    QTest::newRow("alt-svc") << QByteArray("alt-svc") << false << false;
    QTest::newRow("content-length") << QByteArray("content-length") << false << false;
    QTest::newRow("transfer-encoding") << QByteArray("transfer-encoding") << false << false;
}

void TestHeaderPolicy::responseHeaders() {
    QFETCH(QByteArray, name);
    QFETCH(bool, kept);
    QFETCH(bool, keptWithStripList);
    QCOMPARE(HeaderPolicy().keepResponseHeader(name), kept);
    HeadersConfig c;
    c.stripResponse = {QStringLiteral("X-Goog-Debug")};
    QCOMPARE(HeaderPolicy(c).keepResponseHeader(name), keptWithStripList);
}

void TestHeaderPolicy::securityHeaders_data() {
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("local");
    QTest::newRow("relayed, plain") << false << false;
    QTest::newRow("relayed, tls") << true << false;
    QTest::newRow("local, plain") << false << true;
    QTest::newRow("local, tls") << true << true;
}

void TestHeaderPolicy::securityHeaders() {
    QFETCH(bool, tls);
    QFETCH(bool, local);
    HttpHeaders h;
    h.add("Content-Type", "application/json");
    HeaderPolicy().addSecurityHeaders(&h, tls, local);
    QCOMPARE(h.value("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(h.value("referrer-policy"), QByteArray("no-referrer"));
    QCOMPARE(h.value("x-frame-options"), QByteArray("DENY"));
    QCOMPARE(h.value("cache-control"), local ? QByteArray("no-store") : QByteArray());
    QCOMPARE(h.value("strict-transport-security"), tls ? QByteArray("max-age=31536000") : QByteArray());
    QVERIFY(!h.contains("server"));
}

void TestHeaderPolicy::securityHeadersOff() {
    HeadersConfig c;
    c.securityHeaders = false;
    HttpHeaders h;
    HeaderPolicy(c).addSecurityHeaders(&h, true, true);
    QCOMPARE(h.size(), 0);
}

void TestHeaderPolicy::existingHeadersKept() {
    HttpHeaders h;
    h.add("Cache-Control", "max-age=60");
    h.add("X-Frame-Options", "SAMEORIGIN");
    HeaderPolicy().addSecurityHeaders(&h, false, true);
    QCOMPARE(h.value("cache-control"), QByteArray("max-age=60"));
    QCOMPARE(h.value("x-frame-options"), QByteArray("SAMEORIGIN"));
    int frames = 0;
    for (const auto& e : h.entries())
        frames += e.first.compare("x-frame-options", Qt::CaseInsensitive) == 0;
    QCOMPARE(frames, 1);
}

QTEST_GUILESS_MAIN(TestHeaderPolicy)
#include "tst_headerpolicy.moc"
