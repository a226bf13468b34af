// The OpenAI-compatible API through the real gateway and the fake Gemini upstream: chat completions (plain,
// streamed with include_usage, a tool-call round trip whose thought signature the gateway restores), embeddings,
// models under /v1/ and /v1beta/openai/ (and /v1/models in Gemini's shape for Gemini clients), model aliases,
// every error in OpenAI's envelope (authentication, validation, upstream, client limits), and usage records.

#include "gatewayfixture.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

QList<QPair<QByteArray, QByteArray>> bearer(QList<QPair<QByteArray, QByteArray>> extra = {}) {
    extra.prepend({"Authorization", "Bearer " + kClientKey.toUtf8()});
    extra.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return extra;
}

QJsonObject json(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object();
}

// OpenAI's error envelope: {"error":{"message","type","param","code"}}.
QJsonObject openAiError(const RawResponse& r) {
    const QJsonObject e = json(r)[QLatin1String("error")].toObject();
    if (!e.contains(QLatin1String("message")) || !e.contains(QLatin1String("type")) ||
        !e.contains(QLatin1String("param")) || !e.contains(QLatin1String("code")) ||
        e.contains(QLatin1String("status")))
        return {};
    return e;
}

// The data: payloads of an SSE body, in order.
QList<QByteArray> events(const QByteArray& body) {
    QList<QByteArray> out;
    for (const QByteArray& line : body.split('\n')) {
        if (line.startsWith("data: "))
            out.append(line.mid(6).trimmed());
    }
    return out;
}

const QByteArray kChat = R"({"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},)"
                         R"({"role":"user","content":"hello gateway"}]})";

} // namespace

class TstOpenAi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chatCompletion();
    void chatStreamWithUsage();
    void toolCallRoundTrip();
    void embeddingsAndModels();
    void errorsInOpenAiEnvelope();
    void earlyErrorsInTheClientsEnvelope_data();
    void earlyErrorsInTheClientsEnvelope();
    void usageRecords();
    void quotaEndsStream();
    void ignoredFieldsAreNamed();
};

void TstOpenAi::chatCompletion() {
    GatewayFixture f(1);
    f.config->openai.modelAliases.insert(QStringLiteral("gpt-4o"), QStringLiteral("gemini-2.5-flash"));
    f.upstream.setRecordingEnabled(true);
    QVERIFY(f.start());
    for (const QByteArray& base : {QByteArray("/v1"), QByteArray("/v1beta/openai")}) {
        const RawResponse r = f.request("POST", base + "/chat/completions", bearer(), kChat);
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("application/json"));
        const QJsonObject o = json(r);
        QCOMPARE(o[QLatin1String("object")].toString(), QStringLiteral("chat.completion"));
        QVERIFY(o[QLatin1String("id")].toString().startsWith(QLatin1String("chatcmpl-")));
        QCOMPARE(o[QLatin1String("model")].toString(), QStringLiteral("gemini-2.5-flash"));
        const QJsonObject choice = o[QLatin1String("choices")].toArray()[0].toObject();
        QCOMPARE(choice[QLatin1String("finish_reason")].toString(), QStringLiteral("stop"));
        QCOMPARE(choice[QLatin1String("message")][QLatin1String("role")].toString(), QStringLiteral("assistant"));
        QCOMPARE(choice[QLatin1String("message")][QLatin1String("content")].toString(),
                 QStringLiteral("echo: hello gateway"));
        const QJsonObject usage = o[QLatin1String("usage")].toObject();
        QVERIFY(usage[QLatin1String("prompt_tokens")].toInt() > 0);
        QCOMPARE(usage[QLatin1String("total_tokens")].toInt(),
                 usage[QLatin1String("prompt_tokens")].toInt() + usage[QLatin1String("completion_tokens")].toInt());
    }
    // What reached Google: the native call, with the system message as systemInstruction.
    const RecordedRequest up = f.upstream.requests().last();
    QCOMPARE(up.path(), QByteArray("/v1beta/models/gemini-2.5-flash:generateContent"));
    const QJsonObject native = QJsonDocument::fromJson(up.body).object();
    QCOMPARE(native[QLatin1String("systemInstruction")][QLatin1String("parts")][0][QLatin1String("text")].toString(),
             QStringLiteral("Be brief."));
    QCOMPARE(native[QLatin1String("contents")].toArray().size(), 1);
    QVERIFY(up.header("authorization").isEmpty());

    // An alias: Google sees the Gemini model, the client its own name back.
    QByteArray aliased = kChat;
    aliased.replace("gemini-2.5-flash", "gpt-4o");
    const RawResponse a = f.request("POST", "/v1/chat/completions", bearer(), aliased);
    QCOMPARE(a.status, 200);
    QCOMPARE(json(a)[QLatin1String("model")].toString(), QStringLiteral("gpt-4o"));
    QCOMPARE(f.upstream.requests().last().path(), QByteArray("/v1beta/models/gemini-2.5-flash:generateContent"));
    // The alias is a model of its own for the client: listed, and retrievable under its name.
    const RawResponse one = f.request("GET", "/v1/models/gpt-4o", bearer());
    QCOMPARE(one.status, 200);
    QCOMPARE(json(one)[QLatin1String("id")].toString(), QStringLiteral("gpt-4o"));
    bool listed = false;
    for (const QJsonValue& m : json(f.request("GET", "/v1/models", bearer()))[QLatin1String("data")].toArray())
        listed = listed || m[QLatin1String("id")].toString() == QLatin1String("gpt-4o");
    QVERIFY(listed);
}

void TstOpenAi::chatStreamWithUsage() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QByteArray body = kChat;
    body.chop(1);
    body += R"(,"stream":true,"stream_options":{"include_usage":true}})";
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    c.send("POST", "/v1/chat/completions", bearer({{"x-fake-chunks", "4"}, {"x-fake-interval-ms", "150"}}), body);
    QVERIFY(c.waitForResponse(10'000));
    const RawResponse& r = c.response();
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    QVERIFY(r.header("content-type").startsWith("text/event-stream"));
    // Chunks arrive as the upstream sends them, not all at the end.
    QVERIFY2(r.pieces.size() >= 4, qPrintable(QString::number(r.pieces.size())));
    QVERIFY(r.pieces.last().first - r.pieces.first().first >= 300);
    const QList<QByteArray> ev = events(r.body);
    QCOMPARE(ev.last(), QByteArray("[DONE]"));
    QString text;
    QString finish;
    QJsonObject usage;
    for (int i = 0; i + 1 < ev.size(); ++i) {
        const QJsonObject chunk = QJsonDocument::fromJson(ev[i]).object();
        QCOMPARE(chunk[QLatin1String("object")].toString(), QStringLiteral("chat.completion.chunk"));
        const QJsonArray choices = chunk[QLatin1String("choices")].toArray();
        if (choices.isEmpty()) {
            usage = chunk[QLatin1String("usage")].toObject();
            QCOMPARE(i, ev.size() - 2); // the usage chunk comes last, just before [DONE]
            continue;
        }
        QVERIFY(chunk[QLatin1String("usage")].isNull());
        text += choices[0][QLatin1String("delta")][QLatin1String("content")].toString();
        if (!choices[0][QLatin1String("finish_reason")].isNull())
            finish = choices[0][QLatin1String("finish_reason")].toString();
    }
    QCOMPARE(text, QStringLiteral("echo: hello gateway +1 +2 +3"));
    QCOMPARE(finish, QStringLiteral("stop"));
    QVERIFY(usage[QLatin1String("completion_tokens")].toInt() > 0);
    QVERIFY(usage[QLatin1String("total_tokens")].toInt() > usage[QLatin1String("prompt_tokens")].toInt());
}

void TstOpenAi::toolCallRoundTrip() {
    GatewayFixture f(1);
    f.upstream.setRecordingEnabled(true);
    QVERIFY(f.start());
    const QByteArray tools =
        R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather in a city",)"
        R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])";
    const QByteArray first =
        R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Weather in Paris?"}],)" + tools + "}";
    const RawResponse r = f.request(
        "POST", "/v1/chat/completions",
        bearer({{"x-fake-function-call", R"(get_weather:{"city":"Paris"})"}, {"x-fake-require-signatures", "1"}}),
        first);
    QCOMPARE(r.status, 200);
    const QJsonObject choice = json(r)[QLatin1String("choices")].toArray()[0].toObject();
    QCOMPARE(choice[QLatin1String("finish_reason")].toString(), QStringLiteral("tool_calls"));
    const QJsonObject message = choice[QLatin1String("message")].toObject();
    QVERIFY(message[QLatin1String("content")].isNull());
    const QJsonObject call = message[QLatin1String("tool_calls")].toArray()[0].toObject();
    const QString id = call[QLatin1String("id")].toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(call[QLatin1String("function")][QLatin1String("name")].toString(), QStringLiteral("get_weather"));
    QCOMPARE(QJsonDocument::fromJson(call[QLatin1String("function")][QLatin1String("arguments")].toString().toUtf8())
                 .object()[QLatin1String("city")]
                 .toString(),
             QStringLiteral("Paris"));
    // No signature reaches the client (OpenAI has no field for it)...
    QVERIFY(!r.body.contains("thoughtSignature"));

    // ...and the next turn, which the client sends without it, gets it back: the fake upstream refuses calls
    // without their signature, like Gemini 3.
    QJsonObject assistant = message;
    const QJsonArray messages{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QStringLiteral("Weather in Paris?")}},
                              assistant,
                              QJsonObject{{QStringLiteral("role"), QStringLiteral("tool")},
                                          {QStringLiteral("tool_call_id"), id},
                                          {QStringLiteral("content"), QStringLiteral(R"({"temperature":21})")}}};
    QJsonObject second = QJsonDocument::fromJson(first).object();
    second[QLatin1String("messages")] = messages;
    const RawResponse r2 = f.request("POST", "/v1/chat/completions", bearer({{"x-fake-require-signatures", "1"}}),
                                     QJsonDocument(second).toJson(QJsonDocument::Compact));
    QVERIFY2(r2.status == 200, r2.body.constData());
    const QJsonObject native = QJsonDocument::fromJson(f.upstream.requests().last().body).object();
    const QJsonArray contents = native[QLatin1String("contents")].toArray();
    QCOMPARE(contents.size(), 3);
    const QJsonObject callPart = contents[1][QLatin1String("parts")][0].toObject();
    QVERIFY(!callPart[QLatin1String("thoughtSignature")].toString().isEmpty());
    QCOMPARE(
        contents[2][QLatin1String("parts")][0][QLatin1String("functionResponse")][QLatin1String("name")].toString(),
        QStringLiteral("get_weather"));
}

void TstOpenAi::embeddingsAndModels() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse e =
        f.request("POST", "/v1/embeddings", bearer(), R"({"model":"text-embedding-004","input":["one","two"]})");
    QCOMPARE(e.status, 200);
    const QJsonObject eo = json(e);
    QCOMPARE(eo[QLatin1String("object")].toString(), QStringLiteral("list"));
    const QJsonArray data = eo[QLatin1String("data")].toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(data[1][QLatin1String("index")].toInt(), 1);
    QVERIFY(data[0][QLatin1String("embedding")].toArray().size() > 0);
    QCOMPARE(eo[QLatin1String("model")].toString(), QStringLiteral("text-embedding-004"));

    for (const QByteArray& path : {QByteArray("/v1/models"), QByteArray("/v1beta/openai/models")}) {
        const RawResponse m = f.request("GET", path, bearer());
        QCOMPARE(m.status, 200);
        const QJsonObject mo = json(m);
        QCOMPARE(mo[QLatin1String("object")].toString(), QStringLiteral("list"));
        bool found = false;
        for (const QJsonValue& v : mo[QLatin1String("data")].toArray()) {
            QCOMPARE(v[QLatin1String("object")].toString(), QStringLiteral("model"));
            found = found || v[QLatin1String("id")].toString() == QLatin1String("gemini-2.5-flash");
        }
        QVERIFY(found);
    }
    const RawResponse one = f.request("GET", "/v1/models/gemini-2.5-flash", bearer());
    QCOMPARE(one.status, 200);
    QCOMPARE(json(one)[QLatin1String("id")].toString(), QStringLiteral("gemini-2.5-flash"));
    // A Gemini client (x-goog-api-key) gets Gemini's shape at the same path.
    const RawResponse native = f.request("GET", "/v1/models", GatewayFixture::auth());
    QCOMPARE(native.status, 200);
    QVERIFY(json(native).contains(QLatin1String("models")));
}

void TstOpenAi::errorsInOpenAiEnvelope() {
    GatewayFixture f(1);
    f.config->auth.clientKeys[0].limits.requestsPerMinute = 1;
    f.config->server.maxBodyBytes = 64 * 1024;
    QVERIFY(f.start());
    // Authentication.
    const RawResponse noKey = f.request("POST", "/v1/chat/completions", {{"Content-Type", "application/json"}}, kChat);
    QCOMPARE(noKey.status, 401);
    QVERIFY2(!openAiError(noKey).isEmpty(), noKey.body.constData());
    QCOMPARE(openAiError(noKey)[QLatin1String("type")].toString(), QStringLiteral("authentication_error"));
    // Validation: the field is named.
    const RawResponse bad = f.request("POST", "/v1/chat/completions", bearer(),
                                      R"({"model":"gemini-2.5-flash","messages":[],"frobnicate":1})");
    QCOMPARE(bad.status, 400);
    QVERIFY2(!openAiError(bad).isEmpty(), bad.body.constData());
    QCOMPARE(openAiError(bad)[QLatin1String("type")].toString(), QStringLiteral("invalid_request_error"));
    // An upstream error.
    const RawResponse up = f.request("POST", "/v1/chat/completions", bearer({{"x-fake-status", "400"}}), kChat);
    QCOMPARE(up.status, 400);
    QVERIFY2(!openAiError(up).isEmpty(), up.body.constData());
    QVERIFY(!up.body.contains("AIza"));
    // A client limit (1 per minute, used by the upstream-error request; refused ones do not count).
    const RawResponse limited = f.request("POST", "/v1/chat/completions", bearer(), kChat);
    QCOMPARE(limited.status, 429);
    QVERIFY2(!openAiError(limited).isEmpty(), limited.body.constData());
    QCOMPARE(openAiError(limited)[QLatin1String("type")].toString(), QStringLiteral("rate_limit_error"));
    QVERIFY(openAiError(limited)[QLatin1String("message")].toString().contains(QLatin1String("requests_per_minute")));
    QVERIFY(limited.header("retry-after").toInt() >= 1);
    // Even an error of the HTTP layer itself (a body over server.max_body_bytes) comes in OpenAI's envelope.
    const RawResponse big = f.request("POST", "/v1/chat/completions", bearer(), QByteArray(70 * 1024, ' ') + kChat);
    QCOMPARE(big.status, 413);
    QVERIFY2(!openAiError(big).isEmpty(), big.body.constData());
    // Google's OpenAI layer has more (images, batches): GemGate does not pass them through untranslated.
    const RawResponse images = f.request("POST", "/v1beta/openai/images/generations", bearer(), "{}");
    QCOMPARE(images.status, 404);
    QVERIFY2(!openAiError(images).isEmpty(), images.body.constData());
    QCOMPARE(f.upstream.requestCount(), 1); // only the x-fake-status call above reached it
    // The wrong method.
    const RawResponse method = f.request("GET", "/v1/chat/completions", bearer());
    QVERIFY(method.status == 405 || method.status == 429);
    QVERIFY(!openAiError(method).isEmpty());
}

void TstOpenAi::earlyErrorsInTheClientsEnvelope_data() {
    // A request refused while it is still being read (body too large) never reaches a session, yet it is answered
    // in the envelope of the API it speaks, decided as a session decides it.
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<bool>("bearer");        // authenticates the OpenAI way (else with x-goog-api-key)
    QTest::addColumn<bool>("openAiEnabled"); // openai.enabled
    QTest::addColumn<bool>("chunked");       // too large as it arrives (else declared too large in Content-Length)
    QTest::addColumn<bool>("openAi");        // expected: OpenAI's envelope (else Gemini's)
    QTest::newRow("/v1/models, OpenAI client") << QByteArray("/v1/models") << true << true << false << true;
    QTest::newRow("/v1/models, OpenAI client, chunked") << QByteArray("/v1/models") << true << true << true << true;
    QTest::newRow("/v1/models, OpenAI API off") << QByteArray("/v1/models") << true << false << false << false;
    QTest::newRow("/v1/models, OpenAI API off, chunked") << QByteArray("/v1/models") << true << false << true << false;
    QTest::newRow("/v1/models, Gemini client") << QByteArray("/v1/models") << false << true << false << false;
    QTest::newRow("/v1/chat/completions") << QByteArray("/v1/chat/completions") << true << true << false << true;
    QTest::newRow("/v1beta/openai/models") << QByteArray("/v1beta/openai/models") << true << true << true << true;
    QTest::newRow("native") << QByteArray("/v1beta/models/gemini-2.5-flash:generateContent") << false << true << false
                            << false;
}

void TstOpenAi::earlyErrorsInTheClientsEnvelope() {
    QFETCH(QByteArray, target);
    QFETCH(bool, bearer);
    QFETCH(bool, openAiEnabled);
    QFETCH(bool, chunked);
    QFETCH(bool, openAi);
    GatewayFixture f(1);
    f.config->openai.enabled = openAiEnabled;
    f.config->server.maxBodyBytes = 1024;
    QVERIFY(f.start());
    RawHttpClient c;
    QVERIFY(c.connectTo(f.port()));
    QByteArray head = "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    head += QByteArray(bearer ? "Authorization: Bearer " : "x-goog-api-key: ") + kClientKey.toUtf8() + "\r\n";
    if (chunked)
        c.sendRaw(head + "Transfer-Encoding: chunked\r\n\r\n800\r\n" + QByteArray(0x800, 'a') + "\r\n0\r\n\r\n");
    else
        c.sendRaw(head + "Content-Length: 5000\r\n\r\n");
    QVERIFY(c.waitForResponse());
    const RawResponse& r = c.response();
    QCOMPARE(r.status, 413);
    if (openAi) {
        QVERIFY2(!openAiError(r).isEmpty(), r.body.constData());
    } else {
        const QJsonObject e = json(r)[QLatin1String("error")].toObject();
        QVERIFY2(openAiError(r).isEmpty(), r.body.constData());
        QCOMPARE(e[QLatin1String("code")].toInt(), 413);
        QCOMPARE(e[QLatin1String("status")].toString(), QStringLiteral("INVALID_ARGUMENT"));
    }
    QCOMPARE(f.upstream.requestCount(), 0);
}

void TstOpenAi::usageRecords() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    const RawResponse r = f.request("POST", "/v1/chat/completions", bearer(), kChat);
    QCOMPARE(r.status, 200);
    const RawResponse e = f.request("POST", "/v1/embeddings", bearer(),
                                    R"({"model":"text-embedding-004","input":"some words to embed"})");
    QCOMPARE(e.status, 200);
    const QString dbPath = f.config->storage.database;
    f.controller.stop();
    QString error;
    auto db = StateDb::open(dbPath, &error);
    QVERIFY(db);
    UsageStore store(db.get());
    QList<UsageRecord> rows = store.recent(10);
    QCOMPARE(rows.size(), 2);
    // Embeddings report no usageMetadata: the record and the answer both carry the estimate, so they count.
    const UsageRecord emb = rows.takeFirst();
    QCOMPARE(emb.route, QStringLiteral("POST /v1/embeddings"));
    QVERIFY(emb.totalTokens > 0);
    QCOMPARE(emb.totalTokens, json(e)[QLatin1String("usage")][QLatin1String("total_tokens")].toInteger());
    QCOMPARE(rows[0].route, QStringLiteral("POST /v1/chat/completions"));
    QCOMPARE(rows[0].model, QStringLiteral("gemini-2.5-flash"));
    QCOMPARE(rows[0].client, QStringLiteral("tester"));
    const QJsonObject usage = json(r)[QLatin1String("usage")].toObject();
    QCOMPARE(rows[0].totalTokens, usage[QLatin1String("total_tokens")].toInteger());
    QCOMPARE(rows[0].promptTokens, usage[QLatin1String("prompt_tokens")].toInteger());
}

void TstOpenAi::quotaEndsStream() {
    GatewayFixture f(1);
    f.config->auth.clientKeys[0].limits.tokensPerDay = 60;
    QVERIFY(f.start());
    QByteArray body = kChat;
    body.chop(1);
    body += R"(,"stream":true})";
    const RawResponse r = f.request("POST", "/v1/chat/completions",
                                    bearer({{"x-fake-chunks", "200"}, {"x-fake-interval-ms", "20"}}), body, 20'000);
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete);
    const QList<QByteArray> ev = events(r.body);
    QVERIFY2(ev.size() >= 2 && ev.size() < 100, qPrintable(QString::number(ev.size())));
    // Chunks up to the quota, then OpenAI's error event.
    const QJsonObject error = QJsonDocument::fromJson(ev.last()).object()[QLatin1String("error")].toObject();
    QCOMPARE(error[QLatin1String("type")].toString(), QStringLiteral("rate_limit_error"));
    QVERIFY(error[QLatin1String("message")].toString().contains(QLatin1String("tokens_per_day = 60")));
    QCOMPARE(QJsonDocument::fromJson(ev.first()).object()[QLatin1String("object")].toString(),
             QStringLiteral("chat.completion.chunk"));
    QTRY_COMPARE_WITH_TIMEOUT(f.upstream.abortedByClient(), 1, 5000);
}

void TstOpenAi::ignoredFieldsAreNamed() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QByteArray body = kChat;
    body.chop(1);
    body += R"(,"user":"u-123","store":false})";
    const RawResponse r = f.request("POST", "/v1/chat/completions", bearer(), body);
    QCOMPARE(r.status, 200);
    const QByteArray ignored = r.header("x-gemgate-ignored-fields");
    QVERIFY2(ignored.contains("user") && ignored.contains("store"), ignored.constData());
}

QTEST_GUILESS_MAIN(TstOpenAi)
#include "tst_openai.moc"
