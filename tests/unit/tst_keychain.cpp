// The keychain store against a real Secret Service: ctest runs this binary through keychain-session.sh unlocked,
// i.e. a private D-Bus session bus with gnome-keyring-daemon unlocked (keyring in the test's isolated HOME) and
// DISPLAY unset. Run by hand outside that wrapper it skips, so it never touches a developer's own keyring.

#include "secrets/secretstore.h"
#include "secretstore_testutil.h"

#include <QTest>

using namespace gemgate;
using namespace gemgate::testutil;

namespace {

const QString kService = QStringLiteral("gemgate-test");
const QByteArray kSecret = QByteArrayLiteral("AIzaSyFAKE-keychain-secret-0123456789ab");
const QByteArray kSecret2 = QByteArrayLiteral("AIzaSyFAKE-keychain-second-9876543210zy");
constexpr int kTimeoutMs = 8000;
// Each operation against the local gnome-keyring takes milliseconds; anything near the timeout is a hang.
constexpr qint64 kFast = 3000;

} // namespace

class TestKeychain : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writeReadRoundTrip();
    void overwrite();
    void foundAgainByNewStoreInstance();
    void binaryValueRoundTrip();
    void removeThenNotFound();
    void readMissingIsNotFound();
    void resolverReadsKeychainReferences();
    void lateAnswerAfterTimeoutIsIgnored();
    void storeDestroyedWhileJobRuns();

private:
    static void clear(const QString& service, const QString& name);
};

void TestKeychain::initTestCase() {
    if (qgetenv("GEMGATE_KEYCHAIN_SCENARIO") != "unlocked") {
        QSKIP("needs the unlocked Secret Service session set up by tests/unit/keychain-session.sh (run via ctest)");
    }
    QVERIFY(qEnvironmentVariableIsEmpty("DISPLAY"));
    QVERIFY(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"));
    // Leftovers of an earlier, interrupted run (the keyring persists in HOME).
    for (const char* name : {"roundtrip", "binary", "removed", "late"}) {
        clear(kService, QString::fromLatin1(name));
    }
    clear(QStringLiteral("gemgate"), QStringLiteral("gemgate-tst-resolver-a"));
}

void TestKeychain::clear(const QString& service, const QString& name) {
    auto store = makeKeychainStore(kTimeoutMs, service);
    const auto out = removeOp(*store, name);
    QVERIFY2(out->calls == 1 && (out->result.ok || out->result.notFound), qPrintable(out->result.error));
}

void TestKeychain::writeReadRoundTrip() {
    auto store = makeKeychainStore(kTimeoutMs, kService);
    QCOMPARE(store->backend(), SecretBackend::Keychain);
    const auto w = writeOp(*store, QStringLiteral("roundtrip"), kSecret);
    QCOMPARE(w->calls, 1);
    QVERIFY2(w->result.ok, qPrintable(w->result.error));
    QVERIFY(!w->synchronous);
    QVERIFY(w->elapsedMs < kFast);

    const auto r = readOp(*store, QStringLiteral("roundtrip"));
    QCOMPARE(r->calls, 1);
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QVERIFY(!r->synchronous);
    QVERIFY(r->elapsedMs < kFast);
    QCOMPARE(r->result.value, kSecret);
    QVERIFY(!r->result.notFound);
}

void TestKeychain::overwrite() {
    auto store = makeKeychainStore(kTimeoutMs, kService);
    const auto w = writeOp(*store, QStringLiteral("roundtrip"), kSecret2);
    QVERIFY2(w->result.ok, qPrintable(w->result.error));
    const auto r = readOp(*store, QStringLiteral("roundtrip"));
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QCOMPARE(r->result.value, kSecret2);
}

void TestKeychain::foundAgainByNewStoreInstance() {
    // The value lives in the keyring, not in the store object.
    auto store = makeKeychainStore(kTimeoutMs, kService);
    const auto r = readOp(*store, QStringLiteral("roundtrip"));
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QCOMPARE(r->result.value, kSecret2);

    // Another service name is another namespace.
    auto other = makeKeychainStore(kTimeoutMs, QStringLiteral("gemgate-test-other"));
    const auto o = readOp(*other, QStringLiteral("roundtrip"));
    QVERIFY(!o->result.ok);
    QVERIFY(o->result.notFound);
}

void TestKeychain::binaryValueRoundTrip() {
    QByteArray binary;
    for (int i = 0; i < 256; ++i) {
        binary.append(static_cast<char>(255 - i)); // not UTF-8, contains NUL
    }
    auto store = makeKeychainStore(kTimeoutMs, kService);
    const auto w = writeOp(*store, QStringLiteral("binary"), binary);
    QVERIFY2(w->result.ok, qPrintable(w->result.error));
    const auto r = readOp(*store, QStringLiteral("binary"));
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QCOMPARE(r->result.value, binary);
    QVERIFY(removeOp(*store, QStringLiteral("binary"))->result.ok);
}

void TestKeychain::removeThenNotFound() {
    auto store = makeKeychainStore(kTimeoutMs, kService);
    QVERIFY(writeOp(*store, QStringLiteral("removed"), kSecret)->result.ok);
    const auto rm = removeOp(*store, QStringLiteral("removed"));
    QCOMPARE(rm->calls, 1);
    QVERIFY2(rm->result.ok, qPrintable(rm->result.error));
    QVERIFY(rm->elapsedMs < kFast);

    const auto r = readOp(*store, QStringLiteral("removed"));
    QCOMPARE(r->calls, 1);
    QVERIFY(!r->result.ok);
    QVERIFY(r->result.notFound);
    QVERIFY(r->result.value.isEmpty());

    const auto again = removeOp(*store, QStringLiteral("removed"));
    QCOMPARE(again->calls, 1);
    QVERIFY(!again->result.ok);
    QVERIFY(again->result.notFound);
    QVERIFY2(again->result.error.contains(QLatin1String("\"gemgate-test/removed\"")), qPrintable(again->result.error));

    // The other entry is untouched.
    const auto other = readOp(*store, QStringLiteral("roundtrip"));
    QVERIFY2(other->result.ok, qPrintable(other->result.error));
}

void TestKeychain::readMissingIsNotFound() {
    auto store = makeKeychainStore(kTimeoutMs, kService);
    const auto r = readOp(*store, QStringLiteral("never-written"));
    QCOMPARE(r->calls, 1);
    QVERIFY(!r->result.ok);
    QVERIFY(r->result.notFound);
    QVERIFY(r->elapsedMs < kFast);
    const QString& e = r->result.error;
    QVERIFY2(e.startsWith(QLatin1String("keychain: the entry \"gemgate-test/never-written\" does not exist in the "
                                        "keychain")),
             qPrintable(e));
    QVERIFY2(e.contains(QLatin1String("different password")), qPrintable(e)); // the wrong-password case looks alike
    qInfo("not-found message: %s", qPrintable(e));
}

void TestKeychain::resolverReadsKeychainReferences() {
    // The resolver uses service "gemgate"; write through a store of that service and clean up afterwards.
    auto store = makeKeychainStore(kTimeoutMs);
    QVERIFY(writeOp(*store, QStringLiteral("gemgate-tst-resolver-a"), kSecret)->result.ok);
    qputenv("GEMGATE_TST_SECRET", "env-value");

    SecretResolver resolver(QString(), kTimeoutMs);
    const QList<SecretRef> refs = {*SecretRef::parse(QStringLiteral("keychain:gemgate-tst-resolver-a"), nullptr),
                                   *SecretRef::parse(QStringLiteral("keychain:gemgate-tst-missing"), nullptr),
                                   *SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr)};
    QVector<SecretResult> results(refs.size());
    QVector<int> calls(refs.size(), 0);
    int allDone = 0;
    resolver.resolve(
        refs,
        [&](int i, const SecretResult& r) {
            ++calls[i];
            results[i] = r;
        },
        [&] { ++allDone; });
    QTRY_COMPARE_WITH_TIMEOUT(allDone, 1, kTimeoutMs + 1000);
    QTest::qWait(100);
    QCOMPARE(calls, QVector<int>(refs.size(), 1));
    QVERIFY2(results[0].ok, qPrintable(results[0].error));
    QCOMPARE(results[0].value, kSecret);
    QVERIFY(results[1].notFound);
    QVERIFY(results[2].ok);
    QCOMPARE(results[2].value, QByteArray("env-value"));

    QVERIFY(removeOp(*store, QStringLiteral("gemgate-tst-resolver-a"))->result.ok);
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestKeychain::lateAnswerAfterTimeoutIsIgnored() {
    auto writer = makeKeychainStore(kTimeoutMs, kService);
    QVERIFY(writeOp(*writer, QStringLiteral("late"), kSecret)->result.ok);

    // 1 ms is far shorter than a D-Bus round trip: the timeout answers first, the real answer must be dropped.
    auto store = makeKeychainStore(1, kService);
    const auto r = readOp(*store, QStringLiteral("late"), 2000, 1000);
    QCOMPARE(r->calls, 1);
    QVERIFY(!r->result.ok);
    QVERIFY(!r->result.notFound);
    QVERIFY(r->result.value.isEmpty());
    QVERIFY2(r->result.error.startsWith(QLatin1String("keychain: no answer from the keychain within 1 ms")),
             qPrintable(r->result.error));

    // The keychain itself is fine afterwards.
    const auto ok = readOp(*writer, QStringLiteral("late"));
    QVERIFY2(ok->result.ok, qPrintable(ok->result.error));
    QCOMPARE(ok->result.value, kSecret);
    QVERIFY(removeOp(*writer, QStringLiteral("late"))->result.ok);
}

void TestKeychain::storeDestroyedWhileJobRuns() {
    int calls = 0;
    {
        auto store = makeKeychainStore(kTimeoutMs, kService);
        store->read(QStringLiteral("roundtrip"), [&calls](const SecretResult&) { ++calls; });
        store->write(QStringLiteral("roundtrip"), kSecret, [&calls](const SecretResult&) { ++calls; });
        store->remove(QStringLiteral("never-written"), [&calls](const SecretResult&) { ++calls; });
    } // the jobs are queued or running inside QtKeychain; they finish and clean up on their own
    QTest::qWait(1500);
    QCOMPARE(calls, 0);

    // And the keychain still answers (QtKeychain runs one job at a time: nothing is stuck).
    auto store = makeKeychainStore(kTimeoutMs, kService);
    const auto r = readOp(*store, QStringLiteral("roundtrip"));
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QCOMPARE(r->result.value, kSecret); // the orphaned write above still happened
    QVERIFY(removeOp(*store, QStringLiteral("roundtrip"))->result.ok);
}

QTEST_GUILESS_MAIN(TestKeychain)

#include "tst_keychain.moc"
