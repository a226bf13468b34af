#pragma once

// Resumable uploads (Files API) must send every chunk with the key (project) that started the session. This
// remembers upload_id -> key id, shared by all workers. Sessions are dropped after a week (Google's own limit).

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>

namespace gemgate {

class UploadSessions {
public:
    void remember(const QByteArray& uploadId, const QString& keyId);
    QString keyFor(const QByteArray& uploadId);
    void forget(const QByteArray& uploadId);
    int size() const;

private:
    struct Entry {
        QString keyId;
        qint64 createdMs = 0;
    };
    mutable QMutex m_mutex;
    QHash<QByteArray, Entry> m_sessions;
};

} // namespace gemgate
