// The metrics building blocks: the latency scale, the per-worker series tables (bounded), the Prometheus rendering
// (buckets cumulative, labels escaped) and the sliding windows behind /performance, on hand-fed time.

#include "metrics/exposition.h"
#include "metrics/perfwindow.h"
#include "metrics/workermetrics.h"

#include <QTest>

using namespace gemgate;

class TstMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void latencyScale_data();
    void latencyScale();
    void renderSumsWorkersAndBuckets();
    void labelsAreEscaped();
    void seriesAreBounded();
    void perfWindows();
    void quantiles();
};

void TstMetrics::latencyScale_data() {
    QTest::addColumn<qint64>("us");
    QTest::addColumn<int>("slot");
    QTest::newRow("zero") << qint64(0) << 0;
    QTest::newRow("100 us") << qint64(100) << 0;
    QTest::newRow("101 us") << qint64(101) << 1;
    QTest::newRow("1 ms") << qint64(1000) << 10;
    QTest::newRow("2.5 ms") << qint64(2500) << 14;
    QTest::newRow("1 s") << qint64(1'000'000) << 40;
    QTest::newRow("1000 s") << qint64(1'000'000'000) << 70;
    QTest::newRow("above") << qint64(2'000'000'000) << 71;
}

void TstMetrics::latencyScale() {
    QFETCH(qint64, us);
    QFETCH(int, slot);
    QCOMPARE(LatencyScale::slot(us), slot);
    if (slot < LatencyScale::kBounds)
        QVERIFY(LatencyScale::upperUs(slot) >= us);
    if (slot > 0)
        QVERIFY(LatencyScale::upperUs(slot - 1) < us);
}

namespace {
RequestSample sample(const QString& client, int status, qint64 latencyUs) {
    RequestSample s;
    s.route = QStringLiteral("POST /v1beta/models/{model}:generateContent");
    s.model = QStringLiteral("gemini-2.5-flash");
    s.client = client;
    s.status = status;
    s.latencyUs = latencyUs;
    s.ttfbUs = latencyUs / 2;
    s.promptTokens = 10;
    s.candidatesTokens = 5;
    return s;
}
} // namespace

void TstMetrics::renderSumsWorkersAndBuckets() {
    WorkerMetrics a, b;
    a.requestDone(sample(QStringLiteral("alice"), 200, 3000));    // 3 ms
    a.requestDone(sample(QStringLiteral("alice"), 200, 700'000)); // 0.7 s
    b.requestDone(sample(QStringLiteral("alice"), 200, 20'000));  // 20 ms
    RequestSample rejected = sample(QString(), 429, 100);
    rejected.errorKind = "rate_limited";
    b.requestDone(rejected);
    a.upstreamAttempt(QStringLiteral("key1"), QStringLiteral("200"));
    b.upstreamAttempt(QStringLiteral("key1"), QStringLiteral("200"));
    ScrapeInput in;
    in.workers = {&a, &b};
    in.reloadsOk = 3;
    KeyStatus k;
    k.id = QStringLiteral("key1");
    k.health = KeyHealth::CoolingDown;
    in.keys = {k};
    const QByteArray text = renderPrometheus(in);
    auto has = [&](const char* line) {
        if (!text.contains(QByteArray(QByteArray(line) + "\n")))
            qWarning("missing: %s\n%s", line, text.constData());
        return text.contains(QByteArray(QByteArray(line) + "\n"));
    };
    QVERIFY(
        has("gemgate_requests_total{route=\"POST "
            "/v1beta/models/{model}:generateContent\",model=\"gemini-2.5-flash\",status=\"200\",client=\"alice\"} 3"));
    QVERIFY(has("gemgate_upstream_requests_total{key=\"key1\",status=\"200\"} 2"));
    QVERIFY(has("gemgate_rejections_total{kind=\"rate_limited\"} 1"));
    QVERIFY(has("gemgate_tokens_total{direction=\"prompt\",model=\"gemini-2.5-flash\",client=\"alice\"} 30"));
    QVERIFY(has("gemgate_config_reloads_total{result=\"ok\"} 3"));
    QVERIFY(has("gemgate_keys{state=\"cooling\"} 1"));
    QVERIFY(has("gemgate_key_state{key=\"key1\",state=\"cooling\"} 1"));
    QVERIFY(has("gemgate_key_state{key=\"key1\",state=\"available\"} 0"));
    // Cumulative buckets: 3 ms <= 0.005, 20 ms <= 0.025, 0.7 s <= 1, the 429 (100 µs) <= 0.001.
    const char* route = "route=\"POST /v1beta/models/{model}:generateContent\"";
    QVERIFY(has(
        QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"0.001\"} 1").constData()));
    QVERIFY(has(
        QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"0.005\"} 2").constData()));
    QVERIFY(has(
        QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"0.025\"} 3").constData()));
    QVERIFY(
        has(QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"0.5\"} 3").constData()));
    QVERIFY(
        has(QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"1\"} 4").constData()));
    QVERIFY(has(
        QByteArray(QByteArray("gemgate_request_duration_seconds_bucket{") + route + ",le=\"+Inf\"} 4").constData()));
    QVERIFY(has(QByteArray(QByteArray("gemgate_request_duration_seconds_count{") + route + "} 4").constData()));
}

void TstMetrics::labelsAreEscaped() {
    WorkerMetrics w;
    w.requestDone(sample(QStringLiteral("we\"ird\\name\nx"), 200, 1000));
    ScrapeInput in;
    in.workers = {&w};
    const QByteArray text = renderPrometheus(in);
    QVERIFY2(text.contains("client=\"we\\\"ird\\\\name\\nx\""), text.constData());
}

void TstMetrics::seriesAreBounded() {
    WorkerMetrics w;
    const size_t max = SeriesTable<4, SoloCounter>::kMaxSeries;
    for (size_t i = 0; i < max + 500; ++i)
        w.requestDone(sample(QStringLiteral("client-%1").arg(i), 200, 1000));
    size_t series = 0;
    quint64 total = 0, other = 0;
    w.requests.forEach([&](const auto& labels, const SoloCounter& v) {
        ++series;
        total += v.get();
        if (labels[0] == QLatin1String("other"))
            other += v.get();
    });
    QCOMPARE(series, max + 1);
    QCOMPARE(total, quint64(max + 500)); // nothing lost, the overflow folded into one series
    QCOMPARE(other, quint64(500));
}

void TstMetrics::perfWindows() {
    PerfWindow p;
    PerfWindow::Totals t;
    qint64 now = 1'700'000'000'000;
    // 10 minutes: 2 requests per second (one at 10 ms, one at 100 ms; 5xx every 10th second).
    for (int s = 0; s < 600; ++s) {
        t.requests += 2;
        t.latency[size_t(LatencyScale::slot(10'000))] += 1;
        t.latency[size_t(LatencyScale::slot(100'000))] += 1;
        t.ttfb[size_t(LatencyScale::slot(5'000))] += 2;
        if (s % 10 == 0)
            t.errors += 1;
        p.sample(now, t);
        now += 1000;
    }
    const PerfWindow::Stats minute = p.stats(60);
    QCOMPARE(minute.requests, quint64(120));
    QCOMPARE(minute.coveredSeconds, 60);
    QCOMPARE(minute.requestsPerSecond, 2.0);
    QCOMPARE(minute.errors, quint64(6));
    QCOMPARE(p.stats(300).requests, quint64(600));
    // The hour window has all 10 minutes (to the minute).
    const PerfWindow::Stats hour = p.stats(3600);
    QVERIFY2(hour.requests >= 1180 && hour.requests <= 1200, qPrintable(QString::number(hour.requests)));
    QCOMPARE(hour.coveredSeconds, 600);
    // p50 lands in the 10 ms bucket (8..10 ms), p95/p99 in the 100 ms one (80..100 ms).
    QVERIFY(minute.latency.p50 > 8 && minute.latency.p50 <= 10);
    QVERIFY(minute.latency.p95 > 80 && minute.latency.p95 <= 100);
    QVERIFY(minute.latency.p99 >= minute.latency.p95 && minute.latency.p99 <= 100);
    QVERIFY(minute.ttfb.p50 > 4 && minute.ttfb.p50 <= 5);

    // A quiet minute later, the minute window is empty; a restart's smaller totals start over.
    now += 61'000;
    p.sample(now, t);
    QCOMPARE(p.stats(60).requests, quint64(0));
    QCOMPARE(p.stats(60).latency.p99, 0.0);
    PerfWindow::Totals restarted;
    restarted.requests = 5;
    now += 1000;
    p.sample(now, restarted);
    QCOMPARE(p.stats(60).requests, quint64(5));
}

void TstMetrics::quantiles() {
    std::array<quint64, LatencyScale::kSlots> slots{};
    QCOMPARE(PerfWindow::quantileMs(slots, 0, 0.5), 0.0);
    slots[size_t(LatencyScale::slot(1'000'000))] = 100; // all at (800 ms, 1 s]
    const double p50 = PerfWindow::quantileMs(slots, 100, 0.5);
    QVERIFY(p50 > 800 && p50 < 1000);
    QCOMPARE(PerfWindow::quantileMs(slots, 100, 1.0), 1000.0);
    slots = {};
    slots[size_t(LatencyScale::kSlots - 1)] = 1; // beyond the scale: reported at its top
    QCOMPARE(PerfWindow::quantileMs(slots, 1, 0.99), 1'000'000.0);
}

QTEST_GUILESS_MAIN(TstMetrics)
#include "tst_metrics.moc"
