// QnamTransport and egress proxies: keys may each have their own proxy, and requests for them started in one
// event-loop pass must each leave through their own (or directly, for a key without one). Two fake upstreams play
// the HTTP proxies (they understand the absolute-form target a client sends to a proxy); a third is the upstream
// reached directly.

#include "fakeupstream.h"
#include "upstream/qnamtransport.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace gemgate;
using namespace gemgate::test;

namespace {
struct Recorder final : UpstreamHandler {
    int status = 0;
    bool done = false;
    QString error;
    void onUpstreamHeaders(int s, const HttpHeaders&) override { status = s; }
    void onUpstreamData(const char*, qsizetype) override {}
    void onUpstreamComplete() override { done = true; }
    void onUpstreamError(UpstreamErrorKind, const QString& message) override {
        error = message;
        done = true;
    }
};
} // namespace

class TstQnamTransport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eachRequestLeavesThroughItsOwnProxy_data();
    void eachRequestLeavesThroughItsOwnProxy();
};

void TstQnamTransport::eachRequestLeavesThroughItsOwnProxy_data() {
    // The order the requests start in, within one pass: "a" and "b" through proxies A and B, "d" direct.
    QTest::addColumn<QByteArray>("order");
    QTest::addColumn<int>("rounds");
    QTest::newRow("a b") << QByteArray("ab") << 1;
    QTest::newRow("b a d") << QByteArray("bad") << 1;
    QTest::newRow("d a b a, twice") << QByteArray("daba") << 2;
}

void TstQnamTransport::eachRequestLeavesThroughItsOwnProxy() {
    QFETCH(QByteArray, order);
    QFETCH(int, rounds);
    FakeUpstream proxyA;
    FakeUpstream proxyB;
    FakeUpstream direct;
    QVERIFY(proxyA.start());
    QVERIFY(proxyB.start());
    QVERIFY(direct.start());

    QnamTransport transport;
    for (int round = 0; round < rounds; ++round) {
        std::vector<std::unique_ptr<Recorder>> handlers;
        std::vector<std::unique_ptr<UpstreamCall>> calls;
        for (const char which : order) {
            UpstreamRequest r;
            r.method = "POST"; // with a body: Qt starts the request in a later pass
            r.body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
            r.headers.add("content-type", "application/json");
            // Only a proxy can reach this host; the direct request goes to the third fake upstream.
            r.origin = which == 'd' ? direct.baseUrl() : QUrl(QStringLiteral("http://gemini.invalid:9"));
            r.target = "/v1beta/models/gemini-2.5-flash:generateContent";
            r.headers.add("x-goog-api-key", QByteArray("key-") + which);
            r.proxy = which == 'a' ? proxyA.baseUrl() : which == 'b' ? proxyB.baseUrl() : QUrl();
            handlers.push_back(std::make_unique<Recorder>());
            calls.push_back(transport.start(std::move(r), handlers.back().get()));
        }
        for (const auto& h : handlers) {
            QTRY_VERIFY(h->done);
            QVERIFY2(h->error.isEmpty(), qPrintable(h->error));
            QCOMPARE(h->status, 200);
        }
    }
    const auto expected = [&](char which) {
        QMap<QByteArray, int> m;
        if (const int n = int(order.count(which)) * rounds; n > 0)
            m.insert(QByteArray("key-") + which, n);
        return m;
    };
    QCOMPARE(proxyA.requestsPerKey(), expected('a'));
    QCOMPARE(proxyB.requestsPerKey(), expected('b'));
    QCOMPARE(direct.requestsPerKey(), expected('d'));
    for (const FakeUpstream* proxy : {&proxyA, &proxyB}) {
        for (const RecordedRequest& r : proxy->requests())
            QCOMPARE(r.target, QByteArray("http://gemini.invalid:9/v1beta/models/gemini-2.5-flash:generateContent"));
    }
}

QTEST_GUILESS_MAIN(TstQnamTransport)
#include "tst_qnamtransport.moc"
