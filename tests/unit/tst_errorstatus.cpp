// The status name in an error envelope ({"error":{"code","message","status"}}) for an HTTP status: one table for
// the gateway's errors and the admin API's, so a client reading "status" sees the same name from both.

#include "admin/adminserver.h"
#include "pipeline/gatewayerror.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace gemgate;

class TstErrorStatus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameNameEverywhere_data();
    void sameNameEverywhere();
};

void TstErrorStatus::sameNameEverywhere_data() {
    QTest::addColumn<int>("http");
    QTest::addColumn<QString>("name");
    QTest::newRow("400") << 400 << QStringLiteral("INVALID_ARGUMENT");
    QTest::newRow("401") << 401 << QStringLiteral("UNAUTHENTICATED");
    QTest::newRow("404") << 404 << QStringLiteral("NOT_FOUND");
    QTest::newRow("405") << 405 << QStringLiteral("UNIMPLEMENTED");
    QTest::newRow("408") << 408 << QStringLiteral("DEADLINE_EXCEEDED");
    QTest::newRow("429") << 429 << QStringLiteral("RESOURCE_EXHAUSTED");
    QTest::newRow("503") << 503 << QStringLiteral("UNAVAILABLE");
}

void TstErrorStatus::sameNameEverywhere() {
    QFETCH(int, http);
    QFETCH(QString, name);
    QCOMPARE(QString::fromLatin1(grpcStatusFor(http)), name);
    const QJsonObject gateway =
        QJsonDocument::fromJson(geminiErrorBody(GatewayError::make(http, QStringLiteral("x"), "x"))).object();
    QCOMPARE(gateway[QLatin1String("error")][QLatin1String("status")].toString(), name);
    const AdminReply admin = AdminReply::error(http, QStringLiteral("x"));
    QCOMPARE(admin.status, http);
    const QJsonObject e = QJsonDocument::fromJson(admin.body).object()[QLatin1String("error")].toObject();
    QCOMPARE(e[QLatin1String("code")].toInt(), http);
    QCOMPARE(e[QLatin1String("status")].toString(), name);
}

QTEST_GUILESS_MAIN(TstErrorStatus)
#include "tst_errorstatus.moc"
