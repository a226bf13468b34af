#include "net/listener.h"

#include "net/worker.h"
#include "runtime/runtime.h"

#include <unistd.h>

namespace gemgate {

Listener::Listener(SharedState* shared, std::vector<Worker*> workers, int maxConnections)
    : m_shared(shared)
    , m_workers(std::move(workers))
    , m_maxConnections(maxConnections) {}

void Listener::incomingConnection(qintptr descriptor) {
    if (m_shared->connections.load(std::memory_order_relaxed) >= m_maxConnections ||
        m_shared->draining.load(std::memory_order_relaxed)) {
        ::close(static_cast<int>(descriptor));
        return;
    }
    m_shared->connections.fetch_add(1, std::memory_order_relaxed);
    // Least-loaded worker; ties go round-robin so that a burst of new connections spreads out.
    Worker* best = nullptr;
    int bestLoad = 0;
    for (size_t i = 0; i < m_workers.size(); ++i) {
        Worker* w = m_workers[(m_next + i) % m_workers.size()];
        const int load = w->counters().connections.load(std::memory_order_relaxed);
        if (!best || load < bestLoad) {
            best = w;
            bestLoad = load;
        }
    }
    m_next = (m_next + 1) % m_workers.size();
    QMetaObject::invokeMethod(
        best, [best, descriptor] { best->adopt(descriptor); }, Qt::QueuedConnection);
}

} // namespace gemgate
