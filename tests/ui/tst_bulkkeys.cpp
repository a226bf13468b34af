// Bulk key intake on the Keys page, against a real gateway in front of the fake upstream, with the real OS keychain
// (Secret Service under a private D-Bus session, see keychain-session.sh): pasted text is searched for keys (AIza…
// and AQ.…), repeats and the pool's own key are left out, every key is checked against the upstream and sorted by
// the fake's answer (valid, 400 invalid, 403 suspended, 429 per minute and per day, no answer), and "Add selected"
// stores the ticked ones in the keychain under new ids; requests then go out with them.

#include "bulkkeydialog.h"
#include "control/gatewaycontroller.h"
#include "control/keyintake.h"
#include "control/keymanager.h"
#include "gatewayfixture.h"
#include "mainwindow.h"

#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace gemgate;
using namespace gemgate::test;

namespace {
QString key(const char* tag) {
    // 39 characters, shaped like a real key.
    return QStringLiteral("AIzaSyBulk%1").arg(QString::fromLatin1(tag), 29, QLatin1Char('x')).left(39);
}
const QString kNewForm = QStringLiteral("AQ.Ab8RN6LbulkTestNewFormKey_0123456789-abcdefghij");
} // namespace

class TestBulkKeys : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void findsKeysInText();
    void classifiesAndAddsToTheKeychain();
    void networkErrorIsItsOwnCause();
    void cleanupTestCase();

private:
    BulkKeyDialog* openDialog();
    int rowOf(BulkKeyDialog* dialog, const QString& secret) const;

    QTemporaryDir m_dataHome;
    std::unique_ptr<GatewayFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
};

void TestBulkKeys::initTestCase() {
    if (qEnvironmentVariableIsEmpty("XDG_DATA_HOME"))
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_dataHome.path()));
    m_fixture = std::make_unique<GatewayFixture>(1);
    FakeUpstream& up = m_fixture->upstream;
    up.setKeyBehavior(key("invalid"), FakeUpstream::InvalidKey);
    up.setKeyBehavior(key("suspended"), FakeUpstream::Forbidden);
    up.setKeyBehavior(key("minute"), FakeUpstream::RateLimitMinute);
    up.setKeyBehavior(key("day"), FakeUpstream::RateLimitDay);
    up.setKeyBehavior(key("broken"), FakeUpstream::Internal);
    QVERIFY(m_fixture->start());
    // A key already in the pool (the fixture's own is not key-shaped).
    NewKey pooled;
    pooled.id = QStringLiteral("pooled");
    pooled.secret = key("pooled").toLatin1();
    pooled.backend = SecretBackend::File;
    bool done = false, ok = false;
    m_fixture->controller.addKey(pooled, [&](bool success, const QString&) {
        ok = success;
        done = true;
    });
    QTRY_VERIFY(done);
    QVERIFY(ok);
    m_window = std::make_unique<MainWindow>(&m_fixture->controller);
    m_window->showPage(MainWindow::Page::Keys);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestBulkKeys::cleanupTestCase() {
    m_window.reset();
    m_fixture.reset();
}

void TestBulkKeys::findsKeysInText() {
    const QString text = QStringLiteral("GEMINI_API_KEY=%1\n| %2 | %1 |\n\"%3\", notakey AIzaShort, x%4y\n")
                             .arg(key("a"), key("b"), kNewForm, key("glued"));
    const KeyScan scan = findKeysInText(text);
    QCOMPARE(scan.keys.size(), 3); // the glued one is part of a longer token
    QCOMPARE(scan.keys[0].secret, key("a").toLatin1());
    QCOMPARE(scan.keys[1].secret, key("b").toLatin1());
    QCOMPARE(scan.keys[2].secret, kNewForm.toLatin1());
    QCOMPARE(scan.duplicates, 1);
    QCOMPARE(scan.keys[0].masked, key("a").left(6) + QStringLiteral("…") + key("a").right(4));
    QVERIFY(!scan.keys[0].masked.contains(key("a").mid(6, 20)));
}

BulkKeyDialog* TestBulkKeys::openDialog() {
    auto* button = m_window->findChild<QPushButton*>(QStringLiteral("bulkKeysButton"));
    if (!button || !button->isEnabled())
        return nullptr;
    QTest::mouseClick(button, Qt::LeftButton);
    BulkKeyDialog* dialog = nullptr;
    for (int i = 0; i < 100 && !dialog; ++i) {
        QCoreApplication::processEvents();
        dialog = m_window->findChild<BulkKeyDialog*>();
        if (!dialog)
            QTest::qWait(20);
    }
    return dialog;
}

int TestBulkKeys::rowOf(BulkKeyDialog* dialog, const QString& secret) const {
    const QString masked = maskKey(secret.toLatin1());
    for (int r = 0; r < dialog->table()->rowCount(); ++r) {
        if (dialog->table()->item(r, BulkKeyDialog::KeyColumn)->text() == masked)
            return r;
    }
    return -1;
}

void TestBulkKeys::classifiesAndAddsToTheKeychain() {
    QPointer<BulkKeyDialog> dialog = openDialog();
    QVERIFY(dialog);
    const QStringList all = {key("valid1"), key("invalid"), key("suspended"), key("minute"),
                             key("day"),    key("broken"),  kNewForm};
    // Each key with some noise around it, one twice, and the key the pool already has.
    QString text = QStringLiteral("keys from the team sheet:\n");
    for (const QString& k : all)
        text += QStringLiteral("- %1  (owner: someone)\n").arg(k);
    text += key("valid1") + QLatin1Char('\n') + key("pooled") + QLatin1Char('\n');
    dialog->textEdit()->setPlainText(text);
    dialog->scan();
    QCOMPARE(dialog->table()->rowCount(), int(all.size()));
    QVERIFY2(dialog->summaryText().contains(QStringLiteral("1 repeated")) &&
                 dialog->summaryText().contains(QStringLiteral("1 already in the pool")),
             qPrintable(dialog->summaryText()));
    // No secret on screen.
    for (int r = 0; r < dialog->table()->rowCount(); ++r)
        QVERIFY(dialog->table()->item(r, BulkKeyDialog::KeyColumn)->text().contains(QStringLiteral("…")));

    QSignalSpy finished(dialog.data(), &BulkKeyDialog::checksFinished);
    QTest::mouseClick(dialog->checkButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    const QList<QPair<QString, KeyProbeResult>> expected = {
        {key("valid1"), KeyProbeResult::Valid},
        {kNewForm, KeyProbeResult::Valid},
        {key("invalid"), KeyProbeResult::Invalid},
        {key("suspended"), KeyProbeResult::Suspended},
        {key("minute"), KeyProbeResult::RateLimitedMinute},
        {key("day"), KeyProbeResult::RateLimitedDay},
        {key("broken"), KeyProbeResult::OtherError},
    };
    for (const auto& [secret, result] : expected) {
        const int row = rowOf(dialog, secret);
        QVERIFY(row >= 0);
        QCOMPARE(dialog->result(row), result);
        QCOMPARE(dialog->table()->item(row, BulkKeyDialog::ResultColumn)->text(), BulkKeyDialog::resultText(result));
        // Error details never quote the key (the fake's 403 message contains it).
        QVERIFY(!dialog->table()->item(row, BulkKeyDialog::DetailColumn)->text().contains(secret));
    }
    QVERIFY2(dialog->table()
                 ->item(rowOf(dialog, key("suspended")), BulkKeyDialog::DetailColumn)
                 ->text()
                 .contains(QStringLiteral("CONSUMER_SUSPENDED")),
             qPrintable(dialog->table()->item(rowOf(dialog, key("suspended")), BulkKeyDialog::DetailColumn)->text()));
    // Ticked: the valid keys and the one busy this minute; offered but not ticked: the one out of today's quota;
    // not offered: the rest.
    auto state = [&](const QString& secret) {
        return dialog->table()->item(rowOf(dialog, secret), BulkKeyDialog::KeyColumn)->data(Qt::CheckStateRole);
    };
    QCOMPARE(state(key("valid1")).toInt(), int(Qt::Checked));
    QCOMPARE(state(kNewForm).toInt(), int(Qt::Checked));
    QCOMPARE(state(key("minute")).toInt(), int(Qt::Checked));
    QCOMPARE(state(key("day")).toInt(), int(Qt::Unchecked));
    QVERIFY(!state(key("invalid")).isValid());
    QVERIFY(!state(key("suspended")).isValid());
    QVERIFY(dialog->addButton()->isEnabled());
    QCOMPARE(dialog->addButton()->text(), QStringLiteral("&Add 3 selected"));

    // Into the keychain (the default store), one action.
    auto* store = dialog->findChild<QComboBox*>(QStringLiteral("bulkKeyStore"));
    QCOMPARE(SecretBackend(store->currentData().toInt()), SecretBackend::Keychain);
    QSignalSpy added(dialog.data(), &BulkKeyDialog::keysAdded);
    QTest::mouseClick(dialog->addButton(), Qt::LeftButton);
    QVERIFY(added.wait(20000));
    QCOMPARE(added.first().at(0).toStringList(),
             (QStringList{QStringLiteral("key-1"), QStringLiteral("key-2"), QStringLiteral("key-3")}));
    QVERIFY2(added.first().at(1).toStringList().isEmpty(), qPrintable(added.first().at(1).toStringList().join(u';')));
    QVERIFY(!dialog->addButton()->isEnabled()); // nothing left ticked
    dialog->close();

    // In the pool, secrets from the keychain, and used: with the fixture's own key off, requests go out with the
    // new ones.
    GatewayController& c = m_fixture->controller;
    QTRY_COMPARE_WITH_TIMEOUT(c.keyStatuses().size(), 5, 10000);
    for (const KeyStatus& s : c.keyStatuses()) {
        if (s.id.startsWith(QLatin1String("key-")))
            QVERIFY2(s.secretSource.startsWith(QStringLiteral("keychain:")), qPrintable(s.secretSource));
    }
    QTRY_VERIFY_WITH_TIMEOUT(c.keySummary().available >= 4, 10000);
    QString error;
    QVERIFY2(c.setKeyEnabled(QStringLiteral("key1"), false, &error), qPrintable(error));
    QVERIFY2(c.setKeyEnabled(QStringLiteral("pooled"), false, &error), qPrintable(error));
    for (int i = 0; i < 6; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    const QMap<QByteArray, int> used = m_fixture->upstream.requestsPerKey();
    QVERIFY(used.value(key("valid1").toLatin1()) > 1); // the models list check, then requests
    QVERIFY(used.value(kNewForm.toLatin1()) > 1);

    // Pasting the same text again: everything added is now in the pool.
    dialog = openDialog();
    QVERIFY(dialog);
    dialog->textEdit()->setPlainText(key("valid1") + QLatin1Char(' ') + kNewForm);
    dialog->scan();
    QCOMPARE(dialog->table()->rowCount(), 0);
    QVERIFY2(dialog->summaryText().contains(QStringLiteral("2 already in the pool")),
             qPrintable(dialog->summaryText()));
    dialog->close();
}

void TestBulkKeys::networkErrorIsItsOwnCause() {
    QPointer<BulkKeyDialog> dialog = openDialog();
    QVERIFY(dialog);
    m_fixture->upstream.stop();
    dialog->textEdit()->setPlainText(key("unreached"));
    dialog->scan();
    QSignalSpy finished(dialog.data(), &BulkKeyDialog::checksFinished);
    QTest::mouseClick(dialog->checkButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    QCOMPARE(dialog->result(0), KeyProbeResult::NetworkError);
    QVERIFY(!dialog->addButton()->isEnabled());
    dialog->close();
    QVERIFY(m_fixture->upstream.start(2, 0));
}

QTEST_MAIN(TestBulkKeys)
#include "tst_bulkkeys.moc"
