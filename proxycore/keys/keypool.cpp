#include "keys/keypool.h"

namespace gemgate {

void KeyPool::update(const QList<UpstreamKey>& keys) {
    QMutexLocker lock(&m_mutex);
    QList<Entry> next;
    next.reserve(keys.size());
    for (const UpstreamKey& k : keys) {
        Entry e;
        for (const Entry& old : std::as_const(m_entries)) {
            if (old.id == k.id) {
                e = old;
                break;
            }
        }
        e.id = k.id;
        e.secret = k.secret.toUtf8();
        e.weight = qMax(1, k.weight);
        next.append(std::move(e));
    }
    m_entries = std::move(next);
}

std::optional<PickedKey> KeyPool::pick(const QStringList& exclude) {
    QMutexLocker lock(&m_mutex);
    Entry* best = nullptr;
    qint64 total = 0;
    for (Entry& e : m_entries) {
        if (exclude.contains(e.id))
            continue;
        e.current += e.weight;
        total += e.weight;
        if (!best || e.current > best->current)
            best = &e;
    }
    if (!best)
        return std::nullopt;
    best->current -= total;
    return PickedKey{best->id, best->secret};
}

std::optional<PickedKey> KeyPool::byId(const QString& id) const {
    QMutexLocker lock(&m_mutex);
    for (const Entry& e : m_entries) {
        if (e.id == id)
            return PickedKey{e.id, e.secret};
    }
    return std::nullopt;
}

QList<QByteArray> KeyPool::secrets() const {
    QMutexLocker lock(&m_mutex);
    QList<QByteArray> out;
    for (const Entry& e : m_entries)
        out.append(e.secret);
    return out;
}

KeyPoolSummary KeyPool::summary() const {
    QMutexLocker lock(&m_mutex);
    return KeyPoolSummary{static_cast<int>(m_entries.size()), static_cast<int>(m_entries.size())};
}

void KeyPool::reportSuccess(const QString& id) {
    QMutexLocker lock(&m_mutex);
    for (Entry& e : m_entries) {
        if (e.id == id) {
            ++e.successes;
            e.lastStatus = 200;
        }
    }
}

void KeyPool::reportFailure(const QString& id, int httpStatus) {
    QMutexLocker lock(&m_mutex);
    for (Entry& e : m_entries) {
        if (e.id == id) {
            ++e.failures;
            e.lastStatus = httpStatus;
        }
    }
}

} // namespace gemgate
