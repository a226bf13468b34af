// The settings page as real widgets against a real gateway started from a real config file: the YAML in force is
// shown with its secrets as placeholders; a mistake is reported as you type with file:line:column and the field,
// and Apply stays off; Apply of a new port moves the listener (the new port answers, the file holds the new text)
// and records a version; the history shows the versions, a diff against the one in force, and rolls back; the
// Window tab saves the language and mutes notifications.

#include "control/gatewaycontroller.h"
#include "mainwindow.h"
#include "notifier.h"
#include "rawhttpclient.h"
#include "settingsform.h"
#include "settingspage.h"
#include "textdiff.h"
#include "translations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace gemgate;
using namespace gemgate::test;

namespace {

// A free port: bound and released (the gateway binds it right after).
quint16 freePort() {
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

int health(quint16 port) {
    RawHttpClient c;
    if (!c.connectTo(port))
        return 0;
    c.send("GET", "/health", {}, {});
    c.waitForResponse(5000);
    return c.response().status;
}

} // namespace

class TestSettingsPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void mistakesAreReportedAsYouType();
    void applyMovesTheListener();
    void formApplyEditsTheFileInPlace();
    void formRefusalIsExplained();
    void historyDiffAndRollback();
    void windowPreferences();
    void lineDiff();

private:
    std::unique_ptr<QTemporaryDir> m_tmp; // a new state database (and history) for each test
    QString m_path;
    quint16 m_port = 0;
    std::unique_ptr<GatewayController> m_controller;
    std::unique_ptr<MainWindow> m_window;
    SettingsPage* m_page = nullptr;
};

void TestSettingsPage::init() {
    QSettings().clear();
    m_port = freePort();
    m_tmp = std::make_unique<QTemporaryDir>();
    m_path = m_tmp->filePath(QStringLiteral("gemgate.yaml"));
    QFile f(m_path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QStringLiteral("# my gateway\n"
                           "server:\n"
                           "  host: 127.0.0.1\n"
                           "  port: %1\n"
                           "  workers: 1\n"
                           "gemini:\n"
                           "  api_keys:\n"
                           "    - {id: k1, key: AIzaSySettingsTestKey-abcdefghijklmnopq}\n"
                           "auth:\n"
                           "  enabled: false\n"
                           "metrics:\n"
                           "  prometheus_port: 0\n"
                           "storage:\n"
                           "  database: %2\n"
                           "log:\n"
                           "  access_log: \"off\"\n")
                .arg(m_port)
                .arg(m_tmp->filePath(QStringLiteral("state.db")))
                .toUtf8());
    f.close();
    m_controller = std::make_unique<GatewayController>();
    m_controller->setConfigPath(m_path);
    QString error;
    QVERIFY2(m_controller->start(&error), qPrintable(error));
    QCOMPARE(m_controller->boundPort(), m_port);
    m_window = std::make_unique<MainWindow>(m_controller.get());
    m_window->showPage(MainWindow::Page::Settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_page = qobject_cast<SettingsPage*>(m_window->page(MainWindow::Page::Settings));
    QVERIFY(m_page);
}

void TestSettingsPage::cleanup() {
    m_window.reset();
    m_controller.reset();
    m_tmp.reset();
    QSettings().clear();
}

void TestSettingsPage::mistakesAreReportedAsYouType() {
    const QString text = m_page->editor()->toPlainText();
    QVERIFY(text.startsWith(QStringLiteral("# my gateway\n")));
    QVERIFY2(!text.contains(QStringLiteral("AIzaSySettingsTestKey")), qPrintable(text)); // a placeholder instead
    QVERIFY(!m_page->applyButton()->isEnabled());                                        // nothing changed

    QString bad = text;
    bad.replace(QStringLiteral("workers: 1"), QStringLiteral("workers: many"));
    m_page->editor()->setPlainText(bad);
    QVERIFY(!m_page->applyButton()->isEnabled());
    QTRY_VERIFY(m_page->problems()->count() > 0); // after the pause in typing
    const QString problem = m_page->problems()->item(0)->text();
    QVERIFY2(problem.contains(m_path + QStringLiteral(":5:")) && problem.contains(QStringLiteral("server.workers")),
             qPrintable(problem));
    QVERIFY(!m_page->applyButton()->isEnabled());
    QVERIFY(!m_page->apply());
    QCOMPARE(m_controller->boundPort(), m_port); // nothing changed

    // Fixed: the problem goes, Apply comes on.
    m_page->editor()->setPlainText(text + QStringLiteral("# edited\n"));
    QTRY_VERIFY(m_page->applyButton()->isEnabled());
    QCOMPARE(m_page->problems()->count(), 0);
}

void TestSettingsPage::applyMovesTheListener() {
    const quint16 newPort = freePort();
    QString text = m_page->editor()->toPlainText();
    text.replace(QStringLiteral("port: %1").arg(m_port), QStringLiteral("port: %1").arg(newPort));
    m_page->editor()->setPlainText(text);
    QTRY_VERIFY(m_page->applyButton()->isEnabled());
    QTest::mouseClick(m_page->applyButton(), Qt::LeftButton);
    QVERIFY2(m_page->statusText().startsWith(QStringLiteral("Applied as version")), qPrintable(m_page->statusText()));
    QCOMPARE(m_controller->boundPort(), newPort);
    QCOMPARE(health(newPort), 200);
    QTRY_COMPARE(health(m_port), 0); // the old listener is closed
    // The file holds the new text, with the real key put back in place of its placeholder.
    QFile f(m_path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray file = f.readAll();
    QVERIFY(file.contains(QStringLiteral("port: %1").arg(newPort).toUtf8()));
    QVERIFY(file.contains("AIzaSySettingsTestKey-abcdefghijklmnopq"));
    QVERIFY(file.startsWith("# my gateway\n"));
}

void TestSettingsPage::formApplyEditsTheFileInPlace() {
    SettingsForm* form = m_page->form();
    auto* apply = m_page->findChild<QPushButton*>(QStringLiteral("applyFormButton"));
    auto* port = form->findChild<QSpinBox*>(QStringLiteral("formPort"));
    auto* strategy = form->findChild<QComboBox*>(QStringLiteral("formStrategy"));
    auto* accessLog = form->findChild<QComboBox*>(QStringLiteral("formAccessLog"));
    QVERIFY(apply && port && strategy && accessLog);
    // Filled from the config in force; nothing to apply yet.
    QCOMPARE(port->value(), int(m_port));
    QCOMPARE(strategy->currentData().toString(), QStringLiteral("round_robin"));
    QCOMPARE(accessLog->currentData().toString(), QStringLiteral("off"));
    QVERIFY(!apply->isEnabled());
    QVERIFY(form->edits().isEmpty());

    // A new port, another key strategy and a model alias, as a user would enter them.
    const quint16 newPort = freePort();
    port->setFocus();
    port->selectAll();
    QTest::keyClicks(port, QString::number(newPort));
    strategy->setCurrentIndex(strategy->findData(QStringLiteral("least_in_flight")));
    QTest::mouseClick(form->findChild<QPushButton*>(QStringLiteral("formAddAlias")), Qt::LeftButton);
    QTableWidget* aliases = form->aliasTable();
    QCOMPARE(aliases->rowCount(), 1);
    aliases->item(0, 0)->setText(QStringLiteral("gpt-4o"));
    aliases->item(0, 1)->setText(QStringLiteral("gemini-2.5-flash"));
    QCOMPARE(form->edits().size(), 3);
    QVERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY2(m_page->statusText().startsWith(QStringLiteral("Applied as version")), qPrintable(m_page->statusText()));

    // The listener moved and the engine runs with the new settings.
    QCOMPARE(m_controller->boundPort(), newPort);
    QCOMPARE(health(newPort), 200);
    QCOMPARE(m_controller->config()->gemini.keyPool.strategy, KeyStrategy::LeastInFlight);
    QCOMPARE(m_controller->config()->openai.modelAliases.value(QStringLiteral("gpt-4o")),
             QStringLiteral("gemini-2.5-flash"));
    // The file changed only where the fields are: the comment, the order and the real key stay.
    QFile f(m_path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray file = f.readAll();
    QVERIFY2(file.startsWith(QStringLiteral("# my gateway\nserver:\n  host: 127.0.0.1\n  port: %1\n  workers: 1\n")
                                 .arg(newPort)
                                 .toUtf8()),
             file.constData());
    QVERIFY(file.contains("    - {id: k1, key: AIzaSySettingsTestKey-abcdefghijklmnopq}\n"));
    QVERIFY2(file.contains("  key_pool:\n    strategy: least_in_flight\n"), file.constData());
    QVERIFY2(file.endsWith("openai:\n  model_aliases:\n    gpt-4o: gemini-2.5-flash\n"), file.constData());
    // Filled again from what is in force: nothing left to apply.
    QVERIFY(form->edits().isEmpty());
    QVERIFY(!apply->isEnabled());
}

void TestSettingsPage::formRefusalIsExplained() {
    SettingsForm* form = m_page->form();
    auto* zone = form->findChild<QLineEdit*>(QStringLiteral("formTimeZone"));
    QVERIFY(zone);
    zone->setText(QStringLiteral("Mars/Olympus_Mons"));
    QVERIFY(m_page->applyForm() == false);
    QVERIFY2(m_page->statusText().contains(QStringLiteral("limits.time_zone")), qPrintable(m_page->statusText()));
    QCOMPARE(m_controller->config()->limits.timeZone, QStringLiteral("UTC")); // nothing changed
    // The edited text waits on the Config file tab with the problem listed.
    QVERIFY(m_page->editor()->toPlainText().contains(QStringLiteral("time_zone: Mars/Olympus_Mons")));
    QVERIFY(m_page->problems()->count() > 0);
}

void TestSettingsPage::historyDiffAndRollback() {
    QString text = m_page->editor()->toPlainText();
    text.replace(QStringLiteral("workers: 1"), QStringLiteral("workers: 1\n  drain_timeout_ms: 5000"));
    m_page->editor()->setPlainText(text);
    QVERIFY(m_page->apply());
    QTableWidget* h = m_page->history();
    QCOMPARE(h->rowCount(), 2);
    // The newest first: the one applied here, then the start's.
    QVERIFY(h->item(0, 0)->text().contains(QStringLiteral("in force")));
    QCOMPARE(h->item(0, 2)->text(), QStringLiteral("window"));
    h->selectRow(1);
    const QString diff = m_page->diff()->toPlainText();
    QVERIFY2(diff.contains(QStringLiteral("\n-   drain_timeout_ms: 5000")), qPrintable(diff));
    QVERIFY(!diff.contains(QStringLiteral("AIza")));

    // Roll back through the button and its question.
    auto* rollback = m_page->findChild<QPushButton*>(QStringLiteral("rollbackConfigButton"));
    QVERIFY(rollback->isEnabled());
    QTest::mouseClick(rollback, Qt::LeftButton);
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = m_page->findChild<QMessageBox*>(QStringLiteral("rollbackConfirm"))) != nullptr);
    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(h->rowCount(), 3);
    QVERIFY(!m_page->editor()->toPlainText().contains(QStringLiteral("drain_timeout_ms")));
    QVERIFY(m_controller->config()->server.drainTimeoutMs != 5000);
}

void TestSettingsPage::windowPreferences() {
    auto* language = m_page->findChild<QComboBox*>(QStringLiteral("languageCombo"));
    QVERIFY(language);
    QCOMPARE(language->currentData().toString(), QString());
    language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
    QCOMPARE(savedUiLanguage(), QStringLiteral("zh_CN"));
    auto* quota = m_page->findChild<QCheckBox*>(QStringLiteral("notify_client_quota"));
    QVERIFY(quota && quota->isChecked());
    quota->setChecked(false);
    QVERIFY(!Notifier::isEnabled(Notifier::Kind::ClientQuota));
}

void TestSettingsPage::lineDiff() {
    const QStringList a{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
                        QStringLiteral("e"), QStringLiteral("f"), QStringLiteral("g"), QStringLiteral("h")};
    QStringList b = a;
    b[1] = QStringLiteral("B");
    b.append(QStringLiteral("i"));
    QCOMPARE(diffText(diffLines(a, b, 1)), QStringLiteral("  a\n- b\n+ B\n  c\n…\n  h\n+ i"));
    QCOMPARE(diffText(diffLines(a, a, 1)), QStringLiteral("…"));
}

QTEST_MAIN(TestSettingsPage)
#include "tst_settingspage.moc"
