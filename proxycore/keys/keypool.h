#pragma once

// The pool of upstream Gemini keys, shared by all workers. Selection is smooth weighted round-robin (nginx's
// algorithm: every key gains its weight, the richest is picked and pays the total), which spreads picks evenly
// in time rather than in bursts. Critical sections are a few dozen instructions under one mutex.

#include "config/config.h"

#include <QList>
#include <QMutex>
#include <QString>

#include <optional>

namespace gemgate {

struct PickedKey {
    QString id;
    QByteArray secret;
};

struct KeyPoolSummary {
    int total = 0;
    int available = 0;
};

class KeyPool {
public:
    // Replaces the key list (config load or reload). Keys that keep their id keep their scheduling state, so a
    // reload does not reset the rotation.
    void update(const QList<UpstreamKey>& keys);
    // Picks a key that is not in `exclude` (keys already tried for this request). nullopt when none is left.
    std::optional<PickedKey> pick(const QStringList& exclude = {});
    // The key with this id, if it is still configured (upload sessions and other pinned resources).
    std::optional<PickedKey> byId(const QString& id) const;
    // Every configured secret, for scrubbing upstream text before it leaves the process.
    QList<QByteArray> secrets() const;
    KeyPoolSummary summary() const;

    // Outcome reporting; the full health model (cooldowns, disabling) builds on these.
    void reportSuccess(const QString& id);
    void reportFailure(const QString& id, int httpStatus);

private:
    struct Entry {
        QString id;
        QByteArray secret;
        int weight = 1;
        qint64 current = 0;
        qint64 successes = 0;
        qint64 failures = 0;
        int lastStatus = 0;
    };
    mutable QMutex m_mutex;
    QList<Entry> m_entries;
};

} // namespace gemgate
