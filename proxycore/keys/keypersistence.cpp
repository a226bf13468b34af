#include "keys/keypersistence.h"

#include "keys/keypool.h"
#include "keys/keypool_p.h"
#include "keys/slidingwindow.h"
#include "storage/statedb.h"

namespace gemgate {

void markKeyDirty(KeyEntry& e) {
    e.dirty = true;
}

KeyDayCounterRow& KeyPoolJournal::counter(const QString& keyId, const QString& model, const QString& day) {
    KeyDayCounterRow& d = m_counters[keyId + QChar(0x1f) + model + QChar(0x1f) + day];
    d.keyId = keyId;
    d.model = model;
    d.day = day;
    return d;
}

void KeyPoolJournal::countRequest(const QString& keyId, const QString& model, const QString& day, qint64 tokens) {
    KeyDayCounterRow& d = counter(keyId, model, day);
    ++d.requests;
    d.tokens += tokens;
}

void KeyPoolJournal::countTokens(const QString& keyId, const QString& model, const QString& day, qint64 delta) {
    counter(keyId, model, day).tokens += delta;
}

void KeyPoolJournal::noteCooldown(const QString& project, const QString& model, qint64 untilMs, const QString& reason) {
    ProjectCooldownRow& row = m_cooldowns[project + QChar(0x1f) + model];
    row.project = project;
    row.model = model;
    row.untilMs = untilMs;
    row.reason = reason;
}

KeyPoolDelta KeyPoolJournal::take(const QList<KeyEntry*>& entries) {
    KeyPoolDelta d;
    for (KeyEntry* e : entries) {
        if (!e->dirty)
            continue;
        e->dirty = false;
        KeyStateRow row;
        row.keyId = e->cfg.id;
        row.userDisabled = e->userDisabled;
        row.disabledReason = e->disabledReason;
        row.disabledAtMs = e->disabledAt;
        row.cooldownUntilMs = e->cooldownUntil;
        row.cooldownReason = e->cooldownReason;
        row.lastError = e->lastError;
        row.lastErrorAtMs = e->lastErrorAt;
        row.lastSuccessAtMs = e->lastSuccessAt;
        d.states.append(row);
    }
    d.counters = m_counters.values();
    m_counters.clear();
    d.cooldowns = m_cooldowns.values();
    m_cooldowns.clear();
    return d;
}

void restoreKeyRows(const QList<KeyEntry*>& entries, ScopeTable& scopes, const QString& day, qint64 now,
                    const QList<KeyStateRow>& states, const QList<KeyDayCounterRow>& today,
                    const QList<ProjectCooldownRow>& cooldowns) {
    for (const KeyStateRow& row : states) {
        KeyEntry* e = findEntry(entries, row.keyId);
        if (!e)
            continue;
        e->userDisabled = row.userDisabled;
        e->disabledReason = row.disabledReason;
        e->disabledAt = row.disabledAtMs;
        e->cooldownUntil = row.cooldownUntilMs;
        e->cooldownReason = row.cooldownReason;
        e->lastError = row.lastError;
        e->lastErrorAt = row.lastErrorAtMs;
        e->lastSuccessAt = row.lastSuccessAtMs;
    }
    for (const KeyDayCounterRow& row : today) {
        if (row.day != day)
            continue;
        KeyEntry* e = findEntry(entries, row.keyId);
        if (!e)
            continue;
        e->requestsToday += row.requests;
        e->tokensToday += row.tokens;
        if (row.model.isEmpty())
            continue;
        e->modelRequestsToday[row.model] += row.requests;
        LimitScope& p = scopes.get(projectScope(e->cfg.project, row.model));
        p.rpd += row.requests;
        p.tokensDay += row.tokens;
        if (matchRule(e->cfg.limits, row.model)) {
            LimitScope& k = scopes.get(keyScope(e->cfg.id, row.model));
            k.rpd += row.requests;
            k.tokensDay += row.tokens;
        }
    }
    for (const ProjectCooldownRow& row : cooldowns) {
        if (row.untilMs <= now)
            continue;
        LimitScope& s = scopes.get(projectScope(row.project, row.model));
        if (row.untilMs > s.cooldownUntil) {
            s.cooldownUntil = row.untilMs;
            s.cooldownReason = row.reason;
        }
    }
}

} // namespace gemgate
