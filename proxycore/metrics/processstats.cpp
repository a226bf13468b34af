#include "metrics/processstats.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>

#include <sys/resource.h>
#include <unistd.h>

namespace gemgate {

namespace {
QByteArray readAll(const char* path) {
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll(); // /proc files report size 0: read until the end
}

// Seconds since the epoch at which the machine booted ("btime" in /proc/stat).
qint64 bootTime() {
    const QByteArray stat = readAll("/proc/stat");
    for (const QByteArray& line : stat.split('\n'))
        if (line.startsWith("btime "))
            return line.mid(6).trimmed().toLongLong();
    return -1;
}
} // namespace

ProcessStats ProcessStats::read() {
    ProcessStats p;
#ifdef Q_OS_LINUX
    const QByteArray stat = readAll("/proc/self/stat");
    // The command name (field 2) is in parentheses and may contain spaces: the fields after it start at the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close > 0) {
        const QList<QByteArray> f = stat.mid(close + 2).split(' ');
        // f[0] is field 3 (state): field n is f[n - 3].
        const double tick = double(sysconf(_SC_CLK_TCK));
        const qint64 page = sysconf(_SC_PAGESIZE);
        if (f.size() > 21 && tick > 0) {
            p.cpuSeconds = double(f[11].toLongLong() + f[12].toLongLong()) / tick; // utime 14, stime 15
            p.virtualBytes = f[20].toLongLong();                                   // vsize 23
            p.residentBytes = f[21].toLongLong() * page;                           // rss 24 (pages)
            const qint64 boot = bootTime();
            if (boot > 0)
                p.startTimeSeconds = double(boot) + double(f[19].toLongLong()) / tick; // starttime 22
        }
    }
    // Less the descriptor the listing itself holds open.
    p.openFds =
        QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size() -
        1;
#endif
    struct rlimit rl {};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        p.maxFds = rl.rlim_cur == RLIM_INFINITY ? -1 : qint64(rl.rlim_cur);
    return p;
}

} // namespace gemgate
