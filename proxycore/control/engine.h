#pragma once

// The running gateway: the listener thread, the worker threads and the state they share. Owned by the
// GatewayController; created on start, destroyed on stop.

#include "control/gatewaycontroller.h"
#include "control/runtime.h"

#include <QThread>

#include <vector>

namespace gemgate {

class Listener;
class Worker;

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

    SharedState& shared() { return m_shared; }
    quint16 port() const { return m_port; }
    MetricsSnapshot sample() const;
    int activeRequests() const;

private:
    void applyServices(const Runtime& rt);

    SharedState m_shared;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Worker*> m_workers;
    QThread m_listenerThread;
    Listener* m_listener = nullptr;
    quint16 m_port = 0;
};

} // namespace gemgate
