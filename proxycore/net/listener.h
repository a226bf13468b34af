#pragma once

// Accepts connections on the listener thread and hands each raw descriptor to the least-loaded worker, which
// creates the socket (Qt sockets belong to the thread that made them) and does any TLS handshake itself.
// QTcpServer binds the socket; accepting is the listener's own loop (accept4 on the listening descriptor), because
// QTcpServer handles running out of descriptors badly: EMFILE/ENFILE made Qt 6.4 either stop accepting for good or
// retry accept() in a tight loop, spinning the listener thread until descriptors came free. Out of descriptors (or
// kernel memory), the listener stops watching the socket, tries again 100 ms later, and so on: it never stops for
// good and never spins, and the gateway serves new connections as soon as old ones have closed.

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <vector>

namespace gemgate {

class Worker;
struct SharedState;

class Listener final : public QTcpServer {
    Q_OBJECT
public:
    Listener(SharedState* shared, std::vector<Worker*> workers, int maxConnections);
    ~Listener() override;

    // Listens and starts accepting. False with errorString() when the address cannot be bound.
    bool start(const QHostAddress& address, quint16 port);
    // Accepts every connection the kernel has completed so far (before the socket closes or moves).
    void acceptPending();
    // Stops accepting and closes the socket (connections already handed over are not touched).
    void stop();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    // Accepts what is ready (a bounded number per pass, so that other events get their turn).
    void acceptReady(int max);
    void pauseAfterFailure(int error);

    SharedState* m_shared;
    std::vector<Worker*> m_workers;
    int m_maxConnections;
    size_t m_next = 0;
    std::unique_ptr<QSocketNotifier> m_notifier; // the listening socket is readable: connections to accept
    QTimer m_resume;                             // accepting again after an accept error
    int m_acceptFailures = 0;                    // in a row, for the log
};

} // namespace gemgate
