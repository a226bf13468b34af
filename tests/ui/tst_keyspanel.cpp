// The keys panel and the Add key dialog, as real widgets in the real MainWindow, against a real GatewayController
// in front of the fake upstream: the table lists the keys with readable states and never a secret, Turn off / Turn
// on / Test act on the selected key, a key added through the dialog (file store) lands in an owner-only file and in
// the table, and removing it takes both away again. Also saves keyspanel.png next to the test binary.
//
// The keychain store is not used here (it needs a Secret Service; tst_secretstore covers it).

#include "addkeydialog.h"
#include "control/gatewaycontroller.h"
#include "control/keymanager.h"
#include "gatewayfixture.h"
#include "keynotedialog.h"
#include "keyspanel.h"
#include "mainwindow.h"
#include "secrets/secretstore.h"
#include "sparkline.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <numeric>

#include <sys/stat.h>

using namespace gemgate;
using namespace gemgate::test;

namespace {

QString keyFilePath(const QString& id) {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/gemgate/keys/") +
           id + QStringLiteral(".key");
}

} // namespace

class TestKeysPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void dialogFieldsAndOkButton();
    void dialogClearsSecretWhenClosed();
    void healthAndBudgetTexts();
    void tableListsKeysWithoutSecrets();
    void budgetFollowsConfiguredLimits();
    void coolingDownShowsWhenBack();
    void summaryLabelCountsStates();
    void turnOffAndOnAgain();
    void configDisabledKeyStaysOff();
    void buttonsFollowSelection();
    void selectionAndRowsSurviveRefreshes();
    void testButtonReportsResult();
    void addAndRemoveKeyWithFileStore();
    void addErrorsShownInStatusLine();
    void stoppedGatewayEmptiesTable();
    void noteAndActivityPerKey();
    void grabsScreenshot();

private:
    template <typename T> T* child(const char* name) const {
        T* w = m_window->findChild<T*>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    QTableWidget* table() const { return child<QTableWidget>("keysTable"); }
    KeysPanel* panel() const { return child<KeysPanel>("keysPanel"); }
    QString statusText() const { return child<QLabel>("keysStatusLabel")->text(); }
    int rowOf(const QString& id) const;
    QString cellText(const QString& id, int column) const;
    QString cellToolTip(const QString& id, int column) const;
    void select(const QString& id);
    void click(const char* button);
    // Sends generate requests until key2 got its 403 and is disabled.
    void disableKey2ByTraffic();
    KeyStatus controllerStatus(const QString& id) const;

    QTemporaryDir m_dataHome;
    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
};

void TestKeysPanel::initTestCase() {
    // ctest gives every test an isolated XDG_DATA_HOME; a manual run must not write key files into the real one.
    if (qEnvironmentVariableIsEmpty("XDG_DATA_HOME")) {
        QVERIFY(m_dataHome.isValid());
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_dataHome.path()));
    }
}

void TestKeysPanel::init() {
    m_fixture = std::make_unique<GatewayFixture>(2);
    m_fixture->upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::Forbidden);
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    // Stopped: nothing to list, nothing to do.
    QCOMPARE(table()->rowCount(), 0);
    QVERIFY(!child<QPushButton>("addKeyButton")->isEnabled());
    QVERIFY(m_fixture->start());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    // The dashboard comes first; the Keys entry of the page list brings the keys page to the front.
    QCOMPARE(m_window->currentPage(), MainWindow::Page::Dashboard);
    child<QListWidget>("pageList")->setCurrentRow(int(MainWindow::Page::Keys));
    QCOMPARE(child<QStackedWidget>("pages")->currentWidget(), panel());
    QVERIFY(panel()->isVisible());
}

void TestKeysPanel::noteAndActivityPerKey() {
    // Traffic: key1 answers, key2's 403 is an error that disables it.
    disableKey2ByTraffic();
    for (int i = 0; i < 4; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    // An error that reaches the client: key1 (the one key left) answers 500 to every attempt of one request.
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Internal);
    QVERIFY(m_fixture->generate().status >= 500);
    m_fixture->upstream.setKeyBehavior(upstreamKey(1), FakeUpstream::Ok);
    // The current hour is re-read at most once a minute: ask as if a minute had passed (the clock is a parameter).
    const qint64 later = QDateTime::currentMSecsSinceEpoch() + 61'000;
    const QHash<QString, KeyActivity> activity = m_fixture->controller.keyActivity(later);
    auto total = [](const std::array<qint64, KeyActivity::kHours>& slots) {
        return std::accumulate(slots.begin(), slots.end(), qint64(0));
    };
    // A request counts to the key that answered it (a failover's failed attempt is not a request of its own).
    const KeyActivity a2 = activity.value(QStringLiteral("key1"));
    QVERIFY(total(a2.requests) >= 5);
    QCOMPARE(total(a2.errors), 1);
    panel()->refresh();
    // The cell carries the counts for its sparkline and says them in words.
    QTableWidgetItem* spark = table()->item(rowOf(QStringLiteral("key1")), KeysPanel::ActivityColumn);
    const QList<qint64> values = spark->data(SparklineDelegate::ValuesRole).value<QList<qint64>>();
    QCOMPARE(values.size(), 2 * KeyActivity::kHours);
    QCOMPARE(std::accumulate(values.begin(), values.begin() + KeyActivity::kHours, qint64(0)), total(a2.requests));
    QCOMPARE(std::accumulate(values.begin() + KeyActivity::kHours, values.end(), qint64(0)), total(a2.errors));
    QVERIFY2(spark->toolTip().contains(QStringLiteral("errors in the last 24 hours")), qPrintable(spark->toolTip()));
    const QImage shot = table()->viewport()->grab().toImage();
    QVERIFY(!shot.isNull());

    // A note and tags through the Note… dialog; kept in the state database across a restart.
    select(QStringLiteral("key1"));
    click("noteKeyButton");
    KeyNoteDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = panel()->findChild<KeyNoteDialog*>()) != nullptr);
    dialog->findChild<QLineEdit*>(QStringLiteral("keyNoteEdit"))->setText(QStringLiteral("billing on"));
    dialog->findChild<QLineEdit*>(QStringLiteral("keyTagsEdit"))->setText(QStringLiteral("paid, team-b, paid"));
    dialog->accept();
    QTRY_COMPARE(cellText(QStringLiteral("key1"), KeysPanel::NoteColumn), QStringLiteral("[paid] [team-b] billing on"));
    QCOMPARE(controllerStatus(QStringLiteral("key1")).noteTags,
             (QStringList{QStringLiteral("paid"), QStringLiteral("team-b")}));
    m_fixture->controller.stop();
    QVERIFY(m_fixture->start());
    QTRY_COMPARE(cellText(QStringLiteral("key1"), KeysPanel::NoteColumn), QStringLiteral("[paid] [team-b] billing on"));
    // Cleared by saving it empty.
    QString error;
    QVERIFY(m_fixture->controller.setKeyNote(QStringLiteral("key1"), QString(), {}, &error));
    QTRY_COMPARE(cellText(QStringLiteral("key1"), KeysPanel::NoteColumn), QString());
    QVERIFY(!m_fixture->controller.setKeyNote(QStringLiteral("nope"), QStringLiteral("x"), {}, &error));
    QVERIFY(error.contains(QStringLiteral("no key")));
}

void TestKeysPanel::cleanup() {
    m_window.reset();
    m_fixture.reset();
    // A failed add/remove test must not leave a key file behind for the next run.
    QFile::remove(keyFilePath(QStringLiteral("key3")));
}

int TestKeysPanel::rowOf(const QString& id) const {
    QTableWidget* t = table();
    for (int row = 0; row < t->rowCount(); ++row) {
        if (t->item(row, KeysPanel::KeyColumn) && t->item(row, KeysPanel::KeyColumn)->text() == id)
            return row;
    }
    return -1;
}

QString TestKeysPanel::cellText(const QString& id, int column) const {
    const int row = rowOf(id);
    return row < 0 ? QString() : table()->item(row, column)->text();
}

QString TestKeysPanel::cellToolTip(const QString& id, int column) const {
    const int row = rowOf(id);
    return row < 0 ? QString() : table()->item(row, column)->toolTip();
}

void TestKeysPanel::select(const QString& id) {
    const int row = rowOf(id);
    QVERIFY2(row >= 0, qPrintable(id));
    // A real click on the row's Key cell.
    QTableWidget* t = table();
    const QRect rect = t->visualItemRect(t->item(row, KeysPanel::KeyColumn));
    QTest::mouseClick(t->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(panel()->selectedKeyId(), id);
}

void TestKeysPanel::click(const char* button) {
    auto* b = child<QPushButton>(button);
    QVERIFY2(b->isEnabled(), button);
    QTest::mouseClick(b, Qt::LeftButton);
}

void TestKeysPanel::disableKey2ByTraffic() {
    for (int i = 0; i < 6 && controllerStatus(QStringLiteral("key2")).health != KeyHealth::Disabled; ++i) {
        const RawResponse r = m_fixture->generate();
        // key2's 403 is retried on key1, so the client always gets an answer.
        QCOMPARE(r.status, 200);
    }
    QCOMPARE(controllerStatus(QStringLiteral("key2")).health, KeyHealth::Disabled);
}

KeyStatus TestKeysPanel::controllerStatus(const QString& id) const {
    const QList<KeyStatus> all = m_fixture->controller.keyStatuses();
    for (const KeyStatus& s : all) {
        if (s.id == id)
            return s;
    }
    return KeyStatus();
}

void TestKeysPanel::dialogFieldsAndOkButton() {
    AddKeyDialog dialog;
    QCOMPARE(dialog.objectName(), QStringLiteral("addKeyDialog"));
    auto* id = dialog.findChild<QLineEdit*>(QStringLiteral("keyIdEdit"));
    auto* label = dialog.findChild<QLineEdit*>(QStringLiteral("keyLabelEdit"));
    auto* secret = dialog.findChild<QLineEdit*>(QStringLiteral("keySecretEdit"));
    auto* store = dialog.findChild<QComboBox*>(QStringLiteral("keyStoreCombo"));
    auto* weight = dialog.findChild<QSpinBox*>(QStringLiteral("keyWeightSpin"));
    auto* project = dialog.findChild<QLineEdit*>(QStringLiteral("keyProjectEdit"));
    auto* buttons = dialog.findChild<QDialogButtonBox*>();
    QVERIFY(id && label && secret && store && weight && project && buttons);
    QPushButton* ok = buttons->button(QDialogButtonBox::Ok);
    QVERIFY(ok);

    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    QCOMPARE(store->count(), 2);
    QCOMPARE(store->itemText(0), QStringLiteral("OS keychain"));
    QCOMPARE(store->itemData(0).toInt(), int(SecretBackend::Keychain));
    QCOMPARE(store->itemText(1), QStringLiteral("File (owner-only)"));
    QCOMPARE(store->itemData(1).toInt(), int(SecretBackend::File));
    QCOMPARE(weight->minimum(), 1);
    QCOMPARE(weight->maximum(), 1000);

    // OK only with an id and a secret.
    QVERIFY(id->text().isEmpty());
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(id, QStringLiteral("mykey"));
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(secret, QStringLiteral("   "));
    QVERIFY(!ok->isEnabled());
    secret->clear();
    QTest::keyClicks(secret, upstreamKey(7));
    QVERIFY(ok->isEnabled());
    // The typed key is never shown.
    QVERIFY(!secret->displayText().contains(QStringLiteral("AIza")));
    id->clear();
    QVERIFY(!ok->isEnabled());
    // Characters the key manager would refuse cannot be typed.
    QTest::keyClicks(id, QStringLiteral("my key/1"));
    QCOMPARE(id->text(), QStringLiteral("mykey1"));
    QVERIFY(ok->isEnabled());
    // An id already in use is refused before the controller sees it.
    dialog.setExistingIds({QStringLiteral("mykey1"), QStringLiteral("key1")});
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(id, QStringLiteral("b"));
    QVERIFY(ok->isEnabled());

    QTest::keyClicks(label, QStringLiteral(" Personal "));
    store->setCurrentIndex(1);
    weight->setValue(5);
    QTest::keyClicks(project, QStringLiteral("proj-a"));
    const NewKey key = dialog.newKey();
    QCOMPARE(key.id, QStringLiteral("mykey1b"));
    QCOMPARE(key.label, QStringLiteral("Personal"));
    QCOMPARE(key.secret, upstreamKey(7).toUtf8());
    QVERIFY(key.backend == SecretBackend::File);
    QCOMPARE(key.weight, 5);
    QCOMPARE(key.project, QStringLiteral("proj-a"));

    // With free ids known, the dialog suggests the first free keyN.
    AddKeyDialog suggested;
    suggested.setExistingIds({QStringLiteral("key1"), QStringLiteral("key2")});
    QCOMPARE(suggested.findChild<QLineEdit*>(QStringLiteral("keyIdEdit"))->text(), QStringLiteral("key3"));
}

void TestKeysPanel::dialogClearsSecretWhenClosed() {
    for (const bool accept : {true, false}) {
        AddKeyDialog dialog;
        auto* id = dialog.findChild<QLineEdit*>(QStringLiteral("keyIdEdit"));
        auto* secret = dialog.findChild<QLineEdit*>(QStringLiteral("keySecretEdit"));
        QTest::keyClicks(id, QStringLiteral("k"));
        QTest::keyClicks(secret, upstreamKey(8));
        QByteArray seen;
        connect(&dialog, &QDialog::accepted, this, [&] { seen = dialog.newKey().secret; });
        dialog.open();
        if (accept)
            dialog.accept();
        else
            dialog.reject();
        // Whoever listened to accepted() got the key; afterwards the field is empty, undo cannot bring it back.
        QCOMPARE(seen, accept ? upstreamKey(8).toUtf8() : QByteArray());
        QVERIFY(secret->text().isEmpty());
        QVERIFY(!secret->isUndoAvailable());
        QVERIFY(dialog.newKey().secret.isEmpty());
    }
}

void TestKeysPanel::tableListsKeysWithoutSecrets() {
    QTableWidget* t = table();
    QCOMPARE(t->columnCount(), int(KeysPanel::ColumnCount));
    QStringList headers;
    for (int c = 0; c < t->columnCount(); ++c)
        headers.append(t->horizontalHeaderItem(c)->text());
    QCOMPARE(headers, (QStringList{QStringLiteral("Key"), QStringLiteral("Project"), QStringLiteral("State"),
                                   QStringLiteral("Budget"), QStringLiteral("Today"), QStringLiteral("Last 24 h"),
                                   QStringLiteral("In flight"), QStringLiteral("Note"), QStringLiteral("Last error")}));
    QCOMPARE(t->rowCount(), 2);
    QCOMPARE(rowOf(QStringLiteral("key1")), 0);
    QCOMPARE(rowOf(QStringLiteral("key2")), 1);
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Ready"));
    QCOMPARE(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Ready"));
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::BudgetColumn), QStringLiteral("unlimited"));
    QVERIFY(cellToolTip(QStringLiteral("key1"), KeysPanel::KeyColumn).contains(QStringLiteral("config file")));

    disableKey2ByTraffic();
    // keysChanged (or the next metrics tick) brings the table up to date.
    QTRY_COMPARE_WITH_TIMEOUT(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Disabled"),
                              5000);
    const int row2 = rowOf(QStringLiteral("key2"));
    QCOMPARE(t->item(row2, KeysPanel::StateColumn)->data(KeysPanel::HealthNameRole).toString(),
             QStringLiteral("disabled"));
    QCOMPARE(t->item(row2, KeysPanel::LastErrorColumn)->data(KeysPanel::KeyIdRole).toString(), QStringLiteral("key2"));
    const QString stateTip = cellToolTip(QStringLiteral("key2"), KeysPanel::StateColumn);
    QVERIFY2(stateTip.contains(QStringLiteral("CONSUMER_SUSPENDED")), qPrintable(stateTip));
    const QString lastError = cellText(QStringLiteral("key2"), KeysPanel::LastErrorColumn) +
                              cellToolTip(QStringLiteral("key2"), KeysPanel::LastErrorColumn);
    QVERIFY2(lastError.contains(QStringLiteral("CONSUMER_SUSPENDED")), qPrintable(lastError));
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Ready"));
    QVERIFY(cellText(QStringLiteral("key1"), KeysPanel::LastErrorColumn).isEmpty());

    // The requests show in Today (requests / tokens) once a metrics tick ran.
    const QString key1Requests = QString::number(controllerStatus(QStringLiteral("key1")).requestsToday);
    QVERIFY(controllerStatus(QStringLiteral("key1")).requestsToday >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        cellText(QStringLiteral("key1"), KeysPanel::TodayColumn).startsWith(key1Requests + QStringLiteral(" / ")),
        5000);
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::InFlightColumn), QStringLiteral("0"));
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::ProjectColumn),
             controllerStatus(QStringLiteral("key1")).project);

    // No secret anywhere: not in a cell, a tooltip, a header, the status line or the log pane.
    for (int row = 0; row < t->rowCount(); ++row) {
        for (int c = 0; c < t->columnCount(); ++c) {
            const QTableWidgetItem* item = t->item(row, c);
            QVERIFY(item);
            QVERIFY2(!item->text().contains(QStringLiteral("AIza")), qPrintable(item->text()));
            QVERIFY2(!item->toolTip().contains(QStringLiteral("AIza")), qPrintable(item->toolTip()));
            QVERIFY(!item->text().contains(QStringLiteral("TestKey")) &&
                    !item->toolTip().contains(QStringLiteral("TestKey")));
        }
    }
    for (int c = 0; c < t->columnCount(); ++c)
        QVERIFY(!t->horizontalHeaderItem(c)->toolTip().contains(QStringLiteral("AIza")));
    QVERIFY(!statusText().contains(QStringLiteral("AIza")));
    const QString log = child<QPlainTextEdit>("logView")->toPlainText();
    QVERIFY2(!log.contains(QStringLiteral("AIza")), qPrintable(log));
}

void TestKeysPanel::healthAndBudgetTexts() {
    QCOMPARE(KeysPanel::healthText(KeyHealth::Ready), QStringLiteral("Ready"));
    QCOMPARE(KeysPanel::healthText(KeyHealth::CoolingDown), QStringLiteral("Cooling down"));
    QCOMPARE(KeysPanel::healthText(KeyHealth::Limited), QStringLiteral("At limit"));
    QCOMPARE(KeysPanel::healthText(KeyHealth::Disabled), QStringLiteral("Disabled"));
    QCOMPARE(KeysPanel::healthText(KeyHealth::UserDisabled), QStringLiteral("Off"));
    QCOMPARE(KeysPanel::healthText(KeyHealth::NoSecret), QStringLiteral("No secret"));

    const qint64 now = 1'700'000'000'000;
    KeyStatus s;
    QCOMPARE(KeysPanel::budgetText(s, now, false), QStringLiteral("unlimited"));
    QCOMPARE(KeysPanel::budgetText(s, now, true), QStringLiteral("within limits"));

    ModelBudget flash;
    flash.model = QStringLiteral("gemini-2.5-flash");
    flash.rpmUsed = 7;
    flash.rpmLimit = 10;
    flash.rpdUsed = 120;
    flash.rpdLimit = 250;
    ModelBudget pro;
    pro.model = QStringLiteral("gemini-2.5-pro");
    pro.rpmUsed = 1;
    pro.rpmLimit = 2;
    ModelBudget free;
    free.model = QStringLiteral("gemini-2.0-flash");
    free.rpmUsed = 40;
    s.budgets = {free, pro, flash};
    // The least headroom wins: flash has 30 % of its minute left, pro 50 %; a model without limits never does.
    QCOMPARE(KeysPanel::budgetText(s, now, true), QStringLiteral("gemini-2.5-flash: 7/10 rpm, 120/250 rpd"));
    s.budgets = {free};
    QCOMPARE(KeysPanel::budgetText(s, now, false), QStringLiteral("unlimited"));

    // A model that cools down is tighter than any budget.
    pro.cooldownUntilMs = now + 41'000;
    s.budgets = {flash, pro};
    QCOMPARE(KeysPanel::budgetText(s, now, true),
             QStringLiteral("gemini-2.5-pro: 1/2 rpm, cooling down, back in 41 s"));
    // ... until its cooldown is over.
    QCOMPARE(KeysPanel::budgetText(s, now + 41'000, true), QStringLiteral("gemini-2.5-flash: 7/10 rpm, 120/250 rpd"));
}

void TestKeysPanel::budgetFollowsConfiguredLimits() {
    auto cfg = std::make_shared<Config>(*m_fixture->config);
    cfg->gemini.limits = {ModelLimitRule{QStringLiteral("gemini-2.5-flash"), ModelLimits{50, 0, 250}}};
    QString error;
    QVERIFY2(m_fixture->controller.reload(cfg, &error), qPrintable(error));
    m_fixture->upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::Ok);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_fixture->generate().status, 200);

    const QRegularExpression shape(QStringLiteral("^gemini-2\\.5-flash: (\\d+)/50 rpm, (\\d+)/250 rpd$"));
    QTRY_VERIFY_WITH_TIMEOUT(shape.match(cellText(QStringLiteral("key1"), KeysPanel::BudgetColumn)).hasMatch() &&
                                 shape.match(cellText(QStringLiteral("key2"), KeysPanel::BudgetColumn)).hasMatch(),
                             5000);
    // The counts are the pool's (after the next tick at the latest).
    const KeyStatus key1 = controllerStatus(QStringLiteral("key1"));
    QCOMPARE(key1.budgets.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(cellText(QStringLiteral("key1"), KeysPanel::BudgetColumn),
                              QStringLiteral("gemini-2.5-flash: %1/50 rpm, %2/250 rpd")
                                  .arg(controllerStatus(QStringLiteral("key1")).budgets.value(0).rpmUsed)
                                  .arg(controllerStatus(QStringLiteral("key1")).budgets.value(0).rpdUsed),
                              3000);
    const QRegularExpressionMatch m1 = shape.match(cellText(QStringLiteral("key1"), KeysPanel::BudgetColumn));
    const QRegularExpressionMatch m2 = shape.match(cellText(QStringLiteral("key2"), KeysPanel::BudgetColumn));
    QCOMPARE(m1.captured(1).toInt() + m2.captured(1).toInt(), 3);
    QVERIFY(cellToolTip(QStringLiteral("key1"), KeysPanel::BudgetColumn).contains(QStringLiteral("gemini-2.5-flash")));
}

void TestKeysPanel::coolingDownShowsWhenBack() {
    // A per-minute 429 with RetryInfo "41s" cools key2's project down for that model.
    m_fixture->upstream.setKeyBehavior(upstreamKey(2), FakeUpstream::RateLimitMinute);
    for (int i = 0; i < 6 && controllerStatus(QStringLiteral("key2")).health != KeyHealth::CoolingDown; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    QCOMPARE(controllerStatus(QStringLiteral("key2")).health, KeyHealth::CoolingDown);

    const QRegularExpression cooling(QStringLiteral("^Cooling down \\(back in (\\d+) s\\)$"));
    QTRY_VERIFY_WITH_TIMEOUT(cooling.match(cellText(QStringLiteral("key2"), KeysPanel::StateColumn)).hasMatch(), 5000);
    const int seconds = cooling.match(cellText(QStringLiteral("key2"), KeysPanel::StateColumn)).captured(1).toInt();
    QVERIFY2(seconds > 0 && seconds <= 60, qPrintable(cellText(QStringLiteral("key2"), KeysPanel::StateColumn)));
    QCOMPARE(table()
                 ->item(rowOf(QStringLiteral("key2")), KeysPanel::StateColumn)
                 ->data(KeysPanel::HealthNameRole)
                 .toString(),
             QStringLiteral("cooling_down"));
    QVERIFY(!cellToolTip(QStringLiteral("key2"), KeysPanel::StateColumn).isEmpty());
    QVERIFY2(cellText(QStringLiteral("key2"), KeysPanel::BudgetColumn)
                 .startsWith(QStringLiteral("gemini-2.5-flash: cooling down, back in ")),
             qPrintable(cellText(QStringLiteral("key2"), KeysPanel::BudgetColumn)));
    QVERIFY(!cellText(QStringLiteral("key2"), KeysPanel::LastErrorColumn).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>("keysLabel")->text(), QStringLiteral("2 (1 available, 1 cooling down)"),
                              3000);
    // Cooling down is not off: Turn off is offered, Turn on is not.
    select(QStringLiteral("key2"));
    QVERIFY(child<QPushButton>("disableKeyButton")->isEnabled());
    QVERIFY(!child<QPushButton>("enableKeyButton")->isEnabled());
}

void TestKeysPanel::summaryLabelCountsStates() {
    QLabel* keys = child<QLabel>("keysLabel");
    QTRY_COMPARE_WITH_TIMEOUT(keys->text(), QStringLiteral("2 (2 available)"), 3000);
    disableKey2ByTraffic();
    QTRY_COMPARE_WITH_TIMEOUT(keys->text(), QStringLiteral("2 (1 available, 1 disabled)"), 3000);
    const KeySummary summary = m_fixture->controller.keySummary();
    QCOMPARE(summary.total, 2);
    QCOMPARE(summary.available, 1);
    QCOMPARE(summary.disabled, 1);
}

void TestKeysPanel::turnOffAndOnAgain() {
    select(QStringLiteral("key1"));
    QVERIFY(!child<QPushButton>("enableKeyButton")->isEnabled());
    click("disableKeyButton");
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Off"));
    QCOMPARE(controllerStatus(QStringLiteral("key1")).health, KeyHealth::UserDisabled);
    QVERIFY2(statusText().contains(QStringLiteral("key1")), qPrintable(statusText()));
    QVERIFY(cellToolTip(QStringLiteral("key1"), KeysPanel::StateColumn).contains(QStringLiteral("turned off")));
    // Still selected; now only Turn on makes sense.
    QCOMPARE(panel()->selectedKeyId(), QStringLiteral("key1"));
    QVERIFY(child<QPushButton>("enableKeyButton")->isEnabled());
    QVERIFY(!child<QPushButton>("disableKeyButton")->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>("keysLabel")->text().contains(QStringLiteral("1 disabled")), 3000);

    // Off survives the metrics ticks.
    QTest::qWait(1200);
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Off"));

    click("enableKeyButton");
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Ready"));
    QCOMPARE(controllerStatus(QStringLiteral("key1")).health, KeyHealth::Ready);
    QVERIFY(!child<QPushButton>("enableKeyButton")->isEnabled());
    QVERIFY(child<QPushButton>("disableKeyButton")->isEnabled());

    // Turn on also clears a disable by the pool.
    disableKey2ByTraffic();
    QTRY_COMPARE_WITH_TIMEOUT(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Disabled"),
                              5000);
    select(QStringLiteral("key2"));
    QVERIFY(child<QPushButton>("enableKeyButton")->isEnabled());
    QVERIFY(child<QPushButton>("disableKeyButton")->isEnabled());
    click("enableKeyButton");
    QCOMPARE(controllerStatus(QStringLiteral("key2")).health, KeyHealth::Ready);
    QCOMPARE(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Ready"));
}

void TestKeysPanel::configDisabledKeyStaysOff() {
    auto cfg = std::make_shared<Config>(*m_fixture->config);
    cfg->gemini.apiKeys[0].enabled = false;
    cfg->gemini.apiKeys[0].label = QStringLiteral("Spare key");
    QString error;
    QVERIFY2(m_fixture->controller.reload(cfg, &error), qPrintable(error));
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Off"));
    QVERIFY(cellToolTip(QStringLiteral("key1"), KeysPanel::StateColumn).contains(QStringLiteral("config")));
    QVERIFY(cellToolTip(QStringLiteral("key1"), KeysPanel::KeyColumn).contains(QStringLiteral("Spare key")));
    select(QStringLiteral("key1"));
    // The window cannot override the config file: Turn on is not offered, and the controller refuses it too.
    QVERIFY(!child<QPushButton>("enableKeyButton")->isEnabled());
    QVERIFY(!controllerStatus(QStringLiteral("key1")).configEnabled);
    QVERIFY(!m_fixture->controller.setKeyEnabled(QStringLiteral("key1"), true, &error));
    QVERIFY2(error.contains(QStringLiteral("enabled: false")), qPrintable(error));
    QCOMPARE(cellText(QStringLiteral("key1"), KeysPanel::StateColumn), QStringLiteral("Off"));
}

void TestKeysPanel::buttonsFollowSelection() {
    // Nothing selected: only Add.
    QVERIFY(panel()->selectedKeyId().isEmpty());
    QVERIFY(child<QPushButton>("addKeyButton")->isEnabled());
    for (const char* name : {"removeKeyButton", "enableKeyButton", "disableKeyButton", "testKeyButton"})
        QVERIFY2(!child<QPushButton>(name)->isEnabled(), name);

    select(QStringLiteral("key1"));
    // A config key cannot be removed here.
    QVERIFY(!child<QPushButton>("removeKeyButton")->isEnabled());
    QVERIFY(!child<QPushButton>("enableKeyButton")->isEnabled());
    QVERIFY(child<QPushButton>("disableKeyButton")->isEnabled());
    QVERIFY(child<QPushButton>("testKeyButton")->isEnabled());
}

void TestKeysPanel::selectionAndRowsSurviveRefreshes() {
    select(QStringLiteral("key2"));
    QTableWidgetItem* before = table()->item(1, KeysPanel::KeyColumn);
    QTableWidgetItem* stateBefore = table()->item(1, KeysPanel::StateColumn);
    // A few metrics ticks and a keysChanged.
    const qint64 requestsBefore = m_fixture->controller.metrics().requestsTotal;
    m_fixture->generate();
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->controller.metrics().requestsTotal > requestsBefore, 5000);
    Q_EMIT m_fixture->controller.keysChanged();
    QTest::qWait(1100);
    QCOMPARE(panel()->selectedKeyId(), QStringLiteral("key2"));
    QCOMPARE(table()->selectionModel()->selectedRows().size(), 1);
    // Same rows, same items: updated in place, not rebuilt.
    QCOMPARE(table()->item(1, KeysPanel::KeyColumn), before);
    QCOMPARE(table()->item(1, KeysPanel::StateColumn), stateBefore);
    QCOMPARE(table()->rowCount(), 2);
}

void TestKeysPanel::testButtonReportsResult() {
    select(QStringLiteral("key1"));
    click("testKeyButton");
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("key1: the key works")), 10000);
    QVERIFY(child<QPushButton>("testKeyButton")->isEnabled());

    // A failing test names the reason, not the key.
    select(QStringLiteral("key2"));
    click("testKeyButton");
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("key2: ")), 10000);
    QVERIFY2(statusText().contains(QStringLiteral("403")), qPrintable(statusText()));
    QVERIFY2(!statusText().contains(QStringLiteral("AIza")), qPrintable(statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Disabled"),
                              5000);
}

void TestKeysPanel::addAndRemoveKeyWithFileStore() {
    const QString id = QStringLiteral("key3");
    const QString file = keyFilePath(id);
    // Under the test's own data directory, never the user's.
    QVERIFY2(file.startsWith(QDir::cleanPath(qEnvironmentVariable("XDG_DATA_HOME"))), qPrintable(file));
    QFile::remove(file);

    click("addKeyButton");
    QPointer<AddKeyDialog> dialog = panel()->findChild<AddKeyDialog*>(QStringLiteral("addKeyDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto* idEdit = dialog->findChild<QLineEdit*>(QStringLiteral("keyIdEdit"));
    QPointer<QLineEdit> secretEdit = dialog->findChild<QLineEdit*>(QStringLiteral("keySecretEdit"));
    auto* store = dialog->findChild<QComboBox*>(QStringLiteral("keyStoreCombo"));
    QPushButton* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    // The first free id is suggested; the secret is still missing.
    QCOMPARE(idEdit->text(), id);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("keyLabelEdit")), QStringLiteral("Added in test"));
    QTest::keyClicks(secretEdit, upstreamKey(3));
    store->setCurrentIndex(store->findData(int(SecretBackend::File)));
    dialog->findChild<QSpinBox*>(QStringLiteral("keyWeightSpin"))->setValue(3);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("keyProjectEdit")), QStringLiteral("proj-x"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    // The dialog emptied its secret field on the way out, and goes away.
    if (secretEdit)
        QVERIFY(secretEdit->text().isEmpty());
    QTRY_VERIFY(!dialog);

    QTRY_VERIFY_WITH_TIMEOUT(rowOf(id) >= 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(), QStringLiteral("Added key key3."), 5000);
    QCOMPARE(table()->rowCount(), 3);
    // The new key is selected; it was added here, so it can be removed.
    QCOMPARE(panel()->selectedKeyId(), id);
    QVERIFY(child<QPushButton>("removeKeyButton")->isEnabled());
    const KeyStatus st = controllerStatus(id);
    QVERIFY(st.managed);
    QCOMPARE(st.weight, 3);
    QCOMPARE(st.project, QStringLiteral("proj-x"));
    QCOMPARE(st.secretSource, QStringLiteral("file:") + file);
    QCOMPARE(cellText(id, KeysPanel::ProjectColumn), QStringLiteral("proj-x"));
    const QString keyTip = cellToolTip(id, KeysPanel::KeyColumn);
    QVERIFY2(keyTip.contains(QStringLiteral("Added in test")) &&
                 keyTip.contains(QStringLiteral("Added in this window")),
             qPrintable(keyTip));
    QVERIFY(!keyTip.contains(QStringLiteral("AIza")));
    // Its secret arrives from the file store; then the key serves.
    QTRY_COMPARE_WITH_TIMEOUT(cellText(id, KeysPanel::StateColumn), QStringLiteral("Ready"), 10000);

    // The secret file: owner-only, holding just the key.
    QVERIFY2(QFile::exists(file), qPrintable(file));
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &info), 0);
    QCOMPARE(int(info.st_mode & 0777), 0600);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().trimmed(), upstreamKey(3).toUtf8());
    }

    // The key works through the panel's Test button too.
    click("testKeyButton");
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("key3: the key works")), 10000);

    // Remove asks first; Cancel keeps the key.
    click("removeKeyButton");
    QPointer<QMessageBox> confirm = panel()->findChild<QMessageBox*>(QStringLiteral("removeKeyConfirm"));
    QVERIFY(confirm);
    QVERIFY(confirm->text().contains(id));
    QTest::mouseClick(confirm->button(QMessageBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!confirm);
    QCOMPARE(rowOf(id), 2);
    QVERIFY(QFile::exists(file));

    click("removeKeyButton");
    confirm = panel()->findChild<QMessageBox*>(QStringLiteral("removeKeyConfirm"));
    QVERIFY(confirm);
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(id) < 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(), QStringLiteral("Removed key key3."), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(file), 5000);
    QCOMPARE(table()->rowCount(), 2);
    QCOMPARE(controllerStatus(id).id, QString());
    // The removed row's selection went with it.
    QVERIFY(panel()->selectedKeyId().isEmpty());
    QVERIFY(!child<QPushButton>("removeKeyButton")->isEnabled());
}

void TestKeysPanel::addErrorsShownInStatusLine() {
    // An id the config already uses: the controller's message lands in the status line.
    NewKey duplicate;
    duplicate.id = QStringLiteral("key1");
    duplicate.secret = upstreamKey(9).toUtf8();
    duplicate.backend = SecretBackend::File;
    panel()->addKey(duplicate);
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("Could not add key key1: ")), 5000);
    QVERIFY2(statusText().contains(QStringLiteral("already exists")), qPrintable(statusText()));
    QVERIFY(!QFile::exists(keyFilePath(QStringLiteral("key1"))));

    NewKey badId;
    badId.id = QStringLiteral("bad id");
    badId.secret = upstreamKey(9).toUtf8();
    badId.backend = SecretBackend::File;
    panel()->addKey(badId);
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("Could not add key bad id: ")), 5000);
    QVERIFY(!statusText().contains(QStringLiteral("AIza")));
    QCOMPARE(table()->rowCount(), 2);
}

void TestKeysPanel::stoppedGatewayEmptiesTable() {
    select(QStringLiteral("key1"));
    m_fixture->controller.stop();
    QCOMPARE(table()->rowCount(), 0);
    QVERIFY(panel()->selectedKeyId().isEmpty());
    for (const char* name : {"addKeyButton", "removeKeyButton", "enableKeyButton", "disableKeyButton", "testKeyButton"})
        QVERIFY2(!child<QPushButton>(name)->isEnabled(), name);

    QVERIFY(m_fixture->start());
    QCOMPARE(table()->rowCount(), 2);
    QVERIFY(child<QPushButton>("addKeyButton")->isEnabled());
}

void TestKeysPanel::grabsScreenshot() {
    disableKey2ByTraffic();
    QTRY_COMPARE_WITH_TIMEOUT(cellText(QStringLiteral("key2"), KeysPanel::StateColumn), QStringLiteral("Disabled"),
                              5000);
    select(QStringLiteral("key1"));
    click("testKeyButton");
    QTRY_VERIFY_WITH_TIMEOUT(statusText().startsWith(QStringLiteral("key1: ")), 10000);
    const QPixmap shot = m_window->grab();
    QVERIFY(!shot.isNull());
    const QString file = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("keyspanel.png"));
    QVERIFY(shot.save(file));
    qInfo("screenshot: %s", qPrintable(file));

    // The Add key dialog, filled in, with the file store chosen.
    click("addKeyButton");
    QPointer<AddKeyDialog> dialog = panel()->findChild<AddKeyDialog*>(QStringLiteral("addKeyDialog"));
    QVERIFY(dialog);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("keySecretEdit")), upstreamKey(5));
    auto* store = dialog->findChild<QComboBox*>(QStringLiteral("keyStoreCombo"));
    store->setCurrentIndex(store->findData(int(SecretBackend::File)));
    const QString dialogFile =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("addkeydialog.png"));
    QVERIFY(dialog->grab().save(dialogFile));
    qInfo("screenshot: %s", qPrintable(dialogFile));
    dialog->reject();
    QTRY_VERIFY(!dialog);
}

QTEST_MAIN(TestKeysPanel)
#include "tst_keyspanel.moc"
