#pragma once

// The running gateway: the listener thread, the worker threads and the state they share. Owned by the
// GatewayController; created on start, destroyed on stop.

#include "control/gatewaycontroller.h"
#include "runtime/runtime.h"

#include <QThread>

#include <vector>

namespace gemgate {

class Listener;
class Worker;
class WorkerMetrics;

class Engine {
public:
    Engine();
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Starts the workers and binds the listener. On failure everything started is stopped again.
    bool start(RuntimePtr runtime, QString* error);
    // Publishes a new snapshot; requests already running finish on the old one.
    void swap(RuntimePtr runtime);
    void stopAccepting();
    void startDrain();
    void stop();

    // Binds server.host/port of a new config while the old socket still listens, then closes the old one: connections
    // already accepted stay where they are (on their workers) and new ones go to the new address. On failure the
    // old listener keeps serving and *error says why; in the one case where the old socket had to close first and
    // cannot listen again, *error says so too and listening() is false until a rebind succeeds.
    bool rebind(const ServerConfig& server, bool tls, QString* error);
    // False after a rebind lost the listening socket (see rebind()).
    bool listening() const { return m_port != 0; }

    SharedState& shared() { return m_shared; }
    std::vector<const WorkerMetrics*> workerMetrics() const;
    quint16 port() const { return m_port; }
    MetricsSnapshot sample() const;
    int activeRequests() const;

private:
    void applyServices(const Runtime& rt);
    // On the listener thread: a new Listener bound to server.host/port, or null with *error set.
    Listener* bindListener(const ServerConfig& server, QString* error);
    void setListenUrl(const ServerConfig& server, bool tls);

    SharedState m_shared;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Worker*> m_workers;
    QThread m_listenerThread;
    std::unique_ptr<QObject> m_listenerContext; // lives in the listener thread: where listeners are made
    Listener* m_listener = nullptr;
    quint16 m_port = 0; // 0 while nothing listens
};

} // namespace gemgate
