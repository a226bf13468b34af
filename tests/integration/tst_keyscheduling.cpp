// The key pool end to end: the real gateway (listener, workers, key pool, state database) in front of the fake
// Gemini upstream whose keys misbehave on purpose. Covers the issue's proof list: a 429 key is rested, a per-day
// 429 rests until the Pacific reset, a 403 key is disabled with its reason, all keys 429 gives an immediate 429 with
// Retry-After, a 503 storm is retried without disabling keys, empty replies are retried, stateful resources stay
// on their key (also across a restart), and key state survives a restart.

#include "clock/clock.h"
#include "control/keymanager.h"
#include "gatewayfixture.h"
#include "storage/statedb.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kStream = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";

QJsonObject json(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object();
}

QString replyText(const RawResponse& r) {
    return json(r)[QLatin1String("candidates")][0][QLatin1String("content")][QLatin1String("parts")][0]
                  [QLatin1String("text")]
                      .toString();
}

std::optional<KeyStatus> statusOf(GatewayFixture& f, const QString& id) {
    for (const KeyStatus& s : f.controller.keyStatuses()) {
        if (s.id == id)
            return s;
    }
    return std::nullopt;
}

// Fires n generateContent requests at once (one connection each) and waits for all answers.
QList<RawResponse> concurrent(GatewayFixture& f, int n, const QByteArray& target = kGenerate) {
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    for (int i = 0; i < n; ++i) {
        auto c = std::make_unique<RawHttpClient>();
        if (!c->connectTo(f.port()))
            return {};
        c->send("POST", target, GatewayFixture::auth({{"Content-Type", "application/json"}}), kPrompt);
        clients.push_back(std::move(c));
    }
    QList<RawResponse> out;
    for (auto& c : clients) {
        c->waitForResponse(20'000);
        out.append(c->response());
    }
    return out;
}

} // namespace

class TstKeyScheduling : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rateLimitedKeyIsRestedWhileOthersServe();
    void perDayQuotaRestsUntilPacificMidnight();
    void forbiddenKeyIsDisabledWithVisibleReason();
    void allKeysRateLimitedGivesImmediate429();
    void unavailableStormIsRetriedWithoutDisabling();
    void emptyReplyIsRetriedOnAnotherKey_data();
    void emptyReplyIsRetriedOnAnotherKey();
    void badRequestIsNotRetried();
    void retriesAreBounded();
    void uploadedFileStaysOnItsKeyAcrossRestart();
    void keyStateSurvivesRestart();
    void localLimitsSkipKeysBeforeGoogleSays429();
    void userCanDisableEnableAndTestKeys();
    void scheduledHealthCheckBringsKeyBack();
    void emptyReplyFromTheOnlyKeyStillReachesTheClient();
    void clientLeavingDuringBackoffCancelsTheRetry();
    void stickyHeaderStaysInTheGateway();
    void databasePathChangeWaitsForRestart();
    void breakerHoldsBackThenLongProbeReopensAtOnce();
};

void TstKeyScheduling::rateLimitedKeyIsRestedWhileOthersServe() {
    GatewayFixture f(3);
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::RateLimitMinute); // retryDelay 41 s
    QVERIFY(f.start());
    int ok = 0;
    for (int round = 0; round < 4; ++round) {
        for (const RawResponse& r : concurrent(f, 10)) {
            QCOMPARE(r.status, 200);
            QVERIFY(replyText(r).startsWith(QStringLiteral("echo: hi")));
            ++ok;
        }
    }
    QCOMPARE(ok, 40);
    const auto perKey = f.upstream.requestsPerKey();
    // Only the requests already on their way when the first 429 came back can reach key1.
    QVERIFY2(perKey.value(upstreamKey(1).toUtf8()) <= 4,
             qPrintable(QString::number(perKey.value(upstreamKey(1).toUtf8()))));
    QVERIFY(perKey.value(upstreamKey(2).toUtf8()) >= 15);
    QVERIFY(perKey.value(upstreamKey(3).toUtf8()) >= 15);
    const KeyStatus k1 = *statusOf(f, QStringLiteral("key1"));
    QCOMPARE(k1.health, KeyHealth::CoolingDown);
    const qint64 left = k1.availableAtMs - QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(left > 30'000 && left <= 41'000, qPrintable(QString::number(left)));
    QVERIFY(k1.detail.contains(QStringLiteral("retry after 41 s")));
    QVERIFY(!k1.lastError.contains(upstreamKey(1)));
}

void TstKeyScheduling::perDayQuotaRestsUntilPacificMidnight() {
    GatewayFixture f(2);
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::RateLimitDay);
    QVERIFY(f.start());
    for (int i = 0; i < 10; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.upstream.requestsPerKey().value(upstreamKey(1).toUtf8()), 1);
    const KeyStatus k1 = *statusOf(f, QStringLiteral("key1"));
    QCOMPARE(k1.health, KeyHealth::CoolingDown);
    const qint64 midnight = nextPacificMidnightMs(QDateTime::currentMSecsSinceEpoch());
    QVERIFY2(qAbs(k1.availableAtMs - midnight) < 5000,
             qPrintable(QStringLiteral("%1 vs %2").arg(k1.availableAtMs).arg(midnight)));
    QVERIFY(k1.detail.contains(QStringLiteral("midnight Pacific")));
}

void TstKeyScheduling::forbiddenKeyIsDisabledWithVisibleReason() {
    GatewayFixture f(3);
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::Forbidden); // its message quotes the key
    QVERIFY(f.start());
    for (const RawResponse& r : concurrent(f, 12))
        QCOMPARE(r.status, 200);
    // Only requests already on their way when the first 403 came back reach key2.
    QVERIFY(f.upstream.requestsPerKey().value(upstreamKey(2).toUtf8()) <= 5);
    const int before = f.upstream.requestsPerKey().value(upstreamKey(2).toUtf8());
    for (const RawResponse& r : concurrent(f, 12))
        QCOMPARE(r.status, 200);
    QCOMPARE(f.upstream.requestsPerKey().value(upstreamKey(2).toUtf8()), before);
    const KeyStatus k2 = *statusOf(f, QStringLiteral("key2"));
    QCOMPARE(k2.health, KeyHealth::Disabled);
    QVERIFY2(k2.disabledReason.contains(QStringLiteral("CONSUMER_SUSPENDED")), qPrintable(k2.disabledReason));
    QVERIFY(!k2.disabledReason.contains(upstreamKey(2)));
    QCOMPARE(f.controller.keySummary().disabled, 1);
    QCOMPARE(f.controller.keySummary().available, 2);
}

void TstKeyScheduling::allKeysRateLimitedGivesImmediate429() {
    GatewayFixture f(2);
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::RateLimitMinute);
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::RateLimitMinute);
    QVERIFY(f.start());
    const RawResponse first = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(first.status, 429);
    QCOMPARE(f.upstream.requestCount(), 2); // both keys tried once
    const int retryAfter = first.header("retry-after").toInt();
    QVERIFY2(retryAfter >= 40 && retryAfter <= 41, first.header("retry-after").constData());

    QElapsedTimer t;
    t.start();
    const RawResponse second = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QVERIFY2(t.elapsed() < 1000, "no key is available: the answer must come at once");
    QCOMPARE(second.status, 429);
    QCOMPARE(f.upstream.requestCount(), 2); // Google was not asked again
    const int retry2 = second.header("retry-after").toInt();
    QVERIFY(retry2 >= 39 && retry2 <= 41);
    const QJsonObject err = json(second)[QLatin1String("error")].toObject();
    QCOMPARE(err[QLatin1String("status")].toString(), QStringLiteral("RESOURCE_EXHAUSTED"));
    QCOMPARE(err[QLatin1String("code")].toInt(), 429);
    QVERIFY(err[QLatin1String("message")].toString().contains(QStringLiteral("rate-limited")));
    QVERIFY(!second.body.contains("AIza"));
    // Streaming requests get the same immediate answer.
    const RawResponse stream = f.request("POST", kStream, GatewayFixture::auth(), kPrompt);
    QCOMPARE(stream.status, 429);
    QCOMPARE(f.upstream.requestCount(), 2);
}

void TstKeyScheduling::unavailableStormIsRetriedWithoutDisabling() {
    GatewayFixture f(3);
    f.config->gemini.maxRetries = 6;
    f.config->gemini.keyPool.backoffBaseMs = 20;
    f.config->gemini.keyPool.backoffMaxMs = 200;
    for (int i = 1; i <= 3; ++i)
        f.upstream.setKeyBehaviorCount(upstreamKey(i), FakeUpstream::Unavailable, 2);
    QVERIFY(f.start());
    // Six upstream 503s in a row (every key, twice): the first request gets through on its seventh attempt, with
    // backoff between attempts; nothing is disabled, since Gemini itself was overloaded.
    QElapsedTimer t;
    t.start();
    const RawResponse first = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt, 20'000);
    QCOMPARE(first.status, 200);
    QCOMPARE(f.upstream.requestCount(), 7);
    QVERIFY2(t.elapsed() >= 6 * 10, "retries back off"); // at least half of each 20 ms * 2^n base
    for (int i = 0; i < 6; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    for (const KeyStatus& s : f.controller.keyStatuses())
        QVERIFY2(s.health == KeyHealth::Ready, qPrintable(s.id + QLatin1Char(' ') + s.detail));
    QCOMPARE(f.controller.currentMetrics().upstreamRetries, 6);
}

void TstKeyScheduling::emptyReplyIsRetriedOnAnotherKey_data() {
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("generateContent") << kGenerate;
    QTest::newRow("stream sse") << kStream;
    QTest::newRow("stream json array") << QByteArray("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
}

void TstKeyScheduling::emptyReplyIsRetriedOnAnotherKey() {
    QFETCH(QByteArray, target);
    GatewayFixture f(2);
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::EmptyReply);
    QVERIFY(f.start());
    for (int i = 0; i < 6; ++i) {
        const RawResponse r = f.request("POST", target, GatewayFixture::auth(), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("echo: hi"), r.body.constData());
        QVERIFY(!r.body.contains("blockReason"));
    }
    QVERIFY(f.upstream.requestsPerKey().value(upstreamKey(1).toUtf8()) >= 1);
    // With the guard off, the empty reply reaches the client as Gemini sent it.
    GatewayFixture g(1);
    g.config->gemini.keyPool.streamGuard = false;
    g.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::EmptyReply);
    QVERIFY(g.start());
    const RawResponse raw = g.request("POST", target, GatewayFixture::auth(), kPrompt);
    QCOMPARE(raw.status, 200);
    QVERIFY(!raw.body.contains("echo: hi"));
}

void TstKeyScheduling::badRequestIsNotRetried() {
    GatewayFixture f(3);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth({{"x-fake-status", "400"}}), kPrompt);
    QCOMPARE(r.status, 400);
    QCOMPARE(f.upstream.requestCount(), 1);
    QCOMPARE(f.controller.keySummary().available, 3);
    const RawResponse nf =
        f.request("GET", "/v1beta/models/no-such-model", GatewayFixture::auth({{"x-fake-status", "404"}}));
    QCOMPARE(nf.status, 404);
    QCOMPARE(f.upstream.requestCount(), 2);
}

void TstKeyScheduling::retriesAreBounded() {
    GatewayFixture f(4);
    f.config->gemini.maxRetries = 2;
    f.config->gemini.keyPool.backoffBaseMs = 50;
    for (int i = 1; i <= 4; ++i)
        f.upstream.setKeyBehavior(upstreamKey(i), FakeUpstream::Internal);
    QVERIFY(f.start());
    QElapsedTimer t;
    t.start();
    const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(r.status, 500);                // the last upstream answer, scrubbed
    QCOMPARE(f.upstream.requestCount(), 3); // 1 + max_retries
    QVERIFY(t.elapsed() < 5000);
    QVERIFY(!r.body.contains("AIza"));

    // The time budget stops retries too.
    GatewayFixture g(3);
    g.config->gemini.maxRetries = 5;
    g.config->gemini.keyPool.retryBudgetMs = 300;
    for (int i = 1; i <= 3; ++i)
        g.upstream.setKeyBehavior(upstreamKey(i), FakeUpstream::Unavailable);
    QVERIFY(g.start());
    t.restart();
    const RawResponse r2 = g.request("POST", kGenerate, GatewayFixture::auth({{"x-fake-delay-ms", "200"}}), kPrompt);
    QCOMPARE(r2.status, 503);
    QVERIFY(g.upstream.requestCount() <= 2);
}

void TstKeyScheduling::uploadedFileStaysOnItsKeyAcrossRestart() {
    GatewayFixture f(3);
    QVERIFY(f.start());
    const QByteArray data(1000, 'z');
    const RawResponse start =
        f.request("POST", "/upload/v1beta/files",
                  GatewayFixture::auth({{"X-Goog-Upload-Protocol", "resumable"},
                                        {"X-Goog-Upload-Command", "start"},
                                        {"X-Goog-Upload-Header-Content-Length", QByteArray::number(data.size())},
                                        {"X-Goog-Upload-Header-Content-Type", "text/plain"},
                                        {"Content-Type", "application/json"}}),
                  R"({"file":{"display_name":"notes"}})");
    QCOMPARE(start.status, 200);
    const QByteArray owner = f.upstream.requests().last().apiKey;
    const QByteArray target =
        QUrl::fromEncoded(start.header("x-goog-upload-url")).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    const RawResponse fin = f.request(
        "POST", target,
        GatewayFixture::auth({{"X-Goog-Upload-Command", "upload, finalize"}, {"X-Goog-Upload-Offset", "0"}}), data);
    QCOMPARE(fin.status, 200);
    const QJsonObject file = json(fin)[QLatin1String("file")].toObject();
    const QString name = file[QLatin1String("name")].toString();
    const QString uri = file[QLatin1String("uri")].toString();
    QVERIFY(name.startsWith(QStringLiteral("files/")));

    const QByteArray withFile =
        R"({"contents":[{"role":"user","parts":[{"text":"summarize"},{"fileData":{"mimeType":"text/plain","fileUri":")" +
        uri.toUtf8() + R"("}}]}]})";
    auto checkPinned = [&](GatewayFixture& g) {
        g.upstream.clearRequests();
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(g.request("POST", kGenerate, GatewayFixture::auth(), withFile).status, 200);
            QCOMPARE(g.request("GET", "/v1beta/" + name.toUtf8()).status, 200);
            QCOMPARE(g.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200); // not pinned
        }
        QSet<QByteArray> keysSeen;
        for (const RecordedRequest& r : g.upstream.requests()) {
            if (r.body.contains("fileUri") || r.path().contains("/files/"))
                QCOMPARE(r.apiKey, owner);
            else
                keysSeen.insert(r.apiKey);
        }
        QVERIFY(keysSeen.size() >= 2); // everything else still rotates
    };
    checkPinned(f);

    // A restart with the same state database keeps the pin.
    f.controller.stop();
    QVERIFY(f.start());
    checkPinned(f);

    // Deleting the file drops the pin.
    QCOMPARE(f.request("DELETE", "/v1beta/" + name.toUtf8()).status, 200);
    QCOMPARE(f.upstream.requests().last().apiKey, owner);
}

void TstKeyScheduling::keyStateSurvivesRestart() {
    GatewayFixture f(3);
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::InvalidKey);
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::RateLimitDay);
    QVERIFY(f.start());
    for (int i = 0; i < 6; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    const qint64 key3Today = statusOf(f, QStringLiteral("key3"))->requestsToday;
    QVERIFY(key3Today >= 6);
    f.controller.stop(); // persists

    f.upstream.clearKeyBehaviors();
    f.upstream.clearRequests();
    QVERIFY(f.start());
    QCOMPARE(statusOf(f, QStringLiteral("key1"))->health, KeyHealth::Disabled);
    QVERIFY(statusOf(f, QStringLiteral("key1"))->disabledReason.contains(QStringLiteral("API_KEY_INVALID")));
    QCOMPARE(statusOf(f, QStringLiteral("key2"))->health, KeyHealth::CoolingDown); // the daily quota still counts
    QCOMPARE(statusOf(f, QStringLiteral("key3"))->requestsToday, key3Today);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.upstream.requestsPerKey().keys(), QList<QByteArray>{upstreamKey(3).toUtf8()});

    // The database holds state, never key material.
    const QString db = f.controller.databasePath();
    f.controller.stop();
    for (const QString& file : QStringList{db, db + QStringLiteral("-wal")}) {
        QFile in(file);
        if (!in.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = in.readAll();
        for (int i = 1; i <= 3; ++i)
            QVERIFY2(!bytes.contains(upstreamKey(i).toUtf8()), qPrintable(file));
    }
}

void TstKeyScheduling::localLimitsSkipKeysBeforeGoogleSays429() {
    GatewayFixture f(2);
    f.config->gemini.apiKeys[0].project = QStringLiteral("shared");
    f.config->gemini.apiKeys[1].project = QStringLiteral("shared");
    f.config->gemini.limits = {ModelLimitRule{QStringLiteral("gemini-2.5-flash"), ModelLimits{5, 0, 0}}};
    QVERIFY(f.start());
    for (int i = 0; i < 5; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    const RawResponse limited = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(limited.status, 429);
    QCOMPARE(f.upstream.requestCount(), 5); // the sixth never left the gateway
    const int retryAfter = limited.header("retry-after").toInt();
    QVERIFY(retryAfter >= 1 && retryAfter <= 60);
    QVERIFY(json(limited)[QLatin1String("error")][QLatin1String("message")].toString().contains(
        QStringLiteral("5 requests/minute")));
    // Model lists do not count against a generate quota.
    QCOMPARE(f.request("GET", "/v1beta/models").status, 200);
}

void TstKeyScheduling::userCanDisableEnableAndTestKeys() {
    GatewayFixture f(2);
    f.config->gemini.keyPool.healthCheckSeconds = 0; // only on demand here
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::InvalidKey);
    QVERIFY(f.start());
    QString error;
    QVERIFY(f.controller.setKeyEnabled(QStringLiteral("key1"), false, &error));
    QCOMPARE(statusOf(f, QStringLiteral("key1"))->health, KeyHealth::UserDisabled);
    // key1 off and key2 bad: nothing can serve -> 503 naming both reasons.
    RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(r.status, 503);
    const QString message = json(r)[QLatin1String("error")][QLatin1String("message")].toString();
    QVERIFY2(message.contains(QStringLiteral("turned off by the user")) &&
                 message.contains(QStringLiteral("API_KEY_INVALID")),
             qPrintable(message));
    QVERIFY(!r.body.contains("AIza"));

    QSignalSpy tested(&f.controller, &GatewayController::keyTested);
    f.controller.testKey(QStringLiteral("key2"));
    QVERIFY(tested.wait(5000));
    QCOMPARE(tested.last().at(0).toString(), QStringLiteral("key2"));
    QCOMPARE(tested.last().at(1).toBool(), false);
    QVERIFY(tested.last().at(2).toString().contains(QStringLiteral("API_KEY_INVALID")));
    // Fixed at Google's end: a test brings it back.
    f.upstream.clearKeyBehaviors();
    f.controller.testKey(QStringLiteral("key2"));
    QVERIFY(tested.wait(5000));
    QCOMPARE(tested.last().at(1).toBool(), true);
    QCOMPARE(statusOf(f, QStringLiteral("key2"))->health, KeyHealth::Ready);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QVERIFY(f.controller.setKeyEnabled(QStringLiteral("key1"), true, &error));
    QCOMPARE(f.controller.keySummary().available, 2);
}

void TstKeyScheduling::scheduledHealthCheckBringsKeyBack() {
    GatewayFixture f(2);
    f.config->gemini.keyPool.healthCheckSeconds = 1;
    f.upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::InvalidKey);
    QVERIFY(f.start());
    for (int i = 0; i < 4; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(statusOf(f, QStringLiteral("key2"))->health, KeyHealth::Disabled);
    // Still bad: the checks keep it disabled (and only call the cheap models list).
    QTest::qWait(2500);
    QCOMPARE(statusOf(f, QStringLiteral("key2"))->health, KeyHealth::Disabled);
    int checks = 0;
    for (const RecordedRequest& r : f.upstream.requests()) {
        if (r.apiKey == upstreamKey(2).toUtf8() && r.path() == "/v1beta/models")
            ++checks;
    }
    QVERIFY2(checks >= 1 && checks <= 4, qPrintable(QString::number(checks)));
    // Fixed at Google's end: the next check brings it back without anyone asking.
    f.upstream.clearKeyBehaviors();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(f, QStringLiteral("key2"))->health, KeyHealth::Ready, 5000);
    QCOMPARE(f.controller.keySummary().available, 2);
}

void TstKeyScheduling::emptyReplyFromTheOnlyKeyStillReachesTheClient() {
    GatewayFixture f(1);
    f.config->gemini.keyPool.backoffBaseMs = 10;
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::EmptyReply);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    // Retried (1 + max_retries attempts), then Gemini's own answer, not a gateway error.
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.contains("promptFeedback"), r.body.constData());
    QCOMPARE(f.upstream.requestCount(), 3);
}

void TstKeyScheduling::clientLeavingDuringBackoffCancelsTheRetry() {
    GatewayFixture f(1);
    f.config->gemini.keyPool.backoffBaseMs = 1500;
    f.config->gemini.keyPool.backoffMaxMs = 1500;
    f.upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Unavailable);
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.requestCount(), 1, 5000);
    c.close(); // during the backoff before attempt 2
    QTest::qWait(2500);
    QCOMPARE(f.upstream.requestCount(), 1); // no late attempt
    QCOMPARE(statusOf(f, QStringLiteral("key1"))->inFlight, 0);
    QTRY_COMPARE_WITH_TIMEOUT(f.controller.currentMetrics().activeRequests, 0, 5000);
}

void TstKeyScheduling::stickyHeaderStaysInTheGateway() {
    GatewayFixture f(4);
    f.config->gemini.keyPool.strategy = KeyStrategy::Sticky;
    QVERIFY(f.start());
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth({{"X-GemGate-Session", "conversation-42"}}), kPrompt)
                     .status,
                 200);
    }
    QSet<QByteArray> keys;
    for (const RecordedRequest& r : f.upstream.requests()) {
        keys.insert(r.apiKey);
        QVERIFY(r.header("x-gemgate-session").isEmpty());
    }
    QCOMPARE(keys.size(), 1); // one session, one key
}

void TstKeyScheduling::databasePathChangeWaitsForRestart() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const QString before = f.controller.databasePath();
    QSignalSpy messages(&f.controller, &GatewayController::message);
    auto next = std::make_shared<Config>(*f.config);
    next->storage.database = f.dir.filePath(QStringLiteral("other.db"));
    QString error;
    QVERIFY(f.controller.reload(next, &error));
    QCOMPARE(f.controller.databasePath(), before);
    bool noted = false;
    for (const QList<QVariant>& args : messages)
        noted = noted || args.at(0).toString().contains(QStringLiteral("restart GemGate"));
    QVERIFY(noted);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    f.controller.stop();
    *f.config = *next;
    QVERIFY(f.start());
    QCOMPARE(QFileInfo(f.controller.databasePath()).fileName(), QStringLiteral("other.db"));
}

void TstKeyScheduling::breakerHoldsBackThenLongProbeReopensAtOnce() {
    GatewayFixture f(3);
    f.config->gemini.keyPool.breaker = BreakerConfig{true, 10, 0.5, 2, 1}; // 2 of 3 keys within 10 s: open 1 s
    f.upstream.setKeyBehaviorCount(upstreamKey(1), FakeUpstream::RateLimitMinute, 1);
    f.upstream.setKeyBehaviorCount(upstreamKey(2), FakeUpstream::RateLimitMinute, 1);
    QVERIFY(f.start());
    // The first request meets both throttled keys, which trips the breaker: it is answered at once instead of
    // trying the last key too.
    const RawResponse first = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(first.status, 429);
    QVERIFY(json(first)[QLatin1String("error")][QLatin1String("message")].toString().contains(
        QStringLiteral("throttling")));
    const int sent = f.upstream.requestCount();
    QCOMPARE(sent, 2);
    const RawResponse held = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(held.status, 429);
    QCOMPARE(json(held)[QLatin1String("error")][QLatin1String("status")].toString(),
             QStringLiteral("RESOURCE_EXHAUSTED"));
    QVERIFY(held.header("retry-after").toInt() >= 1);
    QCOMPARE(f.upstream.requestCount(), sent); // held back in the gateway

    // Half-open: the probe is a slow stream (10 events 300 ms apart). Once its headers say 200, everyone goes.
    QTest::qWait(1100);
    RawHttpClient probe;
    QVERIFY(probe.connectTo(f.port()));
    probe.send("POST", kStream, GatewayFixture::auth({{"x-fake-chunks", "10"}, {"x-fake-interval-ms", "300"}}),
               kPrompt);
    QVERIFY(probe.waitForBodyBytes(1, 5000));
    QElapsedTimer t;
    t.start();
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QVERIFY2(t.elapsed() < 1500, "requests must not wait for the probe stream to end");
    QVERIFY(probe.isConnected());
    QVERIFY(probe.waitForResponse(10'000));
    QCOMPARE(probe.response().status, 200);
    QVERIFY(probe.response().complete);
}

QTEST_GUILESS_MAIN(TstKeyScheduling)
#include "tst_keyscheduling.moc"
