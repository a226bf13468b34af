#include "net/worker.h"

#include "net/httpconnection.h"
#include "upstream/http1pool.h"
#include "upstream/qnamtransport.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcWorker, "gemgate.net")

namespace gemgate {

Worker::Worker(SharedState* shared, int id)
    : m_shared(shared)
    , m_id(id)
    , m_pipelines(*shared) {
    m_env.shared = shared;
    m_env.pipelines = &m_pipelines;
    m_env.counters = &m_counters;
    m_env.metrics = &m_metrics;
    m_env.workerId = id;
}

Worker::~Worker() = default;

void Worker::init() {
    m_clock.start();
    m_http1 = std::make_unique<Http1Pool>();
    m_qnam = std::make_unique<QnamTransport>();
    m_env.http1 = m_http1.get();
    m_env.qnam = m_qnam.get();
    m_sweepTimer = new QTimer(this);
    m_sweepTimer->setInterval(250);
    connect(m_sweepTimer, &QTimer::timeout, this, &Worker::sweep);
    m_sweepTimer->start();
}

void Worker::adopt(qintptr descriptor) {
    const RuntimePtr rt = m_shared->snapshot();
    QTcpSocket* socket = nullptr;
    if (rt->serverTls) {
        auto* s = new QSslSocket;
        if (!s->setSocketDescriptor(descriptor)) {
            delete s;
            ::close(static_cast<int>(descriptor));
            m_shared->connections.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
        s->setSslConfiguration(*rt->serverTls);
        s->startServerEncryption();
        socket = s;
    } else {
        socket = new QTcpSocket;
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            ::close(static_cast<int>(descriptor));
            m_shared->connections.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
    }
    WorkerCounters::add(m_counters.connections, 1);
    auto* c = new HttpConnection(*this, socket, rt->serverTls != nullptr);
    m_connections.insert(c);
    if (m_shared->draining.load(std::memory_order_relaxed))
        c->drain();
}

void Worker::connectionClosed(HttpConnection* c) {
    if (!m_connections.remove(c))
        return;
    WorkerCounters::add(m_counters.connections, -1);
    m_shared->connections.fetch_sub(1, std::memory_order_relaxed);
    // The connection is usually on the call stack (its socket emitted disconnected): delete it afterwards.
    m_closed.emplace_back(c);
    if (m_closed.size() == 1)
        QMetaObject::invokeMethod(this, &Worker::deleteClosed, Qt::QueuedConnection);
}

void Worker::deleteClosed() {
    // Moved out first: a connection's destructor must not see the list it is being removed from.
    const auto closed = std::move(m_closed);
    m_closed.clear();
}

void Worker::startDrain() {
    const auto all = m_connections;
    for (HttpConnection* c : all)
        c->drain();
}

void Worker::shutdown() {
    if (m_sweepTimer)
        m_sweepTimer->stop();
    const auto all = m_connections;
    for (HttpConnection* c : all)
        c->abort(); // emits disconnected: connectionClosed() moves the connection to m_closed
    // One whose socket was no longer connected emitted nothing: close it the same way.
    const auto left = m_connections;
    for (HttpConnection* c : left)
        connectionClosed(c);
    // The loop is about to end and would drop the queued deleteClosed(): delete them all now, on this thread.
    deleteClosed();
    m_env.http1 = nullptr;
    m_env.qnam = nullptr;
    m_http1.reset();
    m_qnam.reset();
}

void Worker::sweep() {
    const qint64 now = nowMs();
    const auto all = m_connections;
    for (HttpConnection* c : all) {
        if (m_connections.contains(c))
            c->sweep(now);
    }
    m_http1->sweep(now);
    m_qnam->sweep(now);
}

} // namespace gemgate
