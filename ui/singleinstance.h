#pragma once

// SingleInstance: one desktop GemGate per user. The first launch holds a lock file and listens on a local socket in
// the user's runtime directory ($XDG_RUNTIME_DIR, mode 0700); a second launch finds the lock taken, asks the first
// over the socket to raise its window, and exits without starting a gateway. A lock left by a process that died is
// taken over (QLockFile checks the process), and so is its socket.

#include <QLockFile>
#include <QObject>
#include <QString>

#include <memory>

class QLocalServer;

namespace gemgate {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    // dir: where the lock and the socket live ("" = the user's runtime directory).
    explicit SingleInstance(const QString& dir = {}, QObject* parent = nullptr);
    ~SingleInstance() override;

    // True when this process is the first: it holds the lock and listens (raiseRequested follows). False when
    // another instance runs; *error says why when the lock or the socket could not be set up at all.
    bool claim(QString* error);
    // Asks the running instance to raise its window; waits up to timeoutMs for its answer (it may still be starting).
    bool askToRaise(int timeoutMs, QString* error);
    QString socketPath() const { return m_dir + QStringLiteral("/gemgate.sock"); }

Q_SIGNALS:
    void raiseRequested();

private:
    QString m_dir;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer* m_server = nullptr;
};

} // namespace gemgate
