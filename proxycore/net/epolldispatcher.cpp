#include "net/epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace gemgate {

namespace {
constexpr int kMaxEvents = 256;

qint64 nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

bool EpollEventDispatcher::enabled() {
    return qgetenv("GEMGATE_EVENT_DISPATCHER") != "qt";
}

EpollEventDispatcher::EpollEventDispatcher(QObject* parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    , m_events(new epoll_event[kMaxEvents]) {
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("epoll_create1/eventfd failed: %s", strerror(errno));
    epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = m_wakeFd;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev);
}

EpollEventDispatcher::~EpollEventDispatcher() {
    delete[] m_events;
    ::close(m_wakeFd);
    ::close(m_epoll);
}

void EpollEventDispatcher::wakeUp() {
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt() {
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::updateEpoll(int fd, FdEntry& e, quint32 want) {
    if (want == e.events)
        return;
    epoll_event ev = {};
    ev.events = want;
    ev.data.fd = fd;
    if (want == 0) {
        // The descriptor may already be closed (then the kernel dropped it from the set itself).
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
    } else if (::epoll_ctl(m_epoll, e.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) != 0) {
        // A descriptor closed while watched leaves the set by itself, and its number may come back: retry with
        // the other operation.
        if (errno == EEXIST)
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        else if (errno == ENOENT)
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    }
    e.events = want;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier* notifier) {
    const int fd = static_cast<int>(notifier->socket());
    FdEntry& e = m_fds[fd];
    // QSocketNotifier registers when enabled and unregisters when disabled, so a registered one is enabled.
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        e.read = notifier;
        updateEpoll(fd, e, e.events | EPOLLIN);
        break;
    case QSocketNotifier::Write:
        e.write = notifier;
        m_optimistic.append(notifier); // see the header: armed in epoll only if still enabled after a pass
        break;
    case QSocketNotifier::Exception:
        e.exception = notifier;
        updateEpoll(fd, e, e.events | EPOLLPRI);
        break;
    }
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier* notifier) {
    m_pending.removeAll(notifier);
    m_optimistic.removeAll(notifier);
    m_optimisticBatch.removeAll(notifier);
    const int fd = static_cast<int>(notifier->socket());
    auto it = m_fds.find(fd);
    if (it == m_fds.end())
        return;
    FdEntry& e = *it;
    quint32 drop = 0;
    if (e.read == notifier) {
        e.read = nullptr;
        drop = EPOLLIN;
    } else if (e.write == notifier) {
        e.write = nullptr;
        drop = EPOLLOUT;
    } else if (e.exception == notifier) {
        e.exception = nullptr;
        drop = EPOLLPRI;
    }
    updateEpoll(fd, e, e.events & ~drop);
    if (!e.read && !e.write && !e.exception)
        m_fds.erase(it);
}

int EpollEventDispatcher::activateOptimisticWrites() {
    int sent = 0;
    // unregisterSocketNotifier() removes a notifier from m_optimisticBatch too, so one disabled or deleted by an
    // earlier handler in this pass is never touched.
    m_optimisticBatch.swap(m_optimistic);
    while (!m_optimisticBatch.isEmpty()) {
        QSocketNotifier* n = m_optimisticBatch.takeFirst();
        const int fd = static_cast<int>(n->socket());
        QEvent e(QEvent::SockAct);
        QCoreApplication::sendEvent(n, &e);
        ++sent;
        // Still enabled after writing what it could (and not disabled and enabled again, which queued it for the
        // next pass): the socket buffer is full, so let the kernel say when it drains.
        auto it = m_fds.find(fd);
        if (it != m_fds.end() && it->write == n && !m_optimistic.contains(n))
            updateEpoll(fd, *it, it->events | EPOLLOUT);
    }
    return sent;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) {
    Timer t;
    t.object = object;
    t.intervalMs = interval;
    t.type = timerType;
    t.deadlineNs = nowNs() + interval * 1'000'000;
    m_timers.insert(timerId, t);
    m_deadlines.insert({t.deadlineNs, timerId});
}

bool EpollEventDispatcher::unregisterTimer(int timerId) {
    auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_deadlines.erase({it->deadlineNs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject* object) {
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase({it->deadlineNs, it.key()});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject* object) const {
    QList<TimerInfo> out;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object)
            out.append(TimerInfo(it.key(), static_cast<int>(it->intervalMs), it->type));
    }
    return out;
}

int EpollEventDispatcher::remainingTime(int timerId) {
    auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    return static_cast<int>(qMax<qint64>(0, (it->deadlineNs - nowNs()) / 1'000'000));
}

int EpollEventDispatcher::nextTimerWaitMs() const {
    if (m_deadlines.empty())
        return -1;
    const qint64 left = m_deadlines.begin()->first - nowNs();
    // Round up: waking a little late is fine, waking early only costs another pass.
    return left <= 0 ? 0 : static_cast<int>((left + 999'999) / 1'000'000);
}

int EpollEventDispatcher::activateTimers() {
    const qint64 now = nowNs();
    QList<std::pair<qint64, int>> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.append(*it);
    int fired = 0;
    for (const auto& [deadline, id] : std::as_const(due)) {
        auto it = m_timers.find(id);
        // Skip a timer unregistered by an earlier handler, restarted (or its id reused) since this pass began, or
        // whose own handler runs a nested loop.
        if (it == m_timers.end() || it->deadlineNs != deadline || it->firing)
            continue;
        // Next deadline first, so a handler that asks remainingTime() sees the new one.
        m_deadlines.erase({it->deadlineNs, id});
        qint64 next = it->deadlineNs + it->intervalMs * 1'000'000;
        if (next <= now)
            next = now + it->intervalMs * 1'000'000;
        it->deadlineNs = next;
        m_deadlines.insert({next, id});
        it->firing = true;
        QObject* object = it->object;
        QTimerEvent e(id);
        QCoreApplication::sendEvent(object, &e);
        ++fired;
        auto again = m_timers.find(id); // the handler may have killed or restarted it
        if (again != m_timers.end())
            again->firing = false;
    }
    return fired;
}

int EpollEventDispatcher::activateNotifiers(int ready) {
    m_pending.clear();
    for (int i = 0; i < ready; ++i) {
        const int fd = m_events[i].data.fd;
        const quint32 ev = m_events[i].events;
        if (fd == m_wakeFd) {
            quint64 value = 0;
            [[maybe_unused]] const ssize_t n = ::read(m_wakeFd, &value, sizeof value);
            continue;
        }
        auto it = m_fds.constFind(fd);
        if (it == m_fds.cend())
            continue;
        // Like Qt's own dispatcher: errors and hang-ups wake the reader and the writer, who then learn of them.
        if (it->read && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
            m_pending.append(it->read);
        if (it->write && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
            m_pending.append(it->write);
        if (it->exception && (ev & EPOLLPRI))
            m_pending.append(it->exception);
    }
    int sent = 0;
    while (!m_pending.isEmpty()) {
        // unregisterSocketNotifier() removes a notifier from m_pending, so one deleted by an earlier handler in
        // this pass is never touched.
        QSocketNotifier* n = m_pending.takeFirst();
        QEvent e(QEvent::SockAct);
        QCoreApplication::sendEvent(n, &e);
        ++sent;
    }
    return sent;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags) {
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_acquire);

    int timeoutMs = 0;
    if (mayWait) {
        // Posting an event from any thread calls wakeUp(), so blocking here never sits on a posted event.
        timeoutMs = !m_optimistic.isEmpty() ? 0 : includeTimers ? nextTimerWaitMs() : -1;
        Q_EMIT aboutToBlock();
    }
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    int handled = 0;
    if (includeNotifiers) {
        int ready = ::epoll_wait(m_epoll, m_events, kMaxEvents, timeoutMs);
        if (ready < 0) {
            if (errno != EINTR)
                qWarning("epoll_wait: %s", strerror(errno));
            ready = 0;
        }
        handled += activateNotifiers(ready);
        handled += activateOptimisticWrites();
    } else {
        // Socket notifiers excluded: wait only for a wake-up or a timer.
        pollfd p = {m_wakeFd, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) > 0) {
            quint64 value = 0;
            [[maybe_unused]] const ssize_t n = ::read(m_wakeFd, &value, sizeof value);
        }
    }
    if (includeTimers)
        handled += activateTimers();
    return handled > 0;
}

} // namespace gemgate
