// The keychain store when no usable Secret Service exists. ctest runs this binary through keychain-session.sh, once
// per scenario (GEMGATE_KEYCHAIN_SCENARIO):
//   no-service  a session bus with no activatable services at all
//   no-bus      no session bus (and no DISPLAY to autolaunch one)
//   no-keyring  gnome-keyring activatable on the bus, but no keyring was ever created (and no DISPLAY for a prompt)
//   locked      gnome-keyring activatable, a keyring holding gemgate-test/main exists (seeded by a first run with
//               GEMGATE_KEYCHAIN_SCENARIO=seed), but nobody unlocked it (and no DISPLAY for a prompt)
// Every operation must fail fast (far below the store's timeout) with a "keychain:" message saying what is wrong.
// Without a bus or a service nothing may claim "not found" (a caller would think the key was deleted). With a
// locked or missing keyring, libsecret itself answers reads with "not found" (it cannot see locked items); the
// message then has to mention the locked keyring, and writes must say that the keyring is locked.

#include "secrets/secretstore.h"
#include "secretstore_testutil.h"

#include <QElapsedTimer>
#include <QTest>

using namespace gemgate;
using namespace gemgate::testutil;

namespace {

const QByteArray kSecret = QByteArrayLiteral("AIzaSyFAKE-unavailable-0123456789abcdef");
constexpr int kTimeoutMs = 8000;
// "Fast" is anything clearly below the timeout: a timeout would show up as >= kTimeoutMs.
constexpr qint64 kFastMs = kTimeoutMs / 2;

} // namespace

class TestKeychainUnavailable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void failsFast_data();
    void failsFast();
    void resolverReportsTheSameError();

private:
    struct Expected {
        QString prefix; // what the message starts with
        bool notFound = false;
    };
    Expected expected(const QString& op, const QString& entry = QStringLiteral("gemgate-test/main")) const;
    QString m_scenario;
};

TestKeychainUnavailable::Expected TestKeychainUnavailable::expected(const QString& op, const QString& entry) const {
    if (m_scenario == QLatin1String("no-service")) {
        return {QStringLiteral("keychain: no Secret Service is running on the session bus ("), false};
    }
    if (m_scenario == QLatin1String("no-bus")) {
        return {QStringLiteral("keychain: no D-Bus session bus is available ("), false};
    }
    // locked / no-keyring
    if (op == QLatin1String("write")) {
        return {QStringLiteral("keychain: the keyring is locked or there is no default keyring ("), false};
    }
    return {QStringLiteral("keychain: the entry \"%1\" does not exist in the keychain (").arg(entry), true};
}

void TestKeychainUnavailable::initTestCase() {
    m_scenario = QString::fromLocal8Bit(qgetenv("GEMGATE_KEYCHAIN_SCENARIO"));
    QVERIFY(qEnvironmentVariableIsEmpty("DISPLAY"));
    if (m_scenario == QLatin1String("seed")) {
        // First half of the "locked" scenario: store an entry while the keyring is unlocked.
        auto store = makeKeychainStore(kTimeoutMs, QStringLiteral("gemgate-test"));
        const auto w = writeOp(*store, QStringLiteral("main"), kSecret);
        QVERIFY2(w->calls == 1 && w->result.ok, qPrintable(w->result.error));
        const auto r = readOp(*store, QStringLiteral("main"));
        QVERIFY2(r->result.ok && r->result.value == kSecret, qPrintable(r->result.error));
        QSKIP("seeded gemgate-test/main; the locked run follows");
    }
    const QStringList known = {QStringLiteral("no-service"), QStringLiteral("no-bus"), QStringLiteral("no-keyring"),
                               QStringLiteral("locked")};
    if (!known.contains(m_scenario)) {
        QSKIP("needs GEMGATE_KEYCHAIN_SCENARIO=no-service|no-bus|no-keyring|locked, set up by "
              "tests/unit/keychain-session.sh (run via ctest)");
    }
    if (m_scenario == QLatin1String("no-bus")) {
        QVERIFY(qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"));
    } else {
        QVERIFY(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"));
    }
}

void TestKeychainUnavailable::failsFast_data() {
    QTest::addColumn<QString>("op");
    // QtKeychain runs one job at a time: each must finish on its own for the next to start.
    QTest::newRow("read") << QStringLiteral("read");
    QTest::newRow("write") << QStringLiteral("write");
    QTest::newRow("remove") << QStringLiteral("remove");
    QTest::newRow("read again") << QStringLiteral("read");
}

void TestKeychainUnavailable::failsFast() {
    QFETCH(QString, op);
    auto store = makeKeychainStore(kTimeoutMs, QStringLiteral("gemgate-test"));
    std::shared_ptr<Outcome> out;
    if (op == QLatin1String("read")) {
        out = readOp(*store, QStringLiteral("main"), kTimeoutMs + 2000);
    } else if (op == QLatin1String("write")) {
        out = writeOp(*store, QStringLiteral("main"), kSecret, kTimeoutMs + 2000);
    } else {
        out = removeOp(*store, QStringLiteral("main"), kTimeoutMs + 2000);
    }
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->synchronous);
    const QString& e = out->result.error;
    qInfo("%s %s after %lld ms: %s", qPrintable(m_scenario), qPrintable(op), static_cast<long long>(out->elapsedMs),
          qPrintable(e));
    const Expected want = expected(op);
    QVERIFY(!out->result.ok);
    QVERIFY(out->result.value.isEmpty());
    QVERIFY2(out->elapsedMs < kFastMs, qPrintable(QStringLiteral("took %1 ms: %2").arg(out->elapsedMs).arg(e)));
    QVERIFY2(e.startsWith(want.prefix), qPrintable(e));
    QCOMPARE(out->result.notFound, want.notFound);
    if (want.notFound) {
        QVERIFY2(e.contains(QLatin1String("A locked keyring")), qPrintable(e));
    } else {
        QVERIFY2(e.contains(QLatin1String("file: or env: reference")), qPrintable(e));
    }
    QVERIFY(!e.contains(QString::fromLatin1(kSecret)));
}

void TestKeychainUnavailable::resolverReportsTheSameError() {
    // Start-up resolution: the keychain reference fails fast with the same explanation, the others still resolve.
    qputenv("GEMGATE_TST_SECRET", "env-value");
    SecretResolver resolver(QString(), kTimeoutMs);
    const QList<SecretRef> refs = {*SecretRef::parse(QStringLiteral("keychain:main"), nullptr),
                                   *SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr)};
    QVector<SecretResult> results(refs.size());
    int allDone = 0;
    QElapsedTimer clock;
    clock.start();
    resolver.resolve(
        refs, [&](int i, const SecretResult& r) { results[i] = r; }, [&] { ++allDone; });
    QTRY_COMPARE_WITH_TIMEOUT(allDone, 1, kTimeoutMs + 2000);
    QVERIFY(clock.elapsed() < kFastMs);
    const Expected want = expected(QStringLiteral("read"), QStringLiteral("gemgate/main")); // the resolver's service
    QVERIFY(!results[0].ok);
    QCOMPARE(results[0].notFound, want.notFound);
    QVERIFY2(results[0].error.startsWith(want.prefix), qPrintable(results[0].error));
    QVERIFY(results[1].ok);
    QCOMPARE(results[1].value, QByteArray("env-value"));
    qunsetenv("GEMGATE_TST_SECRET");
}

QTEST_GUILESS_MAIN(TestKeychainUnavailable)

#include "tst_keychain_unavailable.moc"
