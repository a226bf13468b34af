// Secret references and the env:/file: stores, and SecretResolver (needs no D-Bus): parsing, reading, permission
// checks, atomic 0600 writes, removal, queued callbacks, and the resolver's overall timeout (against a keychain
// whose "session bus" accepts the connection and then never answers).

#include "secrets/secretstore.h"
#include "secretstore_testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace gemgate;
using namespace gemgate::testutil;

namespace {

// A value shaped like a Google API key: it must never show up in an error message.
const QByteArray kSecret = QByteArrayLiteral("AIzaSyFAKE-test-secret-0123456789abcdef");

int fileMode(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        return -1;
    }
    return static_cast<int>(st.st_mode & 07777);
}

bool writeFile(const QString& path, const QByteArray& data, int mode) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
        return false;
    }
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode)) == 0;
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

} // namespace

class TestSecretStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void parseValid_data();
    void parseValid();
    void parseInvalid_data();
    void parseInvalid();
    void parseDoesNotEchoLiteralKeys();

    void envRead();
    void envMissingOrEmpty_data();
    void envMissingOrEmpty();
    void envInvalidName();
    void envWriteAndRemoveRefused();

    void fileRead_data();
    void fileRead();
    void fileRefusesGroupOrOtherAccess_data();
    void fileRefusesGroupOrOtherAccess();
    void fileMissingIsNotFound();
    void fileEmptyIsError_data();
    void fileEmptyIsError();
    void fileRefusesNonRegular();
    void fileRelativeAndHomePaths();
    void fileWriteCreatesDirectoryAndFile0600();
    void fileWriteReplacesAtomically();
    void fileWriteRefusesEmptyValue();
    void fileRemove();

    void callbacksAreQueuedNeverSynchronous();
    void destroyedStoreDropsCallbacks();

    void resolverMixedReferences();
    void resolverEmptyList();
    void resolverOverallTimeout();
    void resolverDestroyedWhileResolving();

private:
    QTemporaryDir m_tmp;
    QString dir(const QString& sub) const { return m_tmp.filePath(sub); }
    int m_fakeBus = -1;
};

void TestSecretStore::initTestCase() {
    QVERIFY(m_tmp.isValid());
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::cleanupTestCase() {
    if (m_fakeBus >= 0) {
        ::close(m_fakeBus);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// SecretRef

void TestSecretStore::parseValid_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("backend");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical");

    auto row = [](const char* tag, const char* text, SecretBackend b, const char* name, const char* canonical) {
        QTest::newRow(tag) << QString::fromUtf8(text) << static_cast<int>(b) << QString::fromUtf8(name)
                           << QString::fromUtf8(canonical);
    };
    row("keychain", "keychain:main", SecretBackend::Keychain, "main", "keychain:main");
    row("keychain punctuation", "keychain:team/key-2.b@x", SecretBackend::Keychain, "team/key-2.b@x",
        "keychain:team/key-2.b@x");
    row("keychain unicode", "keychain:schlüssel", SecretBackend::Keychain, "schlüssel", "keychain:schlüssel");
    row("env", "env:GEMINI_API_KEY", SecretBackend::Env, "GEMINI_API_KEY", "env:GEMINI_API_KEY");
    row("env underscore", "env:_K2", SecretBackend::Env, "_K2", "env:_K2");
    row("file absolute", "file:/etc/gemgate/key", SecretBackend::File, "/etc/gemgate/key", "file:/etc/gemgate/key");
    row("file relative", "file:keys/a.key", SecretBackend::File, "keys/a.key", "file:keys/a.key");
    row("file home", "file:~/k", SecretBackend::File, "~/k", "file:~/k");
    row("file with space", "file:/srv/my keys/a", SecretBackend::File, "/srv/my keys/a", "file:/srv/my keys/a");
    row("outer whitespace", "  env:K \n", SecretBackend::Env, "K", "env:K");
}

void TestSecretStore::parseValid() {
    QFETCH(QString, text);
    QFETCH(int, backend);
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QString error = QStringLiteral("stale");
    const auto ref = SecretRef::parse(text, &error);
    QVERIFY2(ref.has_value(), qPrintable(error));
    QCOMPARE(static_cast<int>(ref->backend), backend);
    QCOMPARE(ref->name, name);
    QCOMPARE(ref->toString(), canonical);
    QVERIFY(error.isEmpty());
    const auto again = SecretRef::parse(ref->toString(), nullptr);
    QVERIFY(again.has_value());
    QCOMPARE(again->name, name);
}

void TestSecretStore::parseInvalid_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("detail"); // expected extra text before the generic part, or empty

    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("no prefix") << QStringLiteral("main") << QString();
    QTest::newRow("unknown prefix") << QStringLiteral("vault:main") << QString();
    QTest::newRow("upper-case prefix") << QStringLiteral("ENV:KEY") << QString();
    QTest::newRow("keychain empty") << QStringLiteral("keychain:") << QStringLiteral("is empty");
    QTest::newRow("env empty") << QStringLiteral("env:") << QStringLiteral("is empty");
    QTest::newRow("file empty") << QStringLiteral("file:") << QStringLiteral("is empty");
    QTest::newRow("env digit first") << QStringLiteral("env:1KEY") << QStringLiteral("not a valid environment");
    QTest::newRow("env dash") << QStringLiteral("env:MY-KEY") << QStringLiteral("not a valid environment");
    QTest::newRow("env dollar") << QStringLiteral("env:$KEY") << QStringLiteral("not a valid environment");
    QTest::newRow("keychain space") << QStringLiteral("keychain:my key") << QStringLiteral("no whitespace");
    QTest::newRow("keychain tab") << QStringLiteral("keychain:a\tb") << QStringLiteral("no whitespace");
    QTest::newRow("keychain control") << QStringLiteral("keychain:a\x01") << QStringLiteral("printable");
}

void TestSecretStore::parseInvalid() {
    QFETCH(QString, text);
    QFETCH(QString, detail);
    QString error;
    QVERIFY(!SecretRef::parse(text, &error).has_value());
    const QString generic =
        QStringLiteral("expected keychain:<name>, env:<VAR> or file:<path>, got \"%1\"").arg(text.trimmed());
    QVERIFY2(error.endsWith(generic), qPrintable(error));
    if (!detail.isEmpty()) {
        QVERIFY2(error.contains(detail), qPrintable(error));
    }
    QVERIFY(!SecretRef::parse(text, nullptr).has_value()); // no error pointer: must not crash
}

void TestSecretStore::parseDoesNotEchoLiteralKeys() {
    // Someone pasting the key itself where a reference belongs must not get it printed back into a log.
    for (const QString& text : {QString::fromLatin1(kSecret), QStringLiteral("sk-proj-0123456789abcdefghijklmnop")}) {
        QString error;
        QVERIFY(!SecretRef::parse(text, &error).has_value());
        QVERIFY2(!error.contains(text), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("looks like a literal key")), qPrintable(error));
        QVERIFY2(error.startsWith(QLatin1String("expected keychain:<name>, env:<VAR> or file:<path>, got ")),
                 qPrintable(error));
    }
    // A path without the file: prefix is still shown: it is the useful part of the message.
    QString error;
    QVERIFY(!SecretRef::parse(QStringLiteral("/etc/gemgate/keys/main.key"), &error).has_value());
    QVERIFY2(error.contains(QLatin1String("\"/etc/gemgate/keys/main.key\"")), qPrintable(error));
}

// ---------------------------------------------------------------------------------------------------------------
// env:

void TestSecretStore::envRead() {
    auto store = makeEnvStore();
    QCOMPARE(store->backend(), SecretBackend::Env);
    qputenv("GEMGATE_TST_SECRET", "  " + kSecret + " \n");
    const auto out = readOp(*store, QStringLiteral("GEMGATE_TST_SECRET"));
    QCOMPARE(out->calls, 1);
    QVERIFY2(out->result.ok, qPrintable(out->result.error));
    QCOMPARE(out->result.value, kSecret);
    QVERIFY(!out->result.notFound);
    QVERIFY(out->result.error.isEmpty());
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::envMissingOrEmpty_data() {
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("set");
    QTest::newRow("unset") << QByteArray() << false;
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("blank") << QByteArray(" \t\n") << true;
}

void TestSecretStore::envMissingOrEmpty() {
    QFETCH(QByteArray, value);
    QFETCH(bool, set);
    if (set) {
        qputenv("GEMGATE_TST_SECRET", value);
    } else {
        qunsetenv("GEMGATE_TST_SECRET");
    }
    auto store = makeEnvStore();
    const auto out = readOp(*store, QStringLiteral("GEMGATE_TST_SECRET"));
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(out->result.notFound);
    QVERIFY(out->result.value.isEmpty());
    QVERIFY2(out->result.error.startsWith(QLatin1String("env: ")), qPrintable(out->result.error));
    QVERIFY2(out->result.error.contains(QLatin1String("GEMGATE_TST_SECRET")), qPrintable(out->result.error));
    QVERIFY2(out->result.error.contains(QLatin1String("environment")), qPrintable(out->result.error));
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::envInvalidName() {
    auto store = makeEnvStore();
    const auto out = readOp(*store, QStringLiteral("1BAD-NAME"));
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(!out->result.notFound);
    QVERIFY2(out->result.error.startsWith(QLatin1String("env: ")), qPrintable(out->result.error));
    QVERIFY2(out->result.error.contains(QLatin1String("not a valid environment variable name")),
             qPrintable(out->result.error));
}

void TestSecretStore::envWriteAndRemoveRefused() {
    auto store = makeEnvStore();
    qputenv("GEMGATE_TST_SECRET", "before");
    const auto w = writeOp(*store, QStringLiteral("GEMGATE_TST_SECRET"), kSecret);
    QCOMPARE(w->calls, 1);
    QVERIFY(!w->result.ok);
    QVERIFY(!w->result.notFound);
    QVERIFY2(w->result.error.startsWith(QLatin1String("env: ")), qPrintable(w->result.error));
    QVERIFY2(w->result.error.contains(QLatin1String("GEMGATE_TST_SECRET")), qPrintable(w->result.error));
    QVERIFY2(w->result.error.contains(QLatin1String("service's environment")), qPrintable(w->result.error));
    QVERIFY(!w->result.error.contains(QString::fromLatin1(kSecret)));
    QCOMPARE(qgetenv("GEMGATE_TST_SECRET"), QByteArray("before")); // untouched

    const auto r = removeOp(*store, QStringLiteral("GEMGATE_TST_SECRET"));
    QCOMPARE(r->calls, 1);
    QVERIFY(!r->result.ok);
    QVERIFY2(r->result.error.contains(QLatin1String("service's environment")), qPrintable(r->result.error));
    QCOMPARE(qgetenv("GEMGATE_TST_SECRET"), QByteArray("before"));
    qunsetenv("GEMGATE_TST_SECRET");
}

// ---------------------------------------------------------------------------------------------------------------
// file:

void TestSecretStore::fileRead_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("0600 plain") << kSecret << 0600 << kSecret;
    QTest::newRow("0600 trailing newline") << kSecret + "\n" << 0600 << kSecret;
    QTest::newRow("0600 trailing CRLF and spaces") << kSecret + " \t\r\n\n" << 0600 << kSecret;
    QTest::newRow("0400 read-only") << kSecret + "\n" << 0400 << kSecret;
    QTest::newRow("0700") << kSecret << 0700 << kSecret;
}

void TestSecretStore::fileRead() {
    QFETCH(QByteArray, content);
    QFETCH(int, mode);
    QFETCH(QByteArray, expected);
    const QString path = dir(QStringLiteral("read.key"));
    QFile::remove(path);
    QVERIFY(writeFile(path, content, mode));
    auto store = makeFileStore(m_tmp.path());
    QCOMPARE(store->backend(), SecretBackend::File);
    const auto out = readOp(*store, path);
    QCOMPARE(out->calls, 1);
    QVERIFY2(out->result.ok, qPrintable(out->result.error));
    QCOMPARE(out->result.value, expected);
    QVERIFY(!out->synchronous);
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QFile::remove(path);
}

void TestSecretStore::fileRefusesGroupOrOtherAccess_data() {
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("octal");
    QTest::newRow("0644") << 0644 << QStringLiteral("0644");
    QTest::newRow("0640") << 0640 << QStringLiteral("0640");
    QTest::newRow("0604") << 0604 << QStringLiteral("0604");
    QTest::newRow("0620 group write") << 0620 << QStringLiteral("0620");
    QTest::newRow("0601 others execute") << 0601 << QStringLiteral("0601");
    QTest::newRow("0666") << 0666 << QStringLiteral("0666");
}

void TestSecretStore::fileRefusesGroupOrOtherAccess() {
    QFETCH(int, mode);
    QFETCH(QString, octal);
    const QString path = dir(QStringLiteral("open.key"));
    QVERIFY(writeFile(path, kSecret, mode));
    auto store = makeFileStore(m_tmp.path());
    const auto out = readOp(*store, path);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(!out->result.notFound);
    QVERIFY(out->result.value.isEmpty());
    const QString& e = out->result.error;
    QVERIFY2(e.startsWith(QLatin1String("file: ")), qPrintable(e));
    QVERIFY2(e.contains(QLatin1String("mode ") + octal), qPrintable(e));
    QVERIFY2(e.contains(QLatin1String("chmod 600 ") + path), qPrintable(e));
    QVERIFY(!e.contains(QString::fromLatin1(kSecret)));

    // After the fix it reads.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0600) == 0);
    const auto fixed = readOp(*store, path);
    QVERIFY2(fixed->result.ok, qPrintable(fixed->result.error));
    QCOMPARE(fixed->result.value, kSecret);
    QFile::remove(path);
}

void TestSecretStore::fileMissingIsNotFound() {
    auto store = makeFileStore(m_tmp.path());
    const QString path = dir(QStringLiteral("nope/missing.key"));
    const auto out = readOp(*store, path);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(out->result.notFound);
    QVERIFY2(out->result.error.startsWith(QLatin1String("file: ") + path + QLatin1String(" does not exist")),
             qPrintable(out->result.error));
}

void TestSecretStore::fileEmptyIsError_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("only newline") << QByteArray("\n");
    QTest::newRow("only whitespace") << QByteArray(" \t \r\n");
}

void TestSecretStore::fileEmptyIsError() {
    QFETCH(QByteArray, content);
    const QString path = dir(QStringLiteral("empty.key"));
    QVERIFY(writeFile(path, content, 0600));
    auto store = makeFileStore(m_tmp.path());
    const auto out = readOp(*store, path);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(!out->result.notFound); // it exists; it is just unusable
    QVERIFY2(out->result.error.contains(QLatin1String("is empty")), qPrintable(out->result.error));
    QVERIFY2(out->result.error.contains(path), qPrintable(out->result.error));
    QFile::remove(path);
}

void TestSecretStore::fileRefusesNonRegular() {
    auto store = makeFileStore(m_tmp.path());
    // A directory.
    const QString d = dir(QStringLiteral("a-directory"));
    QVERIFY(QDir().mkpath(d));
    QVERIFY(::chmod(QFile::encodeName(d).constData(), 0700) == 0);
    auto out = readOp(*store, d);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY2(out->result.error.contains(QLatin1String("not a regular file")), qPrintable(out->result.error));

    // A FIFO with no writer: must be refused at once, not block the thread.
    const QString fifo = dir(QStringLiteral("a-fifo"));
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    QElapsedTimer t;
    t.start();
    out = readOp(*store, fifo, 2000);
    QCOMPARE(out->calls, 1);
    QVERIFY(t.elapsed() < 1500);
    QVERIFY(!out->result.ok);
    QVERIFY2(out->result.error.contains(QLatin1String("not a regular file")), qPrintable(out->result.error));
    QFile::remove(fifo);
}

void TestSecretStore::fileRelativeAndHomePaths() {
    // Relative to baseDir (the config file's directory).
    const QString base = dir(QStringLiteral("conf"));
    QVERIFY(QDir().mkpath(base + QStringLiteral("/keys")));
    QVERIFY(writeFile(base + QStringLiteral("/keys/rel.key"), "relative-value\n", 0600));
    auto store = makeFileStore(base);
    auto out = readOp(*store, QStringLiteral("keys/rel.key"));
    QVERIFY2(out->result.ok, qPrintable(out->result.error));
    QCOMPARE(out->result.value, QByteArray("relative-value"));
    out = readOp(*store, QStringLiteral("./keys/../keys/rel.key"));
    QVERIFY2(out->result.ok, qPrintable(out->result.error));

    // Relative names that do not exist name the resolved absolute path.
    out = readOp(*store, QStringLiteral("keys/none.key"));
    QVERIFY(out->result.notFound);
    QVERIFY2(out->result.error.contains(base + QStringLiteral("/keys/none.key")), qPrintable(out->result.error));

    // "~/" is the home directory (ctest gives every test an isolated HOME; use our own to be independent of it).
    const QByteArray oldHome = qgetenv("HOME");
    const QString home = dir(QStringLiteral("home"));
    QVERIFY(QDir().mkpath(home));
    qputenv("HOME", QFile::encodeName(home));
    QVERIFY(writeFile(home + QStringLiteral("/home.key"), "home-value", 0600));
    out = readOp(*store, QStringLiteral("~/home.key"));
    qputenv("HOME", oldHome);
    QVERIFY2(out->result.ok, qPrintable(out->result.error));
    QCOMPARE(out->result.value, QByteArray("home-value"));
}

void TestSecretStore::fileWriteCreatesDirectoryAndFile0600() {
    const QString base = dir(QStringLiteral("wbase"));
    auto store = makeFileStore(base);
    const QString path = base + QStringLiteral("/new/sub/api.key");
    QVERIFY(!QFileInfo::exists(base));

    const auto w = writeOp(*store, QStringLiteral("new/sub/api.key"), kSecret); // relative: under baseDir
    QCOMPARE(w->calls, 1);
    QVERIFY2(w->result.ok, qPrintable(w->result.error));
    QVERIFY(w->result.value.isEmpty());
    QVERIFY(!w->synchronous);

    QCOMPARE(fileMode(path), 0600);
    QCOMPARE(QFileInfo(path).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QCOMPARE(fileMode(base + QStringLiteral("/new/sub")), 0700);
    QCOMPARE(fileMode(base + QStringLiteral("/new")), 0700);
    QCOMPARE(readFile(path), kSecret);

    // It reads back through the store.
    const auto r = readOp(*store, path);
    QVERIFY2(r->result.ok, qPrintable(r->result.error));
    QCOMPARE(r->result.value, kSecret);
}

void TestSecretStore::fileWriteReplacesAtomically() {
    const QString d = dir(QStringLiteral("replace"));
    QVERIFY(QDir().mkpath(d));
    const QString path = d + QStringLiteral("/k.key");
    // An existing, too-open file: the replacement must end up 0600 even with a permissive umask.
    QVERIFY(writeFile(path, "old-value-that-is-longer-than-the-new-one\n", 0666));
    const mode_t oldMask = ::umask(0);
    auto store = makeFileStore(d);
    const auto w = writeOp(*store, path, "new-value");
    ::umask(oldMask);
    QCOMPARE(w->calls, 1);
    QVERIFY2(w->result.ok, qPrintable(w->result.error));
    QCOMPARE(fileMode(path), 0600);
    QCOMPARE(readFile(path), QByteArray("new-value"));
    // No temporary file left behind.
    QCOMPARE(QDir(d).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("k.key")});

    // Overwrite again with a mode-0600 file in place.
    const auto w2 = writeOp(*store, QStringLiteral("k.key"), kSecret);
    QVERIFY2(w2->result.ok, qPrintable(w2->result.error));
    QCOMPARE(fileMode(path), 0600);
    QCOMPARE(readFile(path), kSecret);
}

void TestSecretStore::fileWriteRefusesEmptyValue() {
    const QString path = dir(QStringLiteral("empty-write.key"));
    auto store = makeFileStore(m_tmp.path());
    const auto w = writeOp(*store, path, QByteArray());
    QCOMPARE(w->calls, 1);
    QVERIFY(!w->result.ok);
    QVERIFY2(w->result.error.startsWith(QLatin1String("file: ")), qPrintable(w->result.error));
    QVERIFY(!QFileInfo::exists(path));

    // A parent "directory" that is a file cannot be created.
    QVERIFY(writeFile(dir(QStringLiteral("plainfile")), "x", 0600));
    const auto w2 = writeOp(*store, dir(QStringLiteral("plainfile/k.key")), kSecret);
    QVERIFY(!w2->result.ok);
    QVERIFY2(w2->result.error.contains(QLatin1String("not a directory")), qPrintable(w2->result.error));
    QVERIFY(!w2->result.error.contains(QString::fromLatin1(kSecret)));
}

void TestSecretStore::fileRemove() {
    const QString path = dir(QStringLiteral("remove.key"));
    QVERIFY(writeFile(path, kSecret, 0600));
    auto store = makeFileStore(m_tmp.path());
    auto out = removeOp(*store, QStringLiteral("remove.key"));
    QCOMPARE(out->calls, 1);
    QVERIFY2(out->result.ok, qPrintable(out->result.error));
    QVERIFY(!QFileInfo::exists(path));

    out = removeOp(*store, path);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->result.ok);
    QVERIFY(out->result.notFound);
    QVERIFY2(out->result.error.contains(path), qPrintable(out->result.error));

    QVERIFY(QDir().mkpath(dir(QStringLiteral("rmdir"))));
    out = removeOp(*store, dir(QStringLiteral("rmdir")));
    QVERIFY(!out->result.ok);
    QVERIFY(!out->result.notFound);
    QVERIFY(QFileInfo(dir(QStringLiteral("rmdir"))).isDir());
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery

void TestSecretStore::callbacksAreQueuedNeverSynchronous() {
    qputenv("GEMGATE_TST_SECRET", "v");
    const QString path = dir(QStringLiteral("sync.key"));
    QVERIFY(writeFile(path, "v", 0600));
    auto env = makeEnvStore();
    auto file = makeFileStore(m_tmp.path());
    auto keychain = makeKeychainStore(1000, QStringLiteral("gemgate-test"));
    std::vector<std::shared_ptr<Outcome>> outs;
    outs.push_back(readOp(*env, QStringLiteral("GEMGATE_TST_SECRET")));
    outs.push_back(readOp(*env, QStringLiteral("GEMGATE_TST_MISSING")));
    outs.push_back(writeOp(*env, QStringLiteral("X"), "v"));
    outs.push_back(readOp(*file, path));
    outs.push_back(readOp(*file, dir(QStringLiteral("missing"))));
    outs.push_back(writeOp(*file, dir(QStringLiteral("sync2.key")), "v"));
    outs.push_back(removeOp(*file, dir(QStringLiteral("sync2.key"))));
    outs.push_back(readOp(*keychain, QStringLiteral("bad name"))); // rejected before any D-Bus traffic
    outs.push_back(writeOp(*keychain, QStringLiteral("k"), QByteArray()));
    for (const auto& o : outs) {
        QCOMPARE(o->calls, 1);
        QVERIFY(!o->synchronous);
    }
    QVERIFY(outs[7]->result.error.startsWith(QLatin1String("keychain: invalid entry name")));
    QVERIFY(outs[8]->result.error.startsWith(QLatin1String("keychain: refusing to store an empty key")));
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::destroyedStoreDropsCallbacks() {
    qputenv("GEMGATE_TST_SECRET", "v");
    int calls = 0;
    {
        auto env = makeEnvStore();
        auto file = makeFileStore(m_tmp.path());
        env->read(QStringLiteral("GEMGATE_TST_SECRET"), [&calls](const SecretResult&) { ++calls; });
        file->read(dir(QStringLiteral("missing")), [&calls](const SecretResult&) { ++calls; });
    } // destroyed before the event loop ran
    QTest::qWait(100);
    QCOMPARE(calls, 0);
    qunsetenv("GEMGATE_TST_SECRET");
}

// ---------------------------------------------------------------------------------------------------------------
// SecretResolver

void TestSecretStore::resolverMixedReferences() {
    const QString base = dir(QStringLiteral("resolver"));
    QVERIFY(QDir().mkpath(base));
    QVERIFY(writeFile(base + QStringLiteral("/good.key"), "file-value\n", 0600));
    QVERIFY(writeFile(base + QStringLiteral("/open.key"), "file-value\n", 0644));
    qputenv("GEMGATE_TST_SECRET", "env-value");
    qunsetenv("GEMGATE_TST_MISSING");

    QList<SecretRef> refs;
    for (const char* text : {"env:GEMGATE_TST_SECRET", "file:good.key", "env:GEMGATE_TST_MISSING", "file:open.key",
                             "file:missing.key", "file:" /* invalid, parsed separately */}) {
        if (auto ref = SecretRef::parse(QString::fromLatin1(text), nullptr)) {
            refs.append(*ref);
        }
    }
    QCOMPARE(refs.size(), 5);

    SecretResolver resolver(base, 5000);
    QCOMPARE(resolver.store(SecretBackend::Env)->backend(), SecretBackend::Env);
    QCOMPARE(resolver.store(SecretBackend::File), resolver.store(SecretBackend::File));
    QVector<int> calls(refs.size(), 0);
    QVector<SecretResult> results(refs.size());
    int allDone = 0;
    bool returned = false;
    bool allDoneAfterAll = false;
    resolver.resolve(
        refs,
        [&](int i, const SecretResult& r) {
            QVERIFY(returned);
            ++calls[i];
            results[i] = r;
        },
        [&] {
            ++allDone;
            allDoneAfterAll = std::all_of(calls.cbegin(), calls.cend(), [](int c) { return c == 1; });
        });
    returned = true;
    QTRY_COMPARE_WITH_TIMEOUT(allDone, 1, 5000);
    QTest::qWait(100);
    QCOMPARE(allDone, 1);
    QVERIFY(allDoneAfterAll);
    QCOMPARE(calls, QVector<int>(refs.size(), 1));

    QVERIFY(results[0].ok);
    QCOMPARE(results[0].value, QByteArray("env-value"));
    QVERIFY(results[1].ok);
    QCOMPARE(results[1].value, QByteArray("file-value"));
    QVERIFY(!results[2].ok);
    QVERIFY(results[2].notFound);
    QVERIFY(results[2].error.contains(QLatin1String("GEMGATE_TST_MISSING")));
    QVERIFY(!results[3].ok);
    QVERIFY(!results[3].notFound);
    QVERIFY(results[3].error.contains(QLatin1String("chmod 600")));
    QVERIFY(!results[4].ok);
    QVERIFY(results[4].notFound);
    for (const SecretResult& r : results) {
        QVERIFY(!r.error.contains(QLatin1String("file-value")));
        QVERIFY(!r.error.contains(QLatin1String("env-value")));
    }
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::resolverEmptyList() {
    SecretResolver resolver(m_tmp.path(), 1000);
    int allDone = 0;
    int done = 0;
    resolver.resolve(
        {}, [&](int, const SecretResult&) { ++done; }, [&] { ++allDone; });
    QCOMPARE(allDone, 0); // not synchronously
    QTRY_COMPARE_WITH_TIMEOUT(allDone, 1, 1000);
    QTest::qWait(50);
    QCOMPARE(allDone, 1);
    QCOMPARE(done, 0);
}

void TestSecretStore::resolverOverallTimeout() {
    // A "session bus" that accepts the connection and never says a word: the keychain job hangs in the D-Bus
    // handshake, like a keyring waiting on an unlock prompt. The resolver must still answer within its timeout.
    const QByteArray socketPath = QFile::encodeName(dir(QStringLiteral("silent-bus")));
    m_fakeBus = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(m_fakeBus >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    QVERIFY(static_cast<size_t>(socketPath.size()) < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, socketPath.constData(), static_cast<size_t>(socketPath.size()));
    QCOMPARE(::bind(m_fakeBus, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    QCOMPARE(::listen(m_fakeBus, 16), 0); // never accept()ed: the kernel completes the connect, nobody answers
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socketPath);
    qunsetenv("DISPLAY");
    qunsetenv("XDG_CURRENT_DESKTOP"); // keep QtKeychain on its libsecret backend
    qunsetenv("DESKTOP_SESSION");
    qunsetenv("KDE_FULL_SESSION");

    const QString base = dir(QStringLiteral("resolver-timeout"));
    QVERIFY(QDir().mkpath(base));
    QVERIFY(writeFile(base + QStringLiteral("/good.key"), "file-value", 0600));
    qputenv("GEMGATE_TST_SECRET", "env-value");
    const QList<SecretRef> refs = {*SecretRef::parse(QStringLiteral("keychain:hangs"), nullptr),
                                   *SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr),
                                   *SecretRef::parse(QStringLiteral("keychain:hangs-too"), nullptr),
                                   *SecretRef::parse(QStringLiteral("file:good.key"), nullptr)};

    constexpr int kTimeoutMs = 400;
    auto resolver = std::make_unique<SecretResolver>(base, kTimeoutMs);
    QVector<int> calls(refs.size(), 0);
    QVector<qint64> at(refs.size(), -1);
    QVector<SecretResult> results(refs.size());
    int allDone = 0;
    qint64 allDoneAt = -1;
    QElapsedTimer clock;
    clock.start();
    resolver->resolve(
        refs,
        [&](int i, const SecretResult& r) {
            ++calls[i];
            at[i] = clock.elapsed();
            results[i] = r;
        },
        [&] {
            ++allDone;
            allDoneAt = clock.elapsed();
        });
    QTRY_COMPARE_WITH_TIMEOUT(allDone, 1, 5000);
    QVERIFY2(allDoneAt >= kTimeoutMs - 5 && allDoneAt < kTimeoutMs + 300, qPrintable(QString::number(allDoneAt)));
    // The quick ones came long before the timeout.
    QVERIFY(results[1].ok);
    QCOMPARE(results[1].value, QByteArray("env-value"));
    QVERIFY(at[1] < kTimeoutMs);
    QVERIFY(results[3].ok);
    QVERIFY(at[3] < kTimeoutMs);
    for (int i : {0, 2}) {
        QVERIFY(!results[i].ok);
        QVERIFY(!results[i].notFound);
        QVERIFY2(results[i].error.startsWith(QLatin1String("keychain: ")), qPrintable(results[i].error));
        QVERIFY2(results[i].error.contains(QLatin1String("400 ms")), qPrintable(results[i].error));
        QVERIFY2(results[i].error.contains(QLatin1String("file: or env:")), qPrintable(results[i].error));
    }
    qInfo("timeout message: %s", qPrintable(results[0].error));

    // Late answers (the keychain store's own timeout fires too) are not reported again.
    QTest::qWait(2 * kTimeoutMs);
    QCOMPARE(calls, QVector<int>(refs.size(), 1));
    QCOMPARE(allDone, 1);

    // A direct keychain read gets the store's own timeout message, and exactly once.
    auto keychain = makeKeychainStore(300, QStringLiteral("gemgate-test"));
    const auto out = readOp(*keychain, QStringLiteral("hangs-three"), 3000, 500);
    QCOMPARE(out->calls, 1);
    QVERIFY(!out->synchronous);
    QVERIFY(out->elapsedMs >= 295 && out->elapsedMs < 1000);
    QVERIFY2(out->result.error.startsWith(QLatin1String("keychain: no answer from the keychain within 300 ms while "
                                                        "reading \"gemgate-test/hangs-three\"")),
             qPrintable(out->result.error));
    qInfo("keychain store timeout message: %s", qPrintable(out->result.error));

    // Destroying the resolver and the store with jobs still hanging is safe.
    resolver.reset();
    keychain.reset();
    QTest::qWait(100);
    qunsetenv("GEMGATE_TST_SECRET");
}

void TestSecretStore::resolverDestroyedWhileResolving() {
    qputenv("GEMGATE_TST_SECRET", "env-value");
    int calls = 0;
    int allDone = 0;
    {
        SecretResolver resolver(m_tmp.path(), 1000);
        resolver.resolve(
            {*SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr)},
            [&](int, const SecretResult&) { ++calls; }, [&] { ++allDone; });
    }
    QTest::qWait(100);
    QCOMPARE(calls, 0);
    QCOMPARE(allDone, 0);

    // A callback that deletes the resolver ends the batch quietly.
    auto* resolver = new SecretResolver(m_tmp.path(), 1000);
    resolver->resolve(
        {*SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr),
         *SecretRef::parse(QStringLiteral("env:GEMGATE_TST_SECRET"), nullptr)},
        [&](int, const SecretResult&) {
            ++calls;
            delete resolver;
            resolver = nullptr;
        },
        [&] { ++allDone; });
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 1000);
    QTest::qWait(1200);
    QCOMPARE(calls, 1);
    QCOMPARE(allDone, 0);
    QVERIFY(!resolver);
    qunsetenv("GEMGATE_TST_SECRET");
}

QTEST_GUILESS_MAIN(TestSecretStore)

#include "tst_secretstore.moc"
