// Upstream keys whose secret lives in a SecretStore, in the running gateway. Run by ctest twice through
// tests/unit/keychain-session.sh: under a real, unlocked Secret Service (gnome-keyring on a private session bus),
// and on a bus with no Secret Service at all. In both the gateway starts at once with the keys it can load; a key
// whose secret cannot be loaded is shown with a message that names the backend and what to do.

#include "control/keymanager.h"
#include "gatewayfixture.h"
#include "secrets/secretstore.h"

#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";

bool serviceExpected() {
    return qgetenv("GEMGATE_KEYCHAIN_SCENARIO") == "unlocked";
}

std::optional<KeyStatus> statusOf(GatewayController& c, const QString& id) {
    for (const KeyStatus& s : c.keyStatuses()) {
        if (s.id == id)
            return s;
    }
    return std::nullopt;
}

// Writes through the real keychain store and waits for its answer.
SecretResult keychainWrite(const QString& name, const QByteArray& value) {
    auto store = makeKeychainStore(8000);
    std::optional<SecretResult> out;
    store->write(name, value, [&out](const SecretResult& r) { out = r; });
    QDeadlineTimer deadline(10'000);
    while (!out && !deadline.hasExpired())
        QTest::qWait(10);
    return out.value_or(SecretResult{});
}

} // namespace

class TstKeychainKeys : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keychainKeyServes();
    void addAndRemoveKeychainKeyFromController();
};

void TstKeychainKeys::keychainKeyServes() {
    const bool service = serviceExpected();
    if (service)
        QVERIFY(keychainWrite(QStringLiteral("upstream-kc"), upstreamKey(5).toUtf8()).ok);
    GatewayFixture f(1); // key1: a literal key
    UpstreamKey kc;
    kc.id = QStringLiteral("kc");
    kc.secretRef = QStringLiteral("keychain:upstream-kc");
    f.config->gemini.apiKeys.append(kc);
    UpstreamKey missing;
    missing.id = QStringLiteral("missing");
    missing.secretRef = QStringLiteral("keychain:upstream-does-not-exist");
    f.config->gemini.apiKeys.append(missing);
    QSignalSpy messages(&f.controller, &GatewayController::message);

    QElapsedTimer t;
    t.start();
    QVERIFY(f.start());
    QVERIFY2(t.elapsed() < 2000, "start must not wait for the keychain");
    // The keychain answers (or fails) shortly after; the literal key serves meanwhile.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        statusOf(f.controller, QStringLiteral("missing"))->detail.startsWith(QStringLiteral("keychain:")), 10'000);
    const KeyStatus m = *statusOf(f.controller, QStringLiteral("missing"));
    QCOMPARE(m.health, KeyHealth::NoSecret);
    QCOMPARE(m.secretSource, QStringLiteral("keychain:upstream-does-not-exist"));
    if (service) {
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(f.controller, QStringLiteral("kc"))->health, KeyHealth::Ready, 10'000);
        QVERIFY(m.detail.contains(QStringLiteral("does not exist")));
        f.upstream.clearRequests();
        for (int i = 0; i < 6; ++i)
            QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
        QVERIFY(f.upstream.requestsPerKey().value(upstreamKey(5).toUtf8()) >= 2); // the keychain key serves
        // Its error bodies are scrubbed like any configured key's.
        f.upstream.setKeyBehavior(upstreamKey(5), FakeUpstream::Forbidden);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
        QVERIFY(!statusOf(f.controller, QStringLiteral("kc"))->disabledReason.contains(upstreamKey(5)));
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(f.controller, QStringLiteral("kc"))->health, KeyHealth::NoSecret, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(
            statusOf(f.controller, QStringLiteral("kc"))->detail.contains(QStringLiteral("no Secret Service")), 10'000);
        // The failure is reported once per key, naming the backend and what to do.
        bool told = false;
        for (const QList<QVariant>& args : messages)
            told = told || (args.at(0).toString().contains(QStringLiteral("'kc'")) &&
                            args.at(0).toString().contains(QStringLiteral("file: or env:")));
        QVERIFY(told);
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
        QCOMPARE(f.controller.keySummary().available, 1);
    }
}

void TstKeychainKeys::addAndRemoveKeychainKeyFromController() {
    GatewayFixture f(0);
    QVERIFY(f.start());
    NewKey key;
    key.id = QStringLiteral("added");
    key.secret = upstreamKey(6).toUtf8();
    key.backend = SecretBackend::Keychain;
    std::optional<std::pair<bool, QString>> done;
    f.controller.addKey(key, [&done](bool ok, const QString& message) { done = std::make_pair(ok, message); });
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10'000);
    if (!serviceExpected()) {
        QVERIFY(!done->first);
        QVERIFY2(done->second.startsWith(QStringLiteral("keychain:")), qPrintable(done->second));
        QVERIFY(!done->second.contains(upstreamKey(6)));
        QVERIFY(f.controller.keyStatuses().isEmpty()); // nothing half-added
        return;
    }
    QVERIFY2(done->first, qPrintable(done->second));
    QTRY_COMPARE_WITH_TIMEOUT(f.controller.keyStatuses().size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(f.controller, QStringLiteral("added"))->health, KeyHealth::Ready, 10'000);
    const KeyStatus s = *statusOf(f.controller, QStringLiteral("added"));
    QVERIFY(s.managed);
    QCOMPARE(s.secretSource, QStringLiteral("keychain:upstream-added"));
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.upstream.requests().last().apiKey, upstreamKey(6).toUtf8());

    // A restart finds it again (database + keychain).
    f.controller.stop();
    QVERIFY(f.start());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(f.controller, QStringLiteral("added"))->health, KeyHealth::Ready, 10'000);

    // Config keys cannot be removed here; managed ones can, with their keychain entry.
    done.reset();
    f.controller.removeKey(QStringLiteral("added"),
                           [&done](bool ok, const QString& m) { done = std::make_pair(ok, m); });
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10'000);
    QVERIFY2(done->first, qPrintable(done->second));
    QTRY_VERIFY_WITH_TIMEOUT(f.controller.keyStatuses().isEmpty(), 5000);
    auto store = makeKeychainStore(8000);
    std::optional<SecretResult> read;
    store->read(QStringLiteral("upstream-added"), [&read](const SecretResult& r) { read = r; });
    QTRY_VERIFY_WITH_TIMEOUT(read.has_value(), 10'000);
    QVERIFY(!read->ok);
    QVERIFY(read->notFound);
}

QTEST_GUILESS_MAIN(TstKeychainKeys)
#include "tst_keychainkeys.moc"
