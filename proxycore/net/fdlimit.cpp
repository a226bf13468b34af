#include "net/fdlimit.h"

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <limits>
#include <sys/resource.h>
#endif

namespace gemgate {

OpenFileLimit raiseOpenFileLimit() {
    OpenFileLimit r;
#ifdef Q_OS_UNIX
    const auto value = [](rlim_t v) {
        return v == RLIM_INFINITY ? std::numeric_limits<qint64>::max() : static_cast<qint64>(v);
    };
    rlimit lim = {};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        r.error = QString::fromLocal8Bit(std::strerror(errno));
        return r;
    }
    r.before = r.now = value(lim.rlim_cur);
    r.hard = value(lim.rlim_max);
    // An unlimited hard limit is not a value the soft one may take (Linux caps it at fs.nr_open, macOS at
    // OPEN_MAX): then the largest of a few usual ceilings that the system accepts.
    const rlim_t candidates[] = {lim.rlim_max, 1 << 20, 1 << 16, 10240};
    for (const rlim_t want : candidates) {
        if (want <= lim.rlim_cur || want > lim.rlim_max)
            continue;
        rlimit raised = lim;
        raised.rlim_cur = want;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            r.now = value(want);
            r.error.clear();
            break;
        }
        if (r.error.isEmpty())
            r.error = QString::fromLocal8Bit(std::strerror(errno));
    }
#endif
    return r;
}

} // namespace gemgate
