// BodyLog: redaction of bodies (upstream and client keys, gg_ keys, JWTs, AIza keys, credential fields, inline
// base64), the JSON line (cut at max_bytes with the full size, binary bodies), and the file (0600, off by default).

#include "log/bodylog.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace gemgate;

class TestBodyLog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redact_data();
    void redact();
    void formatCutsAndCounts();
    void formatCutNeverLeavesHalfASecret();
    void formatBinaryBody();
    void fileIsPrivateAndOffByDefault();
};

namespace {
const QByteArray kGoogleKey = QByteArrayLiteral("AIzaSyA1b2C3d4E5f6G7h8I9j0K_L-mNoPqRsTu");
const QByteArray kIssuedKey = QByteArrayLiteral("gg_q7HcV0N3r2bA9xY6wZ1uT4sR5pO8mL3kJ2iH1gF0eDc");
const QByteArray kJwt =
    QByteArrayLiteral("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU");
const QByteArray kMask = QByteArrayLiteral("[REDACTED]");

QJsonObject parseLine(const QByteArray& line) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", line.constData());
    return doc.object();
}
} // namespace

void TestBodyLog::redact_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArrayList>("secrets");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("configured secret") << QByteArray(R"({"text":"my key is upstream-secret-1"})")
                                       << QByteArrayList{"upstream-secret-1"}
                                       << QByteArray(R"({"text":"my key is [REDACTED]"})");
    QTest::newRow("google key") << QByteArray("see " + kGoogleKey + " here") << QByteArrayList{}
                                << QByteArray("see [REDACTED] here");
    QTest::newRow("issued client key") << QByteArray(R"({"text":"use )" + kIssuedKey + R"( please"})")
                                       << QByteArrayList{} << QByteArray(R"({"text":"use [REDACTED] please"})");
    QTest::newRow("short gg_ word kept") << QByteArray("an egg_salad and gg_short") << QByteArrayList{}
                                         << QByteArray("an egg_salad and gg_short");
    QTest::newRow("jwt") << QByteArray("Bearer " + kJwt + ".") << QByteArrayList{} << QByteArray("Bearer [REDACTED].");
    QTest::newRow("unsigned jwt") << QByteArray("t=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end") << QByteArrayList{}
                                  << QByteArray("t=[REDACTED] end");
    QTest::newRow("eyJ without dots kept")
        << QByteArray("eyJhbGciOiJub25lIn0 alone") << QByteArrayList{} << QByteArray("eyJhbGciOiJub25lIn0 alone");
    QTest::newRow("credential fields")
        << QByteArray(R"({"key":"k-1","apiKey" : "k-2","API_KEY":"k-3","authorization":"Basic abc","other":"x"})")
        << QByteArrayList{}
        << QByteArray(R"({"key":"[REDACTED]","apiKey" : "[REDACTED]","API_KEY":"[REDACTED]",)"
                      R"("authorization":"[REDACTED]","other":"x"})");
    QTest::newRow("escaped quote in a credential")
        << QByteArray(R"({"key":"a\"b","n":1})") << QByteArrayList{} << QByteArray(R"({"key":"[REDACTED]","n":1})");
    QTest::newRow("a value named key is not a field")
        << QByteArray(R"({"text":"key","x":"y"})") << QByteArrayList{} << QByteArray(R"({"text":"key","x":"y"})");
    QTest::newRow("credential cut in the middle")
        << QByteArray(R"({"apiKey":"abcdef)") << QByteArrayList{} << QByteArray(R"({"apiKey":"[REDACTED])");
    const QByteArray longData(300, 'A');
    QTest::newRow("inline data")
        << QByteArray(R"({"inlineData":{"mimeType":"image/png","data":")" + longData + R"("}})") << QByteArrayList{}
        << QByteArray(R"({"inlineData":{"mimeType":"image/png","data":"<300 bytes of base64>"}})");
    QTest::newRow("short inline data kept")
        << QByteArray(R"({"data":"AAAA"})") << QByteArrayList{} << QByteArray(R"({"data":"AAAA"})");
    QTest::newRow("long text named data kept")
        << QByteArray(R"({"data":")" + QByteArray(150, 'a') + " " + QByteArray(150, 'b') + R"("})") << QByteArrayList{}
        << QByteArray(R"({"data":")" + QByteArray(150, 'a') + " " + QByteArray(150, 'b') + R"("})");
    QTest::newRow("sse events")
        << QByteArray("data: {\"key\":\"s1\"}\r\n\r\ndata: {\"t\":\"" + kGoogleKey + "\"}\r\n\r\n") << QByteArrayList{}
        << QByteArray("data: {\"key\":\"[REDACTED]\"}\r\n\r\ndata: {\"t\":\"[REDACTED]\"}\r\n\r\n");
}

void TestBodyLog::redact() {
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, secrets);
    QFETCH(QByteArray, expected);
    QCOMPARE(BodyLog::redact(text, secrets), expected);
}

void TestBodyLog::formatCutsAndCounts() {
    BodyRecord r;
    r.time = QDateTime::currentDateTimeUtc();
    r.requestId = "1-a";
    r.method = "POST";
    r.path = "/v1beta/models/m:generateContent";
    r.status = 200;
    // A large inline image: replaced before the cut, so the prompt after it still fits.
    r.requestBody = R"({"contents":[{"parts":[{"inlineData":{"data":")" + QByteArray(100'000, 'Q') +
                    R"("}},{"text":"describe it"}]}]})";
    r.requestBytes = r.requestBody.size();
    r.responseBody = QByteArray(5000, 'x');
    r.responseBytes = 5000;
    const QJsonObject o = parseLine(BodyLog::format(r, {}, 1024));
    QCOMPARE(o[QLatin1String("request_id")].toString(), QStringLiteral("1-a"));
    QCOMPARE(o[QLatin1String("method")].toString(), QStringLiteral("POST"));
    QCOMPARE(o[QLatin1String("status")].toInt(), 200);
    const QJsonObject req = o[QLatin1String("request")].toObject();
    QCOMPARE(req[QLatin1String("truncated")].toBool(), false);
    QCOMPARE(req[QLatin1String("bytes")].toInteger(), r.requestBytes);
    QVERIFY(req[QLatin1String("body")].toString().contains(QLatin1String("<100000 bytes of base64>")));
    QVERIFY(req[QLatin1String("body")].toString().contains(QLatin1String("describe it")));
    const QJsonObject resp = o[QLatin1String("response")].toObject();
    QCOMPARE(resp[QLatin1String("truncated")].toBool(), true);
    QCOMPARE(resp[QLatin1String("bytes")].toInteger(), qint64(5000));
    QCOMPARE(resp[QLatin1String("body")].toString().size(), qsizetype(1024));
}

void TestBodyLog::formatCutNeverLeavesHalfASecret() {
    // The tee stopped in the middle of a key: what is left of it must not be written.
    BodyRecord r;
    r.responseBody = "{\"text\":\"the key " + kGoogleKey.left(20);
    r.responseBytes = r.responseBody.size() + 100;
    r.requestBody = "\xe4\xbd\xa0\xe5\xa5"; // a UTF-8 sequence cut in two by the capture
    r.requestBytes = 10;
    const QJsonObject o = parseLine(BodyLog::format(r, {}, 1024));
    const QString body = o[QLatin1String("response")].toObject()[QLatin1String("body")].toString();
    QVERIFY2(!body.contains(QLatin1String("AIza")), qPrintable(body));
    QCOMPARE(body, QStringLiteral("{\"text\":\"the key "));
    QCOMPARE(o[QLatin1String("request")].toObject()[QLatin1String("body")].toString(),
             QString::fromUtf8("\xe4\xbd\xa0"));
}

void TestBodyLog::formatBinaryBody() {
    BodyRecord r;
    r.requestBody = QByteArray("\x89PNG\r\n\x1a\n\xff\xfe\x00\x01", 12);
    r.requestBytes = 12;
    const QJsonObject o = parseLine(BodyLog::format(r, {}, 1024));
    QCOMPARE(o[QLatin1String("request")].toObject()[QLatin1String("body")].toString(),
             QStringLiteral("<12 bytes of binary data>"));
}

void TestBodyLog::fileIsPrivateAndOffByDefault() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("sub/bodies.log"));
    BodyLog log;
    QVERIFY(!log.enabled());
    BodyLogConfig c;
    c.path = path;
    QVERIFY(log.configure(c, {}, nullptr)); // enabled = false by default
    QVERIFY(!log.enabled());
    log.append(BodyRecord{});
    log.flush();
    QVERIFY(!QFile::exists(path));

    c.enabled = true;
    c.maxBytes = 2048;
    QVERIFY(log.configure(
        c, [] { return QList<QByteArray>{"pool-secret-123"}; }, nullptr));
    QVERIFY(log.enabled());
    QCOMPARE(log.maxBytes(), qint64(2048));
    BodyRecord r;
    r.requestId = "0-1";
    r.requestBody = "{\"text\":\"pool-secret-123\"}";
    r.requestBytes = r.requestBody.size();
    log.append(r);
    log.flush();
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QCOMPARE(text.count('\n'), 1);
    QVERIFY(!text.contains("pool-secret-123"));
    QVERIFY(text.contains("[REDACTED]"));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);

    QString error;
    c.path = dir.filePath(QStringLiteral("no-such-dir-file/")); // a directory name: cannot be opened as a file
    QVERIFY(!log.configure(c, {}, &error));
    QVERIFY(error.contains(QLatin1String("log.bodies")));
    QVERIFY(!log.enabled());
}

QTEST_GUILESS_MAIN(TestBodyLog)
#include "tst_bodylog.moc"
