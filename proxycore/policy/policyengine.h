#pragma once

// Client policy (issue 4's limits): token buckets and quotas per client, per namespace, per source IP and for the
// whole gateway. A request is admitted only when every scope it belongs to has room, and then everything is
// taken at once under one mutex, so no request or token is spent twice across worker threads.
//
// Per scope: requests per minute and tokens per minute (token buckets that refill continuously; a bucket holds one
// minute's worth), concurrent requests, and quotas per day and per calendar month in tokens and in requests (days
// and months in the configured time zone). Tokens are estimated from the request before it is forwarded and
// reserved; the reply's usageMetadata replaces the estimate (a stream reports its running totals as it goes, so a
// stream that runs a quota out can be ended then). Per-request caps: max input tokens (estimated) and max output
// tokens (the caller clamps generationConfig.maxOutputTokens).
//
// Daily and monthly counters of clients, namespaces and the gateway are restored from the usage roll-ups after a
// restart (restore()); source-IP scopes are not persisted (addresses change). Time comes from an injectable Clock.

#include "clock/clock.h"
#include "config/config.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QTimeZone>

#include <array>
#include <optional>

namespace gemgate {

enum class PolicyScope { Client = 0, Namespace = 1, SourceIp = 2, Global = 3 };

// Who a request is, with the limits that apply to each of its scopes (already resolved: in every field -1 and 0
// mean unlimited). An empty name leaves that scope out.
struct PolicySubject {
    QString client;
    QString nameSpace;
    QString ip;
    LimitSet clientLimits;
    LimitSet namespaceLimits;
    LimitSet ipLimits;
    LimitSet globalLimits;
};

struct PolicyRejection {
    int status = 429; // 400 for a request over a per-request cap
    QByteArray errorKind;
    QString message; // names the scope, the limit (its YAML name) and the value
    qint64 retryAfterMs = 0;
};

// What admit() took; handed back to settle() exactly once (a ticket that is not settled leaks a concurrency slot).
class PolicyTicket {
public:
    bool valid() const { return m_valid; }
    // True when a token quota applies: the caller reports a stream's running totals (progress()).
    bool watchesTokens() const { return m_watchTokens; }
    qint64 estimatedTokens() const { return m_estimate; }

private:
    friend class PolicyEngine;
    bool m_valid = false;
    bool m_countsTokens = false;
    bool m_watchTokens = false;
    std::array<QString, 4> m_scopes; // scope keys; empty = not part of this request
    std::array<LimitSet, 4> m_limits;
    qint64 m_estimate = 0; // tokens taken from the TPM buckets at admission
    qint64 m_charged = 0;  // tokens currently reserved against the quotas (estimate, then running totals)
};

// A day's or month's totals of one scope, to restore after a restart.
struct PolicyRestoreRow {
    QString day; // "2026-11-24"
    QString client;
    QString nameSpace;
    qint64 requests = 0; // admitted requests
    qint64 tokens = 0;   // total tokens
};

class PolicyEngine {
public:
    explicit PolicyEngine(const Clock* clock = nullptr);
    void setClock(const Clock* clock);
    // Day and month boundaries ("UTC", an IANA id, or "local"). Counters of the current day/month are kept.
    void setTimeZone(const QString& zone);
    // The current day in the configured zone ("2026-11-24"), for usage records.
    QString today();
    // The first day of the current month ("2026-11-01"), for restore().
    QString monthStart();

    // Checks every scope of the request and, when all have room, takes one request (and the token estimate when
    // countsTokens: generate/embed calls) from each. estimatedTokens is the request's estimated input.
    // Returns the rejection of the first limit that has no room, else fills *ticket.
    std::optional<PolicyRejection> admit(const PolicySubject& subject, qint64 estimatedTokens, bool countsTokens,
                                         PolicyTicket* ticket);
    // A stream's running total so far. Returns false (with *message naming the quota) once a day/month token quota
    // of one of its scopes is used up: the caller ends the stream.
    bool progress(PolicyTicket& ticket, qint64 runningTotalTokens, QString* message);
    // The request is over: releases its concurrency slots and replaces the estimate with the actual total
    // (actualTokens < 0: unknown, the estimate stays charged to the TPM buckets and nothing to the quotas).
    void settle(PolicyTicket& ticket, qint64 actualTokens);

    // Adds persisted totals (the current month's days; today's also count for the day quotas).
    void restore(const QList<PolicyRestoreRow>& rows);
    // Forgets scopes that are idle with full buckets and no quota use (keeps memory bounded).
    void prune();

    // For tests and the window: the current counters of a scope ("c:<client>", "n:<namespace>", "i:<ip>", "g").
    struct ScopeUsage {
        qint64 concurrent = 0;
        qint64 dayTokens = 0;
        qint64 dayRequests = 0;
        qint64 monthTokens = 0;
        qint64 monthRequests = 0;
        qint64 reservedTokens = 0;
    };
    ScopeUsage usage(const QString& scopeKey);
    static QString scopeKey(PolicyScope scope, const QString& name);

    // Every day/month quota a scope was last checked against, with its use in the current period (for the
    // gemgate_quota_used_ratio metric). scope: "client:<name>", "namespace:<name>", "ip:<address>" or "global";
    // limit: the YAML name ("tokens_per_day", ...).
    struct QuotaUse {
        QString scope;
        const char* limit = "";
        qint64 used = 0;
        qint64 max = 0;
    };
    QList<QuotaUse> quotaUses();
    // After a reload: the remembered quotas may be gone or changed; each scope learns its quotas again from its next
    // check (until then it reports none, rather than a stale one).
    void forgetQuotaLimits();

private:
    // Buckets in integer units of 1/60000 (see RateLimiter): a bucket of N per minute refills N units per ms and
    // one request or token costs 60000 units, so the arithmetic is exact.
    static constexpr qint64 kUnit = 60'000;
    struct Bucket {
        qint64 units = 0;      // may go below 0 (tokens: a reply larger than its estimate is a debt)
        qint64 updatedMs = -1; // -1: untouched (full)
        qint64 perMinute = 0;
    };
    struct Scope {
        Bucket requests;
        Bucket tokens;
        qint64 concurrent = 0;
        qint64 dayTokens = 0, dayRequests = 0;
        qint64 monthTokens = 0, monthRequests = 0;
        qint64 reserved = 0; // tokens of requests in flight (estimates, then running totals)
        qint64 dayIndex = 0, monthIndex = 0;
        qint64 lastUsedMs = 0;
        // The quotas of the last check (limits live in the config; the scope only remembers them for metrics).
        qint64 tokensPerDay = -1, requestsPerDay = -1, tokensPerMonth = -1, requestsPerMonth = -1;
    };
    void refill(Bucket& b, qint64 perMinute, qint64 now) const;
    void rollPeriods(Scope& s);
    void updatePeriods(qint64 now);
    std::optional<PolicyRejection> check(const QString& key, PolicyScope kind, const LimitSet& l, Scope& s, qint64 now,
                                         qint64 estimate, bool countsTokens);

    QMutex m_mutex;
    const Clock* m_clock;
    QTimeZone m_zone;
    qint64 m_dayIndex = 0;   // increments at each day boundary (days since the epoch in the zone)
    qint64 m_monthIndex = 0; // year * 12 + month
    qint64 m_dayEndMs = 0;   // when the current day ends
    qint64 m_monthEndMs = 0;
    QString m_today;
    QString m_monthStart;
    QHash<QString, Scope> m_scopes;
};

} // namespace gemgate
