// The Settings page's form edits of a hand-written config text: the edited fields change, every other line
// (comments, order, blank lines, quoting) stays byte for byte, missing keys and parents are created at the
// document's indentation, and what cannot be edited safely is refused with the path named.

#include "config/configloader.h"
#include "config/yamledit.h"

#include <QTest>

using namespace gemgate;

namespace {
const QByteArray kText = "# my gateway\n"
                         "server:\n"
                         "    host: 127.0.0.1   # loopback only\n"
                         "    port: 8080\n"
                         "\n"
                         "    tls:\n"
                         "        enabled: false\n"
                         "gemini:\n"
                         "    api_keys:\n"
                         "    - {id: a, key: \"${GG_KEY}\"}\n"
                         "    key_pool:\n"
                         "        strategy: round_robin\n"
                         "openai:\n"
                         "    model_aliases: {}\n"
                         "log:\n"
                         "# the level\n"
                         "    level: info\n";

QStringList P(std::initializer_list<const char*> parts) {
    QStringList out;
    for (const char* p : parts)
        out.append(QString::fromUtf8(p));
    return out;
}

QString S(const char* text) {
    return QString::fromUtf8(text);
}

QByteArray edited(const QByteArray& text, const QList<YamlEdit>& edits) {
    QString error;
    const std::optional<QByteArray> out = applyYamlEdits(text, edits, &error);
    if (!out)
        qWarning("refused: %s", qUtf8Printable(error));
    return out.value_or(QByteArray("<refused>"));
}
} // namespace

class TstYamlEdit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void replacesScalarsKeepingComments() {
        const QByteArray out = edited(kText, {YamlEdit::string(P({"server", "host"}), S("0.0.0.0")),
                                              YamlEdit::number(P({"server", "port"}), 9443)});
        QByteArray expected = kText;
        expected.replace("host: 127.0.0.1   # loopback only", "host: \"0.0.0.0\"  # loopback only");
        expected.replace("port: 8080", "port: 9443");
        QCOMPARE(out, expected);
    }

    void insertsMissingKeysAndParents() {
        const QByteArray out =
            edited(kText, {YamlEdit::string(P({"server", "tls", "cert_path"}), S("/etc/gemgate/cert.pem")),
                           YamlEdit::number(P({"gemini", "key_pool", "breaker", "min_keys"}), 3),
                           YamlEdit::string(P({"limits", "time_zone"}), S("Asia/Shanghai")),
                           YamlEdit::boolean(P({"auth", "enabled"}), true)});
        QVERIFY2(out.contains("        enabled: false\n        cert_path: /etc/gemgate/cert.pem\ngemini:"), out);
        QVERIFY2(out.contains("        strategy: round_robin\n        breaker:\n            min_keys: 3\nopenai:"),
                 out);
        QVERIFY2(out.endsWith("    level: info\nlimits:\n    time_zone: Asia/Shanghai\nauth:\n    enabled: true\n"),
                 out);
        QVERIFY(out.startsWith("# my gateway\nserver:\n    host: 127.0.0.1   # loopback only\n"));
    }

    void writesMapsAndListsAndRemoves() {
        const QByteArray out =
            edited(kText, {YamlEdit::stringMap(P({"openai", "model_aliases"}),
                                               {{S("gpt-4o"), S("gemini-2.5-flash")}, {S("o3"), S("x: y")}}),
                           YamlEdit::stringList(P({"auth", "ip_allow"}), P({"10.0.0.0/8", "::1"})),
                           YamlEdit::remove(P({"log", "level"})), YamlEdit::remove(P({"log", "not_there"}))});
        QVERIFY2(out.contains("openai:\n    model_aliases:\n        gpt-4o: gemini-2.5-flash\n        o3: \"x: y\"\n"
                              "log:\n# the level\nauth:\n    ip_allow: [\"10.0.0.0/8\", \"::1\"]\n"),
                 out);
        // An empty map goes back to {} (the key's line only; the entries below it go).
        const QByteArray back = edited(out, {YamlEdit::stringMap(P({"openai", "model_aliases"}), {})});
        QVERIFY2(back.contains("openai:\n    model_aliases: {}\nlog:"), back);
    }

    void editedTextLoadsAsTheConfig() {
        const QByteArray out =
            edited(kText, {YamlEdit::string(P({"server", "host"}), S("0.0.0.0")),
                           YamlEdit::number(P({"server", "port"}), 9443),
                           YamlEdit::string(P({"gemini", "key_pool", "strategy"}), S("sticky")),
                           YamlEdit::stringMap(P({"openai", "model_aliases"}), {{S("gpt-4o"), S("m")}}),
                           YamlEdit::string(P({"log", "access_log"}), S("off"))});
        const ConfigLoadResult r = loadConfigText(out, QStringLiteral("t.yaml"), [](const QString&) {
            return std::optional<QString>(QStringLiteral("AIzaSyYamlEditTest-0123456789abcdefghij"));
        });
        QVERIFY2(r.ok(), qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().toString()));
        QCOMPARE(r.config->server.host, QStringLiteral("0.0.0.0"));
        QCOMPARE(r.config->server.port, quint16(9443));
        QCOMPARE(r.config->gemini.keyPool.strategy, KeyStrategy::Sticky);
        QCOMPARE(r.config->openai.modelAliases.value(QStringLiteral("gpt-4o")), QStringLiteral("m"));
        QCOMPARE(r.config->log.accessLog, LogTarget::Off);
    }

    void quotesWhatPlainYamlWouldMisread() {
        QCOMPARE(YamlEdit::quoted(QStringLiteral("gemini-2.5-flash")), QStringLiteral("gemini-2.5-flash"));
        QCOMPARE(YamlEdit::quoted(QStringLiteral("yes")), QStringLiteral("\"yes\""));
        QCOMPARE(YamlEdit::quoted(QStringLiteral("8080")), QStringLiteral("\"8080\""));
        QCOMPARE(YamlEdit::quoted(QStringLiteral("")), QStringLiteral("\"\""));
        QCOMPARE(YamlEdit::quoted(QStringLiteral("a \"b\" \\ #c")), QStringLiteral("\"a \\\"b\\\" \\\\ #c\""));
    }

    void refusesWhatItCannotEditSafely() {
        QString error;
        QVERIFY(!applyYamlEdits("server: {host: a, port: 1}\n", {YamlEdit::number(P({"server", "port"}), 2)}, &error));
        QVERIFY2(error.contains(QLatin1String("server.port")) && error.contains(QLatin1String("flow")),
                 qPrintable(error));
        QVERIFY(!applyYamlEdits("server: 5\n", {YamlEdit::number(P({"server", "port"}), 2)}, &error));
        QVERIFY2(error.contains(QLatin1String("not a mapping")), qPrintable(error));
        QVERIFY(!applyYamlEdits("server: [\n", {YamlEdit::number(P({"server", "port"}), 2)}, &error));
        QVERIFY2(error.contains(QLatin1String("not valid YAML")), qPrintable(error));
    }

    void startsFromAnEmptyFileAndKeepsCrLf() {
        QCOMPARE(edited("", {YamlEdit::number(P({"server", "port"}), 1)}), QByteArray("server:\n  port: 1\n"));
        QCOMPARE(edited("# only a comment\n", {YamlEdit::number(P({"server", "port"}), 1)}),
                 QByteArray("# only a comment\nserver:\n  port: 1\n"));
        QCOMPARE(edited("server:\r\n  port: 1\r\n", {YamlEdit::number(P({"server", "port"}), 2)}),
                 QByteArray("server:\r\n  port: 2\r\n"));
    }
};

QTEST_APPLESS_MAIN(TstYamlEdit)
#include "tst_yamledit.moc"
