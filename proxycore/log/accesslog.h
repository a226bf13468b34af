#pragma once

// The JSON access log: one line per request. A request's record is formatted on the thread that finished it, into
// that thread's batch (a short uncontended lock, no allocation once the batch has grown); the log's own thread
// collects the batches and writes them. It is woken only when a batch fills or the log goes from idle to busy,
// and then sweeps every ~20 ms while lines keep coming: never a cross-thread wake-up per request. Nothing secret
// is ever put in a record: client and key are named by id, the path carries no query string.

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <array>
#include <atomic>
#include <memory>
#include <thread>

namespace gemgate {

struct AccessRecord {
    qint64 timeMs = 0; // when the request finished, ms since the epoch (written as UTC ISO 8601)
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
    QByteArray errorKind; // empty on success
    QByteArray peer;
};

class AccessLog {
public:
    AccessLog();
    ~AccessLog(); // writes every line appended so far
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    // Where lines go: "-" => stdout, empty => nowhere, else a file opened for append (created 0600).
    // Returns false with *error when the file cannot be opened; the previous target stays (lines appended before
    // the call go to the previous target).
    bool setTarget(const QString& target, QString* error);
    // Thread-safe; formats the line at once. Discarded while there is no target.
    void append(const AccessRecord& record);
    // Blocks until every line appended so far (by any thread) is written (tests, shutdown, target changes).
    void flush();

    // One line, newline included: a JSON object with the keys in alphabetical order (as the log always had).
    static QByteArray format(const AccessRecord& r);
    static void appendLine(QByteArray& out, const AccessRecord& r);

    // A batch is handed to the writer once it holds this many bytes, else at the writer's next sweep.
    static constexpr qsizetype kBatchBytes = 64 * 1024;
    static constexpr int kSweepMs = 20;

private:
    struct Shard {
        QMutex mutex;
        QByteArray lines;
        qint64 appended = 0; // lines ever appended to this shard
    };
    static constexpr int kShards = 16; // threads map onto shards round-robin; sharing one only costs contention

    Shard& shardOfThisThread();
    void kick();
    // Takes every shard's lines; returns how many lines were taken.
    qint64 sweep(QByteArray* out);
    void run();

    std::array<std::unique_ptr<Shard>, kShards> m_shards;
    std::atomic<bool> m_enabled{false};
    std::atomic<bool> m_writerIdle{false}; // the writer waits for a kick (it saw no line in its last sweep)
    QMutex m_mutex;                        // guards what follows
    QWaitCondition m_wake;
    QWaitCondition m_flushed;
    bool m_kicked = false;
    bool m_stop = false;
    qint64 m_sweepsStarted = 0;
    qint64 m_sweepsDone = 0;
    int m_fd = -1; // -1 => discard
    bool m_ownFd = false;
    QList<int> m_retired;
    std::thread m_thread;
};

} // namespace gemgate
