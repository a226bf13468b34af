// Streaming through the gateway: chunks relayed as they arrive, many streams at once, cancellation both ways.

#include "gatewayfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;
Q_DECLARE_METATYPE(gemgate::UpstreamTransportKind)

namespace {
const QByteArray kBody = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
const QByteArray kSse = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

// Splits an SSE body into the JSON payloads of its data: lines.
QList<QJsonObject> sseEvents(const QByteArray& body) {
    QList<QJsonObject> out;
    for (QByteArray line : body.split('\n')) {
        line = line.trimmed();
        if (line.startsWith("data: "))
            out.append(QJsonDocument::fromJson(line.mid(6)).object());
    }
    return out;
}
} // namespace

class TstStreaming : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sseArrivesIncrementally();
    void jsonArrayStreamArrivesIncrementally();
    void streamUsageIsMetered();
    void fiveHundredConcurrentStreams_data();
    void fiveHundredConcurrentStreams();
    void clientAbortCancelsUpstream();
    void upstreamAbortIsAnErrorForTheClient();
    void slowClientAppliesBackpressure();
    void stalledClientIsDropped();
    void qnamTransportStreamsToo();
};

void TstStreaming::sseArrivesIncrementally() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "5"}, {"x-fake-interval-ms", "200"}}), kBody);
    QVERIFY(c.waitForResponse(10'000));
    const RawResponse& r = c.response();
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    QVERIFY(r.header("content-type").startsWith("text/event-stream"));
    QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
    const QList<QJsonObject> events = sseEvents(r.body);
    QCOMPARE(events.size(), 5);
    // The first event reached the client long before the last was even produced upstream.
    QVERIFY(r.pieces.size() >= 5);
    QVERIFY2(r.pieces.first().first < 400, qPrintable(QString::number(r.pieces.first().first)));
    QVERIFY(r.pieces.last().first - r.pieces.first().first >= 600);
    QString text;
    for (const QJsonObject& e : events)
        text += e[QLatin1String("candidates")][0][QLatin1String("content")][QLatin1String("parts")][0]
                 [QLatin1String("text")]
                     .toString();
    QCOMPARE(text, QStringLiteral("echo: hi +1 +2 +3 +4"));
}

void TstStreaming::jsonArrayStreamArrivesIncrementally() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
           GatewayFixture::auth({{"x-fake-chunks", "4"}, {"x-fake-interval-ms", "200"}}), kBody);
    QVERIFY(c.waitForResponse(10'000));
    const RawResponse& r = c.response();
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    QVERIFY(QJsonDocument::fromJson(r.body).isArray());
    QCOMPARE(QJsonDocument::fromJson(r.body).array().size(), 4);
    QVERIFY(r.pieces.last().first - r.pieces.first().first >= 400);
}

void TstStreaming::streamUsageIsMetered() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "3"}}), kBody);
    QCOMPARE(r.status, 200);
    const QList<QJsonObject> events = sseEvents(r.body);
    QVERIFY(!events.isEmpty());
    const QJsonObject last = events.last()[QLatin1String("usageMetadata")].toObject();
    const qint64 out = last[QLatin1String("candidatesTokenCount")].toInteger();
    QVERIFY(out > 0);
    // Running snapshots, not deltas: the gateway keeps the last one.
    QTRY_COMPARE_WITH_TIMEOUT(f.controller.currentMetrics().outputTokens, out, 3000);
    const QByteArray log = f.accessLog();
    QVERIFY(log.contains(QByteArray("\"output_tokens\":" + QByteArray::number(out))));
    QVERIFY(log.contains("\"stream\":true"));
}

void TstStreaming::fiveHundredConcurrentStreams_data() {
    QTest::addColumn<UpstreamTransportKind>("transport");
    QTest::newRow("http1 pool") << UpstreamTransportKind::Http1;
    QTest::newRow("QNetworkAccessManager") << UpstreamTransportKind::Http2;
}

void TstStreaming::fiveHundredConcurrentStreams() {
    QFETCH(UpstreamTransportKind, transport);
    GatewayFixture f(2, 2);
    f.config->server.workers = 2;
    f.config->gemini.transport = transport;
    QVERIFY(f.start());
    constexpr int kStreams = 500;
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    clients.reserve(kStreams);
    for (int i = 0; i < kStreams; ++i) {
        auto c = std::make_unique<RawHttpClient>();
        QVERIFY2(c->connectTo(f.port()), qPrintable(QString::number(i)));
        clients.push_back(std::move(c));
    }
    // Each stream lasts ~2 s upstream, long enough for all of them to be open at the same moment.
    for (auto& c : clients)
        c->send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "5"}, {"x-fake-interval-ms", "500"}}), kBody);
    QTRY_VERIFY_WITH_TIMEOUT(f.upstream.maxConcurrentStreams() >= kStreams, 20'000);
    for (auto& c : clients) {
        QVERIFY(c->waitForResponse(30'000));
        QCOMPARE(c->response().status, 200);
        QVERIFY(c->response().complete);
        QCOMPARE(sseEvents(c->response().body).size(), 5);
    }
    QCOMPARE(f.upstream.maxConcurrentStreams(), kStreams);
}

void TstStreaming::clientAbortCancelsUpstream() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "50"}, {"x-fake-interval-ms", "200"}}), kBody);
    QVERIFY(c.waitForBodyBytes(1, 5000));
    QCOMPARE(f.upstream.activeStreams(), 1);
    QElapsedTimer t;
    t.start();
    c.close();
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.abortedByClient(), 1, 1000);
    QVERIFY(t.elapsed() < 1000);
    QCOMPARE(f.upstream.activeStreams(), 0);
    const QByteArray log = f.accessLog();
    QVERIFY2(log.contains("\"status\":499"), log.constData());
    QVERIFY(log.contains("\"error\":\"client_closed\""));
}

void TstStreaming::upstreamAbortIsAnErrorForTheClient() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "10"}, {"x-fake-abort-after", "2"}}), kBody);
    QVERIFY(c.waitForResponse(10'000));
    const RawResponse& r = c.response();
    QCOMPARE(r.status, 200);
    QVERIFY(!r.complete); // no terminating chunk: the client knows the body is cut
    QVERIFY(r.closed);
    const QList<QJsonObject> events = sseEvents(r.body);
    QCOMPARE(events.size(), 3); // two real events, then the gateway's error event
    QCOMPARE(events.last()[QLatin1String("error")][QLatin1String("code")].toInt(), 502);
    const QByteArray log = f.accessLog();
    QVERIFY(log.contains("\"error\":\"upstream_closed\""));
}

void TstStreaming::slowClientAppliesBackpressure() {
    GatewayFixture f(1);
    f.config->server.workers = 1;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    // A client that reads nothing: its kernel buffers fill, then the gateway's send queue passes its high-water
    // mark and the gateway stops reading the upstream, whose own sends then block. 100000 events of ~250 bytes
    // with no spacing (about 25 MB, more than all the socket buffers on the way) would be over in well under a second
    // without backpressure.
    c.socket()->setReadBufferSize(1);
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "100000"}}), kBody);
    QTest::qWait(1500);
    QCOMPARE(f.upstream.activeStreams(), 1); // the upstream is still being held back
    // Now read: everything arrives, complete.
    c.socket()->setReadBufferSize(0);
    QVERIFY(c.waitForResponse(30'000));
    QVERIFY(c.response().complete);
    QCOMPARE(c.response().body.count("data: "), 100000);
}

void TstStreaming::stalledClientIsDropped() {
    // A client that stops reading for longer than the idle timeout loses its connection, and its upstream stream
    // is cancelled: it cannot pin a connection slot and the queued response forever.
    GatewayFixture f(1);
    f.config->server.workers = 1;
    f.config->server.idleTimeoutMs = 500;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.socket()->setReadBufferSize(1);
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "100000"}}), kBody);
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.abortedByClient(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(f.controller.currentMetrics().activeConnections, 0, 3000);
    QCOMPARE(f.upstream.activeStreams(), 0);
}

void TstStreaming::qnamTransportStreamsToo() {
    GatewayFixture f(1);
    f.config->gemini.transport = UpstreamTransportKind::Http2;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", kSse, GatewayFixture::auth({{"x-fake-chunks", "4"}, {"x-fake-interval-ms", "200"}}), kBody);
    QVERIFY(c.waitForResponse(10'000));
    QCOMPARE(c.response().status, 200);
    QVERIFY(c.response().complete);
    QCOMPARE(sseEvents(c.response().body).size(), 4);
    QVERIFY(c.response().pieces.last().first - c.response().pieces.first().first >= 400);
    QCOMPARE(f.upstream.requests().value(0).header("accept-encoding"), QByteArray("identity"));
    // Non-streaming through QNAM, with a retry after 429.
    f.upstream.setKeyBehaviorCount(upstreamKey(1), FakeUpstream::RateLimitMinute, 0);
    const RawResponse r =
        f.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", GatewayFixture::auth(), kBody);
    QCOMPARE(r.status, 200);
}

QTEST_GUILESS_MAIN(TstStreaming)
#include "tst_streaming.moc"
