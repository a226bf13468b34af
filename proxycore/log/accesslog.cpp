#include "log/accesslog.h"

#include "log/logfile.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cerrno>
#include <unistd.h>

namespace gemgate {

AccessLog::AccessLog()
    : m_thread([this] { run(); }) {}

AccessLog::~AccessLog() {
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    m_thread.join();
    if (m_ownFd)
        ::close(m_fd);
    for (int fd : std::as_const(m_retired))
        ::close(fd);
}

bool AccessLog::setTarget(const QString& target, QString* error) {
    int fd = -1;
    bool own = false;
    if (target == QLatin1String("-")) {
        fd = STDOUT_FILENO;
    } else if (!target.isEmpty()) {
        QString why;
        fd = openLogForAppend(target, &why);
        if (fd < 0) {
            if (error)
                *error = QStringLiteral("cannot open access log %1: %2").arg(target, why);
            return false;
        }
        own = true;
    }
    flush();
    QMutexLocker lock(&m_mutex);
    // The writer thread may still hold the old descriptor for a moment: retire it, close it at destruction.
    if (m_ownFd)
        m_retired.append(m_fd);
    m_fd = fd;
    m_ownFd = own;
    return true;
}

void AccessLog::append(AccessRecord record) {
    QMutexLocker lock(&m_mutex);
    if (m_fd < 0)
        return;
    m_queue.append(std::move(record));
    ++m_appended;
    if (m_queue.size() == 1)
        m_wake.wakeOne();
}

void AccessLog::flush() {
    QMutexLocker lock(&m_mutex);
    const qint64 target = m_appended;
    m_wake.wakeOne();
    while (m_written < target && !m_stop)
        m_flushed.wait(&m_mutex, 100);
}

QByteArray AccessLog::format(const AccessRecord& r) {
    QJsonObject o;
    o.insert(QLatin1String("time"), r.time.toString(Qt::ISODateWithMs));
    o.insert(QLatin1String("request_id"), QString::fromLatin1(r.requestId));
    o.insert(QLatin1String("client"), r.clientId);
    o.insert(QLatin1String("peer"), QString::fromLatin1(r.peer));
    o.insert(QLatin1String("method"), QString::fromLatin1(r.method));
    o.insert(QLatin1String("path"), QString::fromUtf8(r.path));
    o.insert(QLatin1String("model"), r.model);
    o.insert(QLatin1String("key"), r.keyId);
    o.insert(QLatin1String("status"), r.status);
    o.insert(QLatin1String("stream"), r.stream);
    o.insert(QLatin1String("latency_ms"), static_cast<double>(r.latencyUs) / 1000.0);
    o.insert(QLatin1String("ttfb_ms"),
             r.ttfbUs < 0 ? QJsonValue() : QJsonValue(static_cast<double>(r.ttfbUs) / 1000.0));
    o.insert(QLatin1String("bytes_in"), r.bytesIn);
    o.insert(QLatin1String("bytes_out"), r.bytesOut);
    o.insert(QLatin1String("prompt_tokens"), r.promptTokens);
    o.insert(QLatin1String("cached_tokens"), r.cachedTokens);
    o.insert(QLatin1String("output_tokens"), r.outputTokens);
    o.insert(QLatin1String("total_tokens"), r.totalTokens);
    o.insert(QLatin1String("attempts"), r.attempts);
    o.insert(QLatin1String("error"), r.errorKind.isEmpty() ? QJsonValue() : QJsonValue(r.errorKind));
    QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    line += '\n';
    return line;
}

void AccessLog::run() {
    QList<AccessRecord> batch;
    QMutexLocker lock(&m_mutex);
    for (;;) {
        while (m_queue.isEmpty() && !m_stop)
            m_wake.wait(&m_mutex);
        if (m_queue.isEmpty() && m_stop)
            break;
        batch.swap(m_queue);
        const int fd = m_fd;
        lock.unlock();
        QByteArray out;
        for (const AccessRecord& r : std::as_const(batch))
            out += format(r);
        const qint64 n = batch.size();
        batch.clear();
        writeFully(fd, out);
        lock.relock();
        // Descriptors retired by setTarget() are no longer in use once a batch is done: close them now.
        for (int retired : std::as_const(m_retired))
            ::close(retired);
        m_retired.clear();
        m_written += n;
        m_flushed.wakeAll();
    }
}

} // namespace gemgate
