// Hot reload of the config file the gateway runs from: a change on disk is picked up without SIGHUP (also a
// save that replaces the file by rename, as editors do), an unchanged or invalid file changes nothing (the
// running config keeps serving), and requests keep flowing while it happens.

#include "gatewayfixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

using namespace gemgate;
using namespace gemgate::test;

namespace {
const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kBody = R"({"contents":[{"parts":[{"text":"hi"}]}]})";

QByteArray config(const FakeUpstream& up, const QString& dir, const QByteArray& clientKey) {
    return "server: {host: 127.0.0.1, port: 0, workers: 1}\n"
           "gemini:\n  base_url: " +
           up.baseUrl().toEncoded() +
           "\n  api_keys: [{id: k1, key: AIzaSyReloadTestKey-0123456789abcdefgh}]\n"
           "auth: {enabled: true, client_keys: [{id: c, key: " +
           clientKey +
           "}]}\n"
           "log: {access_log: off}\n"
           "storage: {database: " +
           dir.toUtf8() + "/gemgate.db}\n";
}

bool writeInPlace(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// Like an editor: write a new file beside it and rename it over the old one.
bool writeByRename(const QString& path, const QByteArray& data) {
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size() && f.commit();
}
} // namespace

class TstReload : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fileChangeReloads();
    void twentyReloadsUnderLoadDropNothing();
};

void TstReload::fileChangeReloads() {
    FakeUpstream upstream;
    QVERIFY(upstream.start(1));
    QTemporaryDir dir(artifactTemplate(QStringLiteral("reload")));
    dir.setAutoRemove(false);
    const QString path = dir.filePath(QStringLiteral("gemgate.yaml"));
    const QByteArray keyA = "gg-reload-client-key-aaaaaaaaaaaaaaaa";
    const QByteArray keyB = "gg-reload-client-key-bbbbbbbbbbbbbbbb";
    const QByteArray keyC = "gg-reload-client-key-cccccccccccccccc";
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyA)));

    GatewayController controller;
    attachAdminApi(controller);
    QStringList messages;
    connect(&controller, &GatewayController::message, this, [&](const QString& m) { messages.append(m); });
    controller.setConfigPath(path);
    QString error;
    QVERIFY2(controller.start(&error), qPrintable(error));
    auto status = [&](const QByteArray& key) {
        RawHttpClient c;
        if (!c.connectTo(controller.boundPort()))
            return 0;
        c.send("POST", kGenerate, {{"x-goog-api-key", key}}, kBody);
        c.waitForResponse(5000);
        return c.response().status;
    };
    QCOMPARE(status(keyA), 200);
    QCOMPARE(status(keyB), 401);

    // Written in place: picked up without a signal.
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyB)));
    QTRY_COMPARE_WITH_TIMEOUT(status(keyB), 200, 5000);
    QCOMPARE(status(keyA), 401);

    // Replaced by rename, as editors save: picked up too, and the new file is watched from then on.
    QVERIFY(writeByRename(path, config(upstream, dir.path(), keyC)));
    QTRY_COMPARE_WITH_TIMEOUT(status(keyC), 200, 5000);
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyA)));
    QTRY_COMPARE_WITH_TIMEOUT(status(keyA), 200, 5000);

    // An invalid file is rejected with its errors; the running config keeps serving.
    messages.clear();
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyB) + "metrics: {prometheus_port: lots}\n"));
    QTRY_VERIFY_WITH_TIMEOUT(messages.join(u'\n').contains(QLatin1String("reload rejected")), 5000);
    QVERIFY(messages.join(u'\n').contains(QLatin1String("metrics.prometheus_port")));
    QCOMPARE(status(keyA), 200);
    QCOMPARE(status(keyB), 401);

    // Touching the file without changing it reloads nothing.
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyA)));
    QTRY_VERIFY_WITH_TIMEOUT(messages.join(u'\n').contains(QLatin1String("config reloaded")), 5000);
    messages.clear();
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyA)));
    QTest::qWait(800);
    QVERIFY2(!messages.join(u'\n').contains(QLatin1String("reload")), qPrintable(messages.join(u'\n')));

    // Requests in flight during a reload finish normally.
    RawHttpClient slow;
    QVERIFY(slow.connectTo(controller.boundPort()));
    slow.send("POST", kGenerate, {{"x-goog-api-key", keyA}, {"x-fake-delay-ms", "800"}}, kBody);
    QTest::qWait(100);
    QVERIFY(writeInPlace(path, config(upstream, dir.path(), keyC)));
    QVERIFY(slow.waitForResponse(5000));
    QCOMPARE(slow.response().status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(status(keyC), 200, 5000);
    controller.stop();
}

// Issue 6's proof: 20 reloads during 30 s of concurrent streaming and non-streaming load, zero client errors.
void TstReload::twentyReloadsUnderLoadDropNothing() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    constexpr int kLoops = 12;
    constexpr qint64 kDurationMs = 30'000;
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<RawHttpClient>> clients(kLoops);
    std::vector<bool> busy(kLoops, false);
    int completed = 0;
    int streams = 0;
    QStringList errors;
    std::function<void(int)> fire = [&](int i) {
        busy[i] = false;
        if (clock.elapsed() >= kDurationMs)
            return;
        auto c = std::make_unique<RawHttpClient>();
        if (!c->connectTo(f.port(), 2000)) {
            errors.append(QStringLiteral("loop %1: connect failed").arg(i));
            return;
        }
        const bool stream = i % 2 == 1;
        RawHttpClient* raw = c.get();
        connect(raw, &RawHttpClient::responseDone, this, [&, i, raw, stream] {
            const RawResponse& r = raw->response();
            const bool ok = r.status == 200 && r.complete && (!stream || r.body.count("data: ") == 5);
            if (!ok)
                errors.append(QStringLiteral("loop %1: status %2 complete %3: %4")
                                  .arg(i)
                                  .arg(r.status)
                                  .arg(r.complete)
                                  .arg(QString::fromUtf8(r.body.left(200))));
            ++completed;
            streams += stream ? 1 : 0;
            QTimer::singleShot(0, this, [&fire, i] { fire(i); }); // not from inside the client's own signal
        });
        busy[i] = true;
        if (stream)
            raw->send("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                      GatewayFixture::auth({{"x-fake-chunks", "5"}, {"x-fake-interval-ms", "60"}}), kBody);
        else
            raw->send("POST", kGenerate, GatewayFixture::auth(), kBody);
        clients[i] = std::move(c);
    };
    for (int i = 0; i < kLoops; ++i)
        fire(i);

    // 20 reloads spread over the run, each a different config (limits and an extra client key toggled): every
    // other one through the admin API (PUT /api/config with YAML, as an operator would), the others as SIGHUP does
    // (a validated snapshot swapped in).
    int reloads = 0;
    int putsApplied = 0;
    std::vector<std::unique_ptr<RawHttpClient>> puts;
    const quint16 adminPort = quint16(QUrl(f.controller.adminUrl()).port());
    const QByteArray adminToken = f.controller.adminToken().toUtf8();
    QVERIFY(adminPort != 0 && !adminToken.isEmpty());
    QTimer reloader;
    reloader.setInterval(int(kDurationMs / 21));
    connect(&reloader, &QTimer::timeout, this, [&] {
        const int n = reloads++;
        if (reloads == 20)
            reloader.stop();
        if (n % 2 == 1) {
            QByteArray yaml = "server: {host: 127.0.0.1, port: 0, workers: 2}\n"
                              "gemini:\n  base_url: " +
                              f.upstream.baseUrl().toEncoded() + "\n  api_keys:\n";
            for (int k = 1; k <= 2; ++k)
                yaml += "    - {id: key" + QByteArray::number(k) + ", key: " + upstreamKey(k).toUtf8() + "}\n";
            yaml += "auth:\n  enabled: true\n  client_keys:\n    - {id: tester, key: " + kClientKey.toUtf8() + "}\n";
            if (n % 3 == 0)
                yaml += "    - {id: extra" + QByteArray::number(n) + ", key: gg-extra-key-" + QByteArray::number(n) +
                        "-0123456789}\n";
            yaml += "limits: {global: {requests_per_minute: " + QByteArray(n % 4 == 1 ? "1000000" : "0") + "}}\n";
            yaml += "metrics: {prometheus_port: 0}\nlog: {access_log: off}\nstorage: {database: " +
                    f.config->storage.database.toUtf8() + "}\n";
            auto c = std::make_unique<RawHttpClient>();
            if (!c->connectTo(adminPort, 2000)) {
                errors.append(QStringLiteral("reload %1: admin connect failed").arg(n));
                return;
            }
            RawHttpClient* raw = c.get();
            connect(raw, &RawHttpClient::responseDone, this, [&, raw, n] {
                if (raw->response().status == 200)
                    ++putsApplied;
                else
                    errors.append(QStringLiteral("reload %1 (PUT /api/config): %2 %3")
                                      .arg(n)
                                      .arg(raw->response().status)
                                      .arg(QString::fromUtf8(raw->response().body.left(300))));
            });
            raw->send("PUT", "/api/config", {{"authorization", "Bearer " + adminToken}}, yaml);
            puts.push_back(std::move(c));
            return;
        }
        auto next = std::make_shared<Config>(*f.config);
        next->limits.global.requestsPerMinute = n % 4 == 0 ? 1'000'000 : 0;
        if (n % 3 == 0)
            next->auth.clientKeys.append(
                ClientKey::make(QStringLiteral("extra%1").arg(n), QStringLiteral("gg-extra-key-%1-0123456789").arg(n)));
        QString error;
        if (!f.controller.reload(next, &error))
            errors.append(QStringLiteral("reload %1 failed: %2").arg(n).arg(error));
    });
    reloader.start();
    QTRY_VERIFY_WITH_TIMEOUT(reloads == 20 && clock.elapsed() >= kDurationMs &&
                                 std::none_of(busy.begin(), busy.end(), [](bool b) { return b; }),
                             kDurationMs + 20'000);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.mid(0, 5).join(u'\n')));
    QCOMPARE(reloads, 20);
    QTRY_COMPARE(putsApplied, 10);
    QCOMPARE(f.controller.reloadsOk(), qint64(20));
    QVERIFY2(completed > 200 && streams > 100,
             qPrintable(QStringLiteral("%1 requests, %2 streams").arg(completed).arg(streams)));
    qInfo("%d requests (%d streams) during %d reloads, 0 errors", completed, streams, reloads);
}

QTEST_GUILESS_MAIN(TstReload)
#include "tst_reload.moc"
