#include "net/listener.h"

#include "net/worker.h"
#include "runtime/runtime.h"

#include <QLoggingCategory>

#include <cerrno>
#include <cstring>
#include <limits>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcListener, "gemgate.net")

namespace gemgate {

namespace {
// Long enough not to spin on a queued connection that cannot be accepted yet, short enough to go unnoticed.
constexpr int kAcceptPauseMs = 100;
} // namespace

Listener::Listener(SharedState* shared, std::vector<Worker*> workers, int maxConnections)
    : m_shared(shared)
    , m_workers(std::move(workers))
    , m_maxConnections(maxConnections) {
    m_resume.setSingleShot(true);
    m_resume.setInterval(kAcceptPauseMs);
    connect(&m_resume, &QTimer::timeout, this, [this] {
        if (m_notifier)
            m_notifier->setEnabled(true);
    });
}

Listener::~Listener() {
    m_notifier.reset(); // before QTcpServer closes the descriptor it watches
}

bool Listener::start(const QHostAddress& address, quint16 port) {
    if (!listen(address, port))
        return false;
    pauseAccepting(); // QTcpServer's own accepting stays off: see the header
    m_notifier = std::make_unique<QSocketNotifier>(socketDescriptor(), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] { acceptReady(64); });
    return true;
}

void Listener::stop() {
    m_resume.stop();
    m_notifier.reset();
    close();
}

void Listener::acceptPending() {
    acceptReady(std::numeric_limits<int>::max());
}

void Listener::acceptReady(int max) {
    const int listenFd = static_cast<int>(socketDescriptor());
    if (listenFd < 0)
        return;
    for (int i = 0; i < max; ++i) {
        const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            incomingConnection(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue; // this connection is gone; the next may be fine
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            pauseAfterFailure(errno); // out of descriptors, kernel memory, ...
        return;
    }
}

void Listener::pauseAfterFailure(int error) {
    if (m_acceptFailures++ == 0)
        qCWarning(lcListener,
                  "cannot accept connections: %s; trying again every %d ms (out of file descriptors? see the open "
                  "files line at start)",
                  std::strerror(error), kAcceptPauseMs);
    if (m_notifier)
        m_notifier->setEnabled(false); // the socket stays readable: watching it now would spin
    m_resume.start();
}

void Listener::incomingConnection(qintptr descriptor) {
    if (m_acceptFailures > 0) {
        qCInfo(lcListener, "accepting connections again after %d failed attempt(s)", m_acceptFailures);
        m_acceptFailures = 0;
    }
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
