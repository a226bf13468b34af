#pragma once

// Request/response body logging for debugging (log.bodies): off by default. When on, one JSON line per request
// with both bodies, each cut at max_bytes, to a 0600 file. Like the access log, workers only hand over a record
// (the request body is implicitly shared, not copied); redaction, formatting and the write happen on the log's own
// thread, which starts the first time the log is turned on. Every body is scrubbed before it is written: upstream
// keys and configured client keys, anything shaped like a GemGate client key (gg_...), a JWT or a Google API key
// (AIza...), the string values of "key" / "apiKey" / "api_key" / "authorization" fields; long inline base64 data is
// replaced by its size.

#include "config/config.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <atomic>
#include <functional>
#include <thread>

namespace gemgate {

// The first bytes of a response body as it is relayed, and how many there were in all. Kept by the session only
// while the body log is on (limit >= 0).
struct BodyTee {
    qint64 limit = -1; // < 0: off
    QByteArray data;
    qint64 total = 0;

    bool on() const { return limit >= 0; }
    void reset() {
        data.clear();
        total = 0;
    }
    void feed(const char* p, qsizetype n) {
        total += n;
        if (data.size() < limit)
            data.append(p, qMin<qint64>(n, limit - data.size()));
    }
    // A body known in one piece (a local reply, a buffered error): shared, cut by the writer.
    void set(const QByteArray& whole) {
        data = whole;
        total = whole.size();
    }
};

struct BodyRecord {
    QDateTime time;
    QByteArray requestId;
    QByteArray method;
    QByteArray path; // without the query string
    int status = 0;
    QByteArray requestBody; // may be the whole body; cut after redaction
    qint64 requestBytes = 0;
    QByteArray responseBody; // at most the tee's limit, or a whole local reply
    qint64 responseBytes = 0;
};

class BodyLog {
public:
    using SecretSource = std::function<QList<QByteArray>()>;

    BodyLog();
    ~BodyLog();
    BodyLog(const BodyLog&) = delete;
    BodyLog& operator=(const BodyLog&) = delete;

    // Applies log.bodies (on reload too). `secrets` is called on the writer thread for the current upstream and
    // client secrets to scrub. Returns false with *error when the file cannot be opened; the log is then off.
    bool configure(const BodyLogConfig& config, SecretSource secrets, QString* error);
    // The one check on the request path.
    bool enabled() const { return m_enabled.load(std::memory_order_relaxed); }
    qint64 maxBytes() const { return m_maxBytes.load(std::memory_order_relaxed); }
    void append(BodyRecord record);
    // Blocks until everything appended so far is written (tests, shutdown).
    void flush();

    // <GenericDataLocation>/gemgate/bodies.log
    static QString defaultPath();
    // Scrubs secrets from a body (see the header comment).
    static QByteArray redact(QByteArray body, const QList<QByteArray>& secrets);
    // The JSON line for a record, bodies redacted and cut at maxBytes.
    static QByteArray format(const BodyRecord& r, const QList<QByteArray>& secrets, qint64 maxBytes);

private:
    void run();

    std::atomic<bool> m_enabled{false};
    std::atomic<qint64> m_maxBytes{16 * 1024};
    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_flushed;
    QList<BodyRecord> m_queue;
    qint64 m_appended = 0;
    qint64 m_written = 0;
    qint64 m_queuedBytes = 0; // body bytes the queue holds
    qint64 m_dropped = 0;     // records not queued because it was full (reported in the next line)
    int m_fd = -1;
    QList<int> m_retired;
    SecretSource m_secrets;
    bool m_stop = false;
    std::thread m_thread; // started by the first configure() that turns the log on
};

} // namespace gemgate
