#include "control/engine.h"

#include "net/epolldispatcher.h"
#include "net/listener.h"
#include "net/worker.h"

#include <QHostAddress>

namespace gemgate {

Engine::Engine() = default;

Engine::~Engine() {
    stop();
}

void Engine::applyServices(const Runtime& rt) {
    m_shared.keys.configure(rt.config->gemini);
    m_shared.policy.setTimeZone(rt.config->limits.timeZone);
    const LogConfig& log = rt.config->log;
    const QString target = log.accessLog == LogTarget::Stdout ? QStringLiteral("-")
                           : log.accessLog == LogTarget::File ? log.accessLogPath
                                                              : QString();
    QString err;
    if (!m_shared.accessLog.setTarget(target, &err))
        qWarning("%s", qPrintable(err));
    // Bodies are scrubbed of the upstream keys loaded now (read on each write) and of this config's secrets.
    QList<QByteArray> configSecrets;
    for (const ClientKey& k : rt.config->auth.clientKeys)
        configSecrets.append(k.key.toUtf8());
    if (!rt.config->auth.jwtSecret.isEmpty())
        configSecrets.append(rt.config->auth.jwtSecret.toUtf8());
    const KeyPool* keys = &m_shared.keys;
    if (!m_shared.bodyLog.configure(
            log.bodies, [keys, configSecrets] { return keys->secrets() + configSecrets; }, &err))
        qWarning("%s", qPrintable(err));
}

bool Engine::start(RuntimePtr runtime, QString* error) {
    const ServerConfig& server = runtime->config->server;
    applyServices(*runtime);
    m_shared.runtime.store(runtime, std::memory_order_release);

    const int n = server.workers > 0 ? server.workers : qMax(1, QThread::idealThreadCount());
    for (int i = 0; i < n; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("gemgate-worker-%1").arg(i));
        if (EpollEventDispatcher::enabled())
            thread->setEventDispatcher(new EpollEventDispatcher);
        auto* w = new Worker(&m_shared, i);
        w->moveToThread(thread.get());
        thread->start();
        QMetaObject::invokeMethod(w, &Worker::init, Qt::BlockingQueuedConnection);
        m_workers.push_back(w);
        m_threads.push_back(std::move(thread));
    }

    m_listenerThread.setObjectName(QStringLiteral("gemgate-listener"));
    if (EpollEventDispatcher::enabled())
        m_listenerThread.setEventDispatcher(new EpollEventDispatcher);
    m_listenerContext = std::make_unique<QObject>();
    m_listenerContext->moveToThread(&m_listenerThread);
    m_listenerThread.start();
    QString listenError;
    QMetaObject::invokeMethod(
        m_listenerContext.get(), [&] { m_listener = bindListener(server, &listenError); },
        Qt::BlockingQueuedConnection);
    if (!m_listener) {
        *error = listenError;
        stop();
        return false;
    }
    m_port = m_listener->serverPort();
    setListenUrl(server, runtime->serverTls != nullptr);
    return true;
}

namespace {
QHostAddress listenAddress(const QString& host) {
    if (host == QLatin1String("localhost"))
        return QHostAddress(QHostAddress::LocalHost);
    if (host.isEmpty() || host == QLatin1String("*"))
        return QHostAddress(QHostAddress::Any);
    return QHostAddress(host);
}
} // namespace

Listener* Engine::bindListener(const ServerConfig& server, QString* error) {
    const QHostAddress addr = listenAddress(server.host);
    if (addr.isNull()) {
        *error = QStringLiteral("server.host: \"%1\" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0, ::1 or "
                                "localhost)")
                     .arg(server.host);
        return nullptr;
    }
    auto listener = std::make_unique<Listener>(&m_shared, m_workers, server.maxConnections);
    listener->setListenBacklogSize(1024);
    if (!listener->start(addr, server.port)) {
        *error =
            QStringLiteral("cannot listen on %1:%2: %3").arg(server.host).arg(server.port).arg(listener->errorString());
        return nullptr;
    }
    return listener.release();
}

void Engine::setListenUrl(const ServerConfig& server, bool tls) {
    const QString scheme = tls ? QStringLiteral("https") : QStringLiteral("http");
    const QString host =
        server.host.contains(QLatin1Char(':')) ? QLatin1Char('[') + server.host + QLatin1Char(']') : server.host;
    m_shared.setListenUrl(scheme + QLatin1String("://") + host + QLatin1Char(':') + QString::number(m_port));
}

bool Engine::rebind(const ServerConfig& server, bool tls, QString* error) {
    if (!m_listener) {
        *error = QStringLiteral("the gateway is not accepting connections");
        return false;
    }
    Listener* fresh = nullptr;
    bool unchanged = false;
    QString bindError;
    QString relistenError; // set when the old socket had to close and could not listen again
    QHostAddress oldAddr;
    quint16 oldPort = 0;
    QMetaObject::invokeMethod(
        m_listenerContext.get(),
        [&] {
            const bool wasListening = m_listener->isListening();
            oldAddr = m_listener->serverAddress();
            oldPort = m_listener->serverPort();
            if (wasListening && listenAddress(server.host) == oldAddr && (server.port == 0 || server.port == oldPort)) {
                unchanged = true; // "localhost" and "127.0.0.1" are one address
                return;
            }
            fresh = bindListener(server, &bindError);
            if (!fresh && wasListening && server.port == oldPort) {
                // Another address on the same port (127.0.0.1 -> 0.0.0.0): the two cannot listen at once, so this
                // one change has a moment without a listener. The old socket comes back if the new one fails, unless
                // another program took the port in that moment.
                m_listener->acceptPending();
                m_listener->stop();
                fresh = bindListener(server, &bindError);
                if (!fresh) {
                    if (!m_listener->start(oldAddr, oldPort))
                        relistenError = m_listener->errorString();
                    return;
                }
            }
            if (!fresh)
                return;
            // Connections the kernel completed on the old socket but not yet handed over are taken first; only then
            // does it close, after the new one listens: no moment without a listening socket.
            m_listener->acceptPending();
            m_listener->stop();
            delete m_listener;
            m_listener = fresh;
        },
        Qt::BlockingQueuedConnection);
    if (unchanged) {
        setListenUrl(server, tls);
        return true;
    }
    if (!fresh) {
        *error = bindError;
        if (!relistenError.isEmpty()) {
            m_port = 0;
            m_shared.setListenUrl(QString());
            *error += QStringLiteral("; listening on %1:%2 again failed too (%3): GemGate is no longer listening for "
                                     "connections until a reload can listen")
                          .arg(oldAddr.toString())
                          .arg(oldPort)
                          .arg(relistenError);
        }
        return false;
    }
    m_port = fresh->serverPort();
    setListenUrl(server, tls);
    return true;
}

std::vector<const WorkerMetrics*> Engine::workerMetrics() const {
    std::vector<const WorkerMetrics*> out;
    for (const Worker* w : m_workers)
        out.push_back(&w->metrics());
    return out;
}

void Engine::swap(RuntimePtr runtime) {
    applyServices(*runtime);
    m_shared.policy.forgetQuotaLimits();
    m_shared.runtime.store(std::move(runtime), std::memory_order_release);
}

void Engine::stopAccepting() {
    if (m_listener)
        QMetaObject::invokeMethod(
            m_listener, [this] { m_listener->stop(); }, Qt::BlockingQueuedConnection);
}

void Engine::startDrain() {
    m_shared.draining.store(true, std::memory_order_relaxed);
    stopAccepting();
    for (Worker* w : m_workers)
        QMetaObject::invokeMethod(w, &Worker::startDrain, Qt::QueuedConnection);
}

void Engine::stop() {
    if (m_listener) {
        QMetaObject::invokeMethod(
            m_listener,
            [this] {
                m_listener->stop();
                delete m_listener;
            },
            Qt::BlockingQueuedConnection);
        m_listener = nullptr;
    }
    m_listenerThread.quit();
    m_listenerThread.wait();
    m_listenerContext.reset();
    for (Worker* w : m_workers)
        QMetaObject::invokeMethod(w, &Worker::shutdown, Qt::BlockingQueuedConnection);
    for (auto& t : m_threads) {
        t->quit();
        t->wait();
    }
    for (Worker* w : m_workers)
        delete w;
    m_workers.clear();
    m_threads.clear();
    m_shared.accessLog.flush();
    m_shared.bodyLog.flush();
}

MetricsSnapshot Engine::sample() const {
    MetricsSnapshot s;
    s.at = QDateTime::currentDateTimeUtc();
    for (const Worker* w : m_workers) {
        const WorkerCounters& c = w->counters();
        s.requestsTotal += c.requests.load(std::memory_order_relaxed);
        s.errorsTotal += c.errors.load(std::memory_order_relaxed);
        s.upstreamRetries += c.retries.load(std::memory_order_relaxed);
        s.bytesIn += c.bytesIn.load(std::memory_order_relaxed);
        s.bytesOut += c.bytesOut.load(std::memory_order_relaxed);
        s.promptTokens += c.promptTokens.load(std::memory_order_relaxed);
        s.outputTokens += c.outputTokens.load(std::memory_order_relaxed);
        s.thoughtsTokens += c.thoughtsTokens.load(std::memory_order_relaxed);
        s.clientErrors += c.clientErrors.load(std::memory_order_relaxed);
        s.rejected += c.rejected.load(std::memory_order_relaxed);
        s.upstreamErrors += c.upstreamErrors.load(std::memory_order_relaxed);
        s.activeConnections += c.connections.load(std::memory_order_relaxed);
        s.activeRequests += c.activeRequests.load(std::memory_order_relaxed);
        s.activeStreams += c.activeStreams.load(std::memory_order_relaxed);
    }
    return s;
}

int Engine::activeRequests() const {
    int n = 0;
    for (const Worker* w : m_workers)
        n += w->counters().activeRequests.load(std::memory_order_relaxed);
    return n;
}

} // namespace gemgate
