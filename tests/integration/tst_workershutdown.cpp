// A worker's shutdown leaves nothing behind: every client connection (with its socket and its sessions) is deleted
// before the worker goes, whether it was idle, closed a moment before, or in the middle of a request. The worker
// runs on the test's thread here, so that nothing gets an event-loop pass between shutdown() and the worker's end:
// exactly the moment a stopping worker thread's loop may already have ended.

#include "gatewayfixture.h"
#include "net/httpconnection.h"
#include "net/listener.h"
#include "net/worker.h"
#include "runtime/runtime.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace gemgate;
using namespace gemgate::test;

namespace {
const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
} // namespace

class TstWorkerShutdown : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shutdownDeletesEveryConnection_data();
    void shutdownDeletesEveryConnection();
    void controllerStopAndRestart();

private:
    FakeUpstream m_upstream;
};

void TstWorkerShutdown::initTestCase() {
    QVERIFY(m_upstream.start(2));
}

void TstWorkerShutdown::shutdownDeletesEveryConnection_data() {
    QTest::addColumn<int>("idle");     // connected; one request answered, keep-alive
    QTest::addColumn<int>("fresh");    // connected, nothing sent yet
    QTest::addColumn<int>("inFlight"); // a request waiting for a slow upstream
    QTest::addColumn<bool>("drain");   // drain first: the idle ones close a moment before the shutdown
    QTest::addColumn<int>("rounds");   // start, stop, start again...
    QTest::newRow("idle") << 2 << 1 << 0 << false << 1;
    QTest::newRow("in flight") << 0 << 0 << 2 << false << 1;
    QTest::newRow("just closed by a drain") << 2 << 1 << 1 << true << 1;
    QTest::newRow("restarted") << 1 << 1 << 1 << true << 3;
}

void TstWorkerShutdown::shutdownDeletesEveryConnection() {
    QFETCH(int, idle);
    QFETCH(int, fresh);
    QFETCH(int, inFlight);
    QFETCH(bool, drain);
    QFETCH(int, rounds);
    QCOMPARE(HttpConnection::liveCount(), 0);
    QCOMPARE(ProxySession::liveCount(), 0);

    auto config = std::make_shared<Config>();
    config->auth.enabled = false;
    config->gemini.baseUrl = m_upstream.baseUrl();
    config->gemini.apiKeys.append(UpstreamKey::literal(QStringLiteral("k1"), QStringLiteral("AIzaSyShutdownKey1"), 1));
    QString error;
    RuntimePtr runtime = buildRuntime(config, &error);
    QVERIFY2(runtime, qPrintable(error));

    for (int round = 0; round < rounds; ++round) {
        SharedState shared;
        shared.keys.configure(config->gemini);
        shared.runtime.store(runtime);
        auto worker = std::make_unique<Worker>(&shared, 0);
        worker->init();
        Listener listener(&shared, {worker.get()}, 100);
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));

        std::vector<std::unique_ptr<RawHttpClient>> clients;
        auto connect = [&] {
            clients.push_back(std::make_unique<RawHttpClient>());
            return clients.back()->connectTo(listener.serverPort());
        };
        for (int i = 0; i < idle; ++i) {
            QVERIFY(connect());
            clients.back()->send("GET", "/health");
            QVERIFY(clients.back()->waitForResponse());
            QCOMPARE(clients.back()->response().status, 200);
        }
        for (int i = 0; i < fresh; ++i)
            QVERIFY(connect());
        for (int i = 0; i < inFlight; ++i) {
            QVERIFY(connect());
            clients.back()->send("POST", kGenerate, {{"x-fake-delay-ms", "20000"}}, kBody);
        }
        const int total = idle + fresh + inFlight;
        QTRY_COMPARE(worker->counters().connections.load(), total);
        QTRY_COMPARE(worker->counters().activeRequests.load(), inFlight);
        QCOMPARE(HttpConnection::liveCount(), total);

        // No event-loop pass from here on: what the worker does not delete itself now is never deleted.
        if (drain)
            worker->startDrain();
        worker->shutdown();
        worker.reset();
        QCOMPARE(HttpConnection::liveCount(), 0);
        QCOMPARE(ProxySession::liveCount(), 0);
        QCOMPARE(shared.connections.load(), 0);
    }
}

void TstWorkerShutdown::controllerStopAndRestart() {
    // The same through the controller, with real worker threads: stop, start again, stop.
    GatewayFixture f(1);
    for (int round = 0; round < 2; ++round) {
        QVERIFY(f.start());
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::make_unique<RawHttpClient>());
            QVERIFY(clients.back()->connectTo(f.port()));
        }
        clients[0]->send("GET", "/health");
        QVERIFY(clients[0]->waitForResponse());
        clients[1]->send("POST", kGenerate, GatewayFixture::auth({{"x-fake-delay-ms", "20000"}}), kBody);
        QTRY_COMPARE(f.controller.currentMetrics().activeRequests, 1);
        clients[2]->close();
        f.controller.stop();
        QCOMPARE(HttpConnection::liveCount(), 0);
        QCOMPARE(ProxySession::liveCount(), 0);
    }
}

QTEST_GUILESS_MAIN(TstWorkerShutdown)
#include "tst_workershutdown.moc"
