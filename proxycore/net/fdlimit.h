#pragma once

// The process's open-file limit. Every client connection is a descriptor, and so is its upstream connection while
// a request is forwarded; the usual soft limit (1024) is far below server.max_connections (10000 by default), so
// the gateway raises it to the hard limit when it starts.

#include <QString>

namespace gemgate {

struct OpenFileLimit {
    qint64 before = -1; // the soft limit found; -1 where the platform has none
    qint64 now = -1;    // the soft limit in force afterwards
    qint64 hard = -1;
    QString error; // why raising failed; empty when it did not
};

// Raises the soft RLIMIT_NOFILE to the hard limit (or as close to it as the system allows). Calling it again
// changes nothing.
OpenFileLimit raiseOpenFileLimit();

} // namespace gemgate
