#include "singleinstance.h"

#include <QDir>
#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>

namespace gemgate {

namespace {
const QByteArray kRaise = "raise\n";
const QByteArray kRaised = "ok\n";
} // namespace

SingleInstance::SingleInstance(const QString& dir, QObject* parent)
    : QObject(parent)
    , m_dir(dir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation) : dir) {}

SingleInstance::~SingleInstance() {
    if (m_server)
        m_server->close(); // removes the socket file
}

bool SingleInstance::claim(QString* error) {
    if (!QDir().mkpath(m_dir)) {
        *error = QStringLiteral("cannot create %1").arg(m_dir);
        return false;
    }
    m_lock = std::make_unique<QLockFile>(m_dir + QStringLiteral("/gemgate.lock"));
    m_lock->setStaleLockTime(0); // only a dead holder's lock is stale, however old
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() != QLockFile::LockFailedError)
            *error = QStringLiteral("cannot create the lock file in %1").arg(m_dir);
        m_lock.reset();
        return false;
    }
    // The lock is ours: a socket file left there belongs to an instance that is gone.
    QLocalServer::removeServer(socketPath());
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(socketPath())) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(socketPath(), m_server->errorString());
        return true; // still the only instance; just not raisable
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* s = m_server->nextPendingConnection()) {
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QLocalSocket::readyRead, this, [this, s] {
                if (!s->canReadLine())
                    return;
                if (s->readLine() == kRaise) {
                    s->write(kRaised);
                    s->flush();
                    Q_EMIT raiseRequested();
                }
                s->disconnectFromServer();
            });
        }
    });
    return true;
}

bool SingleInstance::askToRaise(int timeoutMs, QString* error) {
    QElapsedTimer clock;
    clock.start();
    QString last;
    // The first instance may hold the lock but not listen yet: try again for a while.
    do {
        QLocalSocket socket;
        socket.connectToServer(socketPath());
        if (socket.waitForConnected(qMax(100, timeoutMs - int(clock.elapsed())))) {
            socket.write(kRaise);
            socket.waitForBytesWritten(1000);
            while (!socket.canReadLine() && socket.waitForReadyRead(qMax(100, timeoutMs - int(clock.elapsed())))) {
            }
            if (socket.readLine() == kRaised)
                return true;
            last = QStringLiteral("no answer from the running instance");
        } else {
            last = socket.errorString();
        }
        QThread::msleep(100);
    } while (clock.elapsed() < timeoutMs);
    *error = last;
    return false;
}

} // namespace gemgate
