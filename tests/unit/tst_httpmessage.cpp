// HTTP message value types: case-insensitive header lookups, Connection-style token lists, raw query helpers and
// the hop-by-hop header set.

#include "http/httpmessage.h"

#include <QTest>

using namespace gemgate;

class TestHttpMessage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void headerValue_data();
    void headerValue();
    void headerSet_data();
    void headerSet();
    void headerRemove_data();
    void headerRemove();
    void hasToken_data();
    void hasToken();
    void queryValue_data();
    void queryValue();
    void removeQueryItem_data();
    void removeQueryItem();
    void hopByHop_data();
    void hopByHop();
    void reasonPhrase_data();
    void reasonPhrase();
};

namespace {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

HttpHeaders makeHeaders(const HeaderList& list) {
    HttpHeaders h;
    for (const auto& e : list)
        h.add(e.first, e.second);
    return h;
}

const HeaderList kSample = {
    {"Host", "localhost:8080"},
    {"Content-Type", "application/json"},
    {"X-Goog-Api-Key", "client-key"},
    {"Accept", "text/event-stream"},
    {"accept", "application/json"},
    {"Connection", "keep-alive, Upgrade"},
    {"Empty", ""},
};

} // namespace

void TestHttpMessage::headerValue_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("contains");
    QTest::addColumn<QByteArray>("value");

    QTest::newRow("exact case") << QByteArray("Content-Type") << true << QByteArray("application/json");
    QTest::newRow("lower case") << QByteArray("content-type") << true << QByteArray("application/json");
    QTest::newRow("upper case") << QByteArray("X-GOOG-API-KEY") << true << QByteArray("client-key");
    QTest::newRow("first of repeated") << QByteArray("ACCEPT") << true << QByteArray("text/event-stream");
    QTest::newRow("empty value present") << QByteArray("empty") << true << QByteArray();
    QTest::newRow("absent") << QByteArray("Authorization") << false << QByteArray();
    QTest::newRow("prefix is not a match") << QByteArray("Content") << false << QByteArray();
    QTest::newRow("longer is not a match") << QByteArray("Hosts") << false << QByteArray();
}

void TestHttpMessage::headerValue() {
    QFETCH(QByteArray, name);
    QFETCH(bool, contains);
    QFETCH(QByteArray, value);
    const HttpHeaders h = makeHeaders(kSample);
    QCOMPARE(h.contains(name), contains);
    QCOMPARE(h.value(name), value);
    QCOMPARE(h.size(), kSample.size());
}

void TestHttpMessage::headerSet_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<HeaderList>("expected");

    QTest::newRow("replace, other case, moves to end")
        << QByteArray("content-type") << QByteArray("text/plain")
        << HeaderList{{"Host", "h"}, {"Accept", "a1"}, {"accept", "a2"}, {"content-type", "text/plain"}};
    QTest::newRow("replaces every repeat") << QByteArray("ACCEPT") << QByteArray("*/*")
                                           << HeaderList{{"Host", "h"}, {"Content-Type", "json"}, {"ACCEPT", "*/*"}};
    QTest::newRow("adds when absent")
        << QByteArray("X-New") << QByteArray("1")
        << HeaderList{{"Host", "h"}, {"Content-Type", "json"}, {"Accept", "a1"}, {"accept", "a2"}, {"X-New", "1"}};
}

void TestHttpMessage::headerSet() {
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(HeaderList, expected);
    HttpHeaders h = makeHeaders({{"Host", "h"}, {"Content-Type", "json"}, {"Accept", "a1"}, {"accept", "a2"}});
    h.set(name, value);
    QCOMPARE(h.entries(), expected);
    QCOMPARE(h.value(name), value);
}

void TestHttpMessage::headerRemove_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<HeaderList>("expected");

    QTest::newRow("every repeat, any case")
        << QByteArray("aCcEpT") << HeaderList{{"Host", "h"}, {"Content-Type", "json"}, {"X-Key", "k"}};
    QTest::newRow("single") << QByteArray("x-key")
                            << HeaderList{{"Host", "h"}, {"Accept", "a1"}, {"Content-Type", "json"}, {"accept", "a2"}};
    QTest::newRow("absent is a no-op")
        << QByteArray("Cookie")
        << HeaderList{{"Host", "h"}, {"Accept", "a1"}, {"Content-Type", "json"}, {"accept", "a2"}, {"X-Key", "k"}};
    QTest::newRow("prefix does not remove")
        << QByteArray("Acc")
        << HeaderList{{"Host", "h"}, {"Accept", "a1"}, {"Content-Type", "json"}, {"accept", "a2"}, {"X-Key", "k"}};
}

void TestHttpMessage::headerRemove() {
    QFETCH(QByteArray, name);
    QFETCH(HeaderList, expected);
    HttpHeaders h =
        makeHeaders({{"Host", "h"}, {"Accept", "a1"}, {"Content-Type", "json"}, {"accept", "a2"}, {"X-Key", "k"}});
    h.remove(name);
    QCOMPARE(h.entries(), expected);
    QVERIFY(!h.contains(name));
}

void TestHttpMessage::hasToken_data() {
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("expected");

    QTest::newRow("single token") << HeaderList{{"Connection", "close"}} << QByteArray("connection")
                                  << QByteArray("close") << true;
    QTest::newRow("token case-insensitive")
        << HeaderList{{"Connection", "Close"}} << QByteArray("Connection") << QByteArray("close") << true;
    QTest::newRow("name case-insensitive")
        << HeaderList{{"CONNECTION", "close"}} << QByteArray("connection") << QByteArray("CLOSE") << true;
    QTest::newRow("in a list with spaces") << HeaderList{{"Connection", "keep-alive ,  Upgrade\t"}}
                                           << QByteArray("connection") << QByteArray("upgrade") << true;
    QTest::newRow("in a second header line") << HeaderList{{"Connection", "keep-alive"}, {"connection", "close"}}
                                             << QByteArray("connection") << QByteArray("close") << true;
    QTest::newRow("substring is not a token")
        << HeaderList{{"Connection", "closed, keep-alive"}} << QByteArray("connection") << QByteArray("close") << false;
    QTest::newRow("token in another header")
        << HeaderList{{"X-Connection", "close"}} << QByteArray("connection") << QByteArray("close") << false;
    QTest::newRow("empty list items") << HeaderList{{"Transfer-Encoding", ", ,gzip,, chunked"}}
                                      << QByteArray("transfer-encoding") << QByteArray("chunked") << true;
    QTest::newRow("absent header") << HeaderList{} << QByteArray("connection") << QByteArray("close") << false;
}

void TestHttpMessage::hasToken() {
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, token);
    QFETCH(bool, expected);
    QCOMPARE(makeHeaders(headers).hasToken(name, token), expected);
}

void TestHttpMessage::queryValue_data() {
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("at start") << QByteArray("key=abc&alt=sse") << QByteArray("key") << QByteArray("abc");
    QTest::newRow("in the middle") << QByteArray("alt=sse&key=abc&pageSize=5") << QByteArray("key")
                                   << QByteArray("abc");
    QTest::newRow("at end") << QByteArray("alt=sse&key=abc") << QByteArray("key") << QByteArray("abc");
    QTest::newRow("only item") << QByteArray("key=abc") << QByteArray("key") << QByteArray("abc");
    QTest::newRow("first of repeated") << QByteArray("key=one&key=two") << QByteArray("key") << QByteArray("one");
    QTest::newRow("percent-encoded value")
        << QByteArray("key=a%2Bb%3D%26c%20d") << QByteArray("key") << QByteArray("a+b=&c d");
    QTest::newRow("percent-encoded name")
        << QByteArray("alt=sse&%6B%65y=abc") << QByteArray("key") << QByteArray("abc");
    QTest::newRow("encoded name with reserved chars")
        << QByteArray("a%26b=1&a=2") << QByteArray("a&b") << QByteArray("1");
    QTest::newRow("plus is not decoded") << QByteArray("q=a+b") << QByteArray("q") << QByteArray("a+b");
    QTest::newRow("value keeps later equals") << QByteArray("t=a=b") << QByteArray("t") << QByteArray("a=b");
    QTest::newRow("empty value") << QByteArray("key=&alt=sse") << QByteArray("key") << QByteArray();
    QTest::newRow("no equals sign") << QByteArray("flag&key=abc") << QByteArray("flag") << QByteArray();
    QTest::newRow("empty items skipped") << QByteArray("&&key=abc&&") << QByteArray("key") << QByteArray("abc");
    QTest::newRow("absent") << QByteArray("alt=sse") << QByteArray("key") << QByteArray();
    QTest::newRow("prefix of another name") << QByteArray("keys=1&k=2") << QByteArray("key") << QByteArray();
    QTest::newRow("case-sensitive names") << QByteArray("KEY=abc") << QByteArray("key") << QByteArray();
    QTest::newRow("empty query") << QByteArray() << QByteArray("key") << QByteArray();
}

void TestHttpMessage::queryValue() {
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, expected);
    QCOMPARE(gemgate::queryValue(query, name), expected);
}

void TestHttpMessage::removeQueryItem_data() {
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("at start") << QByteArray("key=abc&alt=sse&pageSize=5") << QByteArray("key")
                              << QByteArray("alt=sse&pageSize=5");
    QTest::newRow("in the middle") << QByteArray("alt=sse&key=abc&pageSize=5") << QByteArray("key")
                                   << QByteArray("alt=sse&pageSize=5");
    QTest::newRow("at end") << QByteArray("alt=sse&pageSize=5&key=abc") << QByteArray("key")
                            << QByteArray("alt=sse&pageSize=5");
    QTest::newRow("only item") << QByteArray("key=abc") << QByteArray("key") << QByteArray();
    QTest::newRow("every repeat") << QByteArray("key=1&alt=sse&key=2") << QByteArray("key") << QByteArray("alt=sse");
    QTest::newRow("percent-encoded name")
        << QByteArray("%6Bey=abc&alt=sse") << QByteArray("key") << QByteArray("alt=sse");
    QTest::newRow("others keep their encoding")
        << QByteArray("key=abc&q=a%20b%26c&x=%2B") << QByteArray("key") << QByteArray("q=a%20b%26c&x=%2B");
    QTest::newRow("without value") << QByteArray("alt=sse&key") << QByteArray("key") << QByteArray("alt=sse");
    QTest::newRow("empty items dropped") << QByteArray("&alt=sse&&key=abc&&x=1&") << QByteArray("key")
                                         << QByteArray("alt=sse&x=1");
    QTest::newRow("absent") << QByteArray("alt=sse&pageSize=5") << QByteArray("key")
                            << QByteArray("alt=sse&pageSize=5");
    QTest::newRow("similar names stay") << QByteArray("keys=1&apikey=2&key=3") << QByteArray("key")
                                        << QByteArray("keys=1&apikey=2");
    QTest::newRow("empty query") << QByteArray() << QByteArray("key") << QByteArray();
}

void TestHttpMessage::removeQueryItem() {
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, expected);
    const QByteArray out = gemgate::removeQueryItem(query, name);
    QCOMPARE(out, expected);
    QVERIFY(gemgate::queryValue(out, name).isEmpty());
}

void TestHttpMessage::hopByHop_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("expected");

    for (const char* n : {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
                          "te", "trailer", "transfer-encoding", "upgrade"})
        QTest::newRow(n) << QByteArray(n) << true;
    for (const char* n : {"content-length", "content-type", "host", "x-goog-api-key", "authorization", "trailers",
                          "tee", "", "connection-x"})
        QTest::newRow(qPrintable(QStringLiteral("not %1").arg(QLatin1String(n)))) << QByteArray(n) << false;
}

void TestHttpMessage::hopByHop() {
    QFETCH(QByteArray, name);
    QFETCH(bool, expected);
    QCOMPARE(isHopByHopHeader(name), expected);
}

void TestHttpMessage::reasonPhrase_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("phrase");
    QTest::newRow("200") << 200 << QByteArray("OK");
    QTest::newRow("413") << 413 << QByteArray("Content Too Large");
    QTest::newRow("429") << 429 << QByteArray("Too Many Requests");
    QTest::newRow("431") << 431 << QByteArray("Request Header Fields Too Large");
    QTest::newRow("503") << 503 << QByteArray("Service Unavailable");
    QTest::newRow("unknown") << 299 << QByteArray("Unknown");
}

void TestHttpMessage::reasonPhrase() {
    QFETCH(int, status);
    QFETCH(QByteArray, phrase);
    QCOMPARE(gemgate::reasonPhrase(status), phrase);
}

QTEST_GUILESS_MAIN(TestHttpMessage)
#include "tst_httpmessage.moc"
