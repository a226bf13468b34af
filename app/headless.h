#pragma once

// The command line shared by both executables, and the headless run loop (QCoreApplication only: no display,
// no GUI library needed).

#include <QString>
#include <QStringList>

namespace gemgate {

struct CommandLine {
    QString configPath;      // --config FILE (empty => default path)
    QString checkConfigPath; // --check-config FILE
    bool noGui = false;
    bool minimized = false; // --minimized: the desktop app starts in the tray, without showing its window
    bool version = false;
    bool help = false;
    QStringList clients; // `clients <command> ...`: the words after "clients" (empty: not a clients command)
    bool clientsCommand = false;
    QStringList usage; // `usage [options]`: the words after "usage"
    bool usageCommand = false;
    QString error; // unknown option etc.
};

CommandLine parseCommandLine(const QStringList& args);
QString usageText();

// --check-config: prints every problem, returns the process exit code (0 ok, 1 invalid).
int checkConfig(const QString& path);

// Resolves the config path (creating the first-run default when no --config was given). Returns empty and
// prints why on failure.
QString resolveConfigPath(const CommandLine& cl);

// Runs the gateway until SIGTERM/SIGINT (drain, then exit 0). Needs a QCoreApplication.
int runHeadless(const CommandLine& cl);

// Everything the command line can ask for without a window: --help, --version, --check-config, or the headless
// gateway. Needs a QCoreApplication; returns the process exit code.
int runWithoutGui(const CommandLine& cl);

} // namespace gemgate
