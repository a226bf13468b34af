// The official @google/genai npm package (pinned in tests/sdk/package.json) against the real gateway: a user
// changes only the base URL. The npm packages are installed by the sdk_npm_ci fixture (ctest).

#include "gatewayfixture.h"

#include <QProcess>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

class TstSdk : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void officialJsSdk();
};

void TstSdk::officialJsSdk() {
    GatewayFixture f(2);
    QVERIFY(f.start());
    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.setWorkingDirectory(QStringLiteral(GEMGATE_SDK_DIR));
    node.start(QStringLiteral("node"),
               {QStringLiteral("genai_smoke.mjs"), QStringLiteral("http://127.0.0.1:%1").arg(f.port()), kClientKey});
    QVERIFY2(node.waitForStarted(10'000), "node is not installed");
    // The node process talks to the gateway, which runs on its own threads; this thread only waits.
    QVERIFY(node.waitForFinished(60'000));
    const QByteArray out = node.readAll();
    qInfo("%s", out.constData());
    QCOMPARE(node.exitStatus(), QProcess::NormalExit);
    QVERIFY2(node.exitCode() == 0, out.constData());
    QVERIFY(out.contains("SDK OK"));
    // The SDK's requests reached the fake upstream with the pool's key, never the client's.
    const auto reqs = f.upstream.requests();
    QVERIFY(reqs.size() >= 3);
    for (const RecordedRequest& r : reqs) {
        QVERIFY(r.apiKey.startsWith("AIzaSyTestKey"));
        QVERIFY2(r.header("x-goog-api-client").contains("google-genai-sdk"), r.header("x-goog-api-client").constData());
    }
    QVERIFY(reqs[1].target.contains(":streamGenerateContent?alt=sse"));
}

QTEST_GUILESS_MAIN(TstSdk)
#include "tst_sdk.moc"
