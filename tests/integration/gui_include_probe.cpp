// Compiled only by the proxycore_cannot_include_widgets test, which expects this to FAIL: proxycore does not
// link Qt Widgets, so its include path has no <QWidget>.
#include <QWidget>

int probe() {
    return 0;
}
