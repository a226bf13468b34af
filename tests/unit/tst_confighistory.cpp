// ConfigHistory on a real SQLite file: versions recorded with their metadata, identical bytes not recorded twice,
// paging through the list, content read back byte for byte (CRLF, trailing spaces, non-UTF-8, NUL), owner-only
// files and directory, a changed / truncated / missing file refused with a clear error, the config bytes never
// reaching the database files (a marker secret grepped for in the .db / -wal / -shm files), no row without its
// file, pruning rows and files, and a reopened database continuing the numbering.

#include "clock/clock.h"
#include "storage/confighistory.h"
#include "storage/statedb.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/stat.h>

using namespace gemgate;

namespace {

constexpr qint64 kStartMs = 1'790'000'000'000;

int fileMode(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// One value read through a separate connection of the test thread: sees only what StateDb has committed.
QVariant peek(const QString& path, const QString& sql) {
    static int counter = 0;
    const QString name = QStringLiteral("tst-confighistory-peek-%1").arg(++counter);
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0);
            else
                qInfo("peek failed: %s", qPrintable(q.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

QList<int> numbers(const QList<ConfigVersion>& versions) {
    QList<int> out;
    for (const ConfigVersion& v : versions)
        out.append(v.version);
    return out;
}

QByteArray config(int n) {
    return "listen: 127.0.0.1:8080\n# revision " + QByteArray::number(n) + '\n';
}

} // namespace

class TestConfigHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void recordsVersions();
    void identicalBytesNotRecordedTwice();
    void listPages();
    void contentIsByteIdentical_data();
    void contentIsByteIdentical();
    void ownerOnlyFiles();
    void contentRefusesChangedFile_data();
    void contentRefusesChangedFile();
    void recordRestoresDamagedLatestFile();
    void unknownVersion();
    void bytesNeverInDatabase();
    void noRowWithoutFile();
    void unusableDirectory();
    void prune();
    void reopenContinuesNumbering();
    void twoHistoriesShareNumbering();

private:
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString m_dbPath;
    QString m_dir;
    ManualClock m_clock{kStartMs};
    std::unique_ptr<StateDb> m_db;

    bool openDb() {
        QString error;
        m_db = StateDb::open(m_dbPath, &error);
        if (!m_db)
            qInfo("open failed: %s", qPrintable(error));
        return m_db != nullptr;
    }
    std::unique_ptr<ConfigHistory> history() { return std::make_unique<ConfigHistory>(m_db.get(), m_dir, &m_clock); }
};

void TestConfigHistory::init() {
    QVERIFY(m_tmp.isValid());
    ++m_n;
    m_dbPath = m_tmp.filePath(QStringLiteral("state-%1/gemgate.db").arg(m_n));
    m_dir = m_tmp.filePath(QStringLiteral("state-%1/config-versions").arg(m_n));
    m_clock.setMs(kStartMs);
    QVERIFY(openDb());
    // Every failure is logged as a warning: a test expecting one says so.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestConfigHistory::cleanup() {
    m_db.reset();
}

void TestConfigHistory::recordsVersions() {
    auto h = history();
    QVERIFY(QFileInfo(m_dir).isDir()); // created by the constructor
    QVERIFY(!h->latest());
    QVERIFY(h->list().isEmpty());

    QString error;
    const QByteArray a = config(1);
    const std::optional<ConfigVersion> v1 =
        h->record(a, QStringLiteral("gemgated"), QStringLiteral("start"), QString(), &error);
    QVERIFY2(v1, qPrintable(error));
    QCOMPARE(v1->version, 1);
    QCOMPARE(v1->appliedAtMs, kStartMs);
    QCOMPARE(v1->who, QStringLiteral("gemgated"));
    QCOMPARE(v1->source, QStringLiteral("start"));
    QCOMPARE(v1->sha256, QString::fromLatin1(QCryptographicHash::hash(a, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(v1->size, a.size());
    QCOMPARE(v1->comment, QString());
    QCOMPARE(h->filePath(1), m_dir + QStringLiteral("/1.yaml"));
    QCOMPARE(readAll(h->filePath(1)), a);

    m_clock.advanceMs(60'000);
    const QString who = QStringLiteral("admin api (127.0.0.1) o'brien \"; DROP TABLE config_versions; --");
    const QString comment = QStringLiteral("rollback to version 1 \u00e9\U0001F600");
    const std::optional<ConfigVersion> v2 = h->record(config(2), who, QStringLiteral("admin-api"), comment, &error);
    QVERIFY2(v2, qPrintable(error));
    QCOMPARE(v2->version, 2);
    QCOMPARE(v2->appliedAtMs, kStartMs + 60'000);

    // Read back: every field as recorded.
    const std::optional<ConfigVersion> read = h->version(2);
    QVERIFY(read);
    QCOMPARE(read->version, 2);
    QCOMPARE(read->appliedAtMs, kStartMs + 60'000);
    QCOMPARE(read->who, who);
    QCOMPARE(read->source, QStringLiteral("admin-api"));
    QCOMPARE(read->sha256, v2->sha256);
    QCOMPARE(read->size, config(2).size());
    QCOMPARE(read->comment, comment);
    QCOMPARE(h->latest()->version, 2);
    QCOMPARE(numbers(h->list()), (QList<int>{2, 1}));
    QCOMPARE(h->content(1, &error).value_or(QByteArray()), a);
    QCOMPARE(h->content(2, &error).value_or(QByteArray()), config(2));
    // Committed for other connections.
    QCOMPARE(peek(m_dbPath, QStringLiteral("SELECT count(*) FROM config_versions")).toInt(), 2);
}

void TestConfigHistory::identicalBytesNotRecordedTwice() {
    auto h = history();
    QString error;
    const std::optional<ConfigVersion> v1 =
        h->record(config(1), QStringLiteral("a"), QStringLiteral("start"), QStringLiteral("first"), &error);
    QVERIFY(v1);
    m_clock.advanceMs(1000);
    const std::optional<ConfigVersion> again =
        h->record(config(1), QStringLiteral("b"), QStringLiteral("sighup"), QStringLiteral("second"), &error);
    QVERIFY(again);
    // The latest version, unchanged.
    QCOMPARE(again->version, 1);
    QCOMPARE(again->appliedAtMs, kStartMs);
    QCOMPARE(again->who, QStringLiteral("a"));
    QCOMPARE(again->source, QStringLiteral("start"));
    QCOMPARE(again->comment, QStringLiteral("first"));
    QCOMPARE(h->list().size(), 1);

    // Only the latest version counts: going back to earlier bytes is a new version (a rollback is one).
    QCOMPARE(h->record(config(2), QString(), QStringLiteral("file"), QString(), &error)->version, 2);
    QCOMPARE(h->record(config(1), QString(), QStringLiteral("rollback"), QString(), &error)->version, 3);
    QCOMPARE(h->record(config(1), QString(), QStringLiteral("file"), QString(), &error)->version, 3);
    // One byte more is other bytes.
    QCOMPARE(h->record(config(1) + ' ', QString(), QStringLiteral("file"), QString(), &error)->version, 4);
    QCOMPARE(numbers(h->list()), (QList<int>{4, 3, 2, 1}));
    QCOMPARE(QDir(m_dir).entryList(QDir::Files).size(), 4);
}

void TestConfigHistory::listPages() {
    auto h = history();
    QString error;
    for (int i = 1; i <= 7; ++i)
        QVERIFY(h->record(config(i), QString(), QStringLiteral("file"), QString(), &error));

    QList<int> walked;
    int cursor = 0;
    int pages = 0;
    for (;;) {
        const QList<ConfigVersion> page = h->list(3, cursor);
        if (page.isEmpty())
            break;
        ++pages;
        QVERIFY(page.size() <= 3);
        walked += numbers(page);
        cursor = page.last().version;
    }
    QCOMPARE(pages, 3);
    QCOMPARE(walked, (QList<int>{7, 6, 5, 4, 3, 2, 1}));

    QCOMPARE(numbers(h->list(2, 5)), (QList<int>{4, 3}));
    QCOMPARE(numbers(h->list(50, 100)), (QList<int>{7, 6, 5, 4, 3, 2, 1})); // a cursor above the newest
    QVERIFY(h->list(10, 1).isEmpty());
    QCOMPARE(numbers(h->list(0)), (QList<int>{7}));  // clamped to 1
    QCOMPARE(numbers(h->list(-5)), (QList<int>{7})); // clamped to 1
    QCOMPARE(h->list(1'000'000).size(), 7);          // clamped to 1000
    QCOMPARE(numbers(h->list(50, -3)).size(), 7);    // no cursor
}

void TestConfigHistory::contentIsByteIdentical_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("CRLF line ends") << QByteArray("listen: 127.0.0.1:8080\r\nkeys:\r\n  - id: a\r\n");
    QTest::newRow("trailing spaces") << QByteArray("listen: 127.0.0.1:8080   \nkeys: []  \n  ");
    QTest::newRow("no final newline") << QByteArray("listen: 127.0.0.1:8080");
    QTest::newRow("not UTF-8") << QByteArray("name: \xff\xfe\xc3\x28 latin1 caf\xe9\n");
    QTest::newRow("NUL bytes") << QByteArray("a\0b\0\0c\n", 7);
    QTest::newRow("BOM and tabs") << QByteArray("\xef\xbb\xbf\tkey:\tvalue\r\n\r\n");
    QTest::newRow("empty") << QByteArray();
    QByteArray big;
    for (int i = 0; i < 20000; ++i)
        big += "  - id: key-" + QByteArray::number(i) + "\r\n";
    QTest::newRow("large") << big;
}

void TestConfigHistory::contentIsByteIdentical() {
    QFETCH(QByteArray, bytes);
    auto h = history();
    QString error;
    // Something before, so that the version under test is not the only one.
    QVERIFY(h->record(config(0), QString(), QStringLiteral("start"), QString(), &error));
    const std::optional<ConfigVersion> v = h->record(bytes, QString(), QStringLiteral("file"), QString(), &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->version, 2);
    QCOMPARE(v->size, bytes.size());
    const std::optional<QByteArray> back = h->content(2, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->size(), bytes.size());
    QVERIFY(*back == bytes);
    QCOMPARE(readAll(h->filePath(2)), bytes);
}

void TestConfigHistory::ownerOnlyFiles() {
    // The directory's parents are created too, each 0700.
    m_dir = m_tmp.filePath(QStringLiteral("state-%1/deeper/still/config-versions").arg(m_n));
    auto h = history();
    QCOMPARE(fileMode(m_dir), 0700);
    QCOMPARE(fileMode(QFileInfo(m_dir).path()), 0700);
    QString error;
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    QVERIFY(h->record(config(2), QString(), QStringLiteral("file"), QString(), &error));
    QCOMPARE(fileMode(h->filePath(1)), 0600);
    QCOMPARE(fileMode(h->filePath(2)), 0600);
    // No temporary file is left behind.
    QCOMPARE(QDir(m_dir).entryList(QDir::Files | QDir::Hidden),
             (QStringList{QStringLiteral("1.yaml"), QStringLiteral("2.yaml")}));

    // An existing directory (made by hand, or by an older build) is made owner-only.
    const QString loose = m_tmp.filePath(QStringLiteral("state-%1/loose").arg(m_n));
    QVERIFY(QDir().mkpath(loose));
    QVERIFY(QFile::setPermissions(loose, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                                             QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
    QCOMPARE(fileMode(loose), 0755);
    ConfigHistory other(m_db.get(), loose, &m_clock);
    QCOMPARE(fileMode(loose), 0700);
    QVERIFY(other.record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    QCOMPARE(other.latest()->version, 3); // one table per database: the numbering is shared
    QCOMPARE(fileMode(other.filePath(3)), 0600);
}

void TestConfigHistory::contentRefusesChangedFile_data() {
    QTest::addColumn<QByteArray>("replacement"); // what the file holds instead; "<missing>" = removed
    QTest::addColumn<QString>("expectedError");
    const QString changed = QStringLiteral("config version 2: .*/2\\.yaml has been changed or damaged since it was "
                                           "recorded");
    QTest::newRow("one byte changed, same size")
        << QByteArray("listen: 127.0.0.1:8080\n# revision 9\n") << changed + QStringLiteral(" \\(its sha256");
    QTest::newRow("truncated") << QByteArray("listen: 127.0.0.1:8080\n")
                               << changed + QStringLiteral(" \\(23 bytes, 36 recorded\\)");
    QTest::newRow("appended") << config(2) + "extra: true\n" << changed + QStringLiteral(" \\(48 bytes, 36 recorded");
    QTest::newRow("emptied") << QByteArray() << changed;
    QTest::newRow("removed") << QByteArray("<missing>")
                             << QStringLiteral("config version 2: its file .*/2\\.yaml is missing");
}

void TestConfigHistory::contentRefusesChangedFile() {
    QFETCH(QByteArray, replacement);
    QFETCH(QString, expectedError);
    auto h = history();
    QString error;
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    QVERIFY(h->record(config(2), QString(), QStringLiteral("file"), QString(), &error));
    QCOMPARE(config(2).size(), 36);
    if (replacement == "<missing>")
        QVERIFY(QFile::remove(h->filePath(2)));
    else
        QVERIFY(writeAll(h->filePath(2), replacement));

    error.clear();
    QVERIFY(!h->content(2, &error));
    QVERIFY2(QRegularExpression(expectedError).match(error).hasMatch(), qPrintable(error));
    QVERIFY(!error.contains(QLatin1String("revision"))); // the message names the file, not its contents
    QVERIFY(!h->content(2, nullptr));                    // no error wanted
    // The other version is untouched, and the row is still listed.
    QCOMPARE(h->content(1, &error).value_or(QByteArray()), config(1));
    QCOMPARE(numbers(h->list()), (QList<int>{2, 1}));
}

void TestConfigHistory::recordRestoresDamagedLatestFile() {
    auto h = history();
    QString error;
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    QVERIFY(writeAll(h->filePath(1), "garbage"));
    QVERIFY(!h->content(1, &error));
    // Recording the same bytes again: still version 1, and its file holds them again.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("1\\.yaml has been changed.*; rewriting it")));
    const std::optional<ConfigVersion> v = h->record(config(1), QString(), QStringLiteral("file"), QString(), &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->version, 1);
    QCOMPARE(h->content(1, &error).value_or(QByteArray()), config(1));
    QCOMPARE(fileMode(h->filePath(1)), 0600);

    QVERIFY(QFile::remove(h->filePath(1)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("1\\.yaml is missing; rewriting it")));
    QCOMPARE(h->record(config(1), QString(), QStringLiteral("file"), QString(), &error)->version, 1);
    QCOMPARE(h->content(1, &error).value_or(QByteArray()), config(1));
}

void TestConfigHistory::unknownVersion() {
    auto h = history();
    QString error;
    QVERIFY(!h->version(1));
    QVERIFY(!h->content(1, &error));
    QCOMPARE(error, QStringLiteral("config version 1 is unknown (never recorded, or pruned)"));
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    for (int v : {0, -1, 2, 1'000'000}) {
        QVERIFY(!h->version(v));
        QVERIFY(!h->content(v, &error));
        QVERIFY(error.contains(QLatin1String("is unknown")));
    }
    // A stray file for a version that has no row is not content.
    QVERIFY(writeAll(h->filePath(5), config(5)));
    QVERIFY(!h->content(5, &error));
}

void TestConfigHistory::bytesNeverInDatabase() {
    const QByteArray marker = "GG-SECRET-MARKER-7f3a9c1e5b";
    const QByteArray secretConfig =
        "clients:\n  - id: alice\n    key: \"" + marker + "\"\nauth:\n  jwt_secret: " + marker + "-jwt\n";
    auto h = history();
    QString error;
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    const std::optional<ConfigVersion> v = h->record(secretConfig, QStringLiteral("admin api (127.0.0.1)"),
                                                     QStringLiteral("admin-api"), QString(), &error);
    QVERIFY2(v, qPrintable(error));
    // The same bytes again, and the metadata queries: nothing may copy them in either.
    QVERIFY(h->record(secretConfig, QString(), QStringLiteral("file"), QString(), &error));
    QVERIFY(h->content(v->version, &error));
    h->prune(10);

    // The file has the marker (the grep below would find it) ...
    QVERIFY(readAll(h->filePath(v->version)).contains(marker));
    // ... and no file of the database has it, neither while open (WAL) nor after close (checkpointed).
    const QString dbDir = QFileInfo(m_dbPath).path();
    auto grepDbFiles = [&] {
        QStringList seen;
        const QStringList names = QDir(dbDir).entryList(QDir::Files | QDir::Hidden);
        for (const QString& name : names) {
            if (!name.startsWith(QLatin1String("gemgate.db")))
                continue;
            seen.append(name);
            const QByteArray raw = readAll(dbDir + u'/' + name);
            if (raw.contains(marker) || raw.contains(secretConfig.left(20))) {
                qInfo("the config bytes are in %s", qPrintable(name));
                return QStringList{};
            }
        }
        return seen;
    };
    const QStringList whileOpen = grepDbFiles();
    QVERIFY(whileOpen.contains(QStringLiteral("gemgate.db")));
    QVERIFY(whileOpen.contains(QStringLiteral("gemgate.db-wal"))); // the rows are (also) in the WAL now
    h.reset();
    m_db.reset();
    QVERIFY(grepDbFiles().contains(QStringLiteral("gemgate.db")));
    QVERIFY(!peek(m_dbPath, QStringLiteral("SELECT group_concat(sha256) FROM config_versions")).toString().isEmpty());
}

void TestConfigHistory::noRowWithoutFile() {
    auto h = history();
    QString error;
    QVERIFY(h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    // Version 2's file cannot be written (a directory is in its place): no row either.
    QVERIFY(QDir().mkpath(h->filePath(2)));
    error.clear();
    QVERIFY(!h->record(config(2), QString(), QStringLiteral("file"), QString(), &error));
    QVERIFY2(error.contains(QLatin1String("2.yaml")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1String("revision")));
    QCOMPARE(numbers(h->list()), QList<int>{1});
    QCOMPARE(peek(m_dbPath, QStringLiteral("SELECT count(*) FROM config_versions")).toInt(), 1);
    QCOMPARE(h->latest()->version, 1);
    // Once the way is clear, the same bytes get number 2: the failed attempt used none.
    QVERIFY(QDir(h->filePath(2)).removeRecursively());
    const std::optional<ConfigVersion> v = h->record(config(2), QString(), QStringLiteral("file"), QString(), &error);
    QVERIFY2(v, qPrintable(error));
    QCOMPARE(v->version, 2);
    QCOMPARE(h->content(2, &error).value_or(QByteArray()), config(2));
}

void TestConfigHistory::unusableDirectory() {
    // The versions directory's place is taken by a file.
    m_dir = m_tmp.filePath(QStringLiteral("state-%1/config-versions").arg(m_n));
    QVERIFY(writeAll(m_dir, "not a directory"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("config-versions is not a directory")));
    auto h = history();
    QString error;
    QVERIFY(!h->record(config(1), QString(), QStringLiteral("start"), QString(), &error));
    QVERIFY2(error.contains(QLatin1String("config-versions is not a directory")), qPrintable(error));
    QVERIFY(!h->latest());
    QCOMPARE(readAll(m_dir), QByteArray("not a directory"));
}

void TestConfigHistory::prune() {
    auto h = history();
    QString error;
    for (int i = 1; i <= 5; ++i)
        QVERIFY(h->record(config(i), QString(), QStringLiteral("file"), QString(), &error));
    // Left over: a temporary file of a write that never finished, a file of an unknown version, and files that are
    // not versions at all (kept).
    QVERIFY(writeAll(m_dir + QStringLiteral("/5.yaml.AbC123"), "half"));
    QVERIFY(writeAll(m_dir + QStringLiteral("/99.yaml"), config(99)));
    QVERIFY(writeAll(m_dir + QStringLiteral("/notes.txt"), "mine"));
    QVERIFY(writeAll(m_dir + QStringLiteral("/1.yml"), "mine too"));

    h->prune(2);
    QCOMPARE(numbers(h->list()), (QList<int>{5, 4}));
    QStringList files = QDir(m_dir).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    QCOMPARE(files, (QStringList{QStringLiteral("1.yml"), QStringLiteral("4.yaml"), QStringLiteral("5.yaml"),
                                 QStringLiteral("notes.txt")}));
    QVERIFY(!h->content(3, &error));
    QVERIFY(error.contains(QLatin1String("is unknown")));
    QCOMPARE(h->content(4, &error).value_or(QByteArray()), config(4));
    QCOMPARE(h->content(5, &error).value_or(QByteArray()), config(5));

    h->prune(2); // nothing more to do
    h->prune(10);
    QCOMPARE(numbers(h->list()), (QList<int>{5, 4}));

    // Numbers are never handed out twice, also when every version was pruned.
    QCOMPARE(h->record(config(6), QString(), QStringLiteral("file"), QString(), &error)->version, 6);
    h->prune(0);
    QVERIFY(h->list().isEmpty());
    QVERIFY(!h->latest());
    QCOMPARE(QDir(m_dir).entryList(QDir::Files, QDir::Name),
             (QStringList{QStringLiteral("1.yml"), QStringLiteral("notes.txt")}));
    // The bytes of the pruned latest version are recorded again (nothing to compare with), under a new number.
    QCOMPARE(h->record(config(6), QString(), QStringLiteral("file"), QString(), &error)->version, 7);
    h->prune(-1);
    QVERIFY(h->list().isEmpty());
}

void TestConfigHistory::reopenContinuesNumbering() {
    {
        auto h = history();
        QString error;
        for (int i = 1; i <= 3; ++i) {
            m_clock.advanceMs(1000);
            QVERIFY(h->record(config(i), QString(), QStringLiteral("file"), QString(), &error));
        }
        h->prune(2); // versions 2 and 3 remain
    }
    m_db.reset();
    QVERIFY(openDb());
    auto h = history(); // the table exists: nothing is created or cleared
    QCOMPARE(numbers(h->list()), (QList<int>{3, 2}));
    QCOMPARE(h->latest()->appliedAtMs, kStartMs + 3000);
    QString error;
    QCOMPARE(h->content(2, &error).value_or(QByteArray()), config(2));
    // The latest version's bytes are still recognised ...
    QCOMPARE(h->record(config(3), QString(), QStringLiteral("start"), QString(), &error)->version, 3);
    // ... and new ones continue the numbering.
    QCOMPARE(h->record(config(4), QString(), QStringLiteral("file"), QString(), &error)->version, 4);
    h->prune(0);
    h.reset();
    m_db.reset();
    QVERIFY(openDb());
    QCOMPARE(history()->record(config(5), QString(), QStringLiteral("start"), QString(), &error)->version, 5);
    QCOMPARE(peek(m_dbPath, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestConfigHistory::twoHistoriesShareNumbering() {
    auto a = history();
    auto b = history();
    QString error;
    QSet<int> seen;
    for (int i = 1; i <= 6; ++i) {
        ConfigHistory& h = i % 2 ? *a : *b;
        const std::optional<ConfigVersion> v =
            h.record(config(i), QString(), QStringLiteral("file"), QString(), &error);
        QVERIFY2(v, qPrintable(error));
        QVERIFY(!seen.contains(v->version));
        seen.insert(v->version);
    }
    QCOMPARE(numbers(a->list()), (QList<int>{6, 5, 4, 3, 2, 1}));
    // b sees what a recorded as the latest.
    QCOMPARE(b->record(config(6), QString(), QStringLiteral("file"), QString(), &error)->version, 6);
}

QTEST_GUILESS_MAIN(TestConfigHistory)
#include "tst_confighistory.moc"
