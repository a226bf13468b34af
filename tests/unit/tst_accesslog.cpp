// AccessLog: the hand-written line is byte for byte what Qt's JSON writer made of the same record (keys in
// alphabetical order, escapes, numbers, UTC times); lines from many threads all reach the file, each thread's in
// its order; a target change keeps lines apart; a line appended while the writer is idle reaches the file
// without flush().

#include "log/accesslog.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <thread>
#include <vector>

using namespace gemgate;

class TestAccessLog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void formatMatchesQtJson_data();
    void formatMatchesQtJson();
    void manyThreadsLoseNothing();
    void targetChangeKeepsLinesApart();
    void idleWriterIsWokenByALine();
    void noTargetDiscards();
};

namespace {

// What the log wrote before it formatted lines by hand: the reference.
QByteArray qtJsonLine(const AccessRecord& r) {
    QJsonObject o;
    o.insert(QLatin1String("time"), QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC).toString(Qt::ISODateWithMs));
    o.insert(QLatin1String("request_id"), QString::fromLatin1(r.requestId));
    o.insert(QLatin1String("client"), r.clientId);
    o.insert(QLatin1String("peer"), QString::fromLatin1(r.peer));
    o.insert(QLatin1String("method"), QString::fromLatin1(r.method));
    o.insert(QLatin1String("path"), QString::fromUtf8(r.path));
    o.insert(QLatin1String("model"), r.model);
    o.insert(QLatin1String("key"), r.keyId);
    o.insert(QLatin1String("status"), r.status);
    o.insert(QLatin1String("stream"), r.stream);
    o.insert(QLatin1String("latency_ms"), static_cast<double>(r.latencyUs) / 1000.0);
    o.insert(QLatin1String("ttfb_ms"),
             r.ttfbUs < 0 ? QJsonValue() : QJsonValue(static_cast<double>(r.ttfbUs) / 1000.0));
    o.insert(QLatin1String("bytes_in"), r.bytesIn);
    o.insert(QLatin1String("bytes_out"), r.bytesOut);
    o.insert(QLatin1String("prompt_tokens"), r.promptTokens);
    o.insert(QLatin1String("cached_tokens"), r.cachedTokens);
    o.insert(QLatin1String("output_tokens"), r.outputTokens);
    o.insert(QLatin1String("total_tokens"), r.totalTokens);
    o.insert(QLatin1String("attempts"), r.attempts);
    o.insert(QLatin1String("error"),
             r.errorKind.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(r.errorKind)));
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

AccessRecord sample() {
    AccessRecord r;
    r.timeMs = 1796646825123; // 2026-12-07T12:33:45.123Z
    r.requestId = "1-2a";
    r.clientId = QStringLiteral("bench");
    r.method = "POST";
    r.path = "/v1beta/models/gemini-2.5-flash:generateContent";
    r.model = QStringLiteral("gemini-2.5-flash");
    r.keyId = QStringLiteral("k1");
    r.status = 200;
    r.latencyUs = 1234;
    r.ttfbUs = 987;
    r.bytesIn = 1100;
    r.bytesOut = 734;
    r.promptTokens = 12;
    r.cachedTokens = 3;
    r.outputTokens = 40;
    r.totalTokens = 55;
    r.attempts = 1;
    r.peer = "127.0.0.1";
    return r;
}

QList<QByteArray> fileLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

void TestAccessLog::formatMatchesQtJson_data() {
    QTest::addColumn<AccessRecord>("record");
    QTest::newRow("plain") << sample();
    AccessRecord r = sample();
    r.ttfbUs = -1;
    r.errorKind = "upstream_timeout";
    r.stream = true;
    QTest::newRow("error, no byte sent") << r;
    r = sample();
    r.clientId = QStringLiteral("équipe \"α\" \\ 客户");
    r.model = QStringLiteral("tab\there\nnewline\x01\x1f");
    r.path = "/v1beta/models/\xe6\xa8\xa1\xe5\x9e\x8b:generateContent";
    QTest::newRow("unicode and escapes") << r;
    r = sample();
    r.path = QByteArray("/bad/\xff\xfe\xc3/utf8\x7f\b\f\r", 19);
    r.method = "G\xe9T";
    QTest::newRow("invalid UTF-8 and Latin-1") << r;
    r = sample();
    r.latencyUs = 1'000'000'000;
    r.ttfbUs = 0;
    QTest::newRow("a 1000 s stream") << r;
    r = sample();
    r.latencyUs = 123'456'789;
    r.ttfbUs = 1;
    QTest::newRow("fractions") << r;
    r.latencyUs = 9'876'543'210'001;
    r.ttfbUs = 100'000'000'000'001;
    QTest::newRow("large fractions") << r;
    r = sample();
    r.latencyUs = 0;
    r.timeMs = 0;
    QTest::newRow("epoch") << r;
    r = sample();
    r.timeMs = QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch();
    QTest::newRow("leap day") << r;
    r = sample();
    r.timeMs = QDateTime(QDate(2100, 3, 1), QTime(0, 0, 0, 7), Qt::UTC).toMSecsSinceEpoch();
    QTest::newRow("2100-03-01") << r;
    r = sample();
    r.bytesIn = std::numeric_limits<qint64>::max() / 2;
    r.status = 0;
    r.clientId.clear();
    r.keyId.clear();
    r.model.clear();
    QTest::newRow("empty fields, large numbers") << r;
}

void TestAccessLog::formatMatchesQtJson() {
    QFETCH(AccessRecord, record);
    QCOMPARE(AccessLog::format(record), qtJsonLine(record));
}

void TestAccessLog::manyThreadsLoseNothing() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("access.log"));
    AccessLog log;
    QString error;
    QVERIFY2(log.setTarget(path, &error), qPrintable(error));
    constexpr int kThreads = 6;
    constexpr int kLines = 3000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&log, t] {
            AccessRecord r = sample();
            for (int i = 0; i < kLines; ++i) {
                r.requestId = QByteArray::number(t) + '-' + QByteArray::number(i);
                log.append(r);
            }
        });
    }
    for (auto& th : threads)
        th.join();
    log.flush();
    const QList<QByteArray> lines = fileLines(path);
    QCOMPARE(lines.size(), kThreads * kLines);
    QList<int> next(kThreads, 0);
    for (const QByteArray& line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QVERIFY2(!o.isEmpty(), line.constData());
        const QList<QByteArray> id = o.value(QLatin1String("request_id")).toString().toLatin1().split('-');
        const int t = id.at(0).toInt();
        QCOMPARE(id.at(1).toInt(), next[t]); // each thread's lines in the order it appended them
        ++next[t];
    }
}

void TestAccessLog::targetChangeKeepsLinesApart() {
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.log"));
    const QString b = dir.filePath(QStringLiteral("b.log"));
    AccessLog log;
    QVERIFY(log.setTarget(a, nullptr));
    AccessRecord r = sample();
    r.requestId = "first";
    log.append(r);
    QVERIFY(log.setTarget(b, nullptr));
    r.requestId = "second";
    log.append(r);
    log.flush();
    QCOMPARE(fileLines(a), QList<QByteArray>{AccessLog::format(sample()).replace("1-2a", "first").chopped(1)});
    QCOMPARE(fileLines(b), QList<QByteArray>{AccessLog::format(sample()).replace("1-2a", "second").chopped(1)});
    QString error;
    QVERIFY(!log.setTarget(dir.filePath(QStringLiteral("missing/dir/c.log")), &error));
    QVERIFY2(error.contains(QLatin1String("cannot open access log")), qPrintable(error));
    log.append(r); // still goes to b
    log.flush();
    QCOMPARE(fileLines(b).size(), 2);
}

void TestAccessLog::idleWriterIsWokenByALine() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("access.log"));
    AccessLog log;
    QVERIFY(log.setTarget(path, nullptr));
    // Let the writer find nothing and go idle (it then waits for a kick, with no timer), several times over.
    for (int i = 1; i <= 3; ++i) {
        QTest::qWait(3 * AccessLog::kSweepMs);
        log.append(sample());
        QTRY_COMPARE_WITH_TIMEOUT(fileLines(path).size(), i, 10000);
    }
}

void TestAccessLog::noTargetDiscards() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("access.log"));
    AccessLog log; // no target yet: nowhere
    log.append(sample());
    log.flush();
    QVERIFY(log.setTarget(path, nullptr));
    log.append(sample());
    QVERIFY(log.setTarget(QString(), nullptr));
    log.append(sample());
    log.flush();
    QCOMPARE(fileLines(path).size(), 1);
}

QTEST_GUILESS_MAIN(TestAccessLog)
#include "tst_accesslog.moc"
