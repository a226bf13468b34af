// The clients page as real widgets in the real window, against a real gateway in front of the fake upstream: a key
// issued through the dialog is shown once and then works against the gateway; the table shows its use against its
// quota; turning it off gets 403 and on again 200; editing its limits applies at once (a daily quota of 1 -> 429);
// rotating stops the old key and the new one works; removing it takes it away.

#include "clientdialog.h"
#include "clientspage.h"
#include "control/gatewaycontroller.h"
#include "gatewayfixture.h"
#include "mainwindow.h"

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

class TestClientsPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void issueUseEditTurnOffRotateRemove();
    void badLimitIsRefusedWithItsField();

private:
    int status(const QByteArray& key) { return m_fixture->generate({{"x-goog-api-key", key}}).status; }
    template <typename T> T* find(const QString& name) {
        T* w = nullptr;
        // Dialogs are top-level children of the page.
        const auto ready = [&] { return (w = m_page->findChild<T*>(name)) != nullptr && w->isVisible(); };
        if (!QTest::qWaitFor(ready, 3000))
            return nullptr;
        return w;
    }
    QByteArray issue(const QString& name);
    void clickYes(const QString& boxName);

    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
    ClientsPage* m_page = nullptr;
};

void TestClientsPage::init() {
    m_fixture = std::make_unique<GatewayFixture>(2);
    QVERIFY(m_fixture->start());
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    m_window->showPage(MainWindow::Page::Clients);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_page = qobject_cast<ClientsPage*>(m_window->page(MainWindow::Page::Clients));
    QVERIFY(m_page && m_page->isVisible());
}

void TestClientsPage::cleanup() {
    m_window.reset();
    m_fixture.reset();
}

QByteArray TestClientsPage::issue(const QString& name) {
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("issueClientButton")), Qt::LeftButton);
    auto* dialog = find<ClientDialog>(QStringLiteral("issueClientDialog"));
    if (!dialog)
        return {};
    auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    if (ok->isEnabled())
        return {}; // no name yet: Issue must wait for one
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("clientNameEdit")), name);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("clientNamespaceEdit")), QStringLiteral("team-a"));
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("limit_requests_per_day")), QStringLiteral("100"));
    QTest::mouseClick(ok, Qt::LeftButton);
    QDialog* shown = find<QDialog>(QStringLiteral("issuedKeyDialog"));
    if (!shown)
        return {};
    const QByteArray key = shown->findChild<QLineEdit*>(QStringLiteral("issuedKeyEdit"))->text().toLatin1();
    shown->close();
    return key;
}

void TestClientsPage::clickYes(const QString& boxName) {
    auto* box = find<QMessageBox>(boxName);
    QVERIFY(box);
    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
}

void TestClientsPage::issueUseEditTurnOffRotateRemove() {
    QTableWidget* table = m_page->table();
    QCOMPARE(table->rowCount(), 0);
    const QByteArray key = issue(QStringLiteral("alice"));
    QVERIFY(key.startsWith("gg_"));
    // Once: the dialog is gone with its key; the table shows only the prefix.
    QTRY_VERIFY(!m_page->findChild<QDialog*>(QStringLiteral("issuedKeyDialog")));
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, ClientsPage::NameColumn)->text(), QStringLiteral("alice"));
    QCOMPARE(table->item(0, ClientsPage::NamespaceColumn)->text(), QStringLiteral("team-a"));
    QVERIFY(key.startsWith(table->item(0, ClientsPage::KeyColumn)->text().chopped(1).toLatin1()));
    for (int r = 0; r < table->rowCount(); ++r)
        for (int c = 0; c < ClientsPage::ColumnCount; ++c)
            QVERIFY(!table->item(r, c)->text().contains(QString::fromLatin1(key)));

    // The key works against the gateway, and its use shows against its quota.
    QCOMPARE(status(key), 200);
    QCOMPARE(status(key), 200);
    m_page->refresh();
    QCOMPARE(table->item(0, ClientsPage::RequestsTodayColumn)->text(), QStringLiteral("2 / 100"));

    // Off: 403; on again: 200.
    m_page->selectClient(table->item(0, 0)->data(ClientsPage::ClientIdRole).toString());
    auto* toggle = m_page->findChild<QPushButton*>(QStringLiteral("toggleClientButton"));
    QCOMPARE(toggle->text(), QStringLiteral("Turn off"));
    QTest::mouseClick(toggle, Qt::LeftButton);
    QCOMPARE(table->item(0, ClientsPage::StateColumn)->text(), QStringLiteral("Off"));
    QCOMPARE(status(key), 403);
    QCOMPARE(toggle->text(), QStringLiteral("Turn on"));
    QTest::mouseClick(toggle, Qt::LeftButton);
    QCOMPARE(status(key), 200);

    // Edit: a daily quota of 3 and another namespace; the fourth request today is refused.
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("editClientButton")), Qt::LeftButton);
    auto* edit = find<ClientDialog>(QStringLiteral("editClientDialog"));
    QVERIFY(edit);
    auto* perDay = edit->findChild<QLineEdit*>(QStringLiteral("limit_requests_per_day"));
    QCOMPARE(perDay->text(), QStringLiteral("100"));
    perDay->setText(QStringLiteral("3"));
    edit->findChild<QLineEdit*>(QStringLiteral("clientNamespaceEdit"))->setText(QStringLiteral("team-b"));
    QTest::mouseClick(edit->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_COMPARE(table->item(0, ClientsPage::NamespaceColumn)->text(), QStringLiteral("team-b"));
    QCOMPARE(table->item(0, ClientsPage::RequestsTodayColumn)->text(), QStringLiteral("3 / 3"));
    QCOMPARE(status(key), 429);

    // Rotate: the old key stops, the new one (shown once) works until the quota; raise the quota back first.
    QVERIFY(m_fixture->controller.setClientPolicy(QStringLiteral("alice"), LimitSet(), {}, {}, nullptr));
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("rotateClientButton")), Qt::LeftButton);
    clickYes(QStringLiteral("rotateClientConfirm"));
    QDialog* shown = find<QDialog>(QStringLiteral("issuedKeyDialog"));
    QVERIFY(shown);
    const QByteArray rotated = shown->findChild<QLineEdit*>(QStringLiteral("issuedKeyEdit"))->text().toLatin1();
    shown->close();
    QVERIFY(rotated != key);
    QCOMPARE(status(key), 401);
    QCOMPARE(status(rotated), 200);

    // Remove: gone from the table, and its key no longer works.
    QTest::mouseClick(m_page->findChild<QPushButton*>(QStringLiteral("removeClientButton")), Qt::LeftButton);
    clickYes(QStringLiteral("removeClientConfirm"));
    QTRY_COMPARE(table->rowCount(), 0);
    QCOMPARE(status(rotated), 401);
}

void TestClientsPage::badLimitIsRefusedWithItsField() {
    ClientDialog dialog(nullptr);
    dialog.findChild<QLineEdit*>(QStringLiteral("clientNameEdit"))->setText(QStringLiteral("x"));
    // The validator keeps letters out of a limit field; an IP rule is checked by the controller.
    auto* perMinute = dialog.findChild<QLineEdit*>(QStringLiteral("limit_requests_per_minute"));
    QTest::keyClicks(perMinute, QStringLiteral("12ab"));
    QCOMPARE(perMinute->text(), QStringLiteral("12"));
    dialog.findChild<QLineEdit*>(QStringLiteral("clientIpAllowEdit"))->setText(QStringLiteral("10.0.0.0/99"));
    NewClient c;
    QString error;
    QVERIFY(dialog.newClient(&c, &error));
    QCOMPARE(c.limits.requestsPerMinute, 12);
    QCOMPARE(c.ipAllow, QStringList{QStringLiteral("10.0.0.0/99")});
    QVERIFY(!m_fixture->controller.addClient(c, &error));
    QVERIFY2(error.contains(QStringLiteral("10.0.0.0/99")), qPrintable(error));
}

QTEST_MAIN(TestClientsPage)
#include "tst_clientspage.moc"
