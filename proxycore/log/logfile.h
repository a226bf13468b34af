#pragma once

// The file side shared by the log writers (access log, body log): opening a log for appending, owner-only, and
// writing a batch to it whole.

#include <QByteArray>
#include <QString>

namespace gemgate {

// Opens (creating it with mode 0600) a log file for appending. -1 and *error (the system's reason) on failure.
int openLogForAppend(const QString& path, QString* error);
// Writes all of data (retrying partial writes and EINTR). Stops quietly at the first real error: a full disk
// must not stop the gateway. fd < 0 discards.
void writeFully(int fd, const QByteArray& data);

} // namespace gemgate
