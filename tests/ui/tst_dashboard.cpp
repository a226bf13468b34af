// The dashboard as a real widget in the real MainWindow, against a real GatewayController in front of the fake
// upstream: real requests (answered, refused by policy, failed upstream, the client's mistake) show up in the
// requests chart under their outcome, in the per-key chart as one area per key, in the latency and token charts
// and in the quota table; the window buttons change the charts' range; after a restart, the traffic history is read
// back from the usage records.

#include "control/gatewaycontroller.h"
#include "dashboardpage.h"
#include "gatewayfixture.h"
#include "mainwindow.h"
#include "quotapanel.h"

#include <QAbstractButton>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>

#include <functional>
#include <memory>

using namespace gemgate;
using namespace gemgate::test;

namespace {

// The sum of a line's values times the seconds each point stands for: the number of requests it shows.
double area(const QLineSeries* line, double secondsPerPoint) {
    double sum = 0;
    for (const QPointF& p : line->points())
        sum += p.y() * secondsPerPoint;
    return sum;
}

QLineSeries* line(QChart* chart, const QString& name) {
    for (QAbstractSeries* s : chart->series())
        if (s->name() == name)
            return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

} // namespace

class TestDashboard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void firstPageAndTiles();
    void chartsFollowRealTraffic();
    void windowButtonsChangeTheRange();
    void quotaTableListsKeysAndModels();
    void historyReadBackAfterRestart();
    void rebucketSumsAndKeepsSpikes();

private:
    // Sends the mix of requests every test uses: 5 answered, 2 without a valid client key, 1 that fails upstream on
    // both keys, 1 to a path that does not exist.
    void sendMix();
    // Waits for snapshots until `done` holds (each snapshot redraws the visible dashboard).
    bool waitFor(const std::function<bool()>& done);

    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
};

void TestDashboard::init() {
    m_fixture = std::make_unique<GatewayFixture>(2);
    QVERIFY(m_fixture->start());
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestDashboard::cleanup() {
    m_window.reset();
    m_fixture.reset();
}

void TestDashboard::sendMix() {
    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(m_fixture->generate({{"x-goog-api-key", "gg-wrong"}}).status, 401);
    m_fixture->upstream.setKeyBehaviorCount(upstreamKey(1), FakeUpstream::Internal, 5);
    m_fixture->upstream.setKeyBehaviorCount(upstreamKey(2), FakeUpstream::Internal, 5);
    QCOMPARE(m_fixture->generate().status, 500);
    m_fixture->upstream.clearKeyBehaviors();
    QCOMPARE(m_fixture->request("GET", "/no/such/path").status, 404);
}

bool TestDashboard::waitFor(const std::function<bool()>& done) {
    QSignalSpy spy(&m_fixture->controller, &GatewayController::metricsUpdated);
    for (int i = 0; i < 6; ++i) {
        if (done())
            return true;
        if (!spy.wait(3000))
            return false;
    }
    return done();
}

void TestDashboard::firstPageAndTiles() {
    QCOMPARE(m_window->currentPage(), MainWindow::Page::Dashboard);
    QVERIFY(m_window->dashboard()->isVisible());
    auto* requests = m_window->findChild<QLabel*>(QStringLiteral("requestsValue"));
    QVERIFY(requests);
    sendMix();
    QVERIFY(waitFor([&] { return requests->text() == QLatin1String("9"); }));
    QCOMPARE(m_window->findChild<QLabel*>(QStringLiteral("errorsValue"))->text(), QStringLiteral("4"));
}

void TestDashboard::chartsFollowRealTraffic() {
    sendMix();
    DashboardPage* d = m_window->dashboard();
    QCOMPARE(d->windowSeconds(), 300);
    const double perPoint = double(d->windowSeconds()) / DashboardPage::kBuckets;
    QChart* requests = d->chart(DashboardPage::Chart::Requests);
    const auto counted = [&](const char* name) {
        return qRound(area(line(requests, QString::fromLatin1(name)), perPoint));
    };
    QVERIFY2(waitFor([&] {
                 return counted("Answered") == 5 && counted("Refused by policy") == 2 &&
                        counted("Upstream errors") == 1 && counted("Client errors") == 1;
             }),
             qPrintable(QStringLiteral("answered %1, refused %2, upstream %3, client %4")
                            .arg(counted("Answered"))
                            .arg(counted("Refused by policy"))
                            .arg(counted("Upstream errors"))
                            .arg(counted("Client errors"))));

    // Per key: one area per key that was asked (the failing request tried both), stacked.
    QChart* keys = d->chart(DashboardPage::Chart::Keys);
    QStringList names;
    for (QAbstractSeries* s : keys->series()) {
        QVERIFY(qobject_cast<QAreaSeries*>(s));
        names.append(s->name());
    }
    QCOMPARE(names, (QStringList{QStringLiteral("key1"), QStringLiteral("key2")}));
    auto* top = qobject_cast<QAreaSeries*>(keys->series().last())->upperSeries();
    // 5 answered + the failed request's attempts (one per key at least) = the stack's top.
    QVERIFY(qRound(area(top, perPoint)) >= 7);

    // Latency and tokens have points from the answered requests.
    QChart* latency = d->chart(DashboardPage::Chart::Latency);
    QVERIFY(!line(latency, QStringLiteral("p50"))->points().isEmpty());
    for (const QPointF& p : line(latency, QStringLiteral("p99"))->points())
        QVERIFY(p.y() >= 0 && p.y() < 10'000);
    QChart* tokens = d->chart(DashboardPage::Chart::Tokens);
    QVERIFY(area(line(tokens, QStringLiteral("Input")), perPoint / 60) > 0);

    // The connections chart has a point for every live second.
    QVERIFY(
        !line(d->chart(DashboardPage::Chart::Connections), QStringLiteral("Client connections"))->points().isEmpty());
}

void TestDashboard::windowButtonsChangeTheRange() {
    DashboardPage* d = m_window->dashboard();
    auto* button = d->findChild<QAbstractButton*>(QStringLiteral("window15Button"));
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(d->windowSeconds(), 900);
    auto* x = qobject_cast<QDateTimeAxis*>(d->chart(DashboardPage::Chart::Requests)->axes(Qt::Horizontal).first());
    QVERIFY(x);
    QCOMPARE(x->min().msecsTo(x->max()), qint64(900'000));
    QTest::mouseClick(d->findChild<QAbstractButton*>(QStringLiteral("window60Button")), Qt::LeftButton);
    QCOMPARE(x->min().msecsTo(x->max()), qint64(3'600'000));
    QVERIFY(d->findChild<QAbstractButton*>(QStringLiteral("window60Button"))->isChecked());
    QVERIFY(!button->isChecked());
}

void TestDashboard::quotaTableListsKeysAndModels() {
    sendMix();
    auto* table = m_window->findChild<QTableWidget*>(QStringLiteral("quotaTable"));
    QVERIFY(table);
    QVERIFY(waitFor([&] { return table->rowCount() >= 2; }));
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r)
        rows.append(table->item(r, QuotaPanel::KeyColumn)->text() + QLatin1Char('/') +
                    table->item(r, QuotaPanel::ModelColumn)->text());
    QVERIFY2(rows.contains(QStringLiteral("key1/gemini-2.5-flash")), qPrintable(rows.join(u',')));
    QVERIFY2(rows.contains(QStringLiteral("key2/gemini-2.5-flash")), qPrintable(rows.join(u',')));
    // An issued client with a daily quota shows its use against it.
    NewClient c;
    c.name = QStringLiteral("agent");
    c.limits.requestsPerDay = 10;
    QString error;
    const std::optional<IssuedClient> issued = m_fixture->controller.addClient(c, &error);
    QVERIFY2(issued, qPrintable(error));
    QCOMPARE(m_fixture->generate({{"x-goog-api-key", issued->key}}).status, 200);
    auto* clients = m_window->findChild<QTableWidget*>(QStringLiteral("clientQuotaTable"));
    QVERIFY(clients);
    auto* panel = m_window->findChild<QuotaPanel*>(QStringLiteral("quotaPanel"));
    for (int i = 0; i < 10; ++i)
        panel->refresh(); // the client rows are re-read every tenth refresh
    QCOMPARE(clients->rowCount(), 1);
    QCOMPARE(clients->item(0, 0)->text(), QStringLiteral("agent"));
    QCOMPARE(clients->item(0, 1)->text(), QStringLiteral("1 / 10"));
    QVERIFY(clients->isVisible());
    // No limit configured: the forecast says so, the reset is within a day.
    QCOMPARE(table->item(0, QuotaPanel::ForecastColumn)->text(), QStringLiteral("no daily limit"));
    QVERIFY(!table->item(0, QuotaPanel::ResetColumn)->text().isEmpty());
}

void TestDashboard::historyReadBackAfterRestart() {
    sendMix();
    m_window.reset();
    m_fixture->controller.stop(); // flushes the usage records
    // A new controller (a new run of GemGate) on the same state database: the charts start with what happened.
    GatewayController second;
    QString error;
    QVERIFY2(second.start(m_fixture->config, &error), qPrintable(error));
    const QList<TrafficPoint> points = second.trafficHistory(3600);
    QVERIFY(!points.isEmpty());
    qint64 outcomes[kOutcomeCount] = {};
    qint64 keyRequests = 0, prompt = 0;
    for (const TrafficPoint& p : points) {
        QVERIFY(p.spanSeconds >= 1 && p.spanSeconds <= TrafficHistory::kReadBackBucketSeconds);
        for (int o = 0; o < kOutcomeCount; ++o)
            outcomes[o] += p.outcomes[size_t(o)];
        for (const auto& [key, n] : p.perKey)
            keyRequests += n;
        prompt += p.promptTokens;
    }
    QCOMPARE(outcomes[int(Outcome::Ok)], 5);
    QCOMPARE(outcomes[int(Outcome::Rejected)], 2);
    QCOMPARE(outcomes[int(Outcome::UpstreamError)], 1);
    QCOMPARE(outcomes[int(Outcome::ClientError)], 1);
    QCOMPARE(keyRequests, 6); // read back: requests by the key of their last attempt
    QVERIFY(prompt > 0);
    QVERIFY(points.last().latencySamples > 0);
    // The live points that follow come after the read-back ones.
    QSignalSpy spy(&second, &GatewayController::metricsUpdated);
    QVERIFY(spy.wait(3000));
    const QList<TrafficPoint> after = second.trafficHistory(3600);
    QCOMPARE(after.size(), points.size() + 1);
    QVERIFY(after.last().atMs > points.last().atMs);
    second.stop();
}

void TestDashboard::rebucketSumsAndKeepsSpikes() {
    QList<TrafficPoint> points;
    for (int i = 0; i < 10; ++i) {
        TrafficPoint p;
        p.atMs = 1'000'000 + (i + 1) * 1000;
        p.outcomes[size_t(Outcome::Ok)] = 2;
        p.latencySamples = 2;
        p.latencyP50 = 10;
        p.latencyP99 = i == 4 ? 900 : 20;
        p.perKey = {{QStringLiteral("a"), 1}, {QStringLiteral("b"), 1}};
        points.append(p);
    }
    // 10 s in 2 buckets of 5 s.
    const QList<TrafficBucket> b = TrafficHistory::rebucket(points, 1'010'000, 10, 2);
    QCOMPARE(b.size(), 2);
    QCOMPARE(b[0].outcomes[size_t(Outcome::Ok)], 10.0);
    QCOMPARE(b[1].outcomes[size_t(Outcome::Ok)], 10.0);
    QCOMPARE(b[0].latencyP99, 900.0); // the spike survives
    QCOMPARE(b[1].latencyP99, 20.0);
    QCOMPARE(b[0].latencyP50, 10.0);
    QCOMPARE(b[0].perKey.size(), 2);
    QCOMPARE(b[0].perKey[0].second, 5.0);
    QCOMPARE(b[1].endMs, 1'010'000);
    QCOMPARE(b[0].seconds, 5.0);

    // A 10-second point over 4-second buckets: shared by overlap, the sum kept.
    TrafficPoint wide;
    wide.atMs = 1'010'000;
    wide.spanSeconds = 10;
    wide.outcomes[size_t(Outcome::Ok)] = 100;
    const QList<TrafficBucket> w = TrafficHistory::rebucket({wide}, 1'012'000, 12, 3);
    QCOMPARE(w[0].outcomes[0], 40.0);
    QCOMPARE(w[1].outcomes[0], 40.0);
    QCOMPARE(w[2].outcomes[0], 20.0);
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
