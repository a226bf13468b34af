// The epoll event dispatcher, installed for this test's own main thread, must keep Qt's event loop semantics:
// timers, socket notifiers, posted events from other threads, interruption, nested loops.

#include "net/epolldispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

using gemgate::EpollEventDispatcher;

class TstEpollDispatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void installed();
    void singleShotAndRepeatingTimers();
    void zeroIntervalTimerRunsEveryPass();
    void timerKillsItselfAndRemainingTime();
    void timerNotReenteredFromNestedLoop();
    void socketsEchoALargeBuffer();
    void notifierDeletedByEarlierHandlerInSamePass();
    void writeNotifierOnAFullPipeIsArmedNotPolled();
    void writeNotifierDeletedByEarlierWriteHandler();
    void postedEventsFromAnotherThread();
    void exitFromAnotherThreadWakesTheLoop();
};

void TstEpollDispatcher::installed() {
    QVERIFY(qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance()) != nullptr);
}

void TstEpollDispatcher::singleShotAndRepeatingTimers() {
    int single = 0, repeating = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 firedAt = -1;
    QTimer::singleShot(60, this, [&] {
        ++single;
        firedAt = clock.elapsed();
    });
    QTimer t;
    t.setTimerType(Qt::PreciseTimer);
    connect(&t, &QTimer::timeout, this, [&] { ++repeating; });
    t.start(20);
    QTest::qWait(250);
    t.stop();
    QCOMPARE(single, 1);
    QVERIFY2(firedAt >= 59 && firedAt < 200, qPrintable(QString::number(firedAt)));
    QVERIFY2(repeating >= 6 && repeating <= 13, qPrintable(QString::number(repeating)));
    const int after = repeating;
    QTest::qWait(60);
    QCOMPARE(repeating, after); // stopped means stopped
}

void TstEpollDispatcher::zeroIntervalTimerRunsEveryPass() {
    int n = 0;
    QTimer t;
    connect(&t, &QTimer::timeout, this, [&] { ++n; });
    t.start(0);
    QTest::qWait(50);
    t.stop();
    QVERIFY2(n > 20, qPrintable(QString::number(n)));
}

void TstEpollDispatcher::timerKillsItselfAndRemainingTime() {
    QTimer t;
    t.start(1000);
    const int left = t.remainingTime();
    QVERIFY2(left > 900 && left <= 1000, qPrintable(QString::number(left)));
    t.stop();
    QCOMPARE(t.remainingTime(), -1);

    int shots = 0;
    QTimer self;
    connect(&self, &QTimer::timeout, this, [&] {
        if (++shots == 3)
            self.stop();
    });
    self.start(5);
    QTest::qWait(100);
    QCOMPARE(shots, 3);
}

void TstEpollDispatcher::timerNotReenteredFromNestedLoop() {
    int depth = 0, maxDepth = 0, calls = 0;
    QTimer t;
    connect(&t, &QTimer::timeout, this, [&] {
        ++calls;
        maxDepth = qMax(maxDepth, ++depth);
        if (calls == 1) {
            QEventLoop nested;
            QTimer::singleShot(60, &nested, &QEventLoop::quit); // the 5 ms timer comes due many times meanwhile
            nested.exec();
        }
        --depth;
    });
    t.start(5);
    QTRY_VERIFY_WITH_TIMEOUT(calls >= 3, 2000);
    t.stop();
    QCOMPARE(maxDepth, 1);
}

void TstEpollDispatcher::socketsEchoALargeBuffer() {
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    std::unique_ptr<QTcpSocket> peer;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        peer.reset(server.nextPendingConnection());
        connect(peer.get(), &QTcpSocket::readyRead, this, [&] { peer->write(peer->readAll()); });
    });
    QTcpSocket client;
    QByteArray received;
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QByteArray data(4 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i * 7);
    // Written before the connection is up and far beyond the socket buffers: write notifiers come and go.
    client.write(data);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), data.size(), 10'000);
    QCOMPARE(received, data);
    client.disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(peer && peer->state() == QAbstractSocket::UnconnectedState, 3000);
}

void TstEpollDispatcher::notifierDeletedByEarlierHandlerInSamePass() {
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket*> accepted;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (server.hasPendingConnections())
            accepted.append(server.nextPendingConnection());
    });
    QTcpSocket a, b;
    a.connectToHost(QHostAddress::LocalHost, server.serverPort());
    b.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 2, 3000);
    int handled = 0;
    for (QTcpSocket* s : std::as_const(accepted)) {
        connect(s, &QTcpSocket::readyRead, this, [&, s] {
            ++handled;
            s->readAll();
            // Whichever is handled first deletes the other, whose activation is pending in the same pass.
            for (QTcpSocket*& other : accepted) {
                if (other && other != s) {
                    delete other;
                    other = nullptr;
                }
            }
        });
    }
    a.write("x");
    b.write("y");
    a.flush();
    b.flush();
    QTest::qWait(50); // both become readable before the loop runs again
    QTRY_VERIFY_WITH_TIMEOUT(handled >= 1, 2000);
    QTest::qWait(50);
    QCOMPARE(handled, 1);
    qDeleteAll(accepted);
}

// A write notifier is first activated without asking the kernel; one still enabled after that (its pipe is full)
// must wait in epoll, not be activated on every pass, and fire again once the reader drains the pipe.
void TstEpollDispatcher::writeNotifierOnAFullPipeIsArmedNotPolled() {
    int fds[2];
    QVERIFY(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    const QByteArray chunk(65536, 'x');
    while (::write(fds[1], chunk.constData(), chunk.size()) > 0) {
    }
    QCOMPARE(errno, EAGAIN);
    int activations = 0;
    QSocketNotifier notifier(fds[1], QSocketNotifier::Write);
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 2000); // the optimistic activation
    QTest::qWait(50);                                // many passes: nothing more while the pipe stays full
    QCOMPARE(activations, 1);
    QByteArray sink(1 << 20, Qt::Uninitialized);
    while (::read(fds[0], sink.data(), sink.size()) > 0) {
    }
    QTRY_VERIFY_WITH_TIMEOUT(activations >= 2, 2000); // the kernel says it is writable again
    notifier.setEnabled(false);
    ::close(fds[0]);
    ::close(fds[1]);
}

// Two sockets with writes queued in the same pass: the first one's write handler deletes the other, whose
// optimistic write activation is still pending; it must not be touched.
void TstEpollDispatcher::writeNotifierDeletedByEarlierWriteHandler() {
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket*> accepted;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (server.hasPendingConnections())
            accepted.append(server.nextPendingConnection());
    });
    auto* a = new QTcpSocket;
    auto* b = new QTcpSocket;
    a->connectToHost(QHostAddress::LocalHost, server.serverPort());
    b->connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 2, 3000);
    QTRY_VERIFY(a->state() == QAbstractSocket::ConnectedState && b->state() == QAbstractSocket::ConnectedState);
    int written = 0;
    QTcpSocket* survivor = nullptr;
    for (QTcpSocket* s : {a, b}) {
        connect(s, &QTcpSocket::bytesWritten, this, [&, s] {
            ++written;
            if (survivor)
                return;
            survivor = s;
            delete (s == a ? b : a);
        });
    }
    a->write("x"); // both write notifiers are enabled now, neither is flushed: both wait for the end of the pass
    b->write("y");
    QTRY_COMPARE_WITH_TIMEOUT(written, 1, 2000);
    QTest::qWait(20);
    QCOMPARE(written, 1);
    delete survivor;
    qDeleteAll(accepted);
}

void TstEpollDispatcher::postedEventsFromAnotherThread() {
    std::atomic<int> delivered{0};
    QObject receiver;
    constexpr int kCount = 5000;
    QThread* sender = QThread::create([&] {
        for (int i = 0; i < kCount; ++i)
            QMetaObject::invokeMethod(
                &receiver, [&] { delivered.fetch_add(1); }, Qt::QueuedConnection);
    });
    sender->start();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.load(), kCount, 5000);
    sender->wait();
    delete sender;
}

void TstEpollDispatcher::exitFromAnotherThreadWakesTheLoop() {
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    QThread* other = QThread::create([&] {
        QThread::msleep(100);
        loop.exit(7);
    });
    other->start();
    // No timer and no socket activity: only the wake-up can end this wait.
    const int rc = loop.exec();
    other->wait();
    delete other;
    QCOMPARE(rc, 7);
    QVERIFY(clock.elapsed() < 2000);
}

int main(int argc, char** argv) {
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TstEpollDispatcher t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_epolldispatcher.moc"
