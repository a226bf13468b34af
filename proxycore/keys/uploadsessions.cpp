#include "keys/uploadsessions.h"

namespace gemgate {

namespace {
constexpr qint64 kSessionLifetimeMs = 7LL * 24 * 3600 * 1000;
}

void UploadSessions::remember(const QByteArray& uploadId, const QString& keyId) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QMutexLocker lock(&m_mutex);
    m_sessions.removeIf([now](const auto& it) { return now - it.value().createdMs > kSessionLifetimeMs; });
    m_sessions.insert(uploadId, Entry{keyId, now});
}

QString UploadSessions::keyFor(const QByteArray& uploadId) {
    QMutexLocker lock(&m_mutex);
    auto it = m_sessions.constFind(uploadId);
    return it == m_sessions.cend() ? QString() : it->keyId;
}

void UploadSessions::forget(const QByteArray& uploadId) {
    QMutexLocker lock(&m_mutex);
    m_sessions.remove(uploadId);
}

int UploadSessions::size() const {
    QMutexLocker lock(&m_mutex);
    return static_cast<int>(m_sessions.size());
}

} // namespace gemgate
