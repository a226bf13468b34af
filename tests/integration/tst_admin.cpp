// The operations surface through the real admin listener: /metrics parses (also by promtool) and its counters move
// as requests flow; the admin token guards the admin API and the public listener never serves it; a bad config PUT
// lists every error and changes nothing; a good one is applied, versioned and rolled back byte for byte; keys,
// clients, usage, logs, /errors, /performance and /ready; a listen-port change moves the listener without touching
// connections already open.

#include "gatewayfixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace gemgate;
using namespace gemgate::test;

namespace {
const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kStream = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
const QByteArray kClient = "gg-admin-test-client-key-0123456789ab";

using Headers = QList<QPair<QByteArray, QByteArray>>;

// A config file for these tests: its text is what the admin API shows, versions and rolls back.
QByteArray configText(const FakeUpstream& up, const QString& dir, const QByteArray& extra = {}) {
    return "# GemGate test config (admin API)\n"
           "server: {host: 127.0.0.1, port: 0, workers: 2}\n"
           "gemini:\n  base_url: " +
           up.baseUrl().toEncoded() + "\n  api_keys:\n    - {id: key1, key: " + upstreamKey(1).toUtf8() +
           "}\n    - {id: key2, key: " + upstreamKey(2).toUtf8() +
           "}\n"
           "auth: {enabled: true, client_keys: [{id: tester, key: " +
           kClient +
           "}]}\n"
           "limits: {client_default: {tokens_per_day: 1000000}}\n"
           "metrics: {prometheus_port: 0}\n"
           "log: {access_log: off}\n"
           "storage: {database: " +
           dir.toUtf8() + "/gemgate.db}\n" + extra;
}

bool writeFile(const QString& path, const QByteArray& data) {
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size() && f.commit();
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

RawResponse call(quint16 port, const QByteArray& method, const QByteArray& target, const Headers& headers = {},
                 const QByteArray& body = {}, int timeoutMs = 15'000) {
    RawHttpClient c;
    if (!c.connectTo(port))
        return {};
    c.send(method, target, headers, body);
    c.waitForResponse(timeoutMs);
    return c.response();
}

QJsonObject json(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object();
}

// The samples of a Prometheus text: "name{labels}" -> value. Fails the test on a line that is neither.
QHash<QString, double> parseMetrics(const QByteArray& text, QString* bad) {
    QHash<QString, double> out;
    static const QRegularExpression sample(
        // (a plain literal: moc misreads this pattern as a raw string)
        QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
                       "(\\S+)$"));
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty() || line.startsWith(QLatin1String("# HELP ")) || line.startsWith(QLatin1String("# TYPE ")))
            continue;
        const QRegularExpressionMatch m = sample.match(line);
        if (!m.hasMatch()) {
            *bad = line;
            return {};
        }
        const QString v = m.captured(3);
        out.insert(m.captured(1) + m.captured(2), v == QLatin1String("+Inf") ? qInf() : v.toDouble());
    }
    return out;
}

QString promtool() {
    const QString env = qEnvironmentVariable("GEMGATE_PROMTOOL");
    if (!env.isEmpty())
        return env;
    if (QFileInfo::exists(QStringLiteral("/usr/local/lib/gemgate-test-tools/promtool")))
        return QStringLiteral("/usr/local/lib/gemgate-test-tools/promtool");
    return QStandardPaths::findExecutable(QStringLiteral("promtool"));
}

quint16 freePort() {
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}
} // namespace

class TstAdmin : public QObject {
    Q_OBJECT

public:
    // A gateway running from a config file in a fresh directory.
    struct Env {
        FakeUpstream upstream;
        QTemporaryDir dir{artifactTemplate(QStringLiteral("admin"))};
        QString path;
        QByteArray text;
        GatewayController controller;
        quint16 admin = 0;
        Headers token;

        bool start(const QByteArray& extra = {}) {
            attachAdminApi(controller);
            dir.setAutoRemove(false);
            if (!upstream.start(2))
                return false;
            path = dir.filePath(QStringLiteral("gemgate.yaml"));
            text = configText(upstream, dir.path(), extra);
            if (!writeFile(path, text))
                return false;
            controller.setConfigPath(path);
            QString error;
            if (!controller.start(&error)) {
                qWarning("%s", qPrintable(error));
                return false;
            }
            admin = quint16(QUrl(controller.adminUrl()).port());
            token = {{"authorization", "Bearer " + controller.adminToken().toUtf8()}};
            return admin != 0;
        }
        RawResponse api(const QByteArray& method, const QByteArray& target, const QByteArray& body = {},
                        Headers extra = {}) {
            return call(admin, method, target, token + extra, body);
        }
        int generate(const QByteArray& key = kClient) {
            return call(controller.boundPort(), "POST", kGenerate, {{"x-goog-api-key", key}}, kBody).status;
        }
    };

private Q_SLOTS:
    void metricsParseAndCountersMove();
    void adminTokenGuardsTheApi();
    void badConfigListsEveryErrorAndChangesNothing();
    void configPutHistoryAndByteIdenticalRollback();
    void keysAndClients();
    void usageLogsErrorsPerformanceReady();
    void listenPortChangeRebindsWithoutAGap();
    void httpDetailsAndTurningTheListenerOff();
};

void TstAdmin::metricsParseAndCountersMove() {
    Env env;
    QVERIFY(env.start());
    auto scrape = [&] {
        const RawResponse r = call(env.admin, "GET", "/metrics"); // no token needed
        [&] {
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("content-type").startsWith("text/plain; version=0.0.4"));
        }();
        QString bad;
        const QHash<QString, double> m = parseMetrics(r.body, &bad);
        if (!bad.isEmpty())
            qWarning("unparsable metrics line: %s", qPrintable(bad));
        return std::make_pair(m, r.body);
    };
    const auto [before, beforeText] = scrape();
    QVERIFY(!before.isEmpty());
    const QString ok200 =
        QStringLiteral(R"(gemgate_requests_total{route="POST /v1beta/models/{model}:generateContent",)"
                       R"(model="gemini-2.5-flash",status="200",client="tester"})");
    QCOMPARE(before.value(ok200), 0.0);

    for (int i = 0; i < 3; ++i)
        QCOMPARE(env.generate(), 200);
    const RawResponse stream =
        call(env.controller.boundPort(), "POST", kStream, {{"x-goog-api-key", kClient}, {"x-fake-chunks", "4"}}, kBody);
    QCOMPARE(stream.status, 200);
    QCOMPARE(env.generate("gg-wrong-key-000000000000000000000"), 401);
    QCOMPARE(call(env.controller.boundPort(), "POST", kGenerate,
                  {{"x-goog-api-key", kClient}, {"x-fake-status", "503"}}, kBody)
                 .status,
             503);

    // Paths a client makes up do not become label values of their own.
    for (int i = 0; i < 3; ++i)
        call(env.controller.boundPort(), "GET",
             "/v1beta/made-up-" + QByteArray::number(i) + "/x" + QByteArray::number(i) + ":invent" +
                 QByteArray::number(i),
             {{"x-goog-api-key", kClient}});

    const auto [after, text] = scrape();
    QVERIFY2(text.contains("route=\"GET /v1beta/{other}/{id}:{other}\""), text.constData());
    QVERIFY(!text.contains("made-up-"));
    QVERIFY(!text.contains("invent"));
    QCOMPARE(after.value(ok200), 3.0);
    QCOMPARE(after.value(
                 QStringLiteral(R"(gemgate_requests_total{route="POST /v1beta/models/{model}:streamGenerateContent",)"
                                R"(model="gemini-2.5-flash",status="200",client="tester"})")),
             1.0);
    QCOMPARE(after.value(QStringLiteral(R"(gemgate_requests_total{route="none",model="",status="401",client=""})")),
             1.0);
    QCOMPARE(after.value(QStringLiteral(R"(gemgate_rejections_total{kind="auth_invalid"})")), 1.0);
    // Upstream attempts by key: 4 successful ones spread over the two keys, and the 503s (retried on the other key).
    const double up200 = after.value(QStringLiteral(R"(gemgate_upstream_requests_total{key="key1",status="200"})")) +
                         after.value(QStringLiteral(R"(gemgate_upstream_requests_total{key="key2",status="200"})"));
    QCOMPARE(up200, 4.0);
    const double up503 = after.value(QStringLiteral(R"(gemgate_upstream_requests_total{key="key1",status="503"})")) +
                         after.value(QStringLiteral(R"(gemgate_upstream_requests_total{key="key2",status="503"})"));
    QVERIFY2(up503 >= 1, qPrintable(QString::number(up503)));
    QVERIFY(after.value(QStringLiteral("gemgate_upstream_retries_total")) >= 1);
    QVERIFY(after.value(QStringLiteral(
                R"(gemgate_tokens_total{direction="prompt",model="gemini-2.5-flash",client="tester"})")) > 0);
    QCOMPARE(after.value(QStringLiteral(
                 R"(gemgate_request_duration_seconds_count{route="POST /v1beta/models/{model}:generateContent"})")),
             4.0); // three 200s and the 503
    QCOMPARE(
        after.value(QStringLiteral(
            R"(gemgate_request_duration_seconds_bucket{route="POST /v1beta/models/{model}:generateContent",le="+Inf"})")),
        4.0);
    QCOMPARE(after.value(QStringLiteral(R"(gemgate_keys{state="available"})")), 2.0);
    QCOMPARE(after.value(QStringLiteral(R"(gemgate_key_state{key="key1",state="available"})")), 1.0);
    QVERIFY(after.value(QStringLiteral(R"(gemgate_quota_used_ratio{scope="client:tester",limit="tokens_per_day"})")) >
            0);
    QVERIFY(after.value(QStringLiteral("process_resident_memory_bytes")) > 1e6);
    QVERIFY(after.value(QStringLiteral("process_open_fds")) > 3);
    QVERIFY(after.value(QStringLiteral("process_cpu_seconds_total")) > 0);
    QCOMPARE(after.value(QStringLiteral(R"(gemgate_config_reloads_total{result="ok"})")), 0.0);

    // A reload moves the reload counter.
    QString error;
    QVERIFY(env.controller.reload(&error));
    const auto [reloaded, ignored] = scrape();
    QCOMPARE(reloaded.value(QStringLiteral(R"(gemgate_config_reloads_total{result="ok"})")), 1.0);

    // Every name the monitoring resources use is served (resources/monitoring/metric-names.txt), but the TLS
    // certificate's and ACME's (this listener is plain HTTP).
    const QByteArray names = readFile(QStringLiteral(GEMGATE_SOURCE_DIR "/resources/monitoring/metric-names.txt"));
    QVERIFY(!names.isEmpty());
    for (const QByteArray& n : names.split('\n')) {
        const QByteArray name = n.trimmed();
        if (name.isEmpty() || name.startsWith('#') || name == "gemgate_tls_certificate_expiry_seconds" ||
            name == "gemgate_acme_orders_total")
            continue;
        QVERIFY2(text.contains(QByteArray("# TYPE " + name + " ")), name.constData());
    }

    // promtool, the Prometheus project's own linter, accepts the exposition.
    const QString tool = promtool();
    QVERIFY2(!tool.isEmpty(), "promtool not found: run installer/linux/install-deps.sh --test");
    QProcess p;
    p.start(tool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(p.waitForStarted());
    p.write(text);
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(30'000));
    const QByteArray lint = p.readAllStandardOutput() + p.readAllStandardError();
    // promtool's only complaints may be about label cardinality style, never about the format.
    QVERIFY2(p.exitCode() == 0 || !lint.contains("error"), lint.constData());
    QVERIFY2(!lint.contains("parse"), lint.constData());
}

void TstAdmin::adminTokenGuardsTheApi() {
    Env env;
    QVERIFY(env.start());
    // Generated on first start: in an owner-only file beside the state database.
    const QString tokenFile = env.dir.filePath(QStringLiteral("admin-token"));
    QVERIFY(QFileInfo::exists(tokenFile));
    QCOMPARE(QFileInfo(tokenFile).permissions() & 0x0077, QFileDevice::Permissions());
    QCOMPARE(QString::fromUtf8(readFile(tokenFile)).trimmed(), env.controller.adminToken());
    QVERIFY(env.controller.adminToken().startsWith(QLatin1String("gga_")));

    for (const QByteArray& path : {QByteArray("/api/config"), QByteArray("/api/keys"), QByteArray("/api/clients"),
                                   QByteArray("/performance"), QByteArray("/errors"), QByteArray("/api/nope")}) {
        const RawResponse none = call(env.admin, "GET", path);
        QCOMPARE(none.status, 401);
        QVERIFY(none.header("www-authenticate").startsWith("Bearer"));
        QCOMPARE(json(none)[u"error"][u"status"].toString(), QStringLiteral("UNAUTHENTICATED"));
        QCOMPARE(call(env.admin, "GET", path, {{"authorization", "Bearer gga_wrong-token-0123456789"}}).status, 401);
        QCOMPARE(call(env.admin, "GET", path, {{"authorization", env.controller.adminToken().toUtf8()}}).status, 401);
        QVERIFY(env.api("GET", path).status != 401);
    }
    QCOMPARE(env.api("GET", "/api/config").status, 200);
    // Without a token: probes and the scrape.
    QCOMPARE(call(env.admin, "GET", "/health").status, 200);
    QCOMPARE(call(env.admin, "GET", "/ready").status, 200);
    QCOMPARE(call(env.admin, "GET", "/metrics").status, 200);

    // The public listener never serves the admin API, not even with the admin token or a valid client key.
    const quint16 pub = env.controller.boundPort();
    for (const QByteArray& path : {QByteArray("/api/config"), QByteArray("/api/keys"), QByteArray("/metrics"),
                                   QByteArray("/performance"), QByteArray("/api/config/history")}) {
        const RawResponse withToken = call(pub, "GET", path, env.token);
        QVERIFY2(withToken.status == 401 || withToken.status == 404, path.constData());
        const RawResponse withClient = call(pub, "GET", path, {{"x-goog-api-key", kClient}, env.token.first()});
        QCOMPARE(withClient.status, 404);
        QVERIFY(!withClient.body.contains(kClient));
        QVERIFY(!withClient.body.contains("gemgate_"));
    }
    // /health stays on the public listener for load balancers.
    QCOMPARE(call(pub, "GET", "/health").status, 200);

    // A token from the config wins, and a reload changes it.
    const QByteArray configured = "admin-token-from-config-0123456789";
    QVERIFY(writeFile(env.path, env.text + "admin: {token: " + configured + "}\n"));
    QString error;
    QVERIFY2(env.controller.reload(&error), qPrintable(error));
    QCOMPARE(env.api("GET", "/api/keys").status, 401);
    QCOMPARE(call(env.admin, "GET", "/api/keys", {{"authorization", "Bearer " + configured}}).status, 200);
}

void TstAdmin::badConfigListsEveryErrorAndChangesNothing() {
    Env env;
    QVERIFY(env.start());
    const RawResponse before = env.api("GET", "/api/config");
    QCOMPARE(before.status, 200);
    const QByteArray version = before.header("x-gemgate-config-version");
    QCOMPARE(version, QByteArray("1"));

    const QByteArray bad = "server: {host: 127.0.0.1, port: 99999, workers: 2}\n"
                           "gemini:\n  api_keys: [{id: k, key: AIzaSyBadConfigKey-0123456789abcdefgh, weight: -3}]\n"
                           "auth: {enabled: maybe}\n"
                           "log: {level: chatty}\n"
                           "metrics: {prometheus_port: 0}\n";
    const RawResponse r = env.api("PUT", "/api/config", bad, {{"content-type", "application/yaml"}});
    QCOMPARE(r.status, 400);
    const QJsonObject e = json(r)[u"error"].toObject();
    QCOMPARE(e[u"status"].toString(), QStringLiteral("INVALID_ARGUMENT"));
    QStringList paths;
    for (const QJsonValue& v : e[u"errors"].toArray()) {
        paths.append(v[u"path"].toString());
        QVERIFY(v[u"line"].toInt() > 0);
        QVERIFY(!v[u"message"].toString().isEmpty());
    }
    for (const char* want : {"server.port", "gemini.api_keys[0].weight", "auth.enabled", "log.level"})
        QVERIFY2(paths.contains(QLatin1String(want)),
                 qPrintable(paths.join(u',') + QLatin1String(" lacks ") + QLatin1String(want)));
    QVERIFY(e[u"message"].toString().contains(QLatin1String("nothing was changed")));
    QVERIFY(!r.body.contains("AIzaSyBadConfigKey")); // a rejected config's secret is not echoed back

    // Nothing changed: the file, the version, the config in force, the service.
    QCOMPARE(readFile(env.path), env.text);
    QCOMPARE(env.api("GET", "/api/config").header("x-gemgate-config-version"), version);
    QCOMPARE(json(env.api("GET", "/api/config/history"))[u"versions"].toArray().size(), 1);
    QCOMPARE(env.controller.config()->log.level, QStringLiteral("info"));
    QCOMPARE(env.generate(), 200);
    QCOMPARE(env.controller.reloadsFailed(), qint64(1));

    // Not YAML at all, an empty body, a wrong method: clear errors too.
    QCOMPARE(env.api("PUT", "/api/config", "server: [unclosed").status, 400);
    QCOMPARE(env.api("PUT", "/api/config", "").status, 400);
    QCOMPARE(env.api("POST", "/api/config", "x: 1").status, 405);
    QCOMPARE(readFile(env.path), env.text);
}

void TstAdmin::configPutHistoryAndByteIdenticalRollback() {
    Env env;
    QVERIFY(env.start());
    const RawResponse got = env.api("GET", "/api/config");
    QCOMPARE(got.status, 200);
    // The file's own text, comments kept, with every literal secret replaced.
    QVERIFY(got.body.startsWith("# GemGate test config (admin API)\n"));
    QVERIFY(!got.body.contains(kClient));
    QVERIFY(!got.body.contains(upstreamKey(1).toUtf8()));
    QCOMPARE(got.body.count("<redacted:"), 3);

    // Edit the fetched text and PUT it back: the placeholders become the real secrets again.
    QByteArray edited = got.body;
    edited.replace("log: {access_log: off}", "log: {access_log: off, level: warning}");
    const RawResponse put = env.api("PUT", "/api/config", edited, {{"if-match", "\"1\""}});
    QCOMPARE(put.status, 200);
    QCOMPARE(json(put)[u"version"].toInt(), 2);
    QCOMPARE(env.controller.config()->log.level, QStringLiteral("warning"));
    const QByteArray onDisk = readFile(env.path);
    QVERIFY(onDisk.contains(kClient));
    QVERIFY(onDisk.contains("level: warning"));
    QVERIFY(!onDisk.contains("<redacted"));
    QCOMPARE(QFileInfo(env.path).permissions() & 0x0077, QFileDevice::Permissions());
    QCOMPARE(env.generate(), 200); // the client key is still the same

    // A stale If-Match is refused.
    QCOMPARE(env.api("PUT", "/api/config", edited, {{"if-match", "\"1\""}}).status, 409);
    // A placeholder this process did not issue is refused, not guessed.
    QByteArray forged = edited;
    forged.replace(forged.indexOf("<redacted:"), 22, "<redacted:0123456789ab>");
    const RawResponse forgedPut = env.api("PUT", "/api/config", forged);
    QCOMPARE(forgedPut.status, 400);
    QVERIFY(forgedPut.body.contains("matches no secret"));

    // History: who and when.
    const QJsonObject history = json(env.api("GET", "/api/config/history"));
    QCOMPARE(history[u"current"].toInt(), 2);
    const QJsonArray versions = history[u"versions"].toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions[0][u"version"].toInt(), 2);
    QCOMPARE(versions[0][u"who"].toString(), QStringLiteral("admin api (127.0.0.1)"));
    QCOMPARE(versions[0][u"source"].toString(), QStringLiteral("admin-api"));
    QCOMPARE(versions[1][u"source"].toString(), QStringLiteral("start"));
    QVERIFY(QDateTime::fromString(versions[0][u"applied_at"].toString(), Qt::ISODateWithMs).isValid());
    const RawResponse v1 = env.api("GET", "/api/config/history/1");
    QCOMPARE(v1.status, 200);
    QVERIFY(!v1.body.contains(kClient));
    QCOMPARE(env.api("GET", "/api/config/history/99").status, 404);

    // Rollback to version 1 gives back its exact bytes, as a new version.
    const RawResponse rb = env.api("POST", "/api/config/rollback/1");
    QCOMPARE(rb.status, 200);
    QCOMPARE(json(rb)[u"version"].toInt(), 3);
    QCOMPARE(json(rb)[u"rolled_back_to"].toInt(), 1);
    QCOMPARE(readFile(env.path), env.text);
    QCOMPARE(env.controller.config()->log.level, QStringLiteral("info"));
    const QJsonArray after = json(env.api("GET", "/api/config/history"))[u"versions"].toArray();
    QCOMPARE(after[0][u"comment"].toString(), QStringLiteral("rollback to version 1"));
    QCOMPARE(after[0][u"sha256"].toString(), after[2][u"sha256"].toString());
    QCOMPARE(env.api("POST", "/api/config/rollback/42").status, 404);

    // The stored versions are owner-only files; the database has no config bytes (and so no secrets).
    const QString versionsDir = env.dir.filePath(QStringLiteral("config-versions"));
    QCOMPARE(QFileInfo(versionsDir).permissions() & 0x0077, QFileDevice::Permissions());
    for (const QFileInfo& f : QDir(versionsDir).entryInfoList(QDir::Files))
        QCOMPARE(f.permissions() & 0x0077, QFileDevice::Permissions());
    env.controller.stop();
    for (const QString& db : QDir(env.dir.path()).entryList({QStringLiteral("gemgate.db*")}))
        QVERIFY2(!readFile(env.dir.filePath(db)).contains(kClient), qPrintable(db));
}

void TstAdmin::keysAndClients() {
    Env env;
    QVERIFY(env.start());
    QJsonArray keys = json(env.api("GET", "/api/keys"))[u"keys"].toArray();
    QCOMPARE(keys.size(), 2);
    QCOMPARE(keys[0][u"id"].toString(), QStringLiteral("key1"));
    QCOMPARE(keys[0][u"state"].toString(), QStringLiteral("available"));
    QVERIFY(!env.api("GET", "/api/keys").body.contains(upstreamKey(1).toUtf8()));

    // Disable both keys: nothing is ready, requests get a clear 503; enable one again.
    QCOMPARE(env.api("POST", "/api/keys/key1/disable").status, 200);
    QCOMPARE(env.api("POST", "/api/keys/key2/disable").status, 200);
    keys = json(env.api("GET", "/api/keys"))[u"keys"].toArray();
    QCOMPARE(keys[0][u"state"].toString(), QStringLiteral("disabled"));
    const RawResponse notReady = call(env.admin, "GET", "/ready");
    QCOMPARE(notReady.status, 503);
    QVERIFY(json(notReady)[u"reason"].toString().contains(QLatin1String("2 disabled")));
    QCOMPARE(env.generate(), 503);
    QCOMPARE(env.api("POST", "/api/keys/key2/enable").status, 200);
    QCOMPARE(call(env.admin, "GET", "/ready").status, 200);
    QCOMPARE(env.generate(), 200);
    QCOMPARE(env.api("POST", "/api/keys/nokey/enable").status, 400);
    QCOMPARE(env.api("POST", "/api/keys/key2/explode").status, 404);

    // Test a key now: the fake upstream answers the models list.
    const RawResponse tested = env.api("POST", "/api/keys/key2/test");
    QCOMPARE(tested.status, 200);
    QCOMPARE(json(tested)[u"ok"].toBool(), true);

    // Add a key (to an owner-only file store), see it used, remove it.
    const QByteArray addBody = R"({"id":"added","secret":")" + upstreamKey(7).toUtf8() +
                               R"(","label":"From the API","store":"file","weight":2})";
    const RawResponse added = env.api("POST", "/api/keys", addBody);
    QCOMPARE(added.status, 201);
    QVERIFY(!added.body.contains(upstreamKey(7).toUtf8()));
    keys = json(env.api("GET", "/api/keys"))[u"keys"].toArray();
    QCOMPARE(keys.size(), 3);
    QCOMPARE(env.api("POST", "/api/keys", R"({"id":"x"})").status, 400);
    QCOMPARE(env.api("POST", "/api/keys", "not json").status, 400);
    QCOMPARE(env.api("DELETE", "/api/keys/added").status, 200);
    QCOMPARE(json(env.api("GET", "/api/keys"))[u"keys"].toArray().size(), 2);

    // Clients: add (the key shown once), use, rotate, disable, remove.
    const RawResponse made =
        env.api("POST", "/api/clients",
                R"({"name":"alice","owner":"Alice","namespace":"team-a","limits":{"requests_per_minute":100}})");
    QCOMPARE(made.status, 201);
    const QByteArray aliceKey = json(made)[u"key"].toString().toUtf8();
    QVERIFY(aliceKey.startsWith("gg_"));
    QCOMPARE(json(made)[u"client"][u"namespace"].toString(), QStringLiteral("team-a"));
    QCOMPARE(json(made)[u"client"][u"limits"][u"requests_per_minute"].toInt(), 100);
    QCOMPARE(env.generate(aliceKey), 200);
    const QJsonArray list = json(env.api("GET", "/api/clients"))[u"clients"].toArray();
    QCOMPARE(list.size(), 1);
    QVERIFY(!env.api("GET", "/api/clients").body.contains(aliceKey));
    const RawResponse rotated = env.api("POST", "/api/clients/alice/rotate");
    QCOMPARE(rotated.status, 200);
    const QByteArray newKey = json(rotated)[u"key"].toString().toUtf8();
    QCOMPARE(env.generate(aliceKey), 401);
    QCOMPARE(env.generate(newKey), 200);
    QCOMPARE(env.api("POST", "/api/clients/alice/disable").status, 200);
    QCOMPARE(env.generate(newKey), 403); // client_disabled
    QCOMPARE(env.api("POST", "/api/clients", R"({"owner":"nobody"})").status, 400);
    QCOMPARE(env.api("POST", "/api/clients", R"({"name":"alice"})").status, 400); // the name is taken
    QCOMPARE(env.api("DELETE", "/api/clients/alice").status, 200);
    QCOMPARE(env.api("DELETE", "/api/clients/alice").status, 404);
}

void TstAdmin::usageLogsErrorsPerformanceReady() {
    Env env;
    QVERIFY(env.start());
    for (int i = 0; i < 5; ++i)
        QCOMPARE(env.generate(), 200);
    QCOMPARE(env.generate("gg-wrong-key-000000000000000000000"), 401);
    QCOMPARE(call(env.controller.boundPort(), "POST", kGenerate,
                  {{"x-goog-api-key", kClient}, {"x-fake-status", "400"}}, kBody)
                 .status,
             400);

    const QJsonObject usage = json(env.api("GET", "/api/usage?by=client,model&granularity=hour"));
    const QJsonArray rows = usage[u"rows"].toArray();
    qint64 testerRequests = 0;
    for (const QJsonValue& r : rows) {
        QVERIFY(r[u"hour"].toString().endsWith(QLatin1String(":00:00Z")));
        if (r[u"client"].toString() == QLatin1String("tester"))
            testerRequests += r[u"requests"].toInteger();
    }
    QCOMPARE(testerRequests, qint64(6));
    const QJsonArray daily = json(env.api("GET", "/api/usage?by=client"))[u"rows"].toArray();
    QVERIFY(!daily.isEmpty());
    QVERIFY(!daily[0][u"day"].toString().isEmpty());
    QCOMPARE(env.api("GET", "/api/usage?by=colour").status, 400);
    QCOMPARE(env.api("GET", "/api/usage?granularity=week").status, 400);

    // Logs, two at a time: every record once, newest first.
    QList<qint64> ids;
    QByteArray target = "/api/logs?client=tester&limit=2";
    for (int page = 0; page < 10; ++page) {
        const QJsonObject o = json(env.api("GET", target));
        for (const QJsonValue& r : o[u"records"].toArray())
            ids.append(r[u"id"].toInteger());
        if (o[u"next_before"].isNull())
            break;
        target = "/api/logs?client=tester&limit=2&before=" + QByteArray::number(o[u"next_before"].toInteger());
    }
    QCOMPARE(ids.size(), 6);
    for (int i = 1; i < ids.size(); ++i)
        QVERIFY(ids[i] < ids[i - 1]);
    const QJsonArray only400 = json(env.api("GET", "/api/logs?status=400"))[u"records"].toArray();
    QCOMPARE(only400.size(), 1);
    QCOMPARE(only400[0][u"status"].toInt(), 400);
    QCOMPARE(env.api("GET", "/api/logs?status=abc").status, 400);
    QCOMPARE(env.api("GET", "/api/logs?from=yesterday").status, 400);

    // Errors grouped by kind.
    const QJsonObject errors = json(env.api("GET", "/errors"));
    QStringList kinds;
    for (const QJsonValue& g : errors[u"groups"].toArray())
        kinds.append(g[u"kind"].toString());
    QVERIFY2(kinds.contains(QLatin1String("auth_invalid")), qPrintable(kinds.join(u',')));
    QVERIFY2(kinds.contains(QLatin1String("upstream_400")), qPrintable(kinds.join(u',')));
    QCOMPARE(errors[u"total"].toInt(), 2);

    // Performance: the controller samples once a second.
    QTRY_VERIFY_WITH_TIMEOUT(json(env.api("GET", "/performance?window=60"))[u"windows"][0][u"requests"].toInt() >= 7,
                             5000);
    const QJsonObject perf = json(env.api("GET", "/performance"));
    const QJsonArray windows = perf[u"windows"].toArray();
    QCOMPARE(windows.size(), 3);
    QCOMPARE(windows[2][u"window_seconds"].toInt(), 3600);
    const QJsonObject minute = windows[0].toObject();
    QVERIFY(minute[u"qps"].toDouble() > 0);
    QVERIFY(minute[u"latency_ms"][u"p50"].toDouble() > 0);
    QVERIFY(minute[u"latency_ms"][u"p99"].toDouble() >= minute[u"latency_ms"][u"p50"].toDouble());
    QVERIFY(minute[u"ttfb_ms"][u"p95"].toDouble() > 0);
    QCOMPARE(env.api("GET", "/performance?window=0").status, 400);

    // /health answers on both listeners.
    QCOMPARE(json(call(env.admin, "GET", "/health"))[u"status"].toString(), QStringLiteral("up"));
    QCOMPARE(call(env.controller.boundPort(), "GET", "/health").status, 200);
}

void TstAdmin::listenPortChangeRebindsWithoutAGap() {
    Env env;
    QVERIFY(env.start());
    const quint16 oldPort = env.controller.boundPort();
    const quint16 oldAdmin = env.admin;

    // A stream in flight and an idle keep-alive connection, both on the old port.
    RawHttpClient streaming;
    QVERIFY(streaming.connectTo(oldPort));
    streaming.send("POST", kStream,
                   {{"x-goog-api-key", kClient}, {"x-fake-chunks", "6"}, {"x-fake-interval-ms", "150"}}, kBody);
    QVERIFY(streaming.waitForBodyBytes(1));
    RawHttpClient idle;
    QVERIFY(idle.connectTo(oldPort));
    idle.send("POST", kGenerate, {{"x-goog-api-key", kClient}}, kBody);
    QVERIFY(idle.waitForResponse());
    QCOMPARE(idle.response().status, 200);

    const quint16 newPort = freePort();
    const quint16 newAdmin = freePort();
    QByteArray moved = env.text;
    moved.replace("port: 0, workers: 2", QByteArray("port: " + QByteArray::number(newPort) + ", workers: 2"));
    moved.replace("metrics: {prometheus_port: 0}",
                  QByteArray("metrics: {prometheus_port: " + QByteArray::number(newAdmin) + "}"));
    const RawResponse put = env.api("PUT", "/api/config", moved);
    QCOMPARE(put.status, 200);
    QCOMPARE(env.controller.boundPort(), newPort);
    QVERIFY(env.controller.listenUrl().endsWith(QLatin1Char(':') + QString::number(newPort)));
    QCOMPARE(QUrl(env.controller.adminUrl()).port(), int(newAdmin));

    // New connections go to the new ports; the old ones refuse.
    QCOMPARE(call(newPort, "POST", kGenerate, {{"x-goog-api-key", kClient}}, kBody).status, 200);
    QCOMPARE(call(newAdmin, "GET", "/health").status, 200);
    RawHttpClient refused;
    QVERIFY(!refused.connectTo(oldPort, 1000));
    QVERIFY(!refused.connectTo(oldAdmin, 1000));

    // The stream carries on to its end, and the idle connection still serves its next request.
    QVERIFY(streaming.waitForResponse(15'000));
    QCOMPARE(streaming.response().status, 200);
    QVERIFY(streaming.response().complete);
    QCOMPARE(streaming.response().body.count("data: "), 6);
    idle.send("POST", kGenerate, {{"x-goog-api-key", kClient}}, kBody);
    QVERIFY(idle.waitForResponse());
    QCOMPARE(idle.response().status, 200);
    QCOMPARE(idle.completedResponses(), 2);

    // Another name for the same address changes nothing; another address on the same port is taken over.
    env.admin = newAdmin;
    QByteArray sameAddress = moved;
    sameAddress.replace("host: 127.0.0.1", "host: localhost");
    QCOMPARE(env.api("PUT", "/api/config", sameAddress).status, 200);
    QCOMPARE(env.controller.boundPort(), newPort);
    QByteArray anyAddress = moved;
    anyAddress.replace("host: 127.0.0.1", "host: 0.0.0.0");
    QCOMPARE(env.api("PUT", "/api/config", anyAddress).status, 200);
    QVERIFY(env.controller.listenUrl().startsWith(QLatin1String("http://0.0.0.0:")));
    QCOMPARE(call(newPort, "POST", kGenerate, {{"x-goog-api-key", kClient}}, kBody).status, 200);

    // A port that is taken: the reload is refused and the gateway stays where it is.
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    QByteArray taken = anyAddress;
    taken.replace(QByteArray("port: " + QByteArray::number(newPort) + ", workers: 2"),
                  QByteArray("port: " + QByteArray::number(squatter.serverPort()) + ", workers: 2"));
    env.admin = newAdmin;
    const RawResponse refusedPut = env.api("PUT", "/api/config", taken);
    QCOMPARE(refusedPut.status, 400);
    QVERIFY2(refusedPut.body.contains("cannot listen"), refusedPut.body.constData());
    QCOMPARE(env.controller.boundPort(), newPort);
    QCOMPARE(call(newPort, "POST", kGenerate, {{"x-goog-api-key", kClient}}, kBody).status, 200);
}

void TstAdmin::httpDetailsAndTurningTheListenerOff() {
    Env env;
    QVERIFY(env.start());
    // HEAD: headers only, and the keep-alive connection stays in step for the next request.
    RawHttpClient c;
    QVERIFY(c.connectTo(env.admin));
    c.setHeadRequest(true);
    c.send("HEAD", "/health", {});
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    QVERIFY(c.response().body.isEmpty());
    c.setHeadRequest(false);
    c.send("GET", "/ready", {});
    QVERIFY(c.waitForResponse());
    QCOMPARE(c.response().status, 200);
    QVERIFY(c.response().body.contains("\"ready\":true"));
    QCOMPARE(c.completedResponses(), 2);
    // A wrong method, an unknown route, a bad If-Match.
    QCOMPARE(call(env.admin, "POST", "/metrics").status, 405);
    QCOMPARE(env.api("GET", "/api/nothing").status, 404);
    QCOMPARE(env.api("PUT", "/api/config", env.text, {{"if-match", "W/\"1\""}}).status, 400);

    // Without the token a body is never read: the 401 comes at once and the connection closes.
    RawHttpClient early;
    QVERIFY(early.connectTo(env.admin));
    early.sendRaw("PUT /api/config HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\npartial");
    QVERIFY(early.waitForResponse(5000));
    QCOMPARE(early.response().status, 401);
    QTRY_VERIFY(!early.isConnected());
    // A flood of connections is cut at 64; those already open keep working.
    std::vector<std::unique_ptr<RawHttpClient>> flood;
    for (int i = 0; i < 63; ++i) { // c (above) is the 64th
        flood.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(flood.back()->connectTo(env.admin));
    }
    QTest::qWait(100);
    RawHttpClient extra;
    if (extra.connectTo(env.admin, 1000))
        QTRY_VERIFY(!extra.isConnected());
    flood.front()->send("GET", "/health", {});
    QVERIFY(flood.front()->waitForResponse());
    QCOMPARE(flood.front()->response().status, 200);
    flood.clear();
    c.close();
    QTRY_COMPARE(call(env.admin, "GET", "/health").status, 200);

    // An admin port that is taken: the config is applied, the admin listener stays where it is, and the answer says so.
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    QByteArray otherAdmin = env.text;
    otherAdmin.replace("metrics: {prometheus_port: 0}",
                       QByteArray("metrics: {prometheus_port: " + QByteArray::number(squatter.serverPort()) + "}"));
    otherAdmin.replace("log: {access_log: off}", "log: {access_log: off, level: warning}");
    const RawResponse moved = env.api("PUT", "/api/config", otherAdmin);
    QCOMPARE(moved.status, 200);
    const QJsonArray warnings = json(moved)[u"warnings"].toArray();
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings[0].toString().contains(QLatin1String("cannot listen")), qPrintable(warnings[0].toString()));
    QCOMPARE(env.controller.config()->log.level, QStringLiteral("warning"));
    QCOMPARE(QUrl(env.controller.adminUrl()).port(), int(env.admin));

    // Turning the admin listener off from inside an admin request: the answer still arrives, then it is gone.
    const RawResponse off = env.api("PUT", "/api/config", env.text + "admin: {enabled: false}\n");
    QCOMPARE(off.status, 200);
    QTRY_VERIFY(env.controller.adminUrl().isEmpty());
    RawHttpClient refused;
    QVERIFY(!refused.connectTo(env.admin, 1000));
    QCOMPARE(env.generate(), 200);
    // The file is the way back.
    QVERIFY(writeFile(env.path, env.text));
    QString error;
    QVERIFY2(env.controller.reload(&error), qPrintable(error));
    QVERIFY(!env.controller.adminUrl().isEmpty());
    env.admin = quint16(QUrl(env.controller.adminUrl()).port());
    QCOMPARE(env.api("GET", "/api/keys").status, 200);
}

QTEST_GUILESS_MAIN(TstAdmin)
#include "tst_admin.moc"
