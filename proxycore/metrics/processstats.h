#pragma once

// The standard process_* metrics, read from /proc (Linux). Fields stay at -1 where the platform gives nothing.

#include <QtGlobal>

namespace gemgate {

struct ProcessStats {
    double cpuSeconds = -1; // user + system
    qint64 residentBytes = -1;
    qint64 virtualBytes = -1;
    qint64 openFds = -1;
    qint64 maxFds = -1;
    double startTimeSeconds = -1; // since the epoch

    static ProcessStats read();
};

} // namespace gemgate
