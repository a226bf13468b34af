// gemgate: the desktop executable. With --no-gui (or with no display at all) it runs exactly like gemgated,
// creating only a QCoreApplication; otherwise it opens the window and the tray icon.

#include "headless.h"

#include "admin/adminservice.h"
#include "control/gatewaycontroller.h"
#include "mainwindow.h"
#include "singleinstance.h"
#include "translations.h"
#include "trayicon.h"

#include <QApplication>
#include <QCoreApplication>
#include <QEventLoop>
#include <QSystemTrayIcon>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace {
bool hasDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

QStringList rawArguments(int argc, char** argv) {
    QStringList out;
    for (int i = 0; i < argc; ++i)
        out.append(QString::fromLocal8Bit(argv[i]));
    return out;
}
} // namespace

int main(int argc, char** argv) {
    // A closed stdout (the access log's default target) must not kill the desktop app; headless mode does the
    // same in UnixSignals.
    ::signal(SIGPIPE, SIG_IGN);
    const gemgate::CommandLine cl = gemgate::parseCommandLine(rawArguments(argc, argv));
    if (!cl.error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(cl.error));
        return 2;
    }
    if (cl.help || cl.version || !cl.checkConfigPath.isEmpty() || cl.clientsCommand || cl.usageCommand || cl.noGui ||
        !hasDisplay()) {
        QCoreApplication app(argc, argv);
        if (!cl.noGui && !cl.help && !cl.version && cl.checkConfigPath.isEmpty() && !cl.clientsCommand &&
            !cl.usageCommand)
            std::fprintf(stderr, "gemgate: no display found, running headless (use --no-gui to say so)\n");
        return gemgate::runWithoutGui(cl);
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gemgate"));
    QApplication::setApplicationDisplayName(QStringLiteral("GemGate"));
    QApplication::setApplicationVersion(QStringLiteral(GEMGATE_VERSION));
    // The window's own preferences (language, ...) live in ~/.config/gemgate/gemgate.conf, beside the config file.
    QApplication::setOrganizationName(QStringLiteral("gemgate"));
    gemgate::installUiTranslations(gemgate::savedUiLanguage());
    // One desktop GemGate per user: a second launch raises the first one's window and exits.
    gemgate::SingleInstance instance;
    QString instanceError;
    if (!instance.claim(&instanceError)) {
        if (!instanceError.isEmpty()) {
            std::fprintf(stderr, "gemgate: %s\n", qPrintable(instanceError));
            return 1;
        }
        if (instance.askToRaise(5000, &instanceError)) {
            std::fprintf(stderr, "gemgate: GemGate is already running; raised its window\n");
            return 0;
        }
        std::fprintf(stderr, "gemgate: another GemGate is running but did not answer (%s)\n",
                     qPrintable(instanceError));
        return 1;
    }
    if (!instanceError.isEmpty())
        std::fprintf(stderr, "gemgate: %s (a second launch cannot raise this window)\n", qPrintable(instanceError));

    const QString path = gemgate::resolveConfigPath(cl);
    if (path.isEmpty())
        return 2;

    gemgate::GatewayController controller;
    gemgate::attachAdminApi(controller);
    controller.setConfigPath(path);
    // The window owns the tray icon; with a tray, closing the window only hides it.
    gemgate::MainWindow window(&controller);
    QObject::connect(&instance, &gemgate::SingleInstance::raiseRequested, &window, &gemgate::MainWindow::bringToFront);
    if (QSystemTrayIcon::isSystemTrayAvailable())
        QApplication::setQuitOnLastWindowClosed(false);
    QString error;
    if (!controller.start(&error))
        Q_EMIT controller.message(QObject::tr("Could not start the gateway: %1").arg(error));
    // --minimized (start at login): in the tray only, when there is one.
    if (!cl.minimized || !window.trayIcon()->isVisible())
        window.show();
    const int rc = QApplication::exec();
    // Quitting from the window or the tray: let running requests and streams finish first.
    if (controller.isRunning()) {
        QEventLoop loop;
        QObject::connect(&controller, &gemgate::GatewayController::drained, &loop, &QEventLoop::quit);
        const gemgate::ConfigPtr cfg = controller.config();
        controller.drainAndStop(cfg ? cfg->server.drainTimeoutMs : 30'000);
        if (controller.isRunning())
            loop.exec();
    }
    return rc;
}
