// Route labels of Gemini calls (gemini/routelabels.h): ids and made-up names folded, so that a label has a small,
// fixed set of values; the usage record's route keeps the path and replaces only the model.

#include "gemini/routelabels.h"

#include <QTest>

using namespace gemgate;

class TestRouteLabels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void restRouteLabel_data();
    void restRouteLabel();
    void usageRouteLabel_data();
    void usageRouteLabel();
};

void TestRouteLabels::restRouteLabel_data() {
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("label");
    QTest::newRow("generate") << QByteArray("POST") << QByteArray("/v1beta/models/gemini-2.5-flash:generateContent")
                              << QStringLiteral("POST /v1beta/models/{model}:generateContent");
    QTest::newRow("stream") << QByteArray("POST") << QByteArray("/v1/models/gemini-2.5-pro:streamGenerateContent")
                            << QStringLiteral("POST /v1/models/{model}:streamGenerateContent");
    QTest::newRow("model list") << QByteArray("GET") << QByteArray("/v1beta/models")
                                << QStringLiteral("GET /v1beta/models");
    QTest::newRow("file") << QByteArray("GET") << QByteArray("/v1beta/files/abc123")
                          << QStringLiteral("GET /v1beta/files/{id}");
    QTest::newRow("tuned model") << QByteArray("POST") << QByteArray("/v1beta/tunedModels/my-model:generateContent")
                                 << QStringLiteral("POST /v1beta/tunedModels/{model}:generateContent");
    QTest::newRow("upload") << QByteArray("POST") << QByteArray("/upload/v1beta/files")
                            << QStringLiteral("POST /upload/v1beta/files");
    QTest::newRow("nested") << QByteArray("DELETE") << QByteArray("/v1beta/corpora/c1/documents/d2")
                            << QStringLiteral("DELETE /v1beta/corpora/{id}/documents/{id}");
    QTest::newRow("made-up version") << QByteArray("GET") << QByteArray("/v9/models")
                                     << QStringLiteral("GET /{other}/models");
    QTest::newRow("made-up collection") << QByteArray("GET") << QByteArray("/v1beta/secrets/s1")
                                        << QStringLiteral("GET /v1beta/{other}/{id}");
    QTest::newRow("made-up action") << QByteArray("POST") << QByteArray("/v1beta/models/m:exfiltrate")
                                    << QStringLiteral("POST /v1beta/models/{model}:{other}");
    QTest::newRow("deep") << QByteArray("GET") << QByteArray("/v1beta/corpora/a/documents/b/chunks/c/x/y")
                          << QStringLiteral("GET /v1beta/corpora/{id}/documents/{id}/chunks/{id}/...");
}

void TestRouteLabels::restRouteLabel() {
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QString, label);
    QCOMPARE(gemini::restRouteLabel(method, path), label);
}

void TestRouteLabels::usageRouteLabel_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("route");
    QTest::newRow("model replaced") << QByteArray("/v1beta/models/gemini-2.5-flash:generateContent")
                                    << QStringLiteral("gemini-2.5-flash")
                                    << QStringLiteral("POST /v1beta/models/{model}:generateContent");
    QTest::newRow("no model, path kept") << QByteArray("/v1beta/files/abc") << QString()
                                         << QStringLiteral("POST /v1beta/files/abc");
    QTest::newRow("model with a slash after") << QByteArray("/v1beta/models/m1/operations/o1") << QStringLiteral("m1")
                                              << QStringLiteral("POST /v1beta/models/{model}/operations/o1");
    QTest::newRow("cut at 256 bytes") << QByteArray("/v1beta/" + QByteArray(400, 'x')) << QString()
                                      << QStringLiteral("POST /v1beta/") + QString(248, QLatin1Char('x'));
}

void TestRouteLabels::usageRouteLabel() {
    QFETCH(QByteArray, path);
    QFETCH(QString, model);
    QFETCH(QString, route);
    QCOMPARE(gemini::usageRouteLabel("POST", path, model), route);
}

QTEST_GUILESS_MAIN(TestRouteLabels)
#include "tst_routelabels.moc"
