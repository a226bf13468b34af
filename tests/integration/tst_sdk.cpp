// The official @google/genai and openai npm packages (pinned in tests/sdk/package.json) against the real gateway: a
// user changes only the base URL. The npm packages are installed by the sdk_npm_ci fixture (ctest).

#include "gatewayfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

class TstSdk : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void officialJsSdk();
    void openAiSdk();
};

namespace {

// Runs `node <script> <gateway base URL> <client key>` in the npm project and checks that it ends with okLine.
void runSmoke(GatewayFixture& f, const QString& script, const QByteArray& okLine) {
    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.setWorkingDirectory(QStringLiteral(GEMGATE_SDK_DIR));
    node.start(QStringLiteral("node"), {script, QStringLiteral("http://127.0.0.1:%1").arg(f.port()), kClientKey});
    QVERIFY2(node.waitForStarted(10'000), "node is not installed");
    // The node process talks to the gateway, which runs on its own threads; this thread only waits.
    QVERIFY(node.waitForFinished(60'000));
    const QByteArray out = node.readAll();
    qInfo("%s", out.constData());
    QCOMPARE(node.exitStatus(), QProcess::NormalExit);
    QVERIFY2(node.exitCode() == 0, out.constData());
    QVERIFY(out.contains(okLine));
}

} // namespace

void TstSdk::officialJsSdk() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    runSmoke(f, QStringLiteral("genai_smoke.mjs"), "SDK OK");
    if (QTest::currentTestFailed())
        return;
    // The SDK's requests reached the fake upstream with the pool's key, never the client's.
    const auto reqs = f.upstream.requests();
    QVERIFY(reqs.size() >= 3);
    for (const RecordedRequest& r : reqs) {
        QVERIFY(r.apiKey.startsWith("AIzaSyTestKey"));
        QVERIFY2(r.header("x-goog-api-client").contains("google-genai-sdk"), r.header("x-goog-api-client").constData());
    }
    QVERIFY(reqs[1].target.contains(":streamGenerateContent?alt=sse"));
}

// The openai package against GemGate's OpenAI-compatible API (/v1), translated to native calls on the fake
// upstream: completion, stream with usage, tool-call round trips, embeddings, models (tests/sdk/openai_smoke.mjs).
void TstSdk::openAiSdk() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    runSmoke(f, QStringLiteral("openai_smoke.mjs"), "OPENAI SDK OK");
    if (QTest::currentTestFailed())
        return;
    bool sawStream = false;
    bool sawEmbeddings = false;
    int followUps = 0;
    for (const RecordedRequest& r : f.upstream.requests()) {
        // Native calls with the pool's key; the client's bearer key never travels upstream.
        QVERIFY2(r.apiKey.startsWith("AIzaSyTestKey"), r.target.constData());
        QVERIFY(!r.header("authorization").contains(kClientKey.toUtf8()));
        sawStream = sawStream || r.target.contains(":streamGenerateContent?alt=sse");
        sawEmbeddings = sawEmbeddings || r.path().endsWith(":batchEmbedContents");
        if (!r.body.contains("functionResponse"))
            continue;
        // A tool-call follow-up: the gateway put back the signature the fake issued for that call (the fake
        // encodes it as base64("sig-get_weather-<n>"), see fakeupstream.h), not a placeholder.
        ++followUps;
        QByteArray signature;
        const QJsonArray contents = QJsonDocument::fromJson(r.body).object().value(u"contents").toArray();
        for (const QJsonValue& content : contents) {
            for (const QJsonValue& part : content[u"parts"].toArray()) {
                if (part[u"functionCall"][u"name"].toString() == u"get_weather")
                    signature = part[u"thoughtSignature"].toString().toLatin1();
            }
        }
        QVERIFY2(QByteArray::fromBase64(signature).startsWith("sig-get_weather-"), r.body.constData());
    }
    QVERIFY(sawStream);
    QVERIFY(sawEmbeddings);
    QCOMPARE(followUps, 2); // the unary and the streamed round trip
}

QTEST_GUILESS_MAIN(TstSdk)
#include "tst_sdk.moc"
