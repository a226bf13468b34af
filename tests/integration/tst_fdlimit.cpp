// The real headless executable under a low open-file limit: it raises its soft limit to the hard one and says what
// it got; when connections use up every descriptor it keeps running, pauses accepting, and serves new connections
// again once the old ones are gone (accepting never stops for good), without spinning the listener thread while it
// waits for descriptors.

#include "artifacts.h"
#include "fakeupstream.h"
#include "rawhttpclient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

#include <sys/resource.h>

using namespace gemgate::test;

namespace {
// CPU time (user + system, clock ticks) of the process's thread with this name (its comm), -1 when there is none.
qint64 threadTicks(qint64 pid, const QByteArray& name) {
    const QString dir = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tids = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& tid : tids) {
        QFile comm(dir + QLatin1Char('/') + tid + QStringLiteral("/comm"));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != name)
            continue;
        QFile stat(dir + QLatin1Char('/') + tid + QStringLiteral("/stat"));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray text = stat.readAll();
        // Fields after "(comm) ": state is the 3rd field of the line, utime the 14th, stime the 15th.
        const QList<QByteArray> f = text.mid(text.lastIndexOf(')') + 2).split(' ');
        return f.size() > 12 ? f.at(11).toLongLong() + f.at(12).toLongLong() : -1;
    }
    return -1;
}

const QByteArray kClient = "gg-fdlimit-client-key-abcdefghijklmn";
const QByteArray kKey = "AIzaSyFdLimitKeyNumberOne-abcdefghijklm";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
} // namespace

class TstFdLimit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void survivesRunningOutOfDescriptors_data();
    void survivesRunningOutOfDescriptors();
};

void TstFdLimit::survivesRunningOutOfDescriptors_data() {
    QTest::addColumn<int>("soft");
    QTest::addColumn<int>("hard");
    QTest::newRow("soft = hard = 64") << 64 << 64;
    QTest::newRow("soft 64, hard 160: raised") << 64 << 160;
}

void TstFdLimit::survivesRunningOutOfDescriptors() {
    QFETCH(int, soft);
    QFETCH(int, hard);
    FakeUpstream upstream;
    QVERIFY(upstream.start(2));
    QTemporaryDir dir(artifactTemplate(QStringLiteral("fdlimit")));
    const QString cfgPath = dir.filePath(QStringLiteral("gemgate.yaml"));
    QFile cfg(cfgPath);
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write("server:\n  host: 127.0.0.1\n  port: 0\n  workers: 2\n"
              "gemini:\n  base_url: " +
              upstream.baseUrl().toEncoded() + "\n  api_keys:\n    - id: one\n      key: " + kKey +
              "\nauth:\n  enabled: true\n  client_keys:\n    - id: t\n      key: " + kClient +
              "\nlog:\n  access_log: " + dir.filePath(QStringLiteral("access.log")).toUtf8() +
              "\nstorage:\n  database: " + dir.filePath(QStringLiteral("gemgate.db")).toUtf8() +
              "\nmetrics:\n  prometheus_port: 0\n");
    cfg.close();

    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    proc.setProcessEnvironment(env);
    // The limit is set between fork and exec, as a service manager or `ulimit -n` would.
    proc.setChildProcessModifier([soft, hard] {
        const rlimit lim{rlim_t(soft), rlim_t(hard)};
        ::setrlimit(RLIMIT_NOFILE, &lim);
    });
    QByteArray err;
    connect(&proc, &QProcess::readyReadStandardError, this, [&] { err += proc.readAllStandardError(); });
    proc.start(QStringLiteral(GEMGATED_PATH), {QStringLiteral("--config"), cfgPath});
    QVERIFY(proc.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("listening on"), 10'000);
    const auto m =
        QRegularExpression(QStringLiteral("listening on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(err));
    const quint16 port = static_cast<quint16>(m.captured(1).toUInt());
    QVERIFY2(port > 0, err.constData());
    // What it got is in the log, and so is the gap to max_connections (default 10000).
    QVERIFY2(err.contains(QByteArray("open files: " + QByteArray::number(hard))), err.constData());
    if (soft < hard)
        QVERIFY2(err.contains(QByteArray("raised from " + QByteArray::number(soft))), err.constData());
    QVERIFY2(err.contains("max_connections"), err.constData());

    const QList<QPair<QByteArray, QByteArray>> auth{{"x-goog-api-key", kClient}};
    auto generate = [&](RawHttpClient& c) {
        c.send("POST", kGenerate, auth, kBody);
        return c.waitForResponse(5000) ? c.response().status : 0;
    };
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(port));
        QCOMPARE(generate(c), 200);
    }

    // More connections than the gateway has descriptors, at once: the kernel completes them all (listen backlog),
    // the gateway accepts what it can.
    RawHttpClient first;
    QVERIFY(first.connectTo(port));
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < hard + 40; ++i) {
        flood.push_back(std::make_unique<QTcpSocket>());
        flood.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    for (const auto& s : flood)
        QTRY_COMPARE(s->state(), QAbstractSocket::ConnectedState);
    const qint64 listenerBefore = threadTicks(proc.processId(), "gemgate-listene");
    QVERIFY(listenerBefore >= 0);
    QTest::qWait(500); // a few rounds of "out of descriptors, pause, try again"
    QCOMPARE(proc.state(), QProcess::Running);
    // Waiting for descriptors is not a busy loop: a spinning listener thread would use the whole 500 ms (50 ticks
    // at 100 Hz); pausing costs next to nothing.
    const qint64 listenerTicks = threadTicks(proc.processId(), "gemgate-listene") - listenerBefore;
    QVERIFY2(listenerTicks < 15, qPrintable(QStringLiteral("listener thread used %1 ticks").arg(listenerTicks)));
    QVERIFY2(err.contains("cannot accept connections"), err.constData());
    // A connection accepted before the descriptors ran out is served.
    first.send("GET", "/health");
    QVERIFY(first.waitForResponse(5000));
    QCOMPARE(first.response().status, 200);

    // Once they are gone, new connections are served again.
    flood.clear();
    RawHttpClient after;
    QVERIFY(after.connectTo(port));
    QCOMPARE(generate(after), 200);
    QCOMPARE(proc.state(), QProcess::Running);

    proc.terminate();
    QVERIFY(proc.waitForFinished(15'000));
    QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
    QCOMPARE(proc.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TstFdLimit)
#include "tst_fdlimit.moc"
