#include "headless.h"

#include "clientscli.h"
#include "usagecli.h"

#include "admin/adminservice.h"
#include "config/configloader.h"
#include "control/gatewaycontroller.h"
#include "unixsignals.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

namespace gemgate {

namespace {
void err(const QString& s) {
    std::fprintf(stderr, "%s\n", qPrintable(s));
    std::fflush(stderr);
}
} // namespace

CommandLine parseCommandLine(const QStringList& args) {
    CommandLine cl;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        auto value = [&](QString* out) {
            const qsizetype eq = a.indexOf(QLatin1Char('='));
            if (eq > 0) {
                *out = a.mid(eq + 1);
            } else if (i + 1 < args.size()) {
                *out = args[++i];
            } else {
                cl.error = QStringLiteral("%1 needs a file name").arg(a);
            }
        };
        if (a == QLatin1String("--no-gui") || a == QLatin1String("--headless"))
            cl.noGui = true;
        else if (a == QLatin1String("--minimized"))
            cl.minimized = true;
        else if (a == QLatin1String("--version") || a == QLatin1String("-v"))
            cl.version = true;
        else if (a == QLatin1String("--help") || a == QLatin1String("-h"))
            cl.help = true;
        else if (a == QLatin1String("--config") || a.startsWith(QLatin1String("--config=")) || a == QLatin1String("-c"))
            value(&cl.configPath);
        else if (a == QLatin1String("--check-config") || a.startsWith(QLatin1String("--check-config=")))
            value(&cl.checkConfigPath);
        else if (a == QLatin1String("clients")) {
            // Everything after the command word belongs to it.
            cl.clientsCommand = true;
            cl.clients = args.mid(i + 1);
            break;
        } else if (a == QLatin1String("usage")) {
            cl.usageCommand = true;
            cl.usage = args.mid(i + 1);
            break;
        } else if (a.startsWith(QLatin1Char('-')))
            cl.error = QStringLiteral("unknown option %1 (see --help)").arg(a);
        else
            cl.error = QStringLiteral("unexpected argument %1 (see --help)").arg(a);
    }
    return cl;
}

QString usageText() {
    return QStringLiteral("Usage: gemgate [options]\n"
                          "A local gateway for the Gemini API.\n\n"
                          "  --no-gui              run headless (no window, no display needed)\n"
                          "  --minimized           desktop: start in the tray without showing the window (what the\n"
                          "                        start-at-login entry runs); a second launch raises the first\n"
                          "  --config FILE         use this config file (default: %1)\n"
                          "  --check-config FILE   validate FILE, print every problem, exit 0 if valid, 1 if not\n"
                          "  --version             print the version\n"
                          "  --help                this text\n"
                          "  clients <command>     manage issued client keys (add, list, disable, enable, rotate,\n"
                          "                        remove; `gemgate clients help`)\n"
                          "  usage [options]       token and request usage per day, client, namespace, key, model\n"
                          "                        (`gemgate usage help`)\n\n"
                          "Signals (headless): SIGTERM/SIGINT drain and exit, SIGHUP reloads the config.\n")
        .arg(defaultConfigPath());
}

int checkConfig(const QString& path) {
    const ConfigLoadResult r = loadConfigFile(path);
    for (const ConfigIssue& w : r.warnings)
        err(QStringLiteral("warning: %1").arg(w.toString()));
    for (const ConfigIssue& e : r.errors)
        err(QStringLiteral("error: %1").arg(e.toString()));
    if (!r.ok()) {
        err(QStringLiteral("%1: %2 error(s)").arg(path).arg(r.errors.size()));
        return 1;
    }
    std::printf("%s: OK\n", qPrintable(path));
    return 0;
}

QString resolveConfigPath(const CommandLine& cl) {
    if (!cl.configPath.isEmpty()) {
        if (!QFileInfo::exists(cl.configPath)) {
            err(QStringLiteral("config file %1 does not exist").arg(cl.configPath));
            return {};
        }
        return cl.configPath;
    }
    const QString path = defaultConfigPath();
    if (!QFileInfo::exists(path)) {
        QString error;
        if (!writeDefaultConfig(path, &error)) {
            err(QStringLiteral("cannot create the default config %1: %2").arg(path, error));
            return {};
        }
        err(QStringLiteral("created a default config at %1 (your client key is in it; set GEMINI_API_KEY or add "
                           "upstream keys there)")
                .arg(path));
    }
    return path;
}

int runHeadless(const CommandLine& cl) {
    const QString path = resolveConfigPath(cl);
    if (path.isEmpty())
        return 2;
    GatewayController controller;
    attachAdminApi(controller);
    QObject::connect(&controller, &GatewayController::message, &controller,
                     [](const QString& m) { err(QStringLiteral("gemgate: %1").arg(m)); });
    controller.setConfigPath(path);
    QString error;
    if (!controller.start(&error)) {
        err(QStringLiteral("gemgate: cannot start: %1").arg(error));
        return 1;
    }

    UnixSignals unixSignals;
    bool stopping = false;
    QObject::connect(&unixSignals, &UnixSignals::terminate, &controller, [&](int) {
        if (stopping) {
            err(QStringLiteral("gemgate: second signal, stopping now"));
            controller.stop();
            QCoreApplication::exit(0);
            return;
        }
        stopping = true;
        const ConfigPtr cfg = controller.config();
        controller.drainAndStop(cfg ? cfg->server.drainTimeoutMs : 30'000);
    });
    QObject::connect(&unixSignals, &UnixSignals::reload, &controller, [&] {
        QString e;
        controller.reload(&e, QStringLiteral("sighup")); // the controller reports the outcome through message()
    });
    QObject::connect(&controller, &GatewayController::drained, &controller, [] { QCoreApplication::exit(0); });
    return QCoreApplication::exec();
}

int runWithoutGui(const CommandLine& cl) {
    QCoreApplication::setApplicationName(QStringLiteral("gemgate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GEMGATE_VERSION));
    if (cl.help) {
        std::printf("%s", qPrintable(usageText()));
        return 0;
    }
    if (cl.version) {
        std::printf("gemgate %s\n", GEMGATE_VERSION);
        return 0;
    }
    if (!cl.checkConfigPath.isEmpty())
        return checkConfig(cl.checkConfigPath);
    if (cl.clientsCommand) {
        const QString path = resolveConfigPath(cl);
        return path.isEmpty() ? 1 : runClientsCommand(path, cl.clients);
    }
    if (cl.usageCommand) {
        const QString path = resolveConfigPath(cl);
        return path.isEmpty() ? 1 : runUsageCommand(path, cl.usage);
    }
    return runHeadless(cl);
}

} // namespace gemgate
