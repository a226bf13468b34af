// Renders every page of the window to PNG, in English and in Simplified Chinese, after an hour of traffic: usage
// records written into the state database before the start (read back by the real controller, as after a restart)
// plus live requests through the real gateway. The pictures go to <build>/tests/ui/screenshots/<language>/ for
// people to look at (the README's screenshots are copies of them). The test itself checks what can be checked by
// machine: the translation is the one asked for, and no button, label or page title is cut off (also at
// QT_SCALE_FACTOR=2: ctest runs this binary a second time with it).

#include "bulkkeydialog.h"
#include "clientdialog.h"
#include "control/gatewaycontroller.h"
#include "dashboardpage.h"
#include "gatewayfixture.h"
#include "logspage.h"
#include "mainwindow.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"
#include "translations.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

#include <cmath>
#include <memory>

using namespace gemgate;
using namespace gemgate::test;

namespace {

// An hour of a coding agent's traffic ending now: a few requests a second with a busy stretch, mostly answered,
// some refused by a limit and a few upstream errors, spread over three keys.
void writeADayOfUsage(const QString& dbPath) {
    QString error;
    std::unique_ptr<StateDb> db = StateDb::open(dbPath, &error);
    QVERIFY2(db, qPrintable(error));
    UsageStore store(db.get());
    QRandomGenerator rng(42);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString keys[] = {QStringLiteral("key1"), QStringLiteral("key2"), QStringLiteral("key3")};
    auto record = [&](qint64 timeMs, int errorPercent) {
        UsageRecord r;
        r.timeMs = timeMs;
        r.day = QDateTime::fromMSecsSinceEpoch(r.timeMs).toString(QStringLiteral("yyyy-MM-dd"));
        r.client = QStringLiteral("tester");
        r.nameSpace = QStringLiteral("default");
        r.model = QStringLiteral("gemini-2.5-flash");
        r.route = QStringLiteral("POST /v1beta/models/{model}:generateContent");
        const int dice = int(rng.bounded(100));
        r.status = dice >= errorPercent ? 200 : dice < errorPercent / 2 ? 429 : dice % 2 ? 400 : 503;
        r.errorKind = r.status == 429   ? QStringLiteral("rate_limited")
                      : r.status == 503 ? QStringLiteral("upstream_error")
                                        : QString();
        r.admitted = r.status != 429;
        r.keyId = r.status == 429 ? QString() : keys[rng.bounded(3)];
        r.latencyUs = 300'000 + rng.bounded(900'000);
        r.ttfbUs = r.latencyUs / 3;
        if (r.status == 200) {
            r.promptTokens = 800 + rng.bounded(2000);
            r.candidatesTokens = 100 + rng.bounded(400);
            r.thoughtsTokens = rng.bounded(600);
            r.totalTokens = r.promptTokens + r.candidatesTokens + r.thoughtsTokens;
        }
        store.record(r);
    };
    // The day before the last hour, thinly (the Keys page's 24-hour sparklines): a daily rhythm, a bad hour.
    for (qint64 t = now - 86'000'000; t < now - 3'600'000; t += 30'000) {
        const double hour = double(now - t) / 3'600'000;
        const int n = int(4 * (1 + std::sin(hour / 3.8)));
        for (int i = 0; i < n; ++i)
            record(t + rng.bounded(30'000), hour > 6 && hour < 7 ? 40 : 4);
    }
    for (qint64 t = now - 3'590'000; t < now - 5'000; t += 1000) {
        const double minute = double(now - t) / 60'000;
        const int perSecond = 2 + int(3 * (1 + std::sin(minute / 6))) + (minute > 20 && minute < 28 ? 6 : 0);
        for (int i = 0; i < perSecond; ++i)
            record(t + rng.bounded(1000), 10);
    }
    store.flush();
}

// Every visible button, unwrapped label, group box title and page title that is narrower than its text.
QStringList clipped(QWidget* root) {
    QStringList out;
    for (QAbstractButton* b : root->findChildren<QAbstractButton*>()) {
        if (b->isVisible() && b->width() < b->sizeHint().width() && !b->text().isEmpty())
            out.append(
                QStringLiteral("button “%1”: %2 < %3").arg(b->text()).arg(b->width()).arg(b->sizeHint().width()));
    }
    for (QLabel* l : root->findChildren<QLabel*>()) {
        if (!l->isVisible() || l->wordWrap() || l->text().isEmpty() || l->pixmap().isNull() == false)
            continue;
        if (l->width() < l->minimumSizeHint().width())
            out.append(
                QStringLiteral("label “%1”: %2 < %3").arg(l->text()).arg(l->width()).arg(l->minimumSizeHint().width()));
    }
    for (QGroupBox* g : root->findChildren<QGroupBox*>()) {
        if (g->isVisible() && g->width() < g->fontMetrics().horizontalAdvance(g->title()))
            out.append(QStringLiteral("group “%1”").arg(g->title()));
    }
    if (auto* list = root->findChild<QListWidget*>(QStringLiteral("pageList"))) {
        for (int i = 0; i < list->count(); ++i) {
            const QRect r = list->visualItemRect(list->item(i));
            if (r.width() < list->fontMetrics().horizontalAdvance(list->item(i)->text()))
                out.append(QStringLiteral("page title “%1”").arg(list->item(i)->text()));
        }
    }
    return out;
}

// Every visible control a keyboard user must reach: reachable with Tab, and named for a screen reader (its own text,
// an accessible name, or a label whose buddy it is).
QStringList notKeyboardReady(QWidget* root) {
    QSet<const QWidget*> buddied;
    for (QLabel* l : root->findChildren<QLabel*>())
        if (l->buddy())
            buddied.insert(l->buddy());
    QStringList out;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        if (!w->isVisible() || !w->isEnabled())
            continue;
        const bool control = qobject_cast<QAbstractButton*>(w) || qobject_cast<QLineEdit*>(w) ||
                             qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractItemView*>(w) ||
                             qobject_cast<QPlainTextEdit*>(w) || qobject_cast<QAbstractSpinBox*>(w);
        if (!control || qobject_cast<QAbstractItemView*>(w->parentWidget()) ||
            qobject_cast<QAbstractSpinBox*>(w->parentWidget()))
            continue; // cells' editors, a spin box's line edit and the like belong to their owner
        if (!(w->focusPolicy() & Qt::TabFocus))
            out.append(QStringLiteral("%1 (%2) cannot be reached with Tab")
                           .arg(w->objectName(), QLatin1String(w->metaObject()->className())));
        const auto* b = qobject_cast<QAbstractButton*>(w);
        const bool named = !w->accessibleName().isEmpty() || buddied.contains(w) || (b && !b->text().isEmpty());
        if (!named)
            out.append(QStringLiteral("%1 (%2) has no accessible name")
                           .arg(w->objectName(), QLatin1String(w->metaObject()->className())));
    }
    return out;
}

// Presses Tab from the page list until focus comes back to it: every control Tab reaches on the way (in order), or
// a message when focus gets stuck (a control that eats Tab, or a cycle that never returns).
QStringList tabChain(QWidget* start, QString* problem) {
    QStringList out;
    start->setFocus(Qt::TabFocusReason);
    QCoreApplication::processEvents();
    for (int i = 0; i < 400; ++i) {
        QWidget* before = QApplication::focusWidget();
        QTest::keyClick(before, Qt::Key_Tab);
        QWidget* now = QApplication::focusWidget();
        if (now == start)
            return out;
        if (now == before) {
            *problem = QStringLiteral("Tab is stuck on %1 (%2)")
                           .arg(now->objectName(), QLatin1String(now->metaObject()->className()));
            return out;
        }
        out.append(now->objectName().isEmpty() ? QLatin1String(now->metaObject()->className()) : now->objectName());
    }
    *problem = QStringLiteral("Tab never came back to the page list");
    return out;
}

// The controls of a page that Tab must reach: visible, enabled, taking Tab focus (not a part of another control).
QStringList tabbableControls(QWidget* page) {
    QStringList out;
    for (QWidget* w : page->findChildren<QWidget*>()) {
        if (!w->isVisible() || !w->isEnabled() || !(w->focusPolicy() & Qt::TabFocus) || w->focusProxy())
            continue;
        if (qobject_cast<QAbstractItemView*>(w->parentWidget()) || qobject_cast<QAbstractSpinBox*>(w->parentWidget()) ||
            qobject_cast<QComboBox*>(w->parentWidget()) || qobject_cast<QScrollBar*>(w))
            continue;
        out.append(w->objectName().isEmpty() ? QLatin1String(w->metaObject()->className()) : w->objectName());
    }
    return out;
}

} // namespace

class TestRender : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void renderEveryPage_data();
    void renderEveryPage();
    void cleanupTestCase();

private:
    std::unique_ptr<GatewayFixture> m_fixture;
};

void TestRender::initTestCase() {
    m_fixture = std::make_unique<GatewayFixture>(3);
    writeADayOfUsage(m_fixture->config->storage.database);
    QVERIFY(m_fixture->startFromFile()); // a file: the Settings page shows and edits it
    for (int i = 0; i < 20; ++i)
        QCOMPARE(m_fixture->generate().status, 200);
    // Two issued clients, one with quotas and some use.
    NewClient alice;
    alice.name = QStringLiteral("alice");
    alice.owner = QStringLiteral("Alice Chen");
    alice.nameSpace = QStringLiteral("team-a");
    alice.limits.requestsPerDay = 1000;
    alice.limits.tokensPerDay = 2'000'000;
    QString error;
    const std::optional<IssuedClient> issued = m_fixture->controller.addClient(alice, &error);
    QVERIFY2(issued, qPrintable(error));
    for (int i = 0; i < 12; ++i)
        QCOMPARE(m_fixture->generate({{"x-goog-api-key", issued->key}}).status, 200);
    QVERIFY(m_fixture->controller.setKeyNote(QStringLiteral("key1"), QStringLiteral("billing on"),
                                             {QStringLiteral("paid")}, &error));
    NewClient bot;
    bot.name = QStringLiteral("ci-bot");
    QVERIFY(m_fixture->controller.addClient(bot, &error));
    // One snapshot, so the live points follow the read-back ones.
    QSignalSpy spy(&m_fixture->controller, &GatewayController::metricsUpdated);
    QVERIFY(spy.wait(3000));
}

void TestRender::cleanupTestCase() {
    installUiTranslations(QStringLiteral("en"));
    m_fixture.reset();
}

void TestRender::renderEveryPage_data() {
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("dashboardTitle"); // the first page's title in the list, as translated
    QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("Dashboard");
    QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QStringLiteral("仪表盘");
}

void TestRender::renderEveryPage() {
    QFETCH(QString, language);
    QFETCH(QString, dashboardTitle);
    QCOMPARE(installUiTranslations(language), language);
    MainWindow window(&m_fixture->controller);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* list = window.findChild<QListWidget*>(QStringLiteral("pageList"));
    QCOMPARE(list->item(0)->text(), dashboardTitle);

    const qreal scale =
        qEnvironmentVariableIsSet("QT_SCALE_FACTOR") ? qEnvironmentVariable("QT_SCALE_FACTOR").toDouble() : 1;
    const QString dir = QCoreApplication::applicationDirPath() + QStringLiteral("/screenshots/") + language +
                        (scale > 1 ? QStringLiteral("@%1x").arg(scale) : QString());
    QVERIFY(QDir().mkpath(dir));
    window.dashboard()->setWindowSeconds(3600);
    const struct {
        MainWindow::Page page;
        const char* file;
    } pages[] = {{MainWindow::Page::Dashboard, "dashboard"}, {MainWindow::Page::Keys, "keys"},
                 {MainWindow::Page::Clients, "clients"},     {MainWindow::Page::Usage, "usage"},
                 {MainWindow::Page::Logs, "logs"},           {MainWindow::Page::Settings, "settings"},
                 {MainWindow::Page::Connect, "connect"},     {MainWindow::Page::Messages, "messages"}};
    QStringList problems;
    for (const auto& p : pages) {
        window.showPage(p.page);
        if (auto* logs = qobject_cast<LogsPage*>(window.page(p.page)); logs && logs->table()->rowCount() > 0)
            logs->table()->selectRow(0); // with a request's details
        QCoreApplication::processEvents();
        const QImage image = window.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(image.save(dir + QLatin1Char('/') + QLatin1String(p.file) + QStringLiteral(".png")));
        for (const QString& c : clipped(&window))
            problems.append(QLatin1String(p.file) + QStringLiteral(": ") + c);
        for (const QString& c : notKeyboardReady(&window))
            problems.append(QLatin1String(p.file) + QStringLiteral(": ") + c);
        // Keyboard: from the page list, Tab visits every control of the page and comes back.
        QString stuck;
        const QStringList chain = tabChain(list, &stuck);
        if (!stuck.isEmpty())
            problems.append(QLatin1String(p.file) + QStringLiteral(": ") + stuck);
        for (const QString& control : tabbableControls(window.page(p.page))) {
            if (!chain.contains(control))
                problems.append(QLatin1String(p.file) + QStringLiteral(": Tab does not reach ") + control);
        }
        // The Settings page's other tabs too (the first is the form).
        if (auto* tabs = window.page(p.page)->findChild<QTabWidget*>(QStringLiteral("settingsTabs"))) {
            for (int t = 1; t < tabs->count(); ++t) {
                tabs->setCurrentIndex(t);
                QCoreApplication::processEvents();
                const QString name = QLatin1String(p.file) + QStringLiteral("-tab%1").arg(t);
                QVERIFY(window.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png")));
                for (const QString& c : clipped(&window) + notKeyboardReady(&window))
                    problems.append(name + QStringLiteral(": ") + c);
            }
            tabs->setCurrentIndex(0);
        }
    }
    // The dialogs of the pages, at their own size.
    ClientDialog issue(nullptr, &window);
    issue.show();
    QVERIFY(QTest::qWaitForWindowExposed(&issue));
    QVERIFY(issue.grab().save(dir + QStringLiteral("/issue-client-dialog.png")));
    for (const QString& c : clipped(&issue))
        problems.append(QStringLiteral("issue-client-dialog: ") + c);
    issue.close();
    BulkKeyDialog bulk(&m_fixture->controller, &window);
    // Two keys (39 characters each), one of them twice; the fake upstream takes both.
    bulk.textEdit()->setPlainText(QStringLiteral("AIzaSyRenderBulkKeyOne-0123456789abcdef\nAIzaSyRenderBulkKeyTwo-"
                                                 "0123456789abcdef\nAIzaSyRenderBulkKeyOne-0123456789abcdef"));
    bulk.scan();
    QCOMPARE(bulk.table()->rowCount(), 2);
    QSignalSpy checked(&bulk, &BulkKeyDialog::checksFinished);
    bulk.checkButton()->click();
    QVERIFY(checked.wait(10000));
    bulk.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bulk));
    QVERIFY(bulk.grab().save(dir + QStringLiteral("/bulk-keys-dialog.png")));
    for (const QString& c : clipped(&bulk) + notKeyboardReady(&bulk))
        problems.append(QStringLiteral("bulk-keys-dialog: ") + c);
    bulk.close();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

QTEST_MAIN(TestRender)
#include "tst_render.moc"
