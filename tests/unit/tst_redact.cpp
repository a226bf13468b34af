// redactSecrets: configured secrets and anything shaped like a Google API key leave the process as "[REDACTED]";
// everything else is left byte for byte.

#include "keys/redact.h"

#include <QTest>

using namespace gemgate;

class TestRedact : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fixtures();
    void redact_data();
    void redact();
    void idempotent_data();
    void idempotent();
};

namespace {
// Two well-formed Google API keys: "AIza" + 35 characters of [0-9A-Za-z_-].
const QByteArray kKey1 = QByteArrayLiteral("AIzaSyA1b2C3d4E5f6G7h8I9j0K_L-mNoPqRsTu");
const QByteArray kKey2 = QByteArrayLiteral("AIzaSyZ9y8X7w6V5u4T3s2R1q0P_o-NmLkJiHgF");
const QByteArray kMask = QByteArrayLiteral("[REDACTED]");
} // namespace

void TestRedact::fixtures() {
    QCOMPARE(kKey1.size(), 39);
    QCOMPARE(kKey2.size(), 39);
}

void TestRedact::redact_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArrayList>("secrets");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray google403 =
        R"({"error": {"code": 403, "message": "Permission denied: Consumer 'api_key:)" + kKey1 +
        R"(' has been suspended.", "status": "PERMISSION_DENIED", "details": [{"@type": )"
        R"("type.googleapis.com/google.rpc.ErrorInfo", "reason": "CONSUMER_SUSPENDED", "metadata": )"
        R"({"consumer": "projects/123", "containerInfo": "api_key:)" +
        kKey1 + R"("}}]}})";
    const QByteArray google403Scrubbed =
        R"({"error": {"code": 403, "message": "Permission denied: Consumer 'api_key:)" + kMask +
        R"(' has been suspended.", "status": "PERMISSION_DENIED", "details": [{"@type": )"
        R"("type.googleapis.com/google.rpc.ErrorInfo", "reason": "CONSUMER_SUSPENDED", "metadata": )"
        R"({"consumer": "projects/123", "containerInfo": "api_key:)" +
        kMask + R"("}}]}})";

    QTest::newRow("configured secret, several times")
        << QByteArray("key=my-upstream-secret&again=my-upstream-secret;my-upstream-secret")
        << QByteArrayList{"my-upstream-secret"} << QByteArray("key=[REDACTED]&again=[REDACTED];[REDACTED]");
    QTest::newRow("several secrets") << QByteArray("a=alpha-secret b=beta-secret c=alpha-secret")
                                     << QByteArrayList{"alpha-secret", "beta-secret"}
                                     << QByteArray("a=[REDACTED] b=[REDACTED] c=[REDACTED]");
    QTest::newRow("secret contained in a longer one")
        << QByteArray("short=tok-1234 long=tok-1234-extended-tail")
        << QByteArrayList{"tok-1234", "tok-1234-extended-tail"} << QByteArray("short=[REDACTED] long=[REDACTED]");
    QTest::newRow("google key not configured")
        << QByteArray("url: /v1beta/models?key=" + kKey1 + "&alt=sse") << QByteArrayList{}
        << QByteArray("url: /v1beta/models?key=[REDACTED]&alt=sse");
    QTest::newRow("two google keys, one configured")
        << QByteArray(kKey1 + ' ' + kKey2) << QByteArrayList{kKey2} << QByteArray("[REDACTED] [REDACTED]");
    QTest::newRow("google key at start and end")
        << QByteArray(kKey1 + "," + kKey2) << QByteArrayList{} << QByteArray("[REDACTED],[REDACTED]");
    QTest::newRow("google key only") << kKey1 << QByteArrayList{} << kMask;
    QTest::newRow("google key with longer run") << QByteArray(kKey1 + "XYZ") << QByteArrayList{} << kMask;
    QTest::newRow("short AIza left alone")
        << QByteArray("AIzaSyShort and AIza alone") << QByteArrayList{} << QByteArray("AIzaSyShort and AIza alone");
    QTest::newRow("AIza plus 34 left alone") << kKey1.left(38) << QByteArrayList{} << kKey1.left(38);
    QTest::newRow("AIza plus 34 then a dot")
        << QByteArray(kKey1.left(38) + '.' + 'x') << QByteArrayList{} << QByteArray(kKey1.left(38) + '.' + 'x');
    QTest::newRow("no secrets") << QByteArray(R"({"error": {"code": 429, "message": "Resource exhausted"}})")
                                << QByteArrayList{"never-present"}
                                << QByteArray(R"({"error": {"code": 429, "message": "Resource exhausted"}})");
    QTest::newRow("empty text") << QByteArray() << QByteArrayList{"secret"} << QByteArray();
    QTest::newRow("secrets under 4 chars ignored")
        << QByteArray("abc abc a ab") << QByteArrayList{"abc", "a", "ab", ""} << QByteArray("abc abc a ab");
    QTest::newRow("4-char secret replaced")
        << QByteArray("x abcd y") << QByteArrayList{"abcd"} << QByteArray("x [REDACTED] y");
    QTest::newRow("google error body") << google403 << QByteArrayList{} << google403Scrubbed;
    QTest::newRow("google error body, key configured") << google403 << QByteArrayList{kKey1} << google403Scrubbed;
    QTest::newRow("binary around secret") << QByteArray("\x00\x01sek-ret\xff", 10) << QByteArrayList{"sek-ret"}
                                          << QByteArray("\x00\x01[REDACTED]\xff", 13);
}

void TestRedact::redact() {
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, secrets);
    QFETCH(QByteArray, expected);
    const QByteArray out = redactSecrets(text, secrets);
    QCOMPARE(out, expected);
    for (const QByteArray& s : std::as_const(secrets)) {
        if (s.size() >= 4)
            QVERIFY2(!out.contains(s), s.constData());
    }
    QVERIFY(!out.contains(kKey1));
    QVERIFY(!out.contains(kKey2));
}

void TestRedact::idempotent_data() {
    redact_data();
}

void TestRedact::idempotent() {
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, secrets);
    const QByteArray once = redactSecrets(text, secrets);
    QCOMPARE(redactSecrets(once, secrets), once);
}

QTEST_GUILESS_MAIN(TestRedact)
#include "tst_redact.moc"
