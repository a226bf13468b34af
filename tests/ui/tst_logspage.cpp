// The logs page as real widgets in the real window, against a real gateway in front of the fake upstream: a request
// made through the gateway appears with its details (route, tokens, attempts: 3 after both keys failed once);
// filters by client, status and error kind narrow the list; the errors are grouped and a click on a group filters by
// it; pages of 100 go back with Older; the live tail shows a new request with the next snapshot.

#include "control/gatewaycontroller.h"
#include "gatewayfixture.h"
#include "logspage.h"
#include "mainwindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

class TestLogsPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void requestsAppearWithDetails();
    void filtersAndErrorGroups();
    void pagingAndLiveTail();

private:
    int post(const QList<QPair<QByteArray, QByteArray>>& headers = GatewayFixture::auth()) {
        return m_fixture->generate(headers).status;
    }
    QString cell(int row, int column) const { return m_page->table()->item(row, column)->text(); }

    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
    LogsPage* m_page = nullptr;
};

void TestLogsPage::init() {
    m_fixture = std::make_unique<GatewayFixture>(2);
    QVERIFY(m_fixture->start());
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_page = qobject_cast<LogsPage*>(m_window->page(MainWindow::Page::Logs));
    QVERIFY(m_page);
}

void TestLogsPage::cleanup() {
    m_window.reset();
    m_fixture.reset();
}

void TestLogsPage::requestsAppearWithDetails() {
    // Both keys fail once with 503: the request is retried twice and answered on the third attempt.
    m_fixture->upstream.setKeyBehaviorCount(upstreamKey(1), FakeUpstream::Unavailable, 1);
    m_fixture->upstream.setKeyBehaviorCount(upstreamKey(2), FakeUpstream::Unavailable, 1);
    QCOMPARE(post(), 200);
    m_window->showPage(MainWindow::Page::Logs); // showing the page reads the log
    QCOMPARE(m_page->table()->rowCount(), 1);
    QCOMPARE(cell(0, LogsPage::StatusColumn), QStringLiteral("200"));
    QCOMPARE(cell(0, LogsPage::ClientColumn), QStringLiteral("tester"));
    QCOMPARE(cell(0, LogsPage::ModelColumn), QStringLiteral("gemini-2.5-flash"));
    m_page->table()->selectRow(0);
    const QString detail = m_page->detail()->toPlainText();
    QVERIFY2(detail.contains(QStringLiteral("POST /v1beta/models/{model}:generateContent")), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("(attempts: 3)")), qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral(" in (")) && detail.contains(QStringLiteral("total")), qPrintable(detail));
    QVERIFY(!detail.contains(QStringLiteral("AIza")));
}

void TestLogsPage::filtersAndErrorGroups() {
    for (int i = 0; i < 3; ++i)
        QCOMPARE(post(), 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(post({{"x-goog-api-key", "gg-wrong-key"}}), 401);
    QCOMPARE(m_fixture->request("GET", "/no/such/path").status, 404);
    m_window->showPage(MainWindow::Page::Logs);
    QCOMPARE(m_page->table()->rowCount(), 6);

    // Errors, grouped by kind, most frequent first; a click filters by the group.
    QListWidget* groups = m_page->errorGroups();
    QCOMPARE(groups->count(), 2);
    QVERIFY2(groups->item(0)->text().startsWith(QStringLiteral("auth_invalid × 2")),
             qPrintable(groups->item(0)->text()));
    groups->itemClicked(groups->item(0));
    QCOMPARE(m_page->findChild<QComboBox*>(QStringLiteral("logsErrorKindCombo"))->currentData().toString(),
             QStringLiteral("auth_invalid"));
    QCOMPARE(m_page->table()->rowCount(), 2);
    QCOMPARE(cell(0, LogsPage::StatusColumn), QStringLiteral("401"));

    // Back to any kind; status 404 only; then a client.
    m_page->findChild<QComboBox*>(QStringLiteral("logsErrorKindCombo"))->setCurrentIndex(0);
    QCOMPARE(m_page->table()->rowCount(), 6);
    auto* status = m_page->findChild<QLineEdit*>(QStringLiteral("logsStatusEdit"));
    status->setText(QStringLiteral("404"));
    Q_EMIT status->editingFinished();
    QCOMPARE(m_page->table()->rowCount(), 1);
    status->clear();
    auto* client = m_page->findChild<QLineEdit*>(QStringLiteral("logsClientEdit"));
    client->setText(QStringLiteral("tester"));
    Q_EMIT client->editingFinished();
    QCOMPARE(m_page->table()->rowCount(), 4); // its three answers and its 404
    m_page->findChild<QCheckBox*>(QStringLiteral("logsErrorsOnlyCheck"))->setChecked(true);
    QCOMPARE(m_page->table()->rowCount(), 1);
    QCOMPARE(cell(0, LogsPage::StatusColumn), QStringLiteral("404"));
    client->setText(QStringLiteral("nobody"));
    Q_EMIT client->editingFinished();
    QCOMPARE(m_page->table()->rowCount(), 0);
    QCOMPARE(m_page->findChild<QLabel*>(QStringLiteral("logsPageLabel"))->text(), QStringLiteral("No requests match."));
}

void TestLogsPage::pagingAndLiveTail() {
    for (int i = 0; i < LogsPage::PageSize + 5; ++i)
        QCOMPARE(m_fixture->request("GET", "/health").status, 200);
    m_window->showPage(MainWindow::Page::Logs);
    QCOMPARE(m_page->table()->rowCount(), LogsPage::PageSize);
    auto* older = m_page->findChild<QPushButton*>(QStringLiteral("logsOlderButton"));
    QVERIFY(older->isEnabled());
    QTest::mouseClick(older, Qt::LeftButton);
    QCOMPARE(m_page->table()->rowCount(), 5);
    QVERIFY(!older->isEnabled());
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("logsNewestButton")), Qt::LeftButton);
    QCOMPARE(m_page->table()->rowCount(), LogsPage::PageSize);

    // Live: a new request shows at the top with the next snapshot.
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("logsLiveButton")), Qt::LeftButton);
    QCOMPARE(post(), 200);
    QSignalSpy spy(&m_fixture->controller, &GatewayController::metricsUpdated);
    QVERIFY(spy.wait(3000));
    QTRY_COMPARE(cell(0, LogsPage::ModelColumn), QStringLiteral("gemini-2.5-flash"));
}

QTEST_MAIN(TestLogsPage)
#include "tst_logspage.moc"
