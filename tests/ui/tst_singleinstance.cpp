// One desktop GemGate per user: with a first instance holding the lock (this test, with the real SingleInstance and
// a real window), launching the real `gemgate` executable raises this window and exits 0 without starting a
// gateway; a lock left by a process that died is taken over; the start-at-login entry is written and removed.

#include "autostart.h"
#include "control/gatewaycontroller.h"
#include "mainwindow.h"
#include "singleinstance.h"
#include "trayicon.h"

#include <QAction>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace gemgate;

class TestSingleInstance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void secondLaunchRaisesTheFirst();
    void deadHoldersLockIsTakenOver();
    void startAtLoginEntry();
};

void TestSingleInstance::secondLaunchRaisesTheFirst() {
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    SingleInstance first(runtime.path());
    QString error;
    QVERIFY2(first.claim(&error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(QFile::exists(first.socketPath()));

    GatewayController controller;
    MainWindow window(&controller);
    connect(&first, &SingleInstance::raiseRequested, &window, &MainWindow::bringToFront);
    QVERIFY(!window.isVisible());

    // The second launch: the real executable, in the same runtime directory.
    QTemporaryDir home;
    QProcess second;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    second.setProcessEnvironment(env);
    QSignalSpy finished(&second, &QProcess::finished);
    QSignalSpy raised(&first, &SingleInstance::raiseRequested);
    second.start(QStringLiteral(GEMGATE_GUI_PATH), {});
    // Waiting with the event loop running: this process must answer the second one.
    QVERIFY(finished.wait(20'000));
    const QByteArray err = second.readAllStandardError();
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QVERIFY2(second.exitCode() == 0, err.constData());
    QVERIFY2(err.contains("already running; raised its window"), err.constData());
    QCOMPARE(raised.count(), 1);
    QVERIFY(window.isVisible());
    // It started no gateway: no first-run config was written for it.
    QVERIFY(!QFile::exists(home.filePath(QStringLiteral(".config/gemgate/gemgate.yaml"))));
}

void TestSingleInstance::deadHoldersLockIsTakenOver() {
    QTemporaryDir runtime;
    // A lock in QLockFile's format whose process is gone (pid_max is below 2^22 on Linux), and its socket file.
    QFile lock(runtime.filePath(QStringLiteral("gemgate.lock")));
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write("4194303\n" + QCoreApplication::applicationName().toUtf8() + "\n" +
               QSysInfo::machineHostName().toUtf8() + "\n");
    lock.close();
    QFile stale(runtime.filePath(QStringLiteral("gemgate.sock")));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    SingleInstance instance(runtime.path());
    QString error;
    QVERIFY2(instance.claim(&error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // ... and a second claimant in this process is refused while it holds it.
    SingleInstance other(runtime.path());
    QVERIFY(!other.claim(&error));
    QVERIFY(error.isEmpty());
}

void TestSingleInstance::startAtLoginEntry() {
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    const QString path = autostartEntryPath();
    QCOMPARE(path, config.filePath(QStringLiteral("autostart/gemgate.desktop")));
    QVERIFY(!isAutostartEnabled());
    GatewayController controller;
    MainWindow window(&controller);
    QAction* action = window.trayIcon()->autostartAction();
    QVERIFY(!action->isChecked());
    action->setChecked(true); // as the tray menu does
    QVERIFY(isAutostartEnabled());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray entry = f.readAll();
    QVERIFY(entry.startsWith("[Desktop Entry]\n"));
    const QByteArray exec = "Exec=\"" + QCoreApplication::applicationFilePath().toUtf8() + "\" --minimized\n";
    QVERIFY2(entry.contains(exec), entry.constData());
    QVERIFY(entry.contains("Type=Application\n"));
    action->setChecked(false);
    QVERIFY(!QFile::exists(path));
    QVERIFY(!isAutostartEnabled());
}

QTEST_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
