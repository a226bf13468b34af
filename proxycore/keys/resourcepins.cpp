#include "keys/resourcepins.h"

#include "storage/statedb.h"

#include <QDateTime>

namespace gemgate {

void ResourcePins::setDatabase(StateDb* db) {
    QMutexLocker lock(&m_mutex);
    m_db = db;
}

void ResourcePins::load(const QList<ResourcePinRow>& rows) {
    QMutexLocker lock(&m_mutex);
    for (const ResourcePinRow& r : rows)
        m_pins.insert(r.name, ResourcePin{r.keyId, r.project});
}

void ResourcePins::remember(const QString& name, const QString& keyId, const QString& project) {
    QMutexLocker lock(&m_mutex);
    m_pins.insert(name, ResourcePin{keyId, project});
    if (m_db)
        m_db->savePin(ResourcePinRow{name, keyId, project, QDateTime::currentMSecsSinceEpoch()});
}

std::optional<ResourcePin> ResourcePins::lookup(const QString& name) const {
    QMutexLocker lock(&m_mutex);
    const auto it = m_pins.constFind(name);
    if (it == m_pins.cend())
        return std::nullopt;
    return *it;
}

void ResourcePins::forget(const QString& name) {
    QMutexLocker lock(&m_mutex);
    if (m_pins.remove(name) && m_db)
        m_db->removePin(name);
}

int ResourcePins::size() const {
    QMutexLocker lock(&m_mutex);
    return int(m_pins.size());
}

} // namespace gemgate
