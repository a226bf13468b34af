// Issued clients managed through GatewayController (the window's and the embedding's seam) against the real running
// gateway: every change counts from the very next request (add -> 200, disable -> 403, rotate -> old key 401 and
// new key 200, a requests-per-minute policy -> 429, remove -> 401), usage() sees the gateway's records grouped by
// client, unknown names and bad input give plain errors, the store works while the gateway is stopped, and no issued
// key ever reaches a message.

#include "gatewayfixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {

const QByteArray kGenerate = "/v1beta/models/gemini-2.5-flash:generateContent";
const QByteArray kPrompt = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";

QList<QPair<QByteArray, QByteArray>> withKey(const QByteArray& key) {
    return {{"x-goog-api-key", key}};
}

QString message(const RawResponse& r) {
    return QJsonDocument::fromJson(r.body).object()[QLatin1String("error")][QLatin1String("message")].toString();
}

NewClient newClient(const QString& name) {
    NewClient c;
    c.name = name;
    c.owner = QStringLiteral("tests");
    c.nameSpace = QStringLiteral("team-a");
    return c;
}

std::optional<ClientRecord> findClient(const QList<ClientRecord>& clients, const QString& name) {
    for (const ClientRecord& r : clients) {
        if (r.name == name)
            return r;
    }
    return std::nullopt;
}

} // namespace

class TstControllerClients : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lifecycleTakesEffectAtOnce();
    void policyLimitsAtOnce();
    void usageGroupedByClient();
    void errorsForUnknownNamesAndBadInput();
    void worksWhileStoppedAndFailsWithoutDatabase();
};

void TstControllerClients::lifecycleTakesEffectAtOnce() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QSignalSpy changed(&f.controller, &GatewayController::clientsChanged);
    QSignalSpy messages(&f.controller, &GatewayController::message);

    QString error;
    const std::optional<IssuedClient> issued = f.controller.addClient(newClient(QStringLiteral("alice")), &error);
    QVERIFY2(issued, qPrintable(error));
    QCOMPARE(changed.count(), 1);
    const QByteArray firstKey = issued->key;
    QVERIFY(firstKey.startsWith("gg_"));
    QCOMPARE(f.request("POST", kGenerate, withKey(firstKey), kPrompt).status, 200);

    const std::optional<ClientRecord> listed = findClient(f.controller.clients(), QStringLiteral("alice"));
    QVERIFY(listed);
    QCOMPARE(listed->id, issued->record.id);
    QCOMPARE(listed->nameSpace, QStringLiteral("team-a"));
    QVERIFY(listed->enabled);
    QVERIFY(listed->keyHash != firstKey);

    QVERIFY2(f.controller.setClientEnabled(QStringLiteral("alice"), false, &error), qPrintable(error));
    const RawResponse disabled = f.request("POST", kGenerate, withKey(firstKey), kPrompt);
    QCOMPARE(disabled.status, 403);
    QVERIFY2(message(disabled).contains(QLatin1String("disabled")), qPrintable(message(disabled)));
    QVERIFY(!findClient(f.controller.clients(), QStringLiteral("alice"))->enabled);
    // By id as well as by name.
    QVERIFY2(f.controller.setClientEnabled(issued->record.id, true, &error), qPrintable(error));
    QCOMPARE(f.request("POST", kGenerate, withKey(firstKey), kPrompt).status, 200);

    const std::optional<IssuedClient> rotated = f.controller.rotateClient(QStringLiteral("alice"), &error);
    QVERIFY2(rotated, qPrintable(error));
    QVERIFY(rotated->key != firstKey);
    QCOMPARE(rotated->record.id, issued->record.id);
    QCOMPARE(f.request("POST", kGenerate, withKey(firstKey), kPrompt).status, 401);
    QCOMPARE(f.request("POST", kGenerate, withKey(rotated->key), kPrompt).status, 200);

    QVERIFY2(f.controller.removeClient(QStringLiteral("alice"), &error), qPrintable(error));
    QCOMPARE(f.request("POST", kGenerate, withKey(rotated->key), kPrompt).status, 401);
    QVERIFY(!findClient(f.controller.clients(), QStringLiteral("alice")));
    // The config's own client key is untouched by all this.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);

    QCOMPARE(changed.count(), 5);
    // The window's log hears about each change, never the key.
    QVERIFY(messages.count() >= 5);
    for (const QList<QVariant>& m : std::as_const(messages)) {
        const QString text = m.at(0).toString();
        QVERIFY(!text.contains(QString::fromLatin1(firstKey)) && !text.contains(QString::fromLatin1(rotated->key)));
    }
}

void TstControllerClients::policyLimitsAtOnce() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QString error;
    const std::optional<IssuedClient> issued = f.controller.addClient(newClient(QStringLiteral("bob")), &error);
    QVERIFY2(issued, qPrintable(error));
    // No limit of its own yet: a few requests pass.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(f.request("POST", kGenerate, withKey(issued->key), kPrompt).status, 200);

    LimitSet limits;
    limits.requestsPerMinute = 1;
    QVERIFY2(f.controller.setClientPolicy(QStringLiteral("bob"), limits, {}, {}, &error), qPrintable(error));
    QCOMPARE(findClient(f.controller.clients(), QStringLiteral("bob"))->limits.requestsPerMinute, 1);
    QCOMPARE(f.request("POST", kGenerate, withKey(issued->key), kPrompt).status, 200);
    const RawResponse limited = f.request("POST", kGenerate, withKey(issued->key), kPrompt);
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.header("retry-after").toLongLong() > 0);
    QVERIFY2(message(limited).contains(QLatin1String("requests_per_minute")), qPrintable(message(limited)));
    // Another client is not affected.
    QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);

    // An IP rule through the same call: denying loopback shuts bob out at once.
    limits.requestsPerMinute = -1;
    QVERIFY2(f.controller.setClientPolicy(QStringLiteral("bob"), limits, {}, {QStringLiteral("127.0.0.0/8")}, &error),
             qPrintable(error));
    QCOMPARE(f.request("POST", kGenerate, withKey(issued->key), kPrompt).status, 403);
}

void TstControllerClients::usageGroupedByClient() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QString error;
    const std::optional<IssuedClient> carol = f.controller.addClient(newClient(QStringLiteral("carol")), &error);
    QVERIFY2(carol, qPrintable(error));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(f.request("POST", kGenerate, withKey(carol->key), kPrompt).status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(f.request("POST", kGenerate, GatewayFixture::auth(), kPrompt).status, 200);
    QCOMPARE(f.request("POST", kGenerate, withKey("gg_not-a-key-0123456789abcdef"), kPrompt).status, 401);

    UsageQuery q;
    q.groupBy = {QStringLiteral("client")};
    q.byDay = false;
    // A record is queued when its request is logged, which may be just after the client got its response.
    const auto requestsOf = [&](const QString& client) {
        for (const UsageSummaryRow& row : f.controller.usage(q)) {
            if (row.client == client)
                return row.requests;
        }
        return qint64(0);
    };
    QTRY_COMPARE_WITH_TIMEOUT(requestsOf(QStringLiteral("carol")), qint64(3), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(requestsOf(QStringLiteral("tester")), qint64(2), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(requestsOf(QString()), qint64(1), 5000);
    const QList<UsageSummaryRow> rows = f.controller.usage(q);
    QCOMPARE(rows.size(), 3);
    for (const UsageSummaryRow& row : rows) {
        QCOMPARE(row.day, QString());
        QCOMPARE(row.nameSpace, QString()); // not grouped by namespace
        if (row.client == QLatin1String("carol")) {
            QCOMPARE(row.admitted, 3);
            QCOMPARE(row.errors, 0);
            QVERIFY(row.totalTokens > 0);
        }
    }
    // Filters and other groupings go through as asked.
    UsageQuery byNamespace;
    byNamespace.groupBy = {QStringLiteral("namespace")};
    byNamespace.client = QStringLiteral("carol");
    const QList<UsageSummaryRow> ns = f.controller.usage(byNamespace);
    QCOMPARE(ns.size(), 1);
    QCOMPARE(ns[0].nameSpace, QStringLiteral("team-a"));
    QCOMPARE(ns[0].requests, 3);
}

void TstControllerClients::errorsForUnknownNamesAndBadInput() {
    GatewayFixture f(1);
    QVERIFY(f.start());
    QSignalSpy changed(&f.controller, &GatewayController::clientsChanged);
    const QString nobody = QStringLiteral("nobody");
    QString error;
    QVERIFY(!f.controller.setClientEnabled(nobody, false, &error));
    QVERIFY2(error.contains(QLatin1String("no client")) && error.contains(nobody), qPrintable(error));
    error.clear();
    QVERIFY(!f.controller.rotateClient(nobody, &error));
    QVERIFY2(error.contains(QLatin1String("no client")), qPrintable(error));
    error.clear();
    QVERIFY(!f.controller.removeClient(nobody, &error));
    QVERIFY2(error.contains(QLatin1String("no client")), qPrintable(error));
    error.clear();
    QVERIFY(!f.controller.setClientPolicy(nobody, LimitSet(), {}, {}, &error));
    QVERIFY2(error.contains(QLatin1String("no client")), qPrintable(error));

    error.clear();
    QVERIFY(!f.controller.addClient(newClient(QStringLiteral("has space")), &error));
    QVERIFY2(error.contains(QLatin1String("client name")), qPrintable(error));
    NewClient badIp = newClient(QStringLiteral("dave"));
    badIp.ipAllow = {QStringLiteral("10.0.0.0/99")};
    error.clear();
    QVERIFY(!f.controller.addClient(badIp, &error));
    QVERIFY2(error.contains(QLatin1String("10.0.0.0/99")), qPrintable(error));
    QVERIFY(!findClient(f.controller.clients(), QStringLiteral("dave")));

    QVERIFY(f.controller.addClient(newClient(QStringLiteral("dave")), &error));
    error.clear();
    QVERIFY(!f.controller.addClient(newClient(QStringLiteral("dave")), &error));
    QVERIFY2(error.contains(QLatin1String("already exists")), qPrintable(error));
    error.clear();
    QVERIFY(
        !f.controller.setClientPolicy(QStringLiteral("dave"), LimitSet(), {}, {QStringLiteral("not-an-ip")}, &error));
    QVERIFY2(error.contains(QLatin1String("not-an-ip")), qPrintable(error));
    // Only the one successful add changed anything.
    QCOMPARE(changed.count(), 1);
}

void TstControllerClients::worksWhileStoppedAndFailsWithoutDatabase() {
    {
        // A controller that never started has no database: plain errors, empty lists.
        GatewayController fresh;
        QSignalSpy changed(&fresh, &GatewayController::clientsChanged);
        QString error;
        QVERIFY(fresh.clients().isEmpty());
        QVERIFY(fresh.usage(UsageQuery()).isEmpty());
        QVERIFY(!fresh.addClient(newClient(QStringLiteral("erin")), &error));
        QVERIFY2(error.contains(QLatin1String("database")), qPrintable(error));
        error.clear();
        QVERIFY(!fresh.setClientEnabled(QStringLiteral("erin"), false, &error));
        QVERIFY2(error.contains(QLatin1String("database")), qPrintable(error));
        QVERIFY(!fresh.rotateClient(QStringLiteral("erin"), nullptr)); // a null error pointer is allowed
        QVERIFY(!fresh.removeClient(QStringLiteral("erin"), nullptr));
        QVERIFY(!fresh.setClientPolicy(QStringLiteral("erin"), LimitSet(), {}, {}, nullptr));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(fresh.localClientKey(), QString());
    }

    GatewayFixture f(1);
    QVERIFY(f.start());
    QCOMPARE(f.controller.localClientKey(), kClientKey);
    f.controller.stop();
    QCOMPARE(f.controller.localClientKey(), QString());
    // Stopped, the database stays open: clients can still be managed, and count once the gateway runs again.
    QString error;
    const std::optional<IssuedClient> frank = f.controller.addClient(newClient(QStringLiteral("frank")), &error);
    QVERIFY2(frank, qPrintable(error));
    QVERIFY(findClient(f.controller.clients(), QStringLiteral("frank")));
    QVERIFY(f.start());
    QCOMPARE(f.request("POST", kGenerate, withKey(frank->key), kPrompt).status, 200);
    f.controller.stop();
    QVERIFY2(f.controller.setClientEnabled(QStringLiteral("frank"), false, &error), qPrintable(error));
    QVERIFY(f.start());
    QCOMPARE(f.request("POST", kGenerate, withKey(frank->key), kPrompt).status, 403);
}

QTEST_GUILESS_MAIN(TstControllerClients)
#include "tst_controllerclients.moc"
