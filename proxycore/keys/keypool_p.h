#pragma once

// KeyPool's internals, shared by the files of keys/ that KeyPool is built from (not part of the public API): the
// state of one upstream key and a few helpers. Everything here is used under KeyPool's mutex.

#include "config/config.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace gemgate {

struct KeyEntry {
    UpstreamKey cfg;
    QByteArray secret;
    bool secretLoaded = false;
    QString secretError;
    qint64 current = 0; // smooth weighted round-robin
    int inFlight = 0;
    bool userDisabled = false;
    QString disabledReason;
    qint64 disabledAt = 0;
    qint64 cooldownUntil = 0; // key-wide rest after repeated transient failures
    QString cooldownReason;
    int transientInRow = 0;
    int restLevel = 0;
    QString lastError;
    qint64 lastErrorAt = 0;
    qint64 lastSuccessAt = 0;
    qint64 lastCheckAt = 0;
    qint64 requestsToday = 0;
    qint64 tokensToday = 0;
    QHash<QString, qint64> modelRequestsToday;
    bool dirty = false; // its KeyStateRow changed since the last persistence delta
};

inline KeyEntry* findEntry(const QList<KeyEntry*>& entries, const QString& id) {
    for (KeyEntry* e : entries) {
        if (e->cfg.id == id)
            return e;
    }
    return nullptr;
}

// "41 s", rounded up.
inline QString secondsText(qint64 ms) {
    return QStringLiteral("%1 s").arg((ms + 999) / 1000);
}

// Upstream text kept in a key's state is cut to this many characters.
constexpr int kMaxReasonChars = 300;
inline QString clipReason(const QString& s) {
    return s.size() > kMaxReasonChars ? s.left(kMaxReasonChars) + QStringLiteral("...") : s;
}

} // namespace gemgate
