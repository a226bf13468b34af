// The usage page as real widgets against a real gateway in front of the fake upstream: requests of two clients
// through the gateway show per client and per key, by day and by hour, in the table and as stacked bars; Export CSV
// writes the same rows with plain numbers and a header of stable column names.

#include "control/gatewaycontroller.h"
#include "gatewayfixture.h"
#include "mainwindow.h"
#include "usagepage.h"

#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QStackedBarSeries>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

class TestUsagePage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void perClientPerKeyByDayAndHour();
    void csvQuoting();
};

void TestUsagePage::perClientPerKeyByDayAndHour() {
    GatewayFixture fixture(2);
    QVERIFY(fixture.start());
    NewClient bob;
    bob.name = QStringLiteral("bob");
    bob.nameSpace = QStringLiteral("team \"b\", west"); // needs quoting in CSV
    QString error;
    const std::optional<IssuedClient> issued = fixture.controller.addClient(bob, &error);
    QVERIFY2(issued, qPrintable(error));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(fixture.generate().status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(fixture.generate({{"x-goog-api-key", issued->key}}).status, 200);

    MainWindow window(&fixture.controller);
    window.showPage(MainWindow::Page::Usage);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* page = qobject_cast<UsagePage*>(window.page(MainWindow::Page::Usage));
    QVERIFY(page);
    QTableWidget* t = page->table();
    QCOMPARE(t->rowCount(), 2);
    QHash<QString, QString> requests;
    for (int r = 0; r < t->rowCount(); ++r) {
        QCOMPARE(t->item(r, UsagePage::PeriodColumn)->text(), QDate::currentDate().toString(Qt::ISODate));
        requests.insert(t->item(r, UsagePage::GroupColumn)->text(), t->item(r, UsagePage::RequestsColumn)->text());
    }
    QCOMPARE(requests.value(QStringLiteral("tester")), QStringLiteral("3"));
    QCOMPARE(requests.value(bob.name), QStringLiteral("2"));

    // The chart: one bar per period, a set per client, stacked.
    auto* series = qobject_cast<QStackedBarSeries*>(page->chart()->series().value(0));
    QVERIFY(series);
    QCOMPARE(series->count(), 2);
    qreal sum = 0;
    for (QBarSet* set : series->barSets())
        sum += set->sum();
    QCOMPARE(sum, 5.0);

    // By key, by hour: the same five requests spread over the keys that answered.
    page->setGroupBy(QStringLiteral("key"));
    page->setByHour(true);
    qint64 byKey = 0;
    for (int r = 0; r < t->rowCount(); ++r) {
        QVERIFY(t->item(r, UsagePage::GroupColumn)->text().startsWith(QStringLiteral("key")));
        byKey += t->item(r, UsagePage::RequestsColumn)->data(Qt::UserRole).toLongLong();
    }
    QCOMPARE(byKey, 5);

    // CSV of the per-namespace day table.
    page->setGroupBy(QStringLiteral("namespace"));
    page->setByHour(false);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("usage.csv"));
    QVERIFY2(page->exportCsv(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.value(0), QByteArray("day,namespace,requests,errors,input_tokens,output_tokens,thinking_tokens,"
                                        "total_tokens\r"));
    QCOMPARE(lines.size(), 4); // header, two rows, the empty tail after the last CRLF
    const QByteArray all = lines.value(1) + lines.value(2);
    QVERIFY2(all.contains(",\"team \"\"b\"\", west\",2,0,"), all.constData());
    QVERIFY2(all.contains(",default,3,0,"), all.constData());
}

void TestUsagePage::csvQuoting() {
    QCOMPARE(UsagePage::csvField(QStringLiteral("plain")), QStringLiteral("plain"));
    QCOMPARE(UsagePage::csvField(QStringLiteral("a,b")), QStringLiteral("\"a,b\""));
    QCOMPARE(UsagePage::csvField(QStringLiteral("say \"hi\"")), QStringLiteral("\"say \"\"hi\"\"\""));
    QCOMPARE(UsagePage::csvField(QStringLiteral("two\nlines")), QStringLiteral("\"two\nlines\""));
}

QTEST_MAIN(TestUsagePage)
#include "tst_usagepage.moc"
