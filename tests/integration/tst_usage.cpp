// Usage metering and the client policy through the real gateway: one usage row per request (also rejected and
// failed ones) whose token counts equal the fake upstream's last usageMetadata for JSON, SSE and JSON-array
// streams; a stream cut cleanly when a daily token quota runs out (recorded as truncated, the upstream call
// cancelled); quotas surviving a restart; concurrency, input and output caps, allowed models, namespaces, the
// per-address bucket, and limits carried by a JWT.

#include "gatewayfixture.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kModel = "gemini-2.5-flash";
const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kStreamSse = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
const QByteArray kStreamArray = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hello there, how are you today?"}]}]})";

QString message(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object()[QLatin1String("error")][QLatin1String("message")].toString();
}

// The last usageMetadata object in a body, whatever its framing (what the fake upstream reported last).
QJsonObject lastUsage(const QByteArray& body) {
    const qsizetype at = body.lastIndexOf("\"usageMetadata\"");
    if (at < 0)
        return {};
    const qsizetype open = body.indexOf('{', at);
    int depth = 0;
    for (qsizetype i = open; i < body.size(); ++i) {
        if (body[i] == '{')
            ++depth;
        else if (body[i] == '}' && --depth == 0)
            return QJsonDocument::fromJson(body.mid(open, i - open + 1)).object();
    }
    return {};
}

struct Db {
    std::unique_ptr<StateDb> db;
    std::unique_ptr<UsageStore> usage;
    explicit Db(const QString& path) {
        QString error;
        db = StateDb::open(path, &error);
        if (!db)
            qFatal("cannot open %s: %s", qPrintable(path), qPrintable(error));
        usage = std::make_unique<UsageStore>(db.get());
    }
    UsageRecord byRequestId(const QByteArray& id) {
        for (const UsageRecord& r : usage->recent(10'000)) {
            if (r.requestId == id)
                return r;
        }
        return {};
    }
};

QByteArray b64(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray hsToken(const QJsonObject& claims, const QString& secret) {
    const QByteArray input =
        b64(R"({"alg":"HS256","typ":"JWT"})") + '.' + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, secret.toUtf8(), QCryptographicHash::Sha256));
}

} // namespace

class TstUsage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyRequestHasAMatchingRow();
    void quotaCutsSseStream();
    void quotaCutsJsonArrayStream();
    void quotaSurvivesRestart();
    void concurrencyAndCaps();
    void namespaceAndAddressBuckets();
    void jwtCarriesNamespaceAndLimits();
};

void TstUsage::everyRequestHasAMatchingRow() {
    GatewayFixture f(1);
    f.config->auth.clientKeys[0].nameSpace = QStringLiteral("team-a");
    QVERIFY(f.start());
    struct Sent {
        RawResponse r;
        qint64 bodyIn;
    };
    QList<Sent> sent;
    auto send = [&](const QByteArray& target, const QList<QPair<QByteArray, QByteArray>>& headers,
                    const QByteArray& body = kPrompt) {
        sent.append({f.request("POST", target, headers, body), body.size()});
        return sent.last().r;
    };
    QCOMPARE(send(kGenerate, GatewayFixture::auth()).status, 200);
    QCOMPARE(send(kStreamSse, GatewayFixture::auth({{"x-fake-chunks", "5"}})).status, 200);
    QCOMPARE(send(kStreamArray, GatewayFixture::auth({{"x-fake-chunks", "4"}})).status, 200);
    QCOMPARE(send(kGenerate, {{"x-goog-api-key", "wrong-key-0123456789"}}).status, 401);
    QCOMPARE(send(kGenerate, GatewayFixture::auth({{"x-fake-status", "400"}})).status, 400);
    QCOMPARE(send("/nowhere", GatewayFixture::auth()).status, 404);
    // A request that fails already at parsing (Content-Length and Transfer-Encoding together) has its row too.
    RawHttpClient raw;
    QVERIFY(raw.connectTo(f.port()));
    raw.sendRaw("POST /v1beta/models/x:generateContent HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    QVERIFY(raw.waitForResponse(5000));
    QCOMPARE(raw.response().status, 400);
    const QByteArray rawId = raw.response().header("x-gemgate-request-id");
    const QString dbPath = f.config->storage.database;
    f.controller.stop(); // flushes every record

    Db db(dbPath);
    QCOMPARE(db.usage->recordCount(), sent.size() + 1);
    bool parseRow = false;
    for (const UsageRecord& rec : db.usage->recent(100)) {
        if (rec.status == 400 && rec.client.isEmpty()) {
            qInfo("parse-level row: route=%s kind=%s", qPrintable(rec.route), qPrintable(rec.errorKind));
            parseRow = !rec.errorKind.isEmpty() && !rec.admitted && rec.route.startsWith(QLatin1String("POST"));
        }
    }
    QVERIFY(parseRow);
    Q_UNUSED(rawId);
    for (int i = 0; i < sent.size(); ++i) {
        const RawResponse& r = sent[i].r;
        const QByteArray id = r.header("x-gemgate-request-id");
        QVERIFY2(!id.isEmpty(), qPrintable(QString::number(i)));
        const UsageRecord rec = db.byRequestId(id);
        QCOMPARE(rec.requestId, id);
        QCOMPARE(rec.status, r.status);
        QCOMPARE(rec.bytesIn, sent[i].bodyIn);
        QVERIFY(rec.bytesOut >= r.body.size());
        QVERIFY(rec.latencyUs > 0);
        QVERIFY(rec.timeMs > QDateTime::currentMSecsSinceEpoch() - 600'000);
        QCOMPARE(rec.day, QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
        QVERIFY(!rec.truncated);
        if (r.status == 401) {
            QCOMPARE(rec.client, QString());
            QCOMPARE(rec.errorKind, QStringLiteral("auth_invalid"));
            QVERIFY(!rec.admitted);
            QCOMPARE(rec.keyId, QString());
            continue;
        }
        QCOMPARE(rec.client, QStringLiteral("tester"));
        QCOMPARE(rec.nameSpace, QStringLiteral("team-a"));
        if (r.status == 404) {
            QCOMPARE(rec.errorKind, QStringLiteral("no_route"));
            continue;
        }
        QVERIFY(rec.admitted);
        QCOMPARE(rec.model, QString::fromLatin1(kModel));
        QCOMPARE(rec.keyId, QStringLiteral("key1"));
        QVERIFY2(rec.route.startsWith(QLatin1String("POST /v1beta/models/{model}:")), qPrintable(rec.route));
        if (r.status == 400) {
            QCOMPARE(rec.errorKind, QStringLiteral("upstream_400"));
            QCOMPARE(rec.totalTokens, 0);
            continue;
        }
        // The counts are exactly the last usageMetadata the fake upstream sent (streams: running totals, so the
        // last one, never a sum).
        const QJsonObject u = lastUsage(r.body);
        QVERIFY(!u.isEmpty());
        QCOMPARE(rec.promptTokens, u[QLatin1String("promptTokenCount")].toInteger());
        QCOMPARE(rec.candidatesTokens, u[QLatin1String("candidatesTokenCount")].toInteger());
        QCOMPARE(rec.totalTokens, u[QLatin1String("totalTokenCount")].toInteger());
        QVERIFY(rec.totalTokens > rec.promptTokens);
        QVERIFY(rec.ttfbUs > 0 && rec.ttfbUs <= rec.latencyUs);
        QCOMPARE(rec.stream, i != 0);
    }
    // The day's roll-up has them all, by client and namespace.
    UsageQuery q;
    q.groupBy = {QStringLiteral("client"), QStringLiteral("namespace")};
    const QList<UsageSummaryRow> rows = db.usage->summarize(q);
    qint64 requests = 0, tokens = 0, errors = 0;
    for (const UsageSummaryRow& row : rows) {
        requests += row.requests;
        tokens += row.totalTokens;
        errors += row.errors;
        if (row.client == QLatin1String("tester"))
            QCOMPARE(row.nameSpace, QStringLiteral("team-a"));
    }
    QCOMPARE(requests, sent.size() + 1);
    QCOMPARE(errors, 4);
    qint64 expectedTokens = 0;
    for (int i = 0; i < 3; ++i)
        expectedTokens += lastUsage(sent[i].r.body)[QLatin1String("totalTokenCount")].toInteger();
    QCOMPARE(tokens, expectedTokens);
}

void TstUsage::quotaCutsSseStream() {
    GatewayFixture f(1);
    f.config->auth.clientKeys[0].limits.tokensPerDay = 60;
    QVERIFY(f.start());
    // Each event adds a few candidate tokens; 200 events would take 4 s.
    const RawResponse r =
        f.request("POST", kStreamSse, GatewayFixture::auth({{"x-fake-chunks", "200"}, {"x-fake-interval-ms", "20"}}),
                  kPrompt, 20'000);
    QCOMPARE(r.status, 200);
    QVERIFY2(r.complete, "the stream must end cleanly, not as a broken connection");
    // Events up to the quota, then one error event naming it.
    const QList<QByteArray> events = r.body.trimmed().split('\n');
    QByteArray last;
    int dataEvents = 0;
    for (const QByteArray& line : events) {
        if (line.startsWith("data: ")) {
            ++dataEvents;
            last = line.mid(6).trimmed();
        }
    }
    QVERIFY2(dataEvents >= 2 && dataEvents < 100, qPrintable(QString::number(dataEvents)));
    const QJsonObject error = QJsonDocument::fromJson(last).object()[QLatin1String("error")].toObject();
    QCOMPARE(error[QLatin1String("code")].toInt(), 429);
    QVERIFY2(error[QLatin1String("message")].toString().contains(QLatin1String("tokens_per_day = 60")),
             qPrintable(error[QLatin1String("message")].toString()));
    // Every event before it is a whole JSON object.
    for (const QByteArray& line : events) {
        if (line.startsWith("data: "))
            QVERIFY(QJsonDocument::fromJson(line.mid(6).trimmed()).isObject());
    }
    // The upstream generation was cancelled, not left running.
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.abortedByClient(), 1, 5000);
    // The next request is refused before it reaches Google.
    const int before = f.upstream.requestCount();
    const RawResponse next = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(next.status, 429);
    QVERIFY(next.header("retry-after").toLongLong() > 0);
    QVERIFY(message(next).contains(QLatin1String("tokens_per_day")));
    QCOMPARE(f.upstream.requestCount(), before);

    const QString dbPath = f.config->storage.database;
    f.controller.stop();
    Db db(dbPath);
    const UsageRecord rec = db.byRequestId(r.header("x-gemgate-request-id"));
    QVERIFY(rec.truncated);
    QCOMPARE(rec.errorKind, QStringLiteral("quota_truncated"));
    QCOMPARE(rec.status, 200);
    QVERIFY(rec.totalTokens > 60);
    QCOMPARE(rec.totalTokens,
             lastUsage(r.body.left(r.body.lastIndexOf("data: ")))[QLatin1String("totalTokenCount")].toInteger());
    UsageQuery q;
    q.groupBy = {QStringLiteral("client")};
    const QList<UsageSummaryRow> rows = db.usage->summarize(q);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].truncated, 1);
}

void TstUsage::quotaCutsJsonArrayStream() {
    GatewayFixture f(1);
    f.config->auth.clientKeys[0].limits.tokensPerDay = 60;
    QVERIFY(f.start());
    const RawResponse r =
        f.request("POST", kStreamArray, GatewayFixture::auth({{"x-fake-chunks", "200"}, {"x-fake-interval-ms", "20"}}),
                  kPrompt, 20'000);
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    // Still one well-formed JSON array, whose last element is the error.
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError,
             qPrintable(pe.errorString() + QLatin1String(": ") + QString::fromUtf8(r.body.right(300))));
    const QJsonArray items = doc.array();
    QVERIFY(items.size() >= 3 && items.size() < 100);
    QCOMPARE(items.last()[QLatin1String("error")][QLatin1String("status")].toString(),
             QStringLiteral("RESOURCE_EXHAUSTED"));
    QVERIFY(items[0].toObject().contains(QLatin1String("candidates")));
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.abortedByClient(), 1, 5000);
}

void TstUsage::quotaSurvivesRestart() {
    QString dbPath;
    QTemporaryDir shared(artifactTemplate(QStringLiteral("usage-restart")));
    shared.setAutoRemove(false);
    dbPath = shared.filePath(QStringLiteral("gemgate.db"));
    qint64 used = 0;
    {
        GatewayFixture f(1);
        f.config->storage.database = dbPath;
        f.config->auth.clientKeys[0].limits.requestsPerDay = 3;
        f.config->auth.clientKeys[0].limits.tokensPerMonth = 100'000;
        QVERIFY(f.start());
        for (int i = 0; i < 3; ++i) {
            const RawResponse r = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
            QCOMPARE(r.status, 200);
            used += lastUsage(r.body)[QLatin1String("totalTokenCount")].toInteger();
        }
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 429);
    }
    GatewayFixture g(1);
    g.config->storage.database = dbPath;
    g.config->auth.clientKeys[0].limits.requestsPerDay = 3;
    QVERIFY(g.start());
    const RawResponse r = g.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(r.status, 429);
    QVERIFY2(message(r).contains(QLatin1String("requests_per_day = 3")), qPrintable(message(r)));
    QCOMPARE(g.controller.keyManager() != nullptr, true);
    QCOMPARE(g.upstream.requestCount(), 0);
    g.controller.stop();
    // A month's token quota: what was used before the restart counts.
    GatewayFixture h(1);
    h.config->storage.database = dbPath;
    h.config->auth.clientKeys[0].limits.tokensPerMonth = used + 5;
    QVERIFY(h.start());
    const RawResponse m = h.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(m.status, 429);
    QVERIFY2(message(m).contains(QLatin1String("tokens_per_month")), qPrintable(message(m)));
}

void TstUsage::concurrencyAndCaps() {
    GatewayFixture f(1);
    ClientKey& c = f.config->auth.clientKeys[0];
    c.limits.concurrentRequests = 1;
    c.limits.maxOutputTokens = 50;
    c.limits.maxInputTokens = 100;
    c.models = {QStringLiteral("gemini-2.5-*")};
    f.upstream.setRecordingEnabled(true);
    QVERIFY(f.start());

    // Output cap: set when absent, lowered when higher, kept when lower.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(),
                       R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":4000}})")
                 .status,
             200);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(),
                       R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":20}})")
                 .status,
             200);
    const QList<RecordedRequest> seen = f.upstream.requests();
    QCOMPARE(seen.size(), 3);
    const int expected[] = {50, 50, 20};
    for (int i = 0; i < 3; ++i) {
        const QJsonObject body = QJsonDocument::fromJson(seen[i].body).object();
        QCOMPARE(body[QLatin1String("generationConfig")][QLatin1String("maxOutputTokens")].toInt(), expected[i]);
    }

    // Input cap: about 4 bytes per token, so 1000 characters is well over 100 tokens.
    const QByteArray big = R"({"contents":[{"parts":[{"text":")" + QByteArray(1000, 'a') + R"("}]}]})";
    const RawResponse tooBig = f.request("POST", kGenerate, GatewayFixture::auth(), big);
    QCOMPARE(tooBig.status, 400);
    QVERIFY2(message(tooBig).contains(QLatin1String("max_input_tokens = 100")), qPrintable(message(tooBig)));

    // Allowed models.
    const RawResponse otherModel =
        f.request("POST", "/v1beta/models/gemini-1.5-pro:generateContent", GatewayFixture::auth(), kPrompt);
    QCOMPARE(otherModel.status, 403);
    QVERIFY(message(otherModel).contains(QLatin1String("gemini-1.5-pro")));

    // One request at a time: a second one while the first is in flight gets 429.
    RawHttpClient slow;
    QVERIFY(slow.connectTo(f.port()));
    slow.send("POST", kGenerate, GatewayFixture::auth({{"x-fake-delay-ms", "800"}}), kPrompt);
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.requestCount(), 4, 5000);
    const RawResponse second = f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt);
    QCOMPARE(second.status, 429);
    QVERIFY2(message(second).contains(QLatin1String("concurrent_requests = 1")), qPrintable(message(second)));
    QCOMPARE(second.header("retry-after"), QByteArray("1"));
    QVERIFY(slow.waitForResponse(5000));
    QCOMPARE(slow.response().status, 200);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
}

void TstUsage::namespaceAndAddressBuckets() {
    GatewayFixture f(1);
    ClientKey other = ClientKey::make(QStringLiteral("other"), QStringLiteral("gg-test-other-key-0123456789abcdef"));
    other.nameSpace = QStringLiteral("team");
    f.config->auth.clientKeys[0].nameSpace = QStringLiteral("team");
    f.config->auth.clientKeys.append(other);
    LimitSet team;
    team.requestsPerMinute = 4;
    f.config->limits.namespaces.insert(QStringLiteral("team"), team);
    QVERIFY(f.start());
    const QList<QPair<QByteArray, QByteArray>> otherAuth = {{"x-goog-api-key", other.key.toUtf8()}};
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, otherAuth, kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, otherAuth, kPrompt).status, 200);
    const RawResponse over = f.request("POST", kGenerate, otherAuth, kPrompt);
    QCOMPARE(over.status, 429);
    QVERIFY2(message(over).contains(QLatin1String("namespace \"team\"")), qPrintable(message(over)));
    f.controller.stop();

    // Per source address, with limits.global on top.
    GatewayFixture g(1);
    g.config->limits.perIp.requestsPerMinute = 2;
    QVERIFY(g.start());
    QCOMPARE(g.request("GET", "/v1beta/models", GatewayFixture::auth()).status, 200);
    QCOMPARE(g.request("GET", "/v1beta/models", GatewayFixture::auth()).status, 200);
    const RawResponse ip = g.request("GET", "/v1beta/models", GatewayFixture::auth());
    QCOMPARE(ip.status, 429);
    QVERIFY2(message(ip).contains(QLatin1String("source address 127.0.0.1")), qPrintable(message(ip)));
}

void TstUsage::jwtCarriesNamespaceAndLimits() {
    const QString secret = QStringLiteral("jwt-usage-secret-0123456789-abcdefghijklmnop");
    GatewayFixture f(1);
    f.config->auth.jwtSecret = secret;
    QVERIFY(f.start());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray jwt = hsToken(
        QJsonObject{{QStringLiteral("sub"), QStringLiteral("carol")},
                    {QStringLiteral("exp"), now + 300},
                    {QStringLiteral("namespace"), QStringLiteral("research")},
                    {QStringLiteral("gemgate_limits"), QJsonObject{{QStringLiteral("requests_per_minute"), 2}}}},
        secret);
    const QList<QPair<QByteArray, QByteArray>> auth = {{"Authorization", "Bearer " + jwt}};
    QCOMPARE(f.request("POST", kGenerate, auth, kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, auth, kPrompt).status, 200);
    const RawResponse over = f.request("POST", kGenerate, auth, kPrompt);
    QCOMPARE(over.status, 429);
    QVERIFY2(message(over).contains(QLatin1String("client \"jwt:carol\"")), qPrintable(message(over)));
    const QString dbPath = f.config->storage.database;
    f.controller.stop();
    Db db(dbPath);
    const UsageRecord rec = db.byRequestId(over.header("x-gemgate-request-id"));
    QCOMPARE(rec.client, QStringLiteral("jwt:carol"));
    QCOMPARE(rec.nameSpace, QStringLiteral("research"));
    QCOMPARE(rec.errorKind, QStringLiteral("rate_limited"));
    QVERIFY(!rec.admitted);
}

QTEST_GUILESS_MAIN(TstUsage)
#include "tst_usage.moc"
