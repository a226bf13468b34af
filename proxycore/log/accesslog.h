#pragma once

// The JSON access log: one line per request. Workers hand over a plain record (a move and a short lock); the
// formatting and the write happen on the log's own thread, never on the request path. Nothing secret is ever
// put in a record: client and key are named by id, the path carries no query string.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <thread>

namespace gemgate {

struct AccessRecord {
    QDateTime time;
    QByteArray requestId;
    QString clientId;
    QByteArray method;
    QByteArray path;
    QString model;
    QString keyId;
    int status = 0;
    qint64 latencyUs = 0;
    qint64 ttfbUs = -1; // -1 => no byte was sent to the client
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    qint64 promptTokens = 0;
    qint64 cachedTokens = 0;
    qint64 outputTokens = 0;
    qint64 totalTokens = 0;
    int attempts = 0;
    bool stream = false;
    QString errorKind; // empty on success
    QByteArray peer;
};

class AccessLog {
public:
    AccessLog();
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    // Where lines go: "-" => stdout, empty => nowhere, else a file opened for append (created 0600).
    // Returns false with *error when the file cannot be opened; the previous target stays.
    bool setTarget(const QString& target, QString* error);
    void append(AccessRecord record);
    // Blocks until everything appended so far is written (tests, shutdown).
    void flush();

    static QByteArray format(const AccessRecord& r);

private:
    void run();

    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_flushed;
    QList<AccessRecord> m_queue;
    qint64 m_appended = 0;
    qint64 m_written = 0;
    int m_fd = -1; // -1 => discard
    bool m_ownFd = false;
    QList<int> m_retired;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace gemgate
