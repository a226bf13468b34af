#pragma once

// Stateful Gemini resources (files, cachedContents, batches, resumable upload sessions) live in the Google Cloud
// project of the key that created them: another project's key gets 403/404. The gateway records name -> key when a
// resource is created and routes every later call that names it to that key (or another key of its project).
// Pins are kept in memory for the request path and written through to the state database, so they survive a
// restart. Thread-safe.

#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <optional>

namespace gemgate {

class StateDb;
struct ResourcePinRow;

struct ResourcePin {
    QString keyId;
    QString project;
};

class ResourcePins {
public:
    // Write-through target; null keeps pins in memory only. The database must outlive this object's use of it.
    void setDatabase(StateDb* db);
    void load(const QList<ResourcePinRow>& rows);

    // name: "files/abc", "cachedContents/xyz", "batches/123" or "upload/<upload_id>".
    void remember(const QString& name, const QString& keyId, const QString& project);
    std::optional<ResourcePin> lookup(const QString& name) const;
    void forget(const QString& name);
    int size() const;

private:
    mutable QMutex m_mutex;
    QHash<QString, ResourcePin> m_pins;
    StateDb* m_db = nullptr;
};

} // namespace gemgate
