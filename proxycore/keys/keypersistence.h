#pragma once

// What the key pool keeps in the state database: the rows that changed since the persistence timer last asked (a
// key's state when its dirty flag is set, increments of today's per-key counters, project x model cooldowns), and
// putting saved rows back at start-up. Nothing here locks: KeyPool calls these under its mutex.

#include <QHash>
#include <QList>
#include <QString>

namespace gemgate {

struct KeyEntry;
struct KeyPoolDelta;
struct KeyStateRow;
struct KeyDayCounterRow;
struct ProjectCooldownRow;
class ScopeTable;

// The key's KeyStateRow changed: it goes out with the next delta.
void markKeyDirty(KeyEntry& e);

class KeyPoolJournal {
public:
    // A pick counted one request with its estimated input tokens for key x model on `day`.
    void countRequest(const QString& keyId, const QString& model, const QString& day, qint64 tokens);
    // Input tokens charged (or refunded, delta < 0) after the pick.
    void countTokens(const QString& keyId, const QString& model, const QString& day, qint64 delta);
    // A project x model cools down until untilMs.
    void noteCooldown(const QString& project, const QString& model, qint64 untilMs, const QString& reason);
    // The rows changed since the last call; clears the keys' dirty flags.
    KeyPoolDelta take(const QList<KeyEntry*>& entries);

private:
    KeyDayCounterRow& counter(const QString& keyId, const QString& model, const QString& day);

    QHash<QString, ProjectCooldownRow> m_cooldowns; // by project and model
    QHash<QString, KeyDayCounterRow> m_counters;    // by key, model and day
};

// Puts saved rows back: key states, today's counters (rows of another day are skipped) into the keys and their
// scopes, and cooldowns that have not ended yet.
void restoreKeyRows(const QList<KeyEntry*>& entries, ScopeTable& scopes, const QString& day, qint64 now,
                    const QList<KeyStateRow>& states, const QList<KeyDayCounterRow>& today,
                    const QList<ProjectCooldownRow>& cooldowns);

} // namespace gemgate
