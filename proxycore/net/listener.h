#pragma once

// Accepts connections on the listener thread and hands each raw descriptor to the least-loaded worker, which
// creates the socket (Qt sockets belong to the thread that made them) and does any TLS handshake itself.

#include <QTcpServer>

#include <vector>

namespace gemgate {

class Worker;
struct SharedState;

class Listener final : public QTcpServer {
    Q_OBJECT
public:
    Listener(SharedState* shared, std::vector<Worker*> workers, int maxConnections);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    SharedState* m_shared;
    std::vector<Worker*> m_workers;
    int m_maxConnections;
    size_t m_next = 0;
};

} // namespace gemgate
