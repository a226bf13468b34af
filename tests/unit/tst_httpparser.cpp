// HttpParser (llhttp): requests and responses, whole or byte by byte, pipelining, the limits that map to
// 413/431/400, keep-alive rules, EOF-delimited responses, HEAD responses and a sink that refuses the headers.

#include "http/httpparser.h"

#include <QTest>

using namespace gemgate;

class TestHttpParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void request_data();
    void request();
    void requestByteAtATime_data();
    void requestByteAtATime();
    void pipelined_data();
    void pipelined();
    void resetBetweenMessages();
    void limits_data();
    void limits();
    void requestCutByEof();
    void responseLimits_data();
    void responseLimits();
    void response_data();
    void response();
    void responseByteAtATime_data();
    void responseByteAtATime();
    void expectNoBodyIsPerMessage();
    void sinkRejectsHeaders_data();
    void sinkRejectsHeaders();
};

namespace {

using Result = HttpParser::Result;

// Records what the parser hands over, and what the parser reports at each point of the contract.
class RecordingSink : public HttpParser::Sink {
public:
    bool onHeadersComplete() override {
        ++headersCalls;
        method = parser->method();
        target = parser->target();
        status = parser->status();
        versionMinor = parser->versionMinor();
        headers = parser->headers();
        chunked = parser->isChunked();
        hasContentLength = parser->hasContentLength();
        contentLength = parser->contentLength();
        return acceptHeaders;
    }
    void onBody(const char* data, qsizetype len) override {
        QVERIFY(len > 0);
        body.append(data, len);
    }
    void onMessageComplete() override {
        ++completeCalls;
        keepAliveAtComplete = parser->keepAlive();
    }

    HttpParser* parser = nullptr;
    bool acceptHeaders = true;
    int headersCalls = 0;
    int completeCalls = 0;
    QByteArray method;
    QByteArray target;
    int status = 0;
    int versionMinor = -1;
    HttpHeaders headers;
    bool chunked = false;
    bool hasContentLength = false;
    quint64 contentLength = 0;
    QByteArray body;
    bool keepAliveAtComplete = false;
};

struct Harness {
    explicit Harness(HttpParser::Kind kind, const HttpParser::Limits& limits = HttpParser::Limits())
        : parser(kind, &sink, limits) {
        sink.parser = &parser;
    }

    Result feed(const QByteArray& data, qsizetype* consumed) {
        return parser.feed(data.constData(), data.size(), consumed);
    }

    // Feeds one byte per call. Every call before the last must ask for more and use its byte.
    Result feedBytes(const QByteArray& data, qsizetype* lastConsumed) {
        for (qsizetype i = 0; i < data.size(); ++i) {
            qsizetype consumed = -1;
            const Result r = parser.feed(data.constData() + i, 1, &consumed);
            if (r != Result::NeedMore || i + 1 == data.size()) {
                *lastConsumed = consumed;
                return i + 1 == data.size() ? r : Result::Error;
            }
            if (consumed != 1)
                return Result::Error;
        }
        *lastConsumed = 0;
        return Result::NeedMore;
    }

    RecordingSink sink;
    HttpParser parser;
};

const QByteArray kGet = QByteArrayLiteral("GET /v1beta/models?pageSize=5 HTTP/1.1\r\n"
                                          "Host: localhost\r\n"
                                          "X-Goog-Api-Key: client\r\n"
                                          "\r\n");
const QByteArray kPostLength = QByteArrayLiteral("POST /v1beta/models/gemini-2.0-flash:generateContent HTTP/1.1\r\n"
                                                 "Host: localhost\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: 27\r\n"
                                                 "\r\n"
                                                 "{\"contents\": [{\"x\": \"y\"}]}\n");
const QByteArray kPostChunked = QByteArrayLiteral("POST /upload HTTP/1.1\r\n"
                                                  "Host: localhost\r\n"
                                                  "Transfer-Encoding: chunked\r\n"
                                                  "\r\n"
                                                  "5\r\nhello\r\n"
                                                  "1;ext=1\r\n \r\n"
                                                  "A\r\n0123456789\r\n"
                                                  "0\r\n"
                                                  "X-Trailer: t\r\n"
                                                  "\r\n");

QByteArray manyHeaders(int count) {
    QByteArray r = QByteArrayLiteral("GET / HTTP/1.1\r\n");
    for (int i = 0; i < count; ++i)
        r += "X-H" + QByteArray::number(i) + ": v\r\n";
    return r + "\r\n";
}

} // namespace

void TestHttpParser::request_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("headerCount");
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<int>("versionMinor");

    QTest::newRow("get") << kGet << QByteArray("GET") << QByteArray("/v1beta/models?pageSize=5") << QByteArray() << 2
                         << false << true << 1;
    QTest::newRow("content-length body") << kPostLength << QByteArray("POST")
                                         << QByteArray("/v1beta/models/gemini-2.0-flash:generateContent")
                                         << QByteArray("{\"contents\": [{\"x\": \"y\"}]}\n") << 3 << false << true << 1;
    QTest::newRow("chunked body") << kPostChunked << QByteArray("POST") << QByteArray("/upload")
                                  << QByteArray("hello 0123456789") << 2 << true << true << 1;
    QTest::newRow("zero content-length") << QByteArray("DELETE /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                                         << QByteArray("DELETE") << QByteArray("/x") << QByteArray() << 1 << false
                                         << true << 1;
    QTest::newRow("1.0 closes by default") << QByteArray("GET / HTTP/1.0\r\nHost: a\r\n\r\n") << QByteArray("GET")
                                           << QByteArray("/") << QByteArray() << 1 << false << false << 0;
    QTest::newRow("1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
                                    << QByteArray("GET") << QByteArray("/") << QByteArray() << 1 << false << true << 0;
    QTest::newRow("1.1 connection close")
        << QByteArray("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << 1 << false << false << 1;
    QTest::newRow("1.1 connection Close, upper case")
        << QByteArray("GET / HTTP/1.1\r\nCONNECTION: Close\r\n\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << 1 << false << false << 1;
    QTest::newRow("1.1 keep-alive is default")
        << QByteArray("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("OPTIONS") << QByteArray("*")
        << QByteArray() << 1 << false << true << 1;
}

void TestHttpParser::request() {
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, headerCount);
    QFETCH(bool, chunked);
    QFETCH(bool, keepAlive);
    QFETCH(int, versionMinor);

    Harness h(HttpParser::Kind::Request);
    QVERIFY(!h.parser.inMessage());
    qsizetype consumed = -1;
    QCOMPARE(h.feed(raw, &consumed), Result::Complete);
    QCOMPARE(consumed, raw.size());
    QCOMPARE(h.sink.headersCalls, 1);
    QCOMPARE(h.sink.completeCalls, 1);
    QCOMPARE(h.sink.method, method);
    QCOMPARE(h.sink.target, target);
    QCOMPARE(h.sink.body, body);
    QCOMPARE(h.sink.headers.size(), headerCount);
    QCOMPARE(h.sink.chunked, chunked);
    QCOMPARE(h.sink.versionMinor, versionMinor);
    QCOMPARE(h.sink.keepAliveAtComplete, keepAlive);
    // Still valid after feed() returned Complete, until reset().
    QCOMPARE(h.parser.keepAlive(), keepAlive);
    QCOMPARE(h.parser.method(), method);
    QCOMPARE(h.parser.errorStatus(), 0);
    QVERIFY(h.parser.headersDone());
    QVERIFY(!h.parser.inMessage());
    if (!body.isEmpty() && !chunked) {
        QVERIFY(h.sink.hasContentLength);
        QCOMPARE(h.sink.contentLength, quint64(body.size()));
    }
    // A clean EOF between messages is not an error.
    QCOMPARE(h.parser.finish(), Result::NeedMore);
}

void TestHttpParser::requestByteAtATime_data() {
    request_data();
}

void TestHttpParser::requestByteAtATime() {
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);

    Harness h(HttpParser::Kind::Request);
    qsizetype consumed = -1;
    QCOMPARE(h.feedBytes(raw, &consumed), Result::Complete);
    QCOMPARE(consumed, qsizetype(1));
    QCOMPARE(h.sink.headersCalls, 1);
    QCOMPARE(h.sink.completeCalls, 1);
    QCOMPARE(h.sink.method, method);
    QCOMPARE(h.sink.target, target);
    QCOMPARE(h.sink.body, body);
    QCOMPARE(h.parser.keepAlive(), keepAlive);
}

void TestHttpParser::pipelined_data() {
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<QByteArray>("secondBody");

    QTest::newRow("get, get") << kGet << QByteArray("GET /second HTTP/1.1\r\nHost: b\r\n\r\n") << QByteArray();
    QTest::newRow("post, post") << kPostLength << kPostChunked << QByteArray("hello 0123456789");
    QTest::newRow("chunked, content-length")
        << kPostChunked << QByteArray("PUT /second HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc") << QByteArray("abc");
}

void TestHttpParser::pipelined() {
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(QByteArray, secondBody);

    Harness h(HttpParser::Kind::Request);
    const QByteArray both = first + second;
    qsizetype consumed = -1;
    QCOMPARE(h.feed(both, &consumed), Result::Complete);
    QCOMPARE(consumed, first.size());
    // Parsing stopped at the end of the first message: nothing of the second was seen.
    QCOMPARE(h.sink.headersCalls, 1);
    QCOMPARE(h.sink.completeCalls, 1);
    const QByteArray firstTarget = h.sink.target;
    QVERIFY(!firstTarget.isEmpty());
    QVERIFY(!h.parser.inMessage());

    // The rest, without reset(), split in two feeds.
    const QByteArray rest = both.mid(consumed);
    const qsizetype half = rest.size() / 2;
    QCOMPARE(h.feed(rest.left(half), &consumed), Result::NeedMore);
    QCOMPARE(consumed, half);
    QVERIFY(h.parser.inMessage());
    QCOMPARE(h.feed(rest.mid(half), &consumed), Result::Complete);
    QCOMPARE(consumed, rest.size() - half);
    QCOMPARE(h.sink.headersCalls, 2);
    QCOMPARE(h.sink.completeCalls, 2);
    QVERIFY(h.sink.target != firstTarget);
    QCOMPARE(h.parser.target(), h.sink.target);
    QCOMPARE(h.sink.body.right(secondBody.size()), secondBody);
}

void TestHttpParser::resetBetweenMessages() {
    Harness h(HttpParser::Kind::Request);
    qsizetype consumed = -1;
    QCOMPARE(h.feed(kPostLength, &consumed), Result::Complete);
    h.parser.reset();
    QVERIFY(!h.parser.headersDone());
    QCOMPARE(h.feed(kGet, &consumed), Result::Complete);
    QCOMPARE(consumed, kGet.size());
    QCOMPARE(h.parser.method(), QByteArray("GET"));
    QCOMPARE(h.parser.headers().value("x-goog-api-key"), QByteArray("client"));
    QCOMPARE(h.parser.headers().size(), 2); // the first request's headers are gone
}

void TestHttpParser::limits_data() {
    QTest::addColumn<int>("maxHeaderBytes");
    QTest::addColumn<int>("maxHeaderCount");
    QTest::addColumn<qint64>("maxBodyBytes");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("errorStatus"); // 0 => the request is accepted
    QTest::addColumn<int>("headersCalls");
    QTest::addColumn<QByteArray>("bodySeen");

    const QByteArray bigValue(2000, 'v');
    QTest::newRow("header bytes over limit")
        << 1024 << 100 << qint64(-1) << QByteArray("GET / HTTP/1.1\r\nX-Big: " + bigValue + "\r\n\r\n") << 431 << 0
        << QByteArray();
    QTest::newRow("header bytes across many headers")
        << 256 << 100 << qint64(-1) << manyHeaders(40) << 431 << 0 << QByteArray();
    QTest::newRow("url over header limit")
        << 1024 << 100 << qint64(-1) << QByteArray("GET /" + QByteArray(2000, 'u') + " HTTP/1.1\r\n\r\n") << 431 << 0
        << QByteArray();
    QTest::newRow("header bytes under limit")
        << 4096 << 100 << qint64(-1) << QByteArray("GET / HTTP/1.1\r\nX-Big: " + bigValue + "\r\n\r\n") << 0 << 1
        << QByteArray();
    QTest::newRow("header count over limit")
        << 64 * 1024 << 100 << qint64(-1) << manyHeaders(101) << 431 << 0 << QByteArray();
    QTest::newRow("header count at limit")
        << 64 * 1024 << 100 << qint64(-1) << manyHeaders(100) << 0 << 1 << QByteArray();
    QTest::newRow("header count, small limit")
        << 64 * 1024 << 3 << qint64(-1) << manyHeaders(4) << 431 << 0 << QByteArray();
    QTest::newRow("content-length over limit, nothing of the body delivered")
        << 64 * 1024 << 100 << qint64(10) << QByteArray("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n0123456789A")
        << 413 << 0 << QByteArray();
    QTest::newRow("content-length over limit, headers only")
        << 64 * 1024 << 100 << qint64(1024) << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
        << 413 << 0 << QByteArray();
    QTest::newRow("content-length at limit")
        << 64 * 1024 << 100 << qint64(10) << QByteArray("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789") << 0
        << 1 << QByteArray("0123456789");
    QTest::newRow("zero body limit, empty body")
        << 64 * 1024 << 100 << qint64(0) << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n") << 0 << 1
        << QByteArray();
    QTest::newRow("chunked over limit") << 64 * 1024 << 100 << qint64(8)
                                        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                      "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
                                        << 413 << 1 << QByteArray("hello");
    QTest::newRow("chunked at limit") << 64 * 1024 << 100 << qint64(10)
                                      << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                    "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
                                      << 0 << 1 << QByteArray("helloworld");
    QTest::newRow("content-length with transfer-encoding")
        << 64 * 1024 << 100 << qint64(-1)
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n")
        << 400 << 0 << QByteArray();
    QTest::newRow("transfer-encoding then content-length")
        << 64 * 1024 << 100 << qint64(-1)
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                      "5\r\nhello\r\n0\r\n\r\n")
        << 400 << 0 << QByteArray();
    QTest::newRow("two content-lengths") << 64 * 1024 << 100 << qint64(-1)
                                         << QByteArray(
                                                "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
                                                "ab")
                                         << 400 << 0 << QByteArray();
    QTest::newRow("bad request line") << 64 * 1024 << 100 << qint64(-1) << QByteArray("GARBAGE\r\n\r\n") << 400 << 0
                                      << QByteArray();
    QTest::newRow("bad chunk size") << 64 * 1024 << 100 << qint64(-1)
                                    << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400
                                    << 1 << QByteArray();
}

void TestHttpParser::limits() {
    QFETCH(int, maxHeaderBytes);
    QFETCH(int, maxHeaderCount);
    QFETCH(qint64, maxBodyBytes);
    QFETCH(QByteArray, raw);
    QFETCH(int, errorStatus);
    QFETCH(int, headersCalls);
    QFETCH(QByteArray, bodySeen);

    HttpParser::Limits limits;
    limits.maxHeaderBytes = maxHeaderBytes;
    limits.maxHeaderCount = maxHeaderCount;
    limits.maxBodyBytes = maxBodyBytes;

    // Whole buffer, then byte by byte: the verdict and what reached the sink must not depend on the cuts.
    for (const bool bytewise : {false, true}) {
        Harness h(HttpParser::Kind::Request, limits);
        qsizetype consumed = -1;
        Result r = Result::NeedMore;
        if (bytewise) {
            for (qsizetype i = 0; i < raw.size() && r == Result::NeedMore; ++i)
                r = h.parser.feed(raw.constData() + i, 1, &consumed);
        } else {
            r = h.feed(raw, &consumed);
        }
        if (errorStatus == 0) {
            QCOMPARE(r, Result::Complete);
            QCOMPARE(h.parser.errorStatus(), 0);
        } else {
            QCOMPARE(r, Result::Error);
            QCOMPARE(h.parser.errorStatus(), errorStatus);
            QVERIFY(!h.parser.errorMessage().isEmpty());
            QCOMPARE(h.sink.completeCalls, 0);
            // Once failed, the parser stays failed.
            QCOMPARE(h.feed(QByteArrayLiteral("GET / HTTP/1.1\r\n\r\n"), &consumed), Result::Error);
            QCOMPARE(h.parser.errorStatus(), errorStatus);
        }
        QCOMPARE(h.sink.headersCalls, headersCalls);
        // Byte by byte, a chunked body over the limit is cut at the limit rather than at a chunk boundary.
        if (bytewise && errorStatus != 0)
            QVERIFY(h.sink.body.startsWith(bodySeen));
        else
            QCOMPARE(h.sink.body, bodySeen);
        if (maxBodyBytes >= 0)
            QVERIFY(h.sink.body.size() <= maxBodyBytes);
    }
}

void TestHttpParser::requestCutByEof() {
    Harness h(HttpParser::Kind::Request);
    qsizetype consumed = -1;
    QCOMPARE(h.feed(kPostLength.left(kPostLength.size() - 5), &consumed), Result::NeedMore);
    QVERIFY(h.parser.inMessage());
    QCOMPARE(h.parser.finish(), Result::Error);
    QCOMPARE(h.parser.errorStatus(), 400);
    QCOMPARE(h.sink.completeCalls, 0);
}

void TestHttpParser::responseLimits_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("header bytes") << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(600, 'v') +
                                                "\r\nContent-Length: 0\r\n\r\n")
                                  << false;
    QTest::newRow("header count") << QByteArray("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n") << false;
    QTest::newRow("body limit is for requests only")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + QByteArray(20, 'b')) << true;
}

void TestHttpParser::responseLimits() {
    QFETCH(QByteArray, raw);
    QFETCH(bool, accepted);

    HttpParser::Limits limits;
    limits.maxHeaderBytes = 512;
    limits.maxHeaderCount = 3;
    limits.maxBodyBytes = 10;
    Harness h(HttpParser::Kind::Response, limits);
    qsizetype consumed = -1;
    QCOMPARE(h.feed(raw, &consumed), accepted ? Result::Complete : Result::Error);
    // A response error has no status to answer with (the contract of errorStatus()), but it has a reason.
    QCOMPARE(h.parser.errorStatus(), 0);
    QCOMPARE(h.parser.errorMessage().isEmpty(), accepted);
}

void TestHttpParser::response_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("noBody"); // setExpectNoBody (response to HEAD)
    QTest::addColumn<bool>("needsEof");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                                  "Content-Length: 11\r\n\r\n{\"ok\":true}")
                                    << false << false << 200 << QByteArray("application/json")
                                    << QByteArray("{\"ok\":true}") << true;
    QTest::newRow("chunked sse") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                               "Transfer-Encoding: chunked\r\n\r\n"
                                               "e\r\ndata: {\"a\":1}\n\r\n"
                                               "1\r\n\n\r\n"
                                               "0\r\n\r\n")
                                 << false << false << 200 << QByteArray("text/event-stream")
                                 << QByteArray("data: {\"a\":1}\n\n") << true;
    QTest::newRow("until eof") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until close")
                               << false << true << 200 << QByteArray("text/plain") << QByteArray("read until close")
                               << false;
    QTest::newRow("until eof, 1.0") << QByteArray("HTTP/1.0 503 Service Unavailable\r\n\r\nbusy") << false << true
                                    << 503 << QByteArray() << QByteArray("busy") << false;
    QTest::newRow("error with connection close")
        << QByteArray("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: application/json\r\n"
                      "Content-Length: 2\r\n\r\n{}")
        << false << false << 429 << QByteArray("application/json") << QByteArray("{}") << false;
    QTest::newRow("head with content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1234\r\n\r\n") << true
        << false << 200 << QByteArray("application/json") << QByteArray() << true;
    QTest::newRow("head with chunked") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") << true
                                       << false << 200 << QByteArray() << QByteArray() << true;
    QTest::newRow("204 has no body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << false << 204
                                     << QByteArray() << QByteArray() << true;
    QTest::newRow("304 has no body") << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Type: x/y\r\n\r\n") << false
                                     << false << 304 << QByteArray("x/y") << QByteArray() << true;
}

void TestHttpParser::response() {
    QFETCH(QByteArray, raw);
    QFETCH(bool, noBody);
    QFETCH(bool, needsEof);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);

    Harness h(HttpParser::Kind::Response);
    h.parser.setExpectNoBody(noBody);
    qsizetype consumed = -1;
    const Result r = h.feed(raw, &consumed);
    QCOMPARE(consumed, raw.size());
    if (needsEof) {
        QCOMPARE(r, Result::NeedMore);
        QCOMPARE(h.sink.completeCalls, 0);
        QVERIFY(h.parser.inMessage());
        QCOMPARE(h.parser.finish(), Result::Complete);
    } else {
        QCOMPARE(r, Result::Complete);
    }
    QCOMPARE(h.sink.completeCalls, 1);
    QCOMPARE(h.sink.headersCalls, 1);
    QCOMPARE(h.sink.status, status);
    QCOMPARE(h.parser.status(), status);
    QCOMPARE(h.sink.headers.value("content-type"), contentType);
    QCOMPARE(h.sink.body, body);
    QCOMPARE(h.sink.keepAliveAtComplete, keepAlive);
    QCOMPARE(h.parser.errorStatus(), 0);
    QVERIFY(!h.parser.inMessage());
    if (!needsEof)
        QCOMPARE(h.parser.keepAlive(), keepAlive);
}

void TestHttpParser::responseByteAtATime_data() {
    response_data();
}

void TestHttpParser::responseByteAtATime() {
    QFETCH(QByteArray, raw);
    QFETCH(bool, noBody);
    QFETCH(bool, needsEof);
    QFETCH(int, status);
    QFETCH(QByteArray, body);

    Harness h(HttpParser::Kind::Response);
    h.parser.setExpectNoBody(noBody);
    qsizetype consumed = -1;
    if (needsEof) {
        QCOMPARE(h.feedBytes(raw, &consumed), Result::NeedMore);
        QCOMPARE(h.parser.finish(), Result::Complete);
    } else {
        QCOMPARE(h.feedBytes(raw, &consumed), Result::Complete);
        QCOMPARE(consumed, qsizetype(1));
    }
    QCOMPARE(h.sink.completeCalls, 1);
    QCOMPARE(h.sink.status, status);
    QCOMPARE(h.sink.body, body);
}

void TestHttpParser::expectNoBodyIsPerMessage() {
    // A HEAD response, then (after reset) a GET response with the same Content-Length on the same connection.
    Harness h(HttpParser::Kind::Response);
    h.parser.setExpectNoBody(true);
    qsizetype consumed = -1;
    QCOMPARE(h.feed(QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"), &consumed), Result::Complete);
    QVERIFY(h.sink.body.isEmpty());
    h.parser.reset();
    QCOMPARE(h.feed(QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), &consumed), Result::Complete);
    QCOMPARE(h.sink.body, QByteArray("abc"));

    // Cut in the middle of a Content-Length body: EOF is an error, and a response has no status to answer with.
    h.parser.reset();
    QCOMPARE(h.feed(QByteArrayLiteral("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), &consumed),
             Result::NeedMore);
    QCOMPARE(h.parser.finish(), Result::Error);
    QCOMPARE(h.parser.errorStatus(), 0);
    QVERIFY(!h.parser.errorMessage().isEmpty());
}

void TestHttpParser::sinkRejectsHeaders_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("raw");

    QTest::newRow("request") << int(HttpParser::Kind::Request) << kPostLength;
    QTest::newRow("chunked request") << int(HttpParser::Kind::Request) << kPostChunked;
    QTest::newRow("response") << int(HttpParser::Kind::Response)
                              << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
}

void TestHttpParser::sinkRejectsHeaders() {
    QFETCH(int, kind);
    QFETCH(QByteArray, raw);

    Harness h(static_cast<HttpParser::Kind>(kind));
    h.sink.acceptHeaders = false;
    qsizetype consumed = -1;
    QCOMPARE(h.feed(raw, &consumed), Result::Error);
    QCOMPARE(h.sink.headersCalls, 1);
    QVERIFY(h.sink.body.isEmpty());
    QCOMPARE(h.sink.completeCalls, 0);
    // The sink decided the error; the parser adds none of its own.
    QCOMPARE(h.parser.errorStatus(), 0);
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"
