#include "log/logfile.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace gemgate {

int openLogForAppend(const QString& path, QString* error) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && error)
        *error = QString::fromLocal8Bit(std::strerror(errno));
    return fd;
}

void writeFully(int fd, const QByteArray& data) {
    const char* p = data.constData();
    qsizetype left = data.size();
    while (fd >= 0 && left > 0) {
        const ssize_t w = ::write(fd, p, static_cast<size_t>(left));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= w;
    }
}

} // namespace gemgate
