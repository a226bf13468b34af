#pragma once

// An event dispatcher for the worker and listener threads built on Linux epoll.
//
// Qt 6.4's dispatchers (glib and the UNIX one) hand every registered socket to poll() on every wake-up, so a
// worker holding a thousand sockets (500 streams and their upstream connections) spends most of its time in the
// kernel walking sockets that have nothing to say (measured: a third of a worker's CPU under bench W2). epoll
// returns only the sockets that are ready. Everything else keeps Qt's semantics: posted events are sent first on
// every pass, socket notifiers get QEvent::SockAct, timers get QTimerEvent, interval-0 timers fire once per pass,
// and a timer is never re-entered from its own handler.
//
// Write notifiers are armed lazily. Qt enables a socket's write notifier on every write() and disables it once the
// buffer is flushed, usually within the same pass (flush()) or on the next: with epoll that was two epoll_ctl calls
// per write, four per proxied request. A write notifier that is enabled is first taken as writable (a socket almost
// always is) and activated at the end of the pass without asking the kernel; only one still enabled after that
// (the socket buffer was full) is added to the epoll set. A spurious activation is harmless: Qt's socket writes
// what it can (0 bytes) and keeps waiting, and a connecting socket checks its connection and keeps waiting.
//
// Set GEMGATE_EVENT_DISPATCHER=qt in the environment to run the workers on Qt's default dispatcher instead.

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QList>

#include <atomic>
#include <set>
#include <utility>

class QSocketNotifier;
struct epoll_event;

namespace gemgate {

class EpollEventDispatcher final : public QAbstractEventDispatcher {
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject* parent = nullptr);
    ~EpollEventDispatcher() override;

    // Whether worker threads should use this dispatcher (Linux, and not switched off by the environment).
    static bool enabled();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier* notifier) override;
    void unregisterSocketNotifier(QSocketNotifier* notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject* object) override;
    QList<TimerInfo> registeredTimers(QObject* object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct FdEntry {
        QSocketNotifier* read = nullptr;
        QSocketNotifier* write = nullptr;
        QSocketNotifier* exception = nullptr;
        quint32 events = 0; // what epoll watches for now
    };
    struct Timer {
        QObject* object = nullptr;
        qint64 intervalMs = 0;
        qint64 deadlineNs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        bool firing = false;
    };

    int activateTimers();
    int activateNotifiers(int ready);
    // Activates the write notifiers enabled since the last pass; arms epoll for those still enabled afterwards.
    int activateOptimisticWrites();
    // Makes the kernel's set for fd what e asks for (adds, modifies or deletes).
    void updateEpoll(int fd, FdEntry& e, quint32 want);
    // Milliseconds until the next timer is due: -1 none, 0 overdue.
    int nextTimerWaitMs() const;

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_interrupted{false};
    QHash<int, FdEntry> m_fds;
    QHash<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_deadlines; // (deadline ns, timer id)
    QList<QSocketNotifier*> m_pending;            // activations of the current pass not sent yet
    QList<QSocketNotifier*> m_optimistic;         // write notifiers enabled and not yet in the epoll set
    QList<QSocketNotifier*> m_optimisticBatch;    // those being activated in this pass
    ::epoll_event* m_events = nullptr;
};

} // namespace gemgate
