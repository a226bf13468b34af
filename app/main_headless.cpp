// gemgated: the headless-only executable. It links proxycore and no GUI library at all, so it runs on a server
// with no display libraries installed (the test suite checks its dynamic dependencies).

#include "headless.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gemgate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GEMGATE_VERSION));
    const gemgate::CommandLine cl = gemgate::parseCommandLine(QCoreApplication::arguments());
    if (!cl.error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(cl.error));
        return 2;
    }
    if (cl.help) {
        std::printf("%s", qPrintable(gemgate::usageText()));
        return 0;
    }
    if (cl.version) {
        std::printf("gemgate %s\n", GEMGATE_VERSION);
        return 0;
    }
    if (!cl.checkConfigPath.isEmpty())
        return gemgate::checkConfig(cl.checkConfigPath);
    return gemgate::runHeadless(cl);
}
