#pragma once

// A worker thread: its own event loop, client connections, upstream connection pools and pipeline. A connection
// stays on one worker for life. Every method but the constructor runs in the worker's thread.

#include "metrics/counters.h"
#include "metrics/workermetrics.h"
#include "pipeline/proxysession.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

class QTimer;

namespace gemgate {

class HttpConnection;
class Http1Pool;
class QnamTransport;

class Worker final : public QObject {
    Q_OBJECT
public:
    Worker(SharedState* shared, int id);
    ~Worker() override;

    // Called once in the worker thread before any connection arrives.
    void init();
    // Takes ownership of an accepted socket descriptor (TLS handshake, if any, happens here).
    void adopt(qintptr descriptor);
    void startDrain();
    // Closes every connection and upstream socket; the worker must not be used afterwards.
    void shutdown();

    WorkerCounters& counters() { return m_counters; }
    const WorkerCounters& counters() const { return m_counters; }
    WorkerMetrics& metrics() { return m_metrics; }
    const WorkerMetrics& metrics() const { return m_metrics; }
    WorkerEnv& env() { return m_env; }
    SharedState* shared() const { return m_shared; }
    qint64 nowMs() const { return m_clock.elapsed(); }
    // A connection is finished: forget it and delete it once control is back in the event loop (or in shutdown(),
    // whichever comes first).
    void connectionClosed(HttpConnection* c);

private:
    void sweep();
    void deleteClosed();

    SharedState* m_shared;
    int m_id;
    WorkerCounters m_counters;
    WorkerMetrics m_metrics;
    WorkerEnv m_env;
    PipelineCache m_pipelines;
    std::unique_ptr<Http1Pool> m_http1;
    std::unique_ptr<QnamTransport> m_qnam;
    QSet<HttpConnection*> m_connections;
    // Closed, to be deleted by deleteClosed(). Owned here rather than by a queued event: queued events are dropped
    // when the thread's loop ends first, and the connections with their sockets and sessions would leak on stop.
    std::vector<std::unique_ptr<HttpConnection>> m_closed;
    QElapsedTimer m_clock;
    QTimer* m_sweepTimer = nullptr;
};

} // namespace gemgate
