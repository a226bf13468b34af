#include "fakeupstream.h"

#include "fakeupstream_p.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QTcpServer>
#include <QThread>

#include <unistd.h>

namespace gemgate::test {

using namespace detail;

QByteArray RecordedRequest::header(QByteArrayView lowerCaseName) const {
    for (const auto& h : headers) {
        if (h.first == lowerCaseName)
            return h.second;
    }
    return {};
}

QByteArray RecordedRequest::path() const {
    const qsizetype q = target.indexOf('?');
    return q < 0 ? target : target.left(q);
}

namespace detail {

QByteArray Request::header(QByteArrayView lowerCaseName) const {
    for (const auto& h : headers) {
        if (h.first == lowerCaseName)
            return h.second;
    }
    return {};
}

QByteArray Shared::baseUrl() const {
    return QByteArrayLiteral("http://127.0.0.1:") + QByteArray::number(port.load());
}

void Shared::record(const Request& request, const QByteArray& key) {
    if (!recording.load(std::memory_order_relaxed)) {
        QMutexLocker lock(&mutex);
        ++requestCount;
        ++perKey[key];
        return;
    }
    // Hash and copy outside the lock: bodies can be megabytes (upload chunks) and other workers record too.
    RecordedRequest r;
    r.method = request.method;
    r.target = request.target;
    r.headers = request.headers;
    r.apiKey = key;
    r.bodySize = request.body.size();
    r.bodySha256Hex = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
    if (r.bodySize <= RecordedRequest::kMaxRecordedBody)
        r.body = request.body;
    r.receivedAt = request.receivedAt;
    r.connectionId = request.connectionId;
    QMutexLocker lock(&mutex);
    ++requestCount;
    ++perKey[key];
    recorded.append(std::move(r));
}

FakeUpstream::Behavior Shared::behaviorFor(const QByteArray& key, bool consume) {
    QMutexLocker lock(&mutex);
    const auto it = rules.find(key);
    if (it == rules.end())
        return FakeUpstream::Ok;
    const FakeUpstream::Behavior b = it->behavior;
    if (consume && it->remaining > 0 && --it->remaining == 0)
        rules.erase(it);
    return b;
}

void Shared::streamOpened() {
    const int now = activeStreams.fetch_add(1) + 1;
    int peak = maxStreams.load();
    while (now > peak && !maxStreams.compare_exchange_weak(peak, now)) {
    }
}

void Shared::streamClosed(bool byClient) {
    activeStreams.fetch_sub(1);
    if (byClient)
        abortedStreams.fetch_add(1);
}

namespace {

// Owns the connections of one thread. It has no behaviour of its own: connections are its children so that
// deleting the worker (in its thread, when the thread finishes) closes them.
class Worker final : public QObject {
public:
    explicit Worker(Shared& shared)
        : m_shared(shared) {}

    void adopt(qintptr descriptor) { adoptConnection(m_shared, this, descriptor); }

    // Closes every connection now, in this thread. Open streams end without being counted as client aborts.
    void shutdown() {
        const QObjectList connections = children();
        for (QObject* c : connections)
            delete c;
    }

private:
    Shared& m_shared;
};

// Accepts on its own thread and hands each descriptor to a worker. The worker creates the socket itself, because
// a Qt socket belongs to the thread that made it.
class Listener final : public QTcpServer {
public:
    explicit Listener(QList<Worker*> workers)
        : m_workers(std::move(workers)) {}

protected:
    void incomingConnection(qintptr descriptor) override {
        Worker* worker = m_workers.at(m_next);
        m_next = (m_next + 1) % m_workers.size();
        if (worker->thread() == thread()) {
            worker->adopt(descriptor);
            return;
        }
        const bool posted = QMetaObject::invokeMethod(
            worker, [worker, descriptor] { worker->adopt(descriptor); }, Qt::QueuedConnection);
        if (!posted)
            ::close(static_cast<int>(descriptor));
    }

private:
    QList<Worker*> m_workers;
    qsizetype m_next = 0;
};

} // namespace
} // namespace detail

struct FakeUpstream::Private {
    std::unique_ptr<Shared> shared = std::make_unique<Shared>();
    QList<QThread*> threads; // threads[0] runs the listener
    Listener* listener = nullptr;
    QList<Worker*> workers;
    std::atomic<bool> running{false};
};

FakeUpstream::FakeUpstream()
    : d(std::make_unique<Private>()) {}

FakeUpstream::~FakeUpstream() {
    stop();
}

bool FakeUpstream::start(int threads, quint16 port) {
    if (d->running)
        return false;
    threads = qMax(1, threads);

    auto* listenerThread = new QThread;
    listenerThread->setObjectName(QStringLiteral("fake-gemini-listener"));
    d->threads.append(listenerThread);
    for (int i = 0; i < threads; ++i) {
        auto* worker = new Worker(*d->shared);
        QThread* home = listenerThread;
        if (threads > 1) {
            home = new QThread;
            home->setObjectName(QStringLiteral("fake-gemini-worker-%1").arg(i));
            d->threads.append(home);
        }
        worker->moveToThread(home);
        // Deleted in its own thread as that thread ends, which closes its remaining sockets there.
        QObject::connect(home, &QThread::finished, worker, &QObject::deleteLater);
        d->workers.append(worker);
    }
    d->listener = new Listener(d->workers);
    d->listener->moveToThread(listenerThread);
    QObject::connect(listenerThread, &QThread::finished, d->listener, &QObject::deleteLater);
    for (QThread* t : std::as_const(d->threads))
        t->start();

    bool listening = false;
    Listener* listener = d->listener;
    Shared* shared = d->shared.get();
    QMetaObject::invokeMethod(
        listener,
        [listener, shared, port, &listening] {
            // The default backlog of 50 drops SYNs when hundreds of benchmark connections arrive at once.
            listener->setListenBacklogSize(1024);
            listening = listener->listen(QHostAddress::LocalHost, port);
            if (listening)
                shared->port.store(listener->serverPort());
        },
        Qt::BlockingQueuedConnection);
    d->running = true;
    if (!listening) {
        stop();
        return false;
    }
    return true;
}

void FakeUpstream::stop() {
    if (!d->running)
        return;
    Listener* listener = d->listener;
    QMetaObject::invokeMethod(
        listener, [listener] { listener->close(); }, Qt::BlockingQueuedConnection);
    for (Worker* worker : std::as_const(d->workers))
        QMetaObject::invokeMethod(
            worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    for (QThread* t : std::as_const(d->threads)) {
        t->quit();
        t->wait();
    }
    qDeleteAll(d->threads);
    d->threads.clear();
    d->workers.clear();
    d->listener = nullptr;
    d->shared->port.store(0);
    d->running = false;
}

bool FakeUpstream::isRunning() const {
    return d->running;
}

quint16 FakeUpstream::port() const {
    return quint16(d->shared->port.load());
}

QUrl FakeUpstream::baseUrl() const {
    return QUrl(QString::fromLatin1(d->shared->baseUrl()));
}

void FakeUpstream::setKeyBehavior(const QString& key, Behavior behavior) {
    setKeyBehaviorCount(key, behavior, -1);
}

void FakeUpstream::setKeyBehaviorCount(const QString& key, Behavior behavior, int n) {
    QMutexLocker lock(&d->shared->mutex);
    if (behavior == Ok || n == 0)
        d->shared->rules.remove(key.toUtf8());
    else
        d->shared->rules.insert(key.toUtf8(), Shared::Rule{behavior, n < 0 ? -1 : n});
}

void FakeUpstream::clearKeyBehaviors() {
    QMutexLocker lock(&d->shared->mutex);
    d->shared->rules.clear();
}

void FakeUpstream::setRecordingEnabled(bool enabled) {
    d->shared->recording.store(enabled);
}

QList<RecordedRequest> FakeUpstream::requests() const {
    QMutexLocker lock(&d->shared->mutex);
    return d->shared->recorded;
}

void FakeUpstream::clearRequests() {
    QMutexLocker lock(&d->shared->mutex);
    d->shared->recorded.clear();
    d->shared->requestCount = 0;
    d->shared->perKey.clear();
}

int FakeUpstream::requestCount() const {
    QMutexLocker lock(&d->shared->mutex);
    return d->shared->requestCount;
}

QMap<QByteArray, int> FakeUpstream::requestsPerKey() const {
    QMutexLocker lock(&d->shared->mutex);
    return d->shared->perKey;
}

int FakeUpstream::activeStreams() const {
    return d->shared->activeStreams.load();
}

int FakeUpstream::maxConcurrentStreams() const {
    return d->shared->maxStreams.load();
}

int FakeUpstream::abortedByClient() const {
    return d->shared->abortedStreams.load();
}

int FakeUpstream::abortedUnaryByClient() const {
    return d->shared->abortedUnary.load();
}

void FakeUpstream::resetCounters() {
    d->shared->maxStreams.store(d->shared->activeStreams.load());
    d->shared->abortedStreams.store(0);
    d->shared->abortedUnary.store(0);
}

} // namespace gemgate::test
