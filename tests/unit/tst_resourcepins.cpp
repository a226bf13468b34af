// Which stateful resources a request names (path and body), which one a creating reply returns, and the pin map
// written through to a real state database.

#include "gemini/resources.h"
#include "keys/resourcepins.h"
#include "storage/statedb.h"

#include <QTemporaryDir>
#include <QTest>

using namespace gemgate;

class TestResourcePins : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void referenced_data();
    void referenced();
    void created_data();
    void created();
    void pinsSurviveReopen();
};

void TestResourcePins::referenced_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("plain generate") << QByteArray("/v1beta/models/gemini-2.5-flash:generateContent")
                                    << QByteArray(R"({"contents":[{"parts":[{"text":"files/abc"}]}]})")
                                    << QStringList{};
    QTest::newRow("file get") << QByteArray("/v1beta/files/abc-123") << QByteArray()
                              << QStringList{QStringLiteral("files/abc-123")};
    QTest::newRow("file download verb") << QByteArray("/v1beta/files/abc:download") << QByteArray()
                                        << QStringList{QStringLiteral("files/abc")};
    QTest::newRow("cache patch") << QByteArray("/v1beta/cachedContents/xyz") << QByteArray()
                                 << QStringList{QStringLiteral("cachedContents/xyz")};
    QTest::newRow("batch cancel") << QByteArray("/v1beta/batches/b-1:cancel") << QByteArray()
                                  << QStringList{QStringLiteral("batches/b-1")};
    QTest::newRow("file list") << QByteArray("/v1beta/files") << QByteArray() << QStringList{};
    QTest::newRow("fileUri in body")
        << QByteArray("/v1beta/models/gemini-2.5-flash:generateContent")
        << QByteArray(
               R"({"contents":[{"parts":[{"fileData":{"fileUri":"https://generativelanguage.googleapis.com/v1beta/files/f1"}},{"fileData":{"fileUri":"https://x/v1beta/files/f2"}}]}]})")
        << QStringList{QStringLiteral("files/f1"), QStringLiteral("files/f2")};
    QTest::newRow("snake_case file_uri") << QByteArray("/v1beta/models/m:generateContent")
                                         << QByteArray(
                                                R"({"contents":[{"parts":[{"file_data":{"file_uri":"files/f3"}}]}]})")
                                         << QStringList{QStringLiteral("files/f3")};
    QTest::newRow("cachedContent in body") << QByteArray("/v1beta/models/m:streamGenerateContent")
                                           << QByteArray(R"({"cachedContent":"cachedContents/c9","contents":[]})")
                                           << QStringList{QStringLiteral("cachedContents/c9")};
}

void TestResourcePins::referenced() {
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, names);
    QCOMPARE(referencedResources(path, body), names);
}

void TestResourcePins::created_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("name");
    QTest::newRow("upload final") << QByteArray(R"({"file":{"name":"files/abc","uri":"u"}})")
                                  << QStringLiteral("files/abc");
    QTest::newRow("cache") << QByteArray(R"({"name":"cachedContents/x1","model":"models/m"})")
                           << QStringLiteral("cachedContents/x1");
    QTest::newRow("batch") << QByteArray(R"({"name":"batches/b1","metadata":{}})") << QStringLiteral("batches/b1");
    QTest::newRow("model is no resource") << QByteArray(R"({"name":"models/gemini-2.5-flash"})") << QString();
    QTest::newRow("not json") << QByteArray("<html>") << QString();
}

void TestResourcePins::created() {
    QFETCH(QByteArray, body);
    QFETCH(QString, name);
    QCOMPARE(createdResourceName(body), name);
}

void TestResourcePins::pinsSurviveReopen() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("state.db"));
    QString error;
    {
        auto db = StateDb::open(path, &error);
        QVERIFY2(db, qPrintable(error));
        ResourcePins pins;
        pins.setDatabase(db.get());
        pins.remember(QStringLiteral("files/a"), QStringLiteral("k1"), QStringLiteral("p1"));
        pins.remember(QStringLiteral("upload/u1"), QStringLiteral("k2"), QStringLiteral("p2"));
        pins.remember(QStringLiteral("cachedContents/c"), QStringLiteral("k1"), QStringLiteral("p1"));
        pins.forget(QStringLiteral("cachedContents/c"));
        QCOMPARE(pins.lookup(QStringLiteral("files/a"))->keyId, QStringLiteral("k1"));
        QVERIFY(!pins.lookup(QStringLiteral("cachedContents/c")));
    }
    auto db = StateDb::open(path, &error);
    QVERIFY2(db, qPrintable(error));
    ResourcePins pins;
    pins.load(db->loadPins());
    QCOMPARE(pins.size(), 2);
    QCOMPARE(pins.lookup(QStringLiteral("upload/u1"))->project, QStringLiteral("p2"));
    QVERIFY(!pins.lookup(QStringLiteral("cachedContents/c")));
}

QTEST_GUILESS_MAIN(TestResourcePins)
#include "tst_resourcepins.moc"
