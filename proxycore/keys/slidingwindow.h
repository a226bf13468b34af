#pragma once

// Rate-limit bookkeeping as plain values: the sliding 60 s window in 1 s buckets behind RPM and TPM, the counters
// and cooldown of one project x model (or key x model) scope, the table of those scopes, and which configured
// limit rule applies to a model. Nothing here locks: KeyPool keeps its ScopeTable under its own mutex.

#include "config/config.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace gemgate {

constexpr qint64 kWindowBucketMs = 1000;
constexpr int kWindowBuckets = 60;
constexpr qint64 kWindowMs = kWindowBucketMs * kWindowBuckets;

// A sliding 60 s window in 1 s buckets.
class SlidingWindow {
public:
    void add(qint64 nowMs, qint64 n) {
        const qint64 s = nowMs / kWindowBucketMs;
        const int i = int(s % kWindowBuckets);
        if (m_second[i] != s) {
            m_second[i] = s;
            m_value[i] = 0;
        }
        m_value[i] += n;
    }
    qint64 sum(qint64 nowMs) const;
    // How long until sum + need <= limit, as buckets age out (0 when it already fits).
    qint64 msUntilFits(qint64 nowMs, qint64 need, qint64 limit) const;

private:
    qint64 m_second[kWindowBuckets] = {};
    qint64 m_value[kWindowBuckets] = {};
};

// Counters and cooldown of one project x model (or key x model).
struct LimitScope {
    SlidingWindow rpm;
    SlidingWindow tpm;
    qint64 rpd = 0;
    qint64 tokensDay = 0;
    qint64 cooldownUntil = 0;
    QString cooldownReason;
    int strikes = 0; // per-minute 429s without RetryInfo in a row (backoff exponent)
};

// Scope names: "k\x1f<key>\x1f<model>" and "p\x1f<project>\x1f<model>".
QString keyScope(const QString& key, const QString& model);
QString projectScope(const QString& project, const QString& model);

// The scopes by name. get() creates a scope on first use; a scope stays at its address until the table goes.
class ScopeTable {
public:
    ScopeTable() = default;
    ~ScopeTable();
    ScopeTable(const ScopeTable&) = delete;
    ScopeTable& operator=(const ScopeTable&) = delete;

    LimitScope& get(const QString& name);
    LimitScope* find(const QString& name) { return m_scopes.value(name, nullptr); }
    const LimitScope* find(const QString& name) const { return m_scopes.value(name, nullptr); }
    // The models a project has a scope for, in no particular order.
    QStringList projectModels(const QString& project) const;
    // A new Pacific day: every scope's daily counters start again.
    void resetDay();

private:
    QHash<QString, LimitScope*> m_scopes; // owned
};

// The most specific rule for a model: exact name, then the longest prefix*, then "*" (null: none matches).
const ModelLimitRule* matchRule(const QList<ModelLimitRule>& rules, const QString& model);
// A project's limits for a model: the project's own rules, else the pool-wide ones.
ModelLimits projectLimits(const GeminiConfig& config, const QString& project, const QString& model);

} // namespace gemgate
