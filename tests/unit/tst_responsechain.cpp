// The response filter chain on its own, with a recording client and session: what each filter does to a head,
// a body and an end, in the order the chain runs them (the gateway's tests cover the same end to end).

#include "pipeline/requestlog.h"
#include "pipeline/responsechain.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"

#include "gemini/errorclass.h"

#include <QTest>

using namespace gemgate;

namespace {

struct RecordingClient final : ClientResponder {
    QStringList calls;
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    void sendResponse(int s, const HttpHeaders& h, const QByteArray& b) override {
        calls << QStringLiteral("send");
        status = s;
        headers = h;
        body = b;
    }
    void beginResponse(int s, const HttpHeaders& h, qint64) override {
        calls << QStringLiteral("begin");
        status = s;
        headers = h;
    }
    void writeBody(const char* d, qsizetype n) override {
        calls << QStringLiteral("write");
        body.append(d, n);
    }
    void endResponse() override { calls << QStringLiteral("end"); }
    void abortResponse() override { calls << QStringLiteral("abort"); }
    bool congested() const override { return false; }
    qint64 bytesSent() const override { return body.size(); }
};

struct RecordingHost final : FilterHost {
    bool retryAllowed = true;
    bool retryStarts = true;
    int retries = 0;
    int stops = 0;
    bool started = false;
    int finishedStatus = 0;
    QByteArray finishedKind;
    qint64 pending = -1;
    QStringList* calls = nullptr; // the client's calls: "finish" goes in between
    const KeyLease* currentLease() const override { return nullptr; }
    void stopUpstream() override { ++stops; }
    bool mayRetry() const override { return retryAllowed && !started; }
    bool retryAttempt(const ClassifiedError&) override {
        ++retries;
        return retryStarts;
    }
    void clientStarted() override { started = true; }
    void clientFinishing(int status, const QByteArray& kind, qint64 pendingBytes) override {
        finishedStatus = status;
        finishedKind = kind;
        pending = pendingBytes;
        if (calls)
            *calls << QStringLiteral("finish");
    }
};

ResponseHead upstreamHead(int status = 200) {
    ResponseHead h;
    h.status = status;
    h.headers.add("Content-Type", "text/event-stream");
    h.headers.add("Set-Cookie", "tracking=1");
    h.headers.add("Server", "ESF");
    h.headers.add("X-Goog-Upload-Status", "active");
    return h;
}

} // namespace

class TestResponseChain : public QObject {
    Q_OBJECT

    SharedState m_shared;
    WorkerEnv m_env;
    RecordingClient m_client;
    RecordingHost m_host;
    RequestContext m_ctx;
    std::unique_ptr<ResponseChain> m_chain;

    void build(const std::function<void(Config&)>& configure = {}) {
        auto config = std::make_shared<Config>();
        if (configure)
            configure(*config);
        auto rt = std::make_shared<Runtime>();
        rt->config = config;
        m_ctx.runtime = rt;
        m_chain = std::make_unique<ResponseChain>();
        m_chain->build(m_ctx, m_env, m_client, m_host);
        m_chain->attempt();
    }

private Q_SLOTS:
    void init() {
        m_env = WorkerEnv();
        m_env.shared = &m_shared;
        m_client = RecordingClient();
        m_host = RecordingHost();
        m_ctx = RequestContext();
        m_ctx.request.method = "POST";
        m_ctx.request.path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
        m_ctx.requestId = "1-2a";
        m_ctx.route = Route::GeminiApi;
    }

    void streamPassesThroughWithPolicyHeaders() {
        m_ctx.action = "streamGenerateContent";
        m_ctx.stream = m_ctx.sse = true;
        build([](Config& c) { c.gemini.keyPool.streamGuard = false; });
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        QCOMPARE(m_client.calls, QStringList{QStringLiteral("begin")});
        QVERIFY(m_host.started);
        QCOMPARE(m_client.headers.value("content-type"), QByteArray("text/event-stream"));
        QCOMPARE(m_client.headers.value("x-goog-upload-status"), QByteArray("active"));
        QVERIFY(!m_client.headers.contains("set-cookie"));
        QVERIFY(!m_client.headers.contains("server"));
        QCOMPARE(m_client.headers.value("x-gemgate-request-id"), QByteArray("1-2a"));
        QCOMPARE(m_client.headers.value("x-content-type-options"), QByteArray("nosniff"));
        QVERIFY(!m_client.headers.contains("cache-control")); // no-store is for the gateway's own answers
        const QByteArray event = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]}}],"
                                 "\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":5}}\r\n\r\n";
        m_chain->data(event.constData(), event.size());
        StreamEnd end;
        m_chain->end(end);
        QCOMPARE(m_client.body, event);
        QCOMPARE(m_client.calls.last(), QStringLiteral("end"));
        QCOMPARE(m_host.finishedStatus, 200);
        QCOMPARE(m_host.finishedKind, QByteArray());
        RequestOutcome o;
        o.status = 200;
        m_chain->log(o);
        QCOMPARE(o.reported.prompt, 3);
        QCOMPARE(o.reported.total, 5);
        QCOMPARE(o.metricsRoute, QStringLiteral("POST /v1beta/models/{model}:streamGenerateContent"));
    }

    void localReplyKeepsItsHeaders() {
        build();
        ResponseHead head;
        head.status = 401;
        head.origin = ReplyOrigin::Local;
        head.headers.add("WWW-Authenticate", "Bearer");
        m_chain->reply(head, "{\"error\":{}}", "auth_missing");
        QCOMPARE(m_client.calls, QStringList{QStringLiteral("send")});
        QCOMPARE(m_client.headers.value("www-authenticate"), QByteArray("Bearer"));
        QCOMPARE(m_client.headers.value("cache-control"), QByteArray("no-store"));
        QCOMPARE(m_host.finishedKind, QByteArray("auth_missing"));
        QVERIFY(!m_host.started); // the gateway's own answers have no time to first byte
    }

    void relayedRateLimitSaysWhenToComeBack() {
        build();
        ResponseHead head = upstreamHead(429);
        head.origin = ReplyOrigin::UpstreamError;
        head.retryAfterMs = 2500;
        m_chain->reply(head, "{\"error\":{\"code\":429}}", "upstream_429");
        QCOMPARE(m_client.status, 429);
        QCOMPARE(m_client.headers.value("retry-after"), QByteArray("3"));
        QVERIFY(!m_client.headers.contains("set-cookie"));
    }

    void guardHoldsUntilAnAnswerArrives() {
        m_ctx.action = "streamGenerateContent";
        m_ctx.stream = m_ctx.sse = true;
        build(); // stream_guard is on by default
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        const QByteArray meta = "data: {\"modelVersion\":\"x\"}\r\n\r\n";
        m_chain->data(meta.constData(), meta.size());
        QVERIFY(m_client.calls.isEmpty()); // nothing reached the client: another key could still be tried
        const QByteArray answer = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]}}]}\r\n\r\n";
        m_chain->data(answer.constData(), answer.size());
        QCOMPARE(m_client.calls, (QStringList{QStringLiteral("begin"), QStringLiteral("write")}));
        QCOMPARE(m_client.body, meta + answer);
    }

    void guardRetriesAnEmptyAnswerAndFlushesItWhenNoKeyIsLeft() {
        m_ctx.action = "generateContent";
        build();
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        const QByteArray empty = "{\"modelVersion\":\"x\"}";
        m_chain->data(empty.constData(), empty.size());
        StreamEnd end;
        m_chain->end(end);
        QCOMPARE(m_host.retries, 1);
        QVERIFY(m_client.calls.isEmpty());
        // The retry found no key: the held answer is the best there is.
        QVERIFY(m_chain->flushHeld("empty_reply"));
        QCOMPARE(m_client.calls,
                 (QStringList{QStringLiteral("begin"), QStringLiteral("write"), QStringLiteral("end")}));
        QCOMPARE(m_client.body, empty);
        QCOMPARE(m_host.finishedKind, QByteArray("empty_reply"));
        QVERIFY(!m_chain->flushHeld("empty_reply"));
    }

    void guardStepsAsideWhenNoRetryIsPossible() {
        m_ctx.action = "generateContent";
        m_host.retryAllowed = false;
        build();
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        QCOMPARE(m_client.calls, QStringList{QStringLiteral("begin")});
    }

    void brokenSseStreamEndsWithAnErrorEvent() {
        m_ctx.action = "streamGenerateContent";
        m_ctx.stream = m_ctx.sse = true;
        build([](Config& c) { c.gemini.keyPool.streamGuard = false; });
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        StreamEnd end;
        end.errorKind = "broken";
        end.error = GatewayError::make(502, QStringLiteral("The upstream stream broke: reset"), "broken");
        end.clean = false;
        m_chain->end(end);
        QVERIFY(m_client.body.startsWith("data: {\"error\":{\"code\":502"));
        QVERIFY(m_client.body.endsWith("\r\n\r\n"));
        QCOMPARE(m_client.calls.last(), QStringLiteral("abort"));
        QCOMPARE(m_host.pending, m_client.body.size()); // logged before the last bytes went out
    }

    void cutJsonArrayStreamEndsAsAValidArray() {
        m_ctx.action = "streamGenerateContent";
        m_ctx.stream = true;
        build([](Config& c) { c.gemini.keyPool.streamGuard = false; });
        ResponseHead head = upstreamHead();
        m_chain->head(head);
        StreamEnd end;
        end.errorKind = "quota_truncated";
        end.error = GatewayError::make(429, QStringLiteral("quota"), "quota_exhausted");
        m_chain->end(end);
        QVERIFY(m_client.body.startsWith(",\r\n{\"error\":{\"code\":429"));
        QVERIFY(m_client.body.endsWith("\r\n]"));
        QCOMPARE(m_client.calls.last(), QStringLiteral("end"));
    }

    void openAiClientsGetOpenAiErrors() {
        m_ctx.api = ApiFlavor::OpenAi;
        build();
        ResponseHead head;
        head.status = 401;
        head.origin = ReplyOrigin::Local;
        head.headers.add("Content-Type", "application/json; charset=UTF-8");
        const GatewayError e = GatewayError::make(401, QStringLiteral("No key"), "auth_missing");
        m_chain->reply(head, geminiErrorBody(e), e.kind);
        QVERIFY2(m_client.body.contains("\"type\":\"authentication_error\""), m_client.body.constData());
        QVERIFY(!m_client.body.contains("\"status\""));
    }

    void contentLengthAnswerIsLoggedBeforeItsLastByte() {
        // The client may send its next request the moment it has the whole answer: the request is counted (and its
        // policy slot freed) before that, not when the upstream's end arrives later.
        m_ctx.action = "countTokens";
        m_host.calls = &m_client.calls;
        build();
        ResponseHead head = upstreamHead();
        head.contentLength = 10;
        m_chain->head(head);
        m_chain->data("01234", 5);
        QCOMPARE(m_client.calls, (QStringList{QStringLiteral("begin"), QStringLiteral("write")}));
        m_chain->data("56789", 5);
        QCOMPARE(m_client.calls, (QStringList{QStringLiteral("begin"), QStringLiteral("write"),
                                              QStringLiteral("finish"), QStringLiteral("write")}));
        QCOMPARE(m_host.pending, qint64(5));
        StreamEnd end;
        m_chain->end(end);
        QCOMPARE(m_client.calls.count(QStringLiteral("finish")), 1);
        QCOMPARE(m_client.calls.last(), QStringLiteral("end"));
    }

    void headRequestsGetNoBodyButCountIt() {
        m_ctx.request.method = "HEAD";
        build();
        ResponseHead head;
        head.origin = ReplyOrigin::Local;
        m_chain->reply(head, "{\"status\":\"up\"}", QByteArray());
        QVERIFY(m_client.body.isEmpty());
        QCOMPARE(m_host.pending, qint64(15));
    }
};

QTEST_GUILESS_MAIN(TestResponseChain)
#include "tst_responsechain.moc"
