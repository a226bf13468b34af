// The real executable, headless: start, serve, reload on SIGHUP (good and bad config), drain on SIGTERM while a
// stream is running (the stream completes, the process exits 0).

#include "artifacts.h"
#include "fakeupstream.h"
#include "rawhttpclient.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <csignal>

using namespace gemgate::test;

namespace {
const QByteArray kClient = "gg-e2e-client-key-abcdefghijklmnop";
const QByteArray kKey1 = "AIzaSyE2eKeyNumberOne-abcdefghijklmnopq";
const QByteArray kKey2 = "AIzaSyE2eKeyNumberTwo-abcdefghijklmnopq";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";

QByteArray config(const QUrl& upstream, const QString& log, bool twoKeys, const QByteArray& extra = {}) {
    QByteArray y = "server:\n  host: 127.0.0.1\n  port: 0\n  workers: 2\n  drain_timeout_ms: 15000\n"
                   "gemini:\n  base_url: " +
                   upstream.toEncoded() + "\n  api_keys:\n    - id: one\n      key: ${E2E_KEY_ONE}\n";
    if (twoKeys)
        y += "    - id: two\n      key: " + kKey2 + "\n";
    y += "auth:\n  enabled: true\n  client_keys:\n    - id: e2e\n      key: " + kClient + "\n";
    y += "log:\n  access_log: " + log.toUtf8() + "\n";
    y += "storage:\n  database: " + QFileInfo(log).absolutePath().toUtf8() + "/gemgate.db\n";
    return y + extra;
}

// The port a gateway printed in its "listening on" line (0 when it has not yet).
quint16 listenPort(const QByteArray& stderrText) {
    const auto m =
        QRegularExpression(QStringLiteral("listening on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(stderrText));
    return static_cast<quint16>(m.captured(1).toUInt());
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}
} // namespace

class TstE2eBinary : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lifecycle_data();
    void lifecycle();
    void checkConfigCommand();
    void clientsCommand();
    void usageCommand();
    void usageSurvivesSignals_data();
    void usageSurvivesSignals();
};

void TstE2eBinary::lifecycle_data() {
    QTest::addColumn<QString>("binary");
    QTest::addColumn<QStringList>("args");
#ifdef GEMGATE_GUI_PATH
    QTest::newRow("gemgate --no-gui") << QStringLiteral(GEMGATE_GUI_PATH) << QStringList{QStringLiteral("--no-gui")};
#endif
    QTest::newRow("gemgated") << QStringLiteral(GEMGATED_PATH) << QStringList{};
}

void TstE2eBinary::lifecycle() {
    QFETCH(QString, binary);
    QFETCH(QStringList, args);
    FakeUpstream upstream;
    QVERIFY(upstream.start(2));
    QTemporaryDir dir(artifactTemplate(QStringLiteral("e2e")));
    dir.setAutoRemove(false); // scanned for secrets at the end of the run
    const QString cfgPath = dir.filePath(QStringLiteral("gemgate.yaml"));
    const QString logPath = dir.filePath(QStringLiteral("access.log"));
    QVERIFY(writeFile(cfgPath, config(upstream.baseUrl(), logPath, false)));

    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_KEY_ONE"), QString::fromLatin1(kKey1));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // headless must not need any platform plugin
    proc.setProcessEnvironment(env);
    QByteArray err;
    connect(&proc, &QProcess::readyReadStandardError, this, [&] { err += proc.readAllStandardError(); });
    proc.start(binary, args + QStringList{QStringLiteral("--config"), cfgPath});
    QVERIFY(proc.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("listening on"), 10'000);
    const quint16 port = listenPort(err);
    QVERIFY2(port > 0, err.constData());
    const QList<QPair<QByteArray, QByteArray>> auth{{"x-goog-api-key", kClient}};

    auto call = [&](const QByteArray& target) {
        RawHttpClient c;
        if (!c.connectTo(port))
            return 0;
        c.send("POST", target, auth, kBody);
        c.waitForResponse();
        return c.response().status;
    };
    QCOMPARE(call("/v1beta/models/gemini-2.5-flash:generateContent"), 200);
    QCOMPARE(upstream.requests().last().apiKey, kKey1);

    // SIGHUP with a good config: the second key comes into use without a restart.
    QVERIFY(writeFile(cfgPath, config(upstream.baseUrl(), logPath, true)));
    ::kill(static_cast<pid_t>(proc.processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("config reloaded (2 upstream key(s))"), 5000);
    upstream.clearRequests();
    for (int i = 0; i < 4; ++i)
        QCOMPARE(call("/v1beta/models/gemini-2.5-flash:generateContent"), 200);
    QCOMPARE(upstream.requestsPerKey().value(kKey2), 2);

    // SIGHUP with a bad config: rejected with its errors, the old one keeps serving.
    QVERIFY(writeFile(cfgPath, config(upstream.baseUrl(), logPath, true, "metrics:\n  prometheus_port: lots\n")));
    ::kill(static_cast<pid_t>(proc.processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("reload rejected"), 5000);
    QVERIFY2(err.contains("metrics.prometheus_port"), err.constData());
    QCOMPARE(call("/v1beta/models/gemini-2.5-flash:generateContent"), 200);

    // SIGTERM in the middle of a stream: the stream still completes, then the process exits 0.
    RawHttpClient stream;
    QVERIFY(stream.connectTo(port));
    stream.send("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                {{"x-goog-api-key", kClient}, {"x-fake-chunks", "6"}, {"x-fake-interval-ms", "300"}}, kBody);
    QVERIFY(stream.waitForBodyBytes(1, 5000));
    ::kill(static_cast<pid_t>(proc.processId()), SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("draining"), 3000);
    // New connections are refused while draining.
    RawHttpClient late;
    QVERIFY(!late.connectTo(port, 1000) ||
            (late.send("GET", "/health"), late.waitForResponse(2000), late.response().status == 0));
    QVERIFY(stream.waitForResponse(10'000));
    QVERIFY(stream.response().complete);
    QCOMPARE(stream.response().body.count("data: "), 6);
    QVERIFY(proc.waitForFinished(10'000));
    QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
    QCOMPARE(proc.exitCode(), 0);
    err += proc.readAllStandardError();

    // No secret in anything the process wrote.
    QFile log(logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray logText = log.readAll() + err + proc.readAllStandardOutput();
    QVERIFY(logText.contains("\"status\":200"));
    for (const QByteArray& secret : {kClient, kKey1, kKey2})
        QVERIFY2(!logText.contains(secret), logText.constData());
}

void TstE2eBinary::checkConfigCommand() {
    QTemporaryDir dir;
    const QString good = dir.filePath(QStringLiteral("good.yaml"));
    const QString bad = dir.filePath(QStringLiteral("bad.yaml"));
    QVERIFY(writeFile(good, "server:\n  port: 8081\n"));
    QVERIFY(writeFile(bad, "server:\n  port: nope\n  prot: 1\ngemini:\n  base_url: ftp://x\n"));
    QProcess p;
    p.start(QStringLiteral(GEMGATED_PATH), {QStringLiteral("--check-config"), good});
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardOutput().contains("OK"));
    p.start(QStringLiteral(GEMGATED_PATH), {QStringLiteral("--check-config"), bad});
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitCode(), 1);
    const QByteArray out = p.readAllStandardError();
    // Every problem, each with file:line and the field path.
    QVERIFY2(out.contains("bad.yaml:2:") && out.contains("server.port"), out.constData());
    QVERIFY2(out.contains("bad.yaml:3:") && out.contains("prot"), out.constData());
    QVERIFY2(out.contains("bad.yaml:5:") && out.contains("gemini.base_url"), out.constData());
}

void TstE2eBinary::clientsCommand() {
    FakeUpstream upstream;
    QVERIFY(upstream.start(1));
    QTemporaryDir dir(artifactTemplate(QStringLiteral("e2e-clients")));
    dir.setAutoRemove(false);
    const QString cfgPath = dir.filePath(QStringLiteral("gemgate.yaml"));
    QVERIFY(writeFile(cfgPath, config(upstream.baseUrl(), dir.filePath(QStringLiteral("access.log")), false)));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_KEY_ONE"), QString::fromLatin1(kKey1));
    env.remove(QStringLiteral("DISPLAY"));
    auto cli = [&](const QStringList& words, int* exitCode = nullptr) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(GEMGATED_PATH),
                QStringList{QStringLiteral("--config"), cfgPath, QStringLiteral("clients")} + words);
        p.waitForFinished(15'000);
        if (exitCode)
            *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    };
    auto keyOf = [](const QString& text) {
        const auto m =
            QRegularExpression(QStringLiteral("key \\(shown only now[^)]*\\): (gg_[A-Za-z0-9_-]+)")).match(text);
        return m.hasMatch() ? m.captured(1).toUtf8() : QByteArray();
    };

    // The gateway runs while the CLI changes clients; it notices within two seconds.
    QProcess gw;
    gw.setProcessEnvironment(env);
    QByteArray err;
    connect(&gw, &QProcess::readyReadStandardError, this, [&] { err += gw.readAllStandardError(); });
    gw.start(QStringLiteral(GEMGATED_PATH), {QStringLiteral("--config"), cfgPath});
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("listening on"), 10'000);
    const quint16 port = listenPort(err);
    auto status = [&](const QByteArray& key) {
        RawHttpClient c;
        if (!c.connectTo(port))
            return 0;
        c.send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", {{"Authorization", "Bearer " + key}}, kBody);
        c.waitForResponse();
        return c.response().status;
    };

    int code = -1;
    const QString added = cli({QStringLiteral("add"), QStringLiteral("alice"), QStringLiteral("--namespace"),
                               QStringLiteral("team-a"), QStringLiteral("--owner"), QStringLiteral("Alice")},
                              &code);
    QCOMPARE(code, 0);
    const QByteArray key = keyOf(added);
    QVERIFY2(key.size() >= 40, qPrintable(added));
    QTRY_COMPARE_WITH_TIMEOUT(status(key), 200, 5000);
    QCOMPARE(status("gg_not-a-real-key"), 401);

    cli({QStringLiteral("add"), QStringLiteral("alice")}, &code);
    QCOMPARE(code, 1);                                                                  // names are unique
    const QString minimal = cli({QStringLiteral("add"), QStringLiteral("bob")}, &code); // no options at all
    QVERIFY2(code == 0 && !keyOf(minimal).isEmpty(), qPrintable(minimal));
    QTRY_COMPARE_WITH_TIMEOUT(status(keyOf(minimal)), 200, 5000);
    const QString listed = cli({QStringLiteral("list")}, &code);
    QCOMPARE(code, 0);
    QVERIFY(listed.contains(QStringLiteral("alice")) && listed.contains(QStringLiteral("namespace=team-a")));
    QVERIFY(listed.contains(QString::fromLatin1(key.left(11))));
    QVERIFY(!listed.contains(QString::fromLatin1(key))); // the key is shown once, never again

    QVERIFY(cli({QStringLiteral("disable"), QStringLiteral("alice")}, &code).contains(QStringLiteral("disabled")));
    QTRY_COMPARE_WITH_TIMEOUT(status(key), 403, 5000);
    cli({QStringLiteral("enable"), QStringLiteral("alice")});
    QTRY_COMPARE_WITH_TIMEOUT(status(key), 200, 5000);
    const QByteArray rotated = keyOf(cli({QStringLiteral("rotate"), QStringLiteral("alice")}));
    QVERIFY(!rotated.isEmpty() && rotated != key);
    QTRY_COMPARE_WITH_TIMEOUT(status(rotated), 200, 5000);
    QCOMPARE(status(key), 401);
    cli({QStringLiteral("remove"), QStringLiteral("alice")}, &code);
    QCOMPARE(code, 0);
    QTRY_COMPARE_WITH_TIMEOUT(status(rotated), 401, 5000);
    cli({QStringLiteral("frobnicate"), QStringLiteral("x")}, &code);
    QCOMPARE(code, 2);

    gw.terminate();
    QVERIFY(gw.waitForFinished(10'000));
    // Only hashes are stored: neither key is anywhere in the files the gateway and the CLI wrote.
    for (const QString& name : QDir(dir.path()).entryList(QDir::Files)) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY2(!bytes.contains(key) && !bytes.contains(rotated), qPrintable(name));
    }
}

void TstE2eBinary::usageCommand() {
    QTemporaryDir dir(artifactTemplate(QStringLiteral("e2e-usage")));
    dir.setAutoRemove(false);
    const QString cfgPath = dir.filePath(QStringLiteral("gemgate.yaml"));
    const QString dbPath = dir.filePath(QStringLiteral("gemgate.db"));
    QVERIFY(writeFile(cfgPath, config(QUrl(QStringLiteral("http://127.0.0.1:9")),
                                      dir.filePath(QStringLiteral("access.log")), false)));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_KEY_ONE"), QString::fromLatin1(kKey1));
    env.remove(QStringLiteral("DISPLAY"));
    struct Run {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    auto usage = [&](const QStringList& words, const QString& binary = QStringLiteral(GEMGATED_PATH)) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(binary, QStringList{QStringLiteral("--config"), cfgPath, QStringLiteral("usage")} + words);
        Run r;
        if (!p.waitForFinished(15'000))
            return r;
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    };
    auto json = [](const Run& r) { return QJsonDocument::fromJson(r.out).array(); };

    // Nothing recorded yet: a friendly line, and the read-only command creates no database.
    Run r = usage({});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("no usage recorded yet"), r.out.constData());
    QVERIFY(!QFileInfo::exists(dbPath));
    r = usage({QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QVERIFY(QJsonDocument::fromJson(r.out).isArray() && json(r).isEmpty());

    // Days in limits.time_zone (UTC by default): today, yesterday, and one outside the default 7 days.
    const QDate todayDate = QDateTime::currentDateTimeUtc().date();
    const QString today = todayDate.toString(Qt::ISODate);
    const QString yesterday = todayDate.addDays(-1).toString(Qt::ISODate);
    const QString old = todayDate.addDays(-30).toString(Qt::ISODate);
    {
        QString error;
        std::unique_ptr<gemgate::StateDb> db = gemgate::StateDb::open(dbPath, &error);
        QVERIFY2(db, qPrintable(error));
        gemgate::UsageStore store(db.get());
        int n = 0;
        auto add = [&](const QString& day, const QString& client, const QString& model, int status, qint64 prompt,
                       qint64 output) {
            gemgate::UsageRecord u;
            u.timeMs =
                QDateTime(QDate::fromString(day, Qt::ISODate), QTime(12, 0), QTimeZone::utc()).toMSecsSinceEpoch() + n;
            u.day = day;
            u.requestId = "e2e-" + QByteArray::number(n++);
            u.client = client;
            u.nameSpace = QStringLiteral("default");
            u.keyId = QStringLiteral("one");
            u.model = model;
            u.route = QStringLiteral("POST /v1beta/models/{model}:generateContent");
            u.status = status;
            u.promptTokens = prompt;
            u.candidatesTokens = output;
            u.totalTokens = prompt + output;
            u.bytesIn = 10;
            u.bytesOut = 20;
            u.admitted = status != 429;
            store.record(u);
        };
        add(yesterday, QStringLiteral("alice"), QStringLiteral("gemini-2.5-flash"), 200, 10, 5);
        add(today, QStringLiteral("alice"), QStringLiteral("gemini-2.5-flash"), 200, 20, 10);
        add(today, QStringLiteral("alice"), QStringLiteral("gemini-2.5-pro"), 500, 7, 0);
        add(today, QStringLiteral("bob"), QStringLiteral("gemini-2.5-flash"), 429, 0, 0);
        add(old, QStringLiteral("bob"), QStringLiteral("gemini-2.5-flash"), 200, 1000, 1000);
    }

    // Per day and client, ordered by day then client; the old day is outside the default 7 days.
    r = usage({QStringLiteral("--by"), QStringLiteral("client"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QJsonArray rows = json(r);
    QCOMPARE(rows.size(), 3);
    auto row = [&](int i) { return rows.at(i).toObject(); };
    QCOMPARE(row(0).value(QStringLiteral("day")).toString(), yesterday);
    QCOMPARE(row(0).value(QStringLiteral("client")).toString(), QStringLiteral("alice"));
    QCOMPARE(row(0).value(QStringLiteral("requests")).toInteger(), 1);
    QCOMPARE(row(0).value(QStringLiteral("total_tokens")).toInteger(), 15);
    QCOMPARE(row(1).value(QStringLiteral("day")).toString(), today);
    QCOMPARE(row(1).value(QStringLiteral("client")).toString(), QStringLiteral("alice"));
    QCOMPARE(row(1).value(QStringLiteral("requests")).toInteger(), 2);
    QCOMPARE(row(1).value(QStringLiteral("errors")).toInteger(), 1);
    QCOMPARE(row(1).value(QStringLiteral("prompt_tokens")).toInteger(), 27);
    QCOMPARE(row(1).value(QStringLiteral("output_tokens")).toInteger(), 10);
    QCOMPARE(row(1).value(QStringLiteral("total_tokens")).toInteger(), 37);
    QCOMPARE(row(2).value(QStringLiteral("client")).toString(), QStringLiteral("bob"));
    QCOMPARE(row(2).value(QStringLiteral("admitted")).toInteger(), 0);
    QVERIFY(!row(2).contains(QStringLiteral("model"))); // only the grouped columns

    // --total: one row per client over the range; --from reaches the old day; filters.
    r = usage({QStringLiteral("--by=client"), QStringLiteral("--total"), QStringLiteral("--from"), old,
               QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    rows = json(r);
    QCOMPARE(rows.size(), 2);
    QVERIFY(!row(0).contains(QStringLiteral("day")));
    QCOMPARE(row(0).value(QStringLiteral("total_tokens")).toInteger(), 52);
    QCOMPARE(row(1).value(QStringLiteral("requests")).toInteger(), 2);
    QCOMPARE(row(1).value(QStringLiteral("total_tokens")).toInteger(), 2000);
    r = usage({QStringLiteral("--total"), QStringLiteral("--model"), QStringLiteral("gemini-2.5-pro"),
               QStringLiteral("--json")});
    rows = json(r);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(row(0).value(QStringLiteral("requests")).toInteger(), 1);
    r = usage({QStringLiteral("--days"), QStringLiteral("1"), QStringLiteral("--total"), QStringLiteral("--json")});
    rows = json(r);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(row(0).value(QStringLiteral("requests")).toInteger(), 3); // today only

    // The table: header, one line per group, and the total.
    r = usage({QStringLiteral("--by"), QStringLiteral("client,model"), QStringLiteral("--total")});
    QCOMPARE(r.code, 0);
    const QString table = QString::fromUtf8(r.out);
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("client\\s+model\\s+requests\\s+errors"))),
             r.out.constData());
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("\\nalice\\s+gemini-2.5-pro\\s+1\\s+1\\s"))),
             r.out.constData());
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("\\nTOTAL\\s+4\\s+2\\s+0\\s+37\\s+15\\s+0\\s+52\\s"))),
             r.out.constData());
    r = usage({QStringLiteral("--client"), QStringLiteral("carol")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("no usage recorded") && r.out.contains("matching the filters"), r.out.constData());

    // The newest request records.
    r = usage({QStringLiteral("--requests"), QStringLiteral("2"), QStringLiteral("--client"), QStringLiteral("alice"),
               QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    rows = json(r);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(row(0).value(QStringLiteral("client")).toString(), QStringLiteral("alice"));
    QVERIFY(row(0).value(QStringLiteral("time_ms")).toInteger() >= row(1).value(QStringLiteral("time_ms")).toInteger());
    r = usage({QStringLiteral("--requests"), QStringLiteral("10")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("request_id") && r.out.contains("e2e-0") && r.out.contains("gemini-2.5-pro"),
             r.out.constData());

    // Bad arguments: exit 2, naming the option and what it expects.
    const QList<QPair<QStringList, QByteArray>> bad = {
        {{QStringLiteral("--from"), QStringLiteral("2026-13-01")}, "--from expects a day as YYYY-MM-DD"},
        {{QStringLiteral("--to"), QStringLiteral("yesterday")}, "--to expects a day as YYYY-MM-DD"},
        {{QStringLiteral("--by"), QStringLiteral("client,owner")}, "--by expects a comma-separated list"},
        {{QStringLiteral("--days"), QStringLiteral("0")}, "--days expects a number of days"},
        {{QStringLiteral("--from"), QStringLiteral("2026-02-02"), QStringLiteral("--to"), QStringLiteral("2026-02-01")},
         "is after --to"},
        {{QStringLiteral("--requests"), QStringLiteral("5"), QStringLiteral("--by"), QStringLiteral("client")},
         "--requests"},
        {{QStringLiteral("--frobnicate")}, "unknown option --frobnicate"},
        {{QStringLiteral("--client")}, "--client needs a value"},
    };
    for (const auto& [words, message] : bad) {
        r = usage(words);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
    }
    r = usage({QStringLiteral("help")});
    QVERIFY(r.code == 0 && r.out.contains("--by LIST"));

#ifdef GEMGATE_GUI_PATH
    // The desktop binary answers the command without a window, and without the "no display" note.
    r = usage({QStringLiteral("--total"), QStringLiteral("--json")}, QStringLiteral(GEMGATE_GUI_PATH));
    QCOMPARE(r.code, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 1);
    QVERIFY2(!r.err.contains("no display"), r.err.constData());
#endif
}

void TstE2eBinary::usageSurvivesSignals_data() {
    QTest::addColumn<bool>("hardKill");
    QTest::newRow("SIGTERM: every answered request has its row") << false;
    QTest::newRow("kill -9: the database stays consistent") << true;
}

// Load on the real binary, then SIGTERM (a drain: every request answered has its usage row) or SIGKILL (the
// database opens, passes an integrity check and holds every request answered more than a second before).
void TstE2eBinary::usageSurvivesSignals() {
    QFETCH(bool, hardKill);
    FakeUpstream upstream;
    QVERIFY(upstream.start(2));
    QTemporaryDir dir(artifactTemplate(QStringLiteral("e2e-usage")));
    dir.setAutoRemove(false);
    const QString cfgPath = dir.filePath(QStringLiteral("gemgate.yaml"));
    QVERIFY(writeFile(cfgPath, config(upstream.baseUrl(), dir.filePath(QStringLiteral("access.log")), true)));
    const QString dbPath = dir.filePath(QStringLiteral("gemgate.db"));
    QProcess gw;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("E2E_KEY_ONE"), QString::fromLatin1(kKey1));
    env.remove(QStringLiteral("DISPLAY"));
    gw.setProcessEnvironment(env);
    QByteArray err;
    connect(&gw, &QProcess::readyReadStandardError, this, [&] { err += gw.readAllStandardError(); });
    gw.start(QStringLiteral(GEMGATED_PATH), {QStringLiteral("--config"), cfgPath});
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("listening on"), 10'000);
    const quint16 port = listenPort(err);
    QVERIFY(port > 0);

    // A first wave, answered well before the signal.
    auto wave = [&](int n, bool slow) {
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int i = 0; i < n; ++i) {
            auto c = std::make_unique<RawHttpClient>();
            if (!c->connectTo(port))
                break;
            QList<QPair<QByteArray, QByteArray>> h{{"x-goog-api-key", kClient}};
            QByteArray target = "/v1beta/models/gemini-2.5-flash:generateContent";
            if (i % 3 == 1) {
                target = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
                h.append(qMakePair(QByteArray("x-fake-chunks"), QByteArray("4")));
                if (slow)
                    h.append(qMakePair(QByteArray("x-fake-interval-ms"), QByteArray::number(100 + 37 * i % 400)));
            } else if (slow) {
                h.append(qMakePair(QByteArray("x-fake-delay-ms"), QByteArray::number(200 + 53 * i % 1500)));
            }
            c->send("POST", target, h, kBody);
            clients.push_back(std::move(c));
        }
        return clients;
    };
    QList<QByteArray> early;
    {
        auto first = wave(40, false);
        for (auto& c : first) {
            QVERIFY(c->waitForResponse(10'000));
            QCOMPARE(c->response().status, 200);
            early.append(c->response().header("x-gemgate-request-id"));
        }
    }
    QTest::qWait(1500); // "at most the last second" is lost on a hard kill

    auto second = wave(60, true);
    QTest::qWait(150);
    ::kill(static_cast<pid_t>(gw.processId()), hardKill ? SIGKILL : SIGTERM);
    QVERIFY(gw.waitForFinished(20'000));
    if (!hardKill) {
        QCOMPARE(gw.exitStatus(), QProcess::NormalExit);
        QCOMPARE(gw.exitCode(), 0);
    }
    QList<QByteArray> answered = early;
    for (auto& c : second) {
        c->waitForResponse(hardKill ? 500 : 10'000);
        if (c->response().status > 0 && c->response().complete)
            answered.append(c->response().header("x-gemgate-request-id"));
    }
    if (!hardKill)
        QCOMPARE(answered.size(), 100); // the drain let every request in flight finish

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(dbPath);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        QSet<QByteArray> ids;
        QVERIFY(q.exec(QStringLiteral("SELECT request_id FROM usage")));
        while (q.next())
            ids.insert(q.value(0).toString().toUtf8());
        const QList<QByteArray>& mustHave = hardKill ? early : answered;
        for (const QByteArray& id : mustHave)
            QVERIFY2(ids.contains(id), id.constData());
        // The roll-up agrees with the records (same transactions).
        QVERIFY(
            q.exec(QStringLiteral("SELECT (SELECT count(*) FROM usage), (SELECT sum(requests) FROM usage_daily)")) &&
            q.next());
        QCOMPARE(q.value(0).toLongLong(), q.value(1).toLongLong());
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    // And GemGate itself opens it again.
    QString error;
    QVERIFY2(gemgate::StateDb::open(dbPath, &error) != nullptr, qPrintable(error));
}

QTEST_GUILESS_MAIN(TstE2eBinary)
#include "tst_e2e_binary.moc"
