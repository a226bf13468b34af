// GET /api/config's redaction and PUT's restoration: every literal secret is replaced by a placeholder that only this
// process can map back, comments and layout stay, ${VAR} references show as they are, and an unknown placeholder is
// refused rather than guessed.

#include "config/configloader.h"
#include "config/configredact.h"

#include <QTest>

using namespace gemgate;

namespace {
const QByteArray kText = "# my gateway\n"
                         "gemini:\n"
                         "  api_keys:\n"
                         "    - {id: a, key: AIzaSyRedactTestKey-0123456789abcdefgh}\n"
                         "    - {id: b, key: \"${GG_REDACT_TEST_KEY}\"}\n"
                         "  proxy: http://user:proxy%40password-123@127.0.0.1:3128\n"
                         "auth:\n"
                         "  enabled: true\n"
                         "  jwt_secret: jwt-secret-0123456789-0123456789-abcdef\n"
                         "  client_keys:\n"
                         "    - {id: c1, key: gg-client-key-one-0123456789}   # the laptop\n"
                         "    - {id: c2, key: 'gg-client-key-it''s-0123456789'}\n"
                         "    - {id: c3, key: \"gg-client-key-\\\"quoted\\\"-0123456789\"}\n"
                         "admin: {token: admin-token-0123456789abcdef}\n";

std::optional<QString> env(const QString& name) {
    if (name == QLatin1String("GG_REDACT_TEST_KEY"))
        return QStringLiteral("AIzaSyFromTheEnvironment-0123456789abc");
    return std::nullopt;
}
} // namespace

class TstConfigRedact : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redactsEverySecretAndRestoresThem();
    void unknownPlaceholderIsRefused();
};

void TstConfigRedact::redactsEverySecretAndRestoresThem() {
    const ConfigLoadResult r = loadConfigText(kText, QStringLiteral("t.yaml"), env);
    QVERIFY2(r.ok(), qPrintable(r.errorText()));
    const QByteArray red = redactConfigText(kText, *r.config);
    for (const char* secret : {"AIzaSyRedactTestKey", "password-123", "jwt-secret-0123", "gg-client-key-one",
                               "admin-token-0123", "gg-client-key-it", "quoted"})
        QVERIFY2(!red.contains(secret), secret);
    QCOMPARE(red.count("<redacted:"), 7);
    QVERIFY(red.contains("# my gateway\n"));
    QVERIFY(red.contains("   # the laptop\n"));
    QVERIFY(red.contains("${GG_REDACT_TEST_KEY}"));
    QVERIFY(!red.contains("AIzaSyFromTheEnvironment"));
    QVERIFY(red.contains("http://user:<redacted:"));

    QString error;
    const std::optional<QByteArray> back = restoreConfigSecrets(red, *r.config, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, kText);
    // A text without placeholders passes unchanged.
    QCOMPARE(*restoreConfigSecrets(kText, *r.config, &error), kText);
}

void TstConfigRedact::unknownPlaceholderIsRefused() {
    const ConfigLoadResult r = loadConfigText(kText, QStringLiteral("t.yaml"), env);
    QVERIFY(r.ok());
    QString error;
    QVERIFY(!restoreConfigSecrets("auth: {jwt_secret: \"<redacted:00000000beef>\"}\n", *r.config, &error));
    QVERIFY2(error.contains(QLatin1String("<redacted:00000000beef>")), qPrintable(error));
    QVERIFY(!restoreConfigSecrets("auth: {jwt_secret: \"<redacted>\"}\n", *r.config, &error));
}

QTEST_GUILESS_MAIN(TstConfigRedact)
#include "tst_configredact.moc"
