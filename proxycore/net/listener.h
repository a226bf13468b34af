#pragma once

// Accepts connections on the listener thread and hands each raw descriptor to the least-loaded worker, which
// creates the socket (Qt sockets belong to the thread that made them) and does any TLS handshake itself.
// Out of descriptors (EMFILE/ENFILE), QTcpServer stops accepting for good; the listener pauses briefly and tries
// again instead, so the gateway serves new connections as soon as old ones have closed.

#include <QTcpServer>
#include <QTimer>

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
    void onAcceptError(QAbstractSocket::SocketError error);

    SharedState* m_shared;
    std::vector<Worker*> m_workers;
    int m_maxConnections;
    size_t m_next = 0;
    QTimer m_resume;          // accepting again after an accept error
    int m_acceptFailures = 0; // in a row, for the log
};

} // namespace gemgate
