// gemgated: the headless-only executable. It links proxycore and no GUI library at all, so it runs on a server
// with no display libraries installed (the test suite checks its dynamic dependencies).

#include "headless.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const gemgate::CommandLine cl = gemgate::parseCommandLine(QCoreApplication::arguments());
    if (!cl.error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(cl.error));
        return 2;
    }
    return gemgate::runWithoutGui(cl);
}
