// The fake Gemini upstream is the reference the gateway is tested against, so its own wire behaviour is pinned
// here with a raw socket client (exact framing, timing, keep-alive) and once with QNetworkAccessManager.

#include "fakeupstream.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using gemgate::test::FakeUpstream;
using namespace Qt::StringLiterals;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

struct Response {
    int status = 0;
    Headers headers;
    QByteArray body;            // de-chunked
    QList<QByteArray> chunks;   // body pieces as the server framed them (chunked responses)
    QList<qint64> chunkTimesMs; // when each chunk had arrived, since the request was sent
    bool complete = false;      // the body ended properly (length reached or terminating chunk)

    QByteArray header(QByteArrayView name) const {
        for (const auto& h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A minimal HTTP/1.1 client on one QTcpSocket, blocking the test thread: the fake serves from its own thread.
class RawClient {
public:
    explicit RawClient(quint16 port) {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(5000);
    }

    QTcpSocket& socket() { return m_socket; }

    void send(const QByteArray& method, const QByteArray& target, const Headers& headers = {},
              const QByteArray& body = {}) {
        QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        bool chunked = false;
        for (const auto& h : headers) {
            raw += h.first + ": " + h.second + "\r\n";
            chunked = chunked || (h.first.toLower() == "transfer-encoding" && h.second == "chunked");
        }
        if (!chunked && (!body.isEmpty() || method == "POST"))
            raw += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        raw += "\r\n" + body;
        m_socket.write(raw);
        m_socket.flush();
        m_clock.start();
    }

    Response request(const QByteArray& method, const QByteArray& target, const Headers& headers = {},
                     const QByteArray& body = {}) {
        send(method, target, headers, body);
        return readResponse();
    }

    Response readResponse(int timeoutMs = 5000) {
        Response r;
        QElapsedTimer timer;
        timer.start();
        const auto more = [&]() -> bool {
            if (m_socket.bytesAvailable() == 0 && m_socket.state() == QAbstractSocket::ConnectedState)
                m_socket.waitForReadyRead(int(qMax<qint64>(1, timeoutMs - timer.elapsed())));
            if (m_socket.bytesAvailable() == 0)
                return false;
            m_buffer += m_socket.readAll();
            return true;
        };
        qsizetype end = -1;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!more())
                return r;
        }
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        r.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            r.headers.append({lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed()});
        }
        if (r.header("transfer-encoding") != "chunked") {
            const qsizetype length = r.header("content-length").toLongLong();
            while (m_buffer.size() < length) {
                if (!more())
                    return r;
            }
            r.body = m_buffer.left(length);
            m_buffer.remove(0, length);
            r.complete = true;
            return r;
        }
        for (;;) {
            qsizetype eol = -1;
            while ((eol = m_buffer.indexOf("\r\n")) < 0) {
                if (!more())
                    return r;
            }
            const qsizetype size = m_buffer.left(eol).toLongLong(nullptr, 16);
            while (m_buffer.size() < eol + 2 + size + 2) {
                if (!more())
                    return r;
            }
            if (size == 0) {
                m_buffer.remove(0, eol + 4);
                r.complete = true;
                return r;
            }
            r.chunks.append(m_buffer.mid(eol + 2, size));
            r.chunkTimesMs.append(m_clock.elapsed());
            r.body += r.chunks.last();
            m_buffer.remove(0, eol + 2 + size + 2);
        }
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QElapsedTimer m_clock;
};

// Raw string literals that start or end with a quote confuse moc (Qt 6.4), hence some escaped strings below.
const QByteArray kKey = "AIzaSyFakeKey0000000000000000000000001";
const QByteArray kOtherKey = "AIzaSyFakeKey0000000000000000000000002";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"first"}]},)"
                           R"({"role":"user","parts":[{"text":"Why is the sky blue?"}]}]})";

Headers withKey(const QByteArray& key, Headers more = {}) {
    more.prepend(qMakePair(QByteArrayLiteral("x-goog-api-key"), key));
    more.append(qMakePair(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")));
    return more;
}

QList<QJsonObject> sseEvents(const QByteArray& body) {
    QList<QJsonObject> events;
    for (const QByteArray& block : body.split('\n')) {
        if (block.startsWith("data: "))
            events.append(QJsonDocument::fromJson(block.mid(6).trimmed()).object());
    }
    return events;
}

QString partText(const QJsonObject& response) {
    return response[u"candidates"_s][0][u"content"_s][u"parts"_s][0][u"text"_s].toString();
}

// The decoded thoughtSignature of a part ("sig-<name>-<n>").
QByteArray signatureOf(const QJsonValue& part) {
    return QByteArray::fromBase64(part[u"thoughtSignature"_s].toString().toLatin1());
}

} // namespace

class TestFakeUpstream : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_fake.start()); }
    void init() {
        m_fake.clearRequests();
        m_fake.resetCounters();
        m_fake.clearKeyBehaviors();
    }
    void cleanupTestCase() { m_fake.stop(); }

    void generateContentShape() {
        RawClient c(m_fake.port());
        const Response r = c.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", withKey(kKey), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("application/json"));
        const QJsonObject o = r.json();
        QCOMPARE(partText(o), u"echo: Why is the sky blue?"_s);
        const QJsonObject candidate = o[u"candidates"_s][0].toObject();
        QCOMPARE(candidate[u"finishReason"_s].toString(), u"STOP"_s);
        QCOMPARE(candidate[u"content"_s][u"role"_s].toString(), u"model"_s);
        const QJsonObject usage = o[u"usageMetadata"_s].toObject();
        QVERIFY(usage[u"promptTokenCount"_s].toInt() > 0);
        QVERIFY(usage[u"candidatesTokenCount"_s].toInt() > 0);
        QCOMPARE(usage[u"totalTokenCount"_s].toInt(),
                 usage[u"promptTokenCount"_s].toInt() + usage[u"candidatesTokenCount"_s].toInt());
        QCOMPARE(o[u"modelVersion"_s].toString(), u"gemini-2.5-flash"_s);
        QVERIFY(!o[u"responseId"_s].toString().isEmpty());
        // The version segment is not significant.
        QCOMPARE(c.request("POST", "/v1/models/x:generateContent", withKey(kKey), kPrompt).status, 200);
    }

    void sseEventsArriveSpaced() {
        RawClient c(m_fake.port());
        const Response r = c.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                     withKey(kKey, {{"x-fake-chunks", "5"}, {"x-fake-interval-ms", "100"}}), kPrompt);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), "text/event-stream");
        QVERIFY(r.complete);
        // One chunk per event, each framed "data: <json>\r\n\r\n".
        QCOMPARE(r.chunks.size(), 5);
        for (const QByteArray& chunk : r.chunks) {
            QVERIFY(chunk.startsWith("data: {"));
            QVERIFY(chunk.endsWith("}\r\n\r\n"));
        }
        QVERIFY2(r.chunkTimesMs.first() < 100, QByteArray::number(r.chunkTimesMs.first()));
        QVERIFY2(r.chunkTimesMs.last() - r.chunkTimesMs.first() >= 350,
                 QByteArray::number(r.chunkTimesMs.last() - r.chunkTimesMs.first()));
        const QList<QJsonObject> events = sseEvents(r.body);
        QCOMPARE(events.size(), 5);
        QString text;
        int lastCandidates = 0;
        for (qsizetype i = 0; i < events.size(); ++i) {
            text += partText(events[i]);
            QCOMPARE(events[i][u"responseId"_s], events[0][u"responseId"_s]);
            const int candidates = events[i][u"usageMetadata"_s][u"candidatesTokenCount"_s].toInt();
            QVERIFY(candidates > lastCandidates); // running totals, not deltas
            lastCandidates = candidates;
            const bool hasFinish = events[i][u"candidates"_s][0].toObject().contains(u"finishReason"_s);
            QCOMPARE(hasFinish, i == events.size() - 1);
        }
        QCOMPARE(text, u"echo: Why is the sky blue? +1 +2 +3 +4"_s);
        QCOMPARE(m_fake.activeStreams(), 0);
        QCOMPARE(m_fake.maxConcurrentStreams(), 1);
    }

    void jsonArrayStream() {
        RawClient c(m_fake.port());
        const Response r = c.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                                     withKey(kKey, {{"x-fake-chunks", "3"}}), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY(r.complete);
        QCOMPARE(r.chunks.size(), 3);
        QVERIFY(r.body.startsWith("[{"));
        QVERIFY(r.body.contains("},\r\n{"));
        QVERIFY(r.body.endsWith("}\r\n]"));
        const QJsonArray array = QJsonDocument::fromJson(r.body).array();
        QCOMPARE(array.size(), 3);
        QCOMPARE(array[2][u"candidates"_s][0][u"finishReason"_s].toString(), u"STOP"_s);
        // Errors of a JSON-array stream come wrapped in the array too.
        m_fake.setKeyBehavior(QString::fromLatin1(kKey), FakeUpstream::Unavailable);
        const Response e =
            c.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", withKey(kKey), kPrompt);
        QCOMPARE(e.status, 503);
        QCOMPARE(QJsonDocument::fromJson(e.body).array()[0][u"error"_s][u"status"_s].toString(), u"UNAVAILABLE"_s);
    }

    void behaviors_data() {
        QTest::addColumn<int>("behavior");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("rpcStatus");
        QTest::addColumn<QByteArrayList>("contains");
        QTest::addColumn<QByteArrayList>("lacks");
        QTest::newRow("429 per minute")
            << int(FakeUpstream::RateLimitMinute) << 429 << u"RESOURCE_EXHAUSTED"_s
            << QByteArrayList{"GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "google.rpc.QuotaFailure",
                              "\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"41s\""}
            << QByteArrayList{};
        QTest::newRow("429 per day") << int(FakeUpstream::RateLimitDay) << 429 << u"RESOURCE_EXHAUSTED"_s
                                     << QByteArrayList{"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}
                                     << QByteArrayList{"RetryInfo"};
        QTest::newRow("403 suspended") << int(FakeUpstream::Forbidden) << 403 << u"PERMISSION_DENIED"_s
                                       << QByteArrayList{"Consumer 'api_key:" + kKey + "' has been suspended.",
                                                         "CONSUMER_SUSPENDED"}
                                       << QByteArrayList{};
        QTest::newRow("400 bad key") << int(FakeUpstream::InvalidKey) << 400 << u"INVALID_ARGUMENT"_s
                                     << QByteArrayList{"API_KEY_INVALID"} << QByteArrayList{};
        QTest::newRow("500") << int(FakeUpstream::Internal) << 500 << u"INTERNAL"_s << QByteArrayList{}
                             << QByteArrayList{};
        QTest::newRow("503") << int(FakeUpstream::Unavailable) << 503 << u"UNAVAILABLE"_s << QByteArrayList{}
                             << QByteArrayList{};
    }

    void behaviors() {
        QFETCH(int, behavior);
        QFETCH(int, status);
        QFETCH(QString, rpcStatus);
        QFETCH(QByteArrayList, contains);
        QFETCH(QByteArrayList, lacks);
        m_fake.setKeyBehavior(QString::fromLatin1(kKey), FakeUpstream::Behavior(behavior));
        RawClient c(m_fake.port());
        const Response r = c.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", withKey(kKey), kPrompt);
        QCOMPARE(r.status, status);
        const QJsonObject error = r.json()[u"error"_s].toObject();
        QCOMPARE(error[u"code"_s].toInt(), status);
        QCOMPARE(error[u"status"_s].toString(), rpcStatus);
        for (const QByteArray& s : contains)
            QVERIFY2(r.body.contains(s), s.constData());
        for (const QByteArray& s : lacks)
            QVERIFY2(!r.body.contains(s), s.constData());
        // Other keys are unaffected.
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent", withKey(kOtherKey), kPrompt).status, 200);
    }

    void behaviorForNextRequestsOnly() {
        m_fake.setKeyBehaviorCount(QString::fromLatin1(kKey), FakeUpstream::Unavailable, 2);
        RawClient c(m_fake.port());
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt).status, 503);
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt).status, 503);
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt).status, 200);
    }

    void emptyReply() {
        m_fake.setKeyBehavior(QString::fromLatin1(kKey), FakeUpstream::EmptyReply);
        RawClient c(m_fake.port());
        const Response unary = c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt);
        QCOMPARE(unary.status, 200);
        QVERIFY(unary.json().contains(u"promptFeedback"_s));
        QVERIFY(!unary.json().contains(u"candidates"_s));
        const Response stream = c.request("POST", "/v1beta/models/m:streamGenerateContent?alt=sse",
                                          withKey(kKey, {{"x-fake-chunks", "4"}}), kPrompt);
        const QList<QJsonObject> events = sseEvents(stream.body);
        QCOMPARE(events.size(), 1);
        QVERIFY(!events[0].contains(u"candidates"_s));
        QVERIFY(events[0].contains(u"usageMetadata"_s));
    }

    void knobsAndPlainErrors() {
        RawClient c(m_fake.port());
        const Response noKey = c.request("GET", "/v1beta/models");
        QCOMPARE(noKey.status, 403);
        QVERIFY(noKey.body.contains("Method doesn't allow unregistered callers"));
        QCOMPARE(c.request("GET", "/v1beta/nothing/here", withKey(kKey)).json()[u"error"_s][u"status"_s].toString(),
                 u"NOT_FOUND"_s);
        const Response forced =
            c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey, {{"x-fake-status", "504"}}), kPrompt);
        QCOMPARE(forced.status, 504);
        QCOMPARE(forced.json()[u"error"_s][u"status"_s].toString(), u"DEADLINE_EXCEEDED"_s);
        QElapsedTimer t;
        t.start();
        const Response delayed =
            c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey, {{"x-fake-delay-ms", "200"}}), kPrompt);
        QCOMPARE(delayed.status, 200);
        QVERIFY(t.elapsed() >= 190);
    }

    void functionCallReply() {
        RawClient c(m_fake.port());
        const Response r =
            c.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                      withKey(kKey, {{"x-fake-function-call", "get_weather:{\"city\":\"Paris\"}"}}), kPrompt);
        QCOMPARE(r.status, 200);
        const QJsonObject candidate = r.json()[u"candidates"_s][0].toObject();
        QCOMPARE(candidate[u"finishReason"_s].toString(), u"STOP"_s);
        QCOMPARE(candidate[u"content"_s][u"role"_s].toString(), u"model"_s);
        const QJsonArray parts = candidate[u"content"_s][u"parts"_s].toArray();
        QCOMPARE(parts.size(), 1); // no text part
        const QJsonObject call = parts[0][u"functionCall"_s].toObject();
        QCOMPARE(call[u"name"_s].toString(), u"get_weather"_s);
        QCOMPARE(call[u"args"_s].toObject(), QJsonObject({{u"city"_s, u"Paris"_s}}));
        QVERIFY(signatureOf(parts[0]).startsWith("sig-get_weather-"));
        const QJsonObject usage = r.json()[u"usageMetadata"_s].toObject();
        QVERIFY(usage[u"candidatesTokenCount"_s].toInt() > 0);
        QCOMPARE(usage[u"totalTokenCount"_s].toInt(),
                 usage[u"promptTokenCount"_s].toInt() + usage[u"candidatesTokenCount"_s].toInt());

        // Repeated lines are parallel calls, each with its own signature; a bare name has empty args.
        const Response two = c.request(
            "POST", "/v1beta/models/m:generateContent",
            withKey(kKey, {{"x-fake-function-call", "a"}, {"x-fake-function-call", "b : {\"n\": 1}"}}), kPrompt);
        const QJsonArray twoParts = two.json()[u"candidates"_s][0][u"content"_s][u"parts"_s].toArray();
        QCOMPARE(twoParts.size(), 2);
        QCOMPARE(twoParts[0][u"functionCall"_s][u"name"_s].toString(), u"a"_s);
        QCOMPARE(twoParts[0][u"functionCall"_s][u"args"_s].toObject(), QJsonObject());
        QCOMPARE(twoParts[1][u"functionCall"_s][u"name"_s].toString(), u"b"_s);
        QCOMPARE(twoParts[1][u"functionCall"_s][u"args"_s][u"n"_s].toInt(), 1);
        QVERIFY(signatureOf(twoParts[0]).startsWith("sig-a-"));
        QVERIFY(signatureOf(twoParts[1]).startsWith("sig-b-"));
        QVERIFY(signatureOf(twoParts[0]).mid(6) != signatureOf(twoParts[1]).mid(6));

        const Response bad = c.request("POST", "/v1beta/models/m:generateContent",
                                       withKey(kKey, {{"x-fake-function-call", "f:{not json"}}), kPrompt);
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.body.contains("x-fake-function-call"));
    }

    void functionCallStream() {
        RawClient c(m_fake.port());
        const Headers knob = {{"x-fake-function-call", "get_weather:{\"city\":\"Paris\"}"}};
        // x-fake-chunks > 1: a text event, then the complete call with STOP.
        const Response r = c.request("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                     withKey(kKey, knob + Headers{{"x-fake-chunks", "5"}}), kPrompt);
        QCOMPARE(r.status, 200);
        QVERIFY(r.complete);
        const QList<QJsonObject> events = sseEvents(r.body);
        QCOMPARE(events.size(), 2);
        QCOMPARE(partText(events[0]), u"echo: Why is the sky blue?"_s);
        QVERIFY(!events[0][u"candidates"_s][0].toObject().contains(u"finishReason"_s));
        const QJsonObject last = events[1][u"candidates"_s][0].toObject();
        QCOMPARE(last[u"finishReason"_s].toString(), u"STOP"_s);
        const QJsonValue part = last[u"content"_s][u"parts"_s][0];
        QCOMPARE(part[u"functionCall"_s][u"name"_s].toString(), u"get_weather"_s);
        QCOMPARE(part[u"functionCall"_s][u"args"_s][u"city"_s].toString(), u"Paris"_s);
        QVERIFY(signatureOf(part).startsWith("sig-get_weather-"));
        QCOMPARE(events[1][u"responseId"_s], events[0][u"responseId"_s]);
        QVERIFY(events[1][u"usageMetadata"_s][u"candidatesTokenCount"_s].toInt() >
                events[0][u"usageMetadata"_s][u"candidatesTokenCount"_s].toInt());
        // One event only with x-fake-chunks: 1; the JSON-array form carries the same.
        const Response one = c.request("POST", "/v1beta/models/m:streamGenerateContent?alt=sse",
                                       withKey(kKey, knob + Headers{{"x-fake-chunks", "1"}}), kPrompt);
        const QList<QJsonObject> oneEvents = sseEvents(one.body);
        QCOMPARE(oneEvents.size(), 1);
        QVERIFY(oneEvents[0][u"candidates"_s][0][u"content"_s][u"parts"_s][0].toObject().contains(u"functionCall"_s));
        const Response array =
            c.request("POST", "/v1beta/models/m:streamGenerateContent", withKey(kKey, knob), kPrompt);
        const QJsonArray chunks = QJsonDocument::fromJson(array.body).array();
        QCOMPARE(chunks.size(), 2);
        QCOMPARE(chunks[1][u"candidates"_s][0][u"content"_s][u"parts"_s][0][u"functionCall"_s][u"name"_s].toString(),
                 u"get_weather"_s);
    }

    void signaturesRequired() {
        RawClient c(m_fake.port());
        const QByteArray path = "/v1beta/models/gemini-3-pro-preview:generateContent";
        const Response first = c.request("POST", path,
                                         withKey(kKey, {{"x-fake-function-call", "get_weather:{\"city\":\"Paris\"}"},
                                                        {"x-fake-require-signatures", "1"}}),
                                         kPrompt);
        QCOMPARE(first.status, 200);
        const QJsonObject callPart = first.json()[u"candidates"_s][0][u"content"_s][u"parts"_s][0].toObject();
        const auto conversation = [](const QJsonArray& modelParts, int responses) {
            QJsonArray responseParts;
            for (int i = 0; i < responses; ++i)
                responseParts.append(QJsonObject{
                    {u"functionResponse"_s, QJsonObject{{u"name"_s, u"get_weather"_s},
                                                        {u"response"_s, QJsonObject{{u"temperature"_s, 21}}}}}});
            const QJsonArray contents = {
                QJsonObject{{u"role"_s, u"user"_s}, {u"parts"_s, QJsonArray{QJsonObject{{u"text"_s, u"weather?"_s}}}}},
                QJsonObject{{u"role"_s, u"model"_s}, {u"parts"_s, modelParts}},
                QJsonObject{{u"role"_s, u"user"_s}, {u"parts"_s, responseParts}},
            };
            return QJsonDocument(QJsonObject{{u"contents"_s, contents}}).toJson(QJsonDocument::Compact);
        };
        const Headers strict = withKey(kKey, {{"x-fake-require-signatures", "1"}});

        // The signed call answered once: accepted (the reply is the fixed sentence: no text in the last turn).
        const Response ok = c.request("POST", path, strict, conversation({callPart}, 1));
        QCOMPARE(ok.status, 200);
        QCOMPARE(partText(ok.json()), u"Hello from the fake Gemini upstream."_s);
        // A client that dropped the signature (as OpenAI clients do): 400 like Gemini 3, also for streams.
        QJsonObject unsigned_ = callPart;
        unsigned_.remove(u"thoughtSignature"_s);
        const Response missing = c.request("POST", path, strict, conversation({unsigned_}, 1));
        QCOMPARE(missing.status, 400);
        QCOMPARE(missing.json()[u"error"_s][u"status"_s].toString(), u"INVALID_ARGUMENT"_s);
        QVERIFY(missing.json()[u"error"_s][u"message"_s].toString().startsWith(
            u"Function call is missing a thought_signature in functionCall parts."_s));
        QVERIFY(missing.body.contains("get_weather"));
        QCOMPARE(
            c.request("POST", "/v1beta/models/m:streamGenerateContent?alt=sse", strict, conversation({unsigned_}, 1))
                .status,
            400);
        // Without the knob the fake is as lenient as Gemini 2.5.
        QCOMPARE(c.request("POST", path, withKey(kKey), conversation({unsigned_}, 1)).status, 200);
        // snake_case and the documented placeholder are accepted; a signature issued for another function is not.
        QJsonObject snake = unsigned_;
        snake.insert(u"thought_signature"_s, callPart[u"thoughtSignature"_s]);
        QCOMPARE(c.request("POST", path, strict, conversation({snake}, 1)).status, 200);
        QJsonObject placeholder = unsigned_;
        placeholder.insert(u"thoughtSignature"_s, u"skip_thought_signature_validator"_s);
        QCOMPARE(c.request("POST", path, strict, conversation({placeholder}, 1)).status, 200);
        QJsonObject foreign = unsigned_;
        foreign.insert(u"thoughtSignature"_s, QString::fromLatin1(QByteArray("sig-other-1").toBase64()));
        QCOMPARE(c.request("POST", path, strict, conversation({foreign}, 1)).status, 400);
        // Each function response turn answers exactly the calls of the model turn before it.
        const Response tooMany = c.request("POST", path, strict, conversation({callPart}, 2));
        QCOMPARE(tooMany.status, 400);
        QVERIFY(tooMany.body.contains("number of function response parts is equal to the number of function call"));
        QCOMPARE(c.request("POST", path, strict, conversation({callPart, callPart}, 1)).status, 400);
        QCOMPARE(c.request("POST", path, strict, conversation({callPart, callPart}, 2)).status, 200);
        QCOMPARE(c.request("POST", path, strict, conversation({QJsonObject{{u"text"_s, u"hm"_s}}}, 1)).status, 400);
        // The bodies are recorded for tests to inspect.
        const QList<gemgate::test::RecordedRequest> recorded = m_fake.requests();
        QVERIFY(recorded[1].body.contains("thoughtSignature"));
        QVERIFY(!recorded[2].body.contains("thoughtSignature"));
    }

    void embeddingsShapes() {
        RawClient c(m_fake.port());
        const QByteArray single = "{\"content\":{\"parts\":[{\"text\":\"hello\"}]}}";
        const QJsonObject one =
            c.request("POST", "/v1beta/models/gemini-embedding-001:embedContent", withKey(kKey), single).json();
        QCOMPARE(one[u"embedding"_s][u"values"_s].toArray().size(), 768);
        const QByteArray batch = "{\"requests\":["
                                 "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{"
                                 "\"text\":\"hello\"}]},\"outputDimensionality\":8},"
                                 "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{"
                                 "\"text\":\"world\"}]},\"output_dimensionality\":\"16\"},"
                                 "{\"content\":{\"parts\":[{\"text\":\"hello\"}]},\"outputDimensionality\":8}]}";
        const Response r =
            c.request("POST", "/v1beta/models/gemini-embedding-001:batchEmbedContents", withKey(kKey), batch);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().keys(), QStringList{u"embeddings"_s});
        const QJsonArray embeddings = r.json()[u"embeddings"_s].toArray();
        QCOMPARE(embeddings.size(), 3);
        QCOMPARE(embeddings[0][u"values"_s].toArray().size(), 8);
        QCOMPARE(embeddings[1][u"values"_s].toArray().size(), 16);
        QCOMPARE(embeddings[2][u"values"_s], embeddings[0][u"values"_s]); // deterministic
        QVERIFY(embeddings[1][u"values"_s].toArray()[0] != embeddings[0][u"values"_s].toArray()[0]);
        QCOMPARE(c.request("POST", "/v1beta/models/gemini-embedding-001:batchEmbedContents", withKey(kKey),
                           "{\"requests\":[{\"model\":\"models/other\",\"content\":{\"parts\":[]}}]}")
                     .status,
                 400);
    }

    void abortAfterClosesMidStream() {
        RawClient c(m_fake.port());
        const Response r = c.request(
            "POST", "/v1beta/models/m:streamGenerateContent?alt=sse",
            withKey(kKey, {{"x-fake-chunks", "5"}, {"x-fake-interval-ms", "20"}, {"x-fake-abort-after", "2"}}),
            kPrompt);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.chunks.size(), 2);
        QVERIFY(!r.complete); // no terminating chunk
        QTRY_COMPARE(c.socket().state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(m_fake.activeStreams(), 0);
        QCOMPARE(m_fake.abortedByClient(), 0); // the server hung up, not the client
    }

    void clientAbortIsCounted() {
        auto c = std::make_unique<RawClient>(m_fake.port());
        c->send("POST", "/v1beta/models/m:streamGenerateContent?alt=sse",
                withKey(kKey, {{"x-fake-chunks", "100"}, {"x-fake-interval-ms", "50"}}), kPrompt);
        QVERIFY(c->socket().waitForReadyRead(2000));
        QCOMPARE(m_fake.activeStreams(), 1);
        QElapsedTimer t;
        t.start();
        c->socket().abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_fake.abortedByClient(), 1, 2000);
        QVERIFY2(t.elapsed() < 500, QByteArray::number(t.elapsed()));
        QCOMPARE(m_fake.activeStreams(), 0);
        QCOMPARE(m_fake.maxConcurrentStreams(), 1);
    }

    void concurrentStreamsAreCounted() {
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 8; ++i) {
            clients.push_back(std::make_unique<RawClient>(m_fake.port()));
            clients.back()->send("POST", "/v1beta/models/m:streamGenerateContent?alt=sse",
                                 withKey(kKey, {{"x-fake-chunks", "3"}, {"x-fake-interval-ms", "150"}}), kPrompt);
        }
        QTRY_COMPARE(m_fake.activeStreams(), 8);
        for (auto& c : clients)
            QVERIFY(c->readResponse().complete);
        QCOMPARE(m_fake.activeStreams(), 0);
        QCOMPARE(m_fake.maxConcurrentStreams(), 8);
        QCOMPARE(m_fake.abortedByClient(), 0);
    }

    void resumableUpload() {
        const QByteArray part1(300000, 'a');
        const QByteArray part2 = "tail bytes";
        RawClient c(m_fake.port());
        const Response start = c.request("POST", "/upload/v1beta/files",
                                         withKey(kKey, {{"X-Goog-Upload-Protocol", "resumable"},
                                                        {"X-Goog-Upload-Command", "start"},
                                                        {"X-Goog-Upload-Header-Content-Type", "text/plain"}}),
                                         R"({"file":{"display_name":"notes"}})");
        QCOMPARE(start.status, 200);
        QCOMPARE(start.header("x-goog-upload-status"), "active");
        const QUrl url(QString::fromLatin1(start.header("x-goog-upload-url")));
        QCOMPARE(url.port(), int(m_fake.port()));
        QVERIFY(url.query().contains(u"upload_id="_s));
        const QByteArray target =
            url.path(QUrl::FullyEncoded).toLatin1() + '?' + url.query(QUrl::FullyEncoded).toLatin1();

        const auto chunk = [&](const QByteArray& key, const QByteArray& command, qint64 offset,
                               const QByteArray& data) {
            return c.request("POST", target,
                             withKey(key, {{"X-Goog-Upload-Command", command},
                                           {"X-Goog-Upload-Offset", QByteArray::number(offset)}}),
                             data);
        };
        QCOMPARE(chunk(kKey, "upload", 0, part1).status, 200);
        // The session belongs to the key (project) that started it.
        QCOMPARE(chunk(kOtherKey, "upload, finalize", part1.size(), part2).status, 403);
        QCOMPARE(chunk(kKey, "upload, finalize", 5, part2).status, 400); // offset must equal bytes received
        const Response finished = chunk(kKey, "upload, finalize", part1.size(), part2);
        QCOMPARE(finished.status, 200);
        QCOMPARE(finished.header("x-goog-upload-status"), "final");
        const QJsonObject file = finished.json()[u"file"_s].toObject();
        const QString name = file[u"name"_s].toString();
        QVERIFY(name.startsWith(u"files/"_s));
        QCOMPARE(file[u"displayName"_s].toString(), u"notes"_s);
        QCOMPARE(file[u"mimeType"_s].toString(), u"text/plain"_s);
        QCOMPARE(file[u"sizeBytes"_s].toString(), QString::number(part1.size() + part2.size()));
        QCOMPARE(file[u"state"_s].toString(), u"ACTIVE"_s);
        QCOMPARE(file[u"uri"_s].toString(), m_fake.baseUrl().toString() + u"/v1beta/"_s + name);
        const QByteArray sha =
            QCryptographicHash::hash(QByteArray(part1 + part2), QCryptographicHash::Sha256).toBase64();
        QCOMPARE(file[u"sha256Hash"_s].toString().toLatin1(), sha);

        const QByteArray fileTarget = "/v1beta/" + name.toLatin1();
        QCOMPARE(c.request("GET", fileTarget, withKey(kKey)).json()[u"sha256Hash"_s].toString().toLatin1(), sha);
        QCOMPARE(c.request("GET", fileTarget, withKey(kOtherKey)).status, 404);
        QCOMPARE(c.request("GET", "/v1beta/files", withKey(kKey)).json()[u"files"_s].toArray().size(), 1);
        QCOMPARE(c.request("GET", "/v1beta/files", withKey(kOtherKey)).body, "{}");
        QCOMPARE(c.request("DELETE", fileTarget, withKey(kKey)).status, 200);
        QCOMPARE(c.request("GET", fileTarget, withKey(kKey)).status, 404);
    }

    void cachedContentsBelongToTheirKey() {
        RawClient c(m_fake.port());
        const Response created = c.request("POST", "/v1beta/cachedContents", withKey(kKey),
                                           R"({"model":"models/gemini-2.5-flash","ttl":"300s",)"
                                           R"("contents":[{"role":"user","parts":[{"text":"manual"}]}]})");
        QCOMPARE(created.status, 200);
        const QByteArray name = created.json()[u"name"_s].toString().toLatin1();
        QVERIFY(name.startsWith("cachedContents/"));
        QCOMPARE(c.request("GET", "/v1beta/" + name, withKey(kKey)).status, 200);
        QCOMPARE(c.request("GET", "/v1beta/" + name, withKey(kOtherKey)).status, 404);
        // Using another project's cache is refused, as Google does.
        const QByteArray useCache =
            "{\"cachedContent\":\"" + name + "\",\"contents\":[{\"parts\":[{\"text\":\"q\"}]}]}";
        QCOMPARE(
            c.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", withKey(kOtherKey), useCache).status,
            403);
        QCOMPARE(c.request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", withKey(kKey), useCache).status,
                 200);
        QCOMPARE(c.request("DELETE", "/v1beta/" + name, withKey(kKey)).status, 200);
        QCOMPARE(c.request("GET", "/v1beta/" + name, withKey(kKey)).status, 404);
    }

    void modelsArePaged() {
        RawClient c(m_fake.port());
        const QJsonObject first = c.request("GET", "/v1beta/models?pageSize=2", withKey(kKey)).json();
        QCOMPARE(first[u"models"_s].toArray().size(), 2);
        const QByteArray token = first[u"nextPageToken"_s].toString().toLatin1();
        QVERIFY(!token.isEmpty());
        const QJsonObject second =
            c.request("GET", "/v1beta/models?pageSize=2&pageToken=" + token, withKey(kKey)).json();
        QCOMPARE(second[u"models"_s].toArray().size(), 1);
        QVERIFY(!second.contains(u"nextPageToken"_s));
        const QJsonObject flash = c.request("GET", "/v1/models/gemini-2.5-flash", withKey(kKey)).json();
        QCOMPARE(flash[u"name"_s].toString(), u"models/gemini-2.5-flash"_s);
        QCOMPARE(c.request("GET", "/v1beta/models/no-such-model", withKey(kKey)).status, 404);
    }

    void keepAliveReusesOneSocket() {
        RawClient c(m_fake.port());
        for (int i = 0; i < 3; ++i) {
            const Response r = c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt);
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("connection").isEmpty());
            QCOMPARE(c.socket().state(), QAbstractSocket::ConnectedState);
        }
        const QList<gemgate::test::RecordedRequest> recorded = m_fake.requests();
        QCOMPARE(recorded.size(), 3);
        QCOMPARE(recorded[1].connectionId, recorded[0].connectionId);
        QCOMPARE(recorded[2].connectionId, recorded[0].connectionId);
        // Connection: close is honoured.
        const Response last =
            c.request("POST", "/v1beta/models/m:generateContent", withKey(kKey, {{"Connection", "close"}}), kPrompt);
        QCOMPARE(last.status, 200);
        QCOMPARE(last.header("connection"), "close");
        QTRY_COMPARE(c.socket().state(), QAbstractSocket::UnconnectedState);
    }

    void requestsAreRecorded() {
        RawClient c(m_fake.port());
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent?foo=bar",
                           withKey(kKey, {{"X-Custom-Header", "Value 1"}}), kPrompt)
                     .status,
                 200);
        // A chunked request body, and one too large to keep.
        const QByteArray big(70 * 1024, 'x');
        const QByteArray bigJson = "{\"contents\":[{\"parts\":[{\"text\":\"" + big + "\"}]}]}";
        QByteArray chunked;
        for (qsizetype i = 0; i < bigJson.size(); i += 10000) {
            const QByteArray piece = bigJson.mid(i, 10000);
            chunked += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        }
        chunked += "0\r\n\r\n";
        QCOMPARE(c.request("POST", "/v1beta/models/m:generateContent",
                           withKey(kOtherKey, {{"Transfer-Encoding", "chunked"}}), chunked)
                     .status,
                 200);
        QCOMPARE(c.request("GET", "/v1beta/models").status, 403);

        const QList<gemgate::test::RecordedRequest> recorded = m_fake.requests();
        QCOMPARE(recorded.size(), 3);
        QCOMPARE(m_fake.requestCount(), 3);
        const auto& first = recorded[0];
        QCOMPARE(first.method, "POST");
        QCOMPARE(first.target, "/v1beta/models/m:generateContent?foo=bar");
        QCOMPARE(first.path(), "/v1beta/models/m:generateContent");
        QCOMPARE(first.apiKey, kKey);
        QCOMPARE(first.header("x-custom-header"), "Value 1");
        QCOMPARE(first.body, kPrompt);
        QCOMPARE(first.bodySize, kPrompt.size());
        QCOMPARE(first.bodySha256Hex, QCryptographicHash::hash(kPrompt, QCryptographicHash::Sha256).toHex());
        QVERIFY(first.receivedAt.isValid());
        for (const auto& h : first.headers)
            QCOMPARE(h.first, h.first.toLower());
        const auto& second = recorded[1];
        QCOMPARE(second.bodySize, bigJson.size());
        QVERIFY(second.body.isEmpty()); // over 64 KiB: only size and hash are kept
        QCOMPARE(second.bodySha256Hex, QCryptographicHash::hash(bigJson, QCryptographicHash::Sha256).toHex());
        QVERIFY(recorded[2].apiKey.isEmpty());
        const QMap<QByteArray, int> perKey = m_fake.requestsPerKey();
        QCOMPARE(perKey.value(kKey), 1);
        QCOMPARE(perKey.value(kOtherKey), 1);
        QCOMPARE(perKey.value(QByteArray()), 1);
        m_fake.clearRequests();
        QCOMPARE(m_fake.requestCount(), 0);
        QVERIFY(m_fake.requests().isEmpty());
    }

    void worksWithQNetworkAccessManager() {
        QNetworkAccessManager nam;
        const auto post = [&](const QString& path, const QByteArray& body) {
            QNetworkRequest request(QUrl(m_fake.baseUrl().toString() + path));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            request.setRawHeader("x-goog-api-key", kKey);
            request.setRawHeader("x-fake-chunks", "4");
            std::unique_ptr<QNetworkReply> reply(nam.post(request, body));
            QEventLoop loop;
            connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            return std::make_pair(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll());
        };
        const auto unary = post(u"/v1beta/models/gemini-2.5-flash:generateContent"_s, kPrompt);
        QCOMPARE(unary.first, 200);
        QCOMPARE(partText(QJsonDocument::fromJson(unary.second).object()), u"echo: Why is the sky blue?"_s);
        const auto stream = post(u"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"_s, kPrompt);
        QCOMPARE(stream.first, 200);
        QCOMPARE(sseEvents(stream.second).size(), 4);
    }

    void workerThreadsServeConcurrentClients() {
        FakeUpstream fake;
        QVERIFY(fake.start(3));
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < 12; ++i) {
            clients.push_back(std::make_unique<RawClient>(fake.port()));
            clients.back()->send("POST", "/v1beta/models/m:generateContent", withKey(kKey), kPrompt);
        }
        for (auto& c : clients)
            QCOMPARE(c->readResponse().status, 200);
        QCOMPARE(fake.requestCount(), 12);
        fake.stop();
        QVERIFY(!fake.isRunning());
        QCOMPARE(fake.port(), quint16(0));
    }

private:
    FakeUpstream m_fake;
};

QTEST_GUILESS_MAIN(TestFakeUpstream)
#include "tst_fakeupstream.moc"
