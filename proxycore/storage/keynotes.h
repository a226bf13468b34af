#pragma once

// The window's note and tags per upstream key (any key: from the config file or added from the window), in the
// state database's key_notes table. Kept apart from the config: a note is the operator's memo ("team B's
// project, billing on"), not a setting.

#include <QHash>
#include <QString>
#include <QStringList>

namespace gemgate {

class StateDb;

struct KeyNote {
    QString note;
    QStringList tags;
    bool isEmpty() const { return note.isEmpty() && tags.isEmpty(); }
};

class KeyNotes {
public:
    explicit KeyNotes(StateDb* db)
        : m_db(db) {}
    // Every stored note by key id (blocks until read).
    QHash<QString, KeyNote> load();
    // Upserts (an empty note and no tags delete the row); queued.
    void save(const QString& keyId, const KeyNote& note);

private:
    StateDb* m_db;
};

} // namespace gemgate
