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

// The resources a request names: in its path (/v1beta/files/abc, /v1beta/cachedContents/x, /v1beta/batches/b:cancel,
// with or without an /upload prefix) and, for model calls, in its JSON body (fileData.fileUri ".../files/abc",
// "cachedContent": "cachedContents/x"). At most a handful; duplicates removed.
QStringList referencedResources(const QByteArray& path, const QByteArray& body);

// The resource a successful creating call returned: "name" at the top level of the JSON body, or under "file"
// (upload finalization). Empty when there is none or the name is not one of files/, cachedContents/, batches/.
QString createdResourceName(const QByteArray& body);

} // namespace gemgate
