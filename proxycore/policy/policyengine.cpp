#include "policy/policyengine.h"

#include <QDateTime>

namespace gemgate {

namespace {
const char* const kScopePrefix[] = {"c:", "n:", "i:", "g"};

bool on(qint64 limit) {
    return limit > 0;
}

QString scopeLabel(PolicyScope kind, const QString& key) {
    switch (kind) {
    case PolicyScope::Client:
        return QStringLiteral("client \"%1\"").arg(key.mid(2));
    case PolicyScope::Namespace:
        return QStringLiteral("namespace \"%1\"").arg(key.mid(2));
    case PolicyScope::SourceIp:
        return QStringLiteral("source address %1").arg(key.mid(2));
    case PolicyScope::Global:
        break;
    }
    return QStringLiteral("the gateway");
}

// Where the limit of a scope is configured, for the message.
QString configHint(PolicyScope kind) {
    switch (kind) {
    case PolicyScope::Client:
        return QStringLiteral("set by its key or token, limits.clients, limits.client_default or "
                              "auth.rate_limit_per_minute");
    case PolicyScope::Namespace:
        return QStringLiteral("limits.namespaces / limits.namespace_default");
    case PolicyScope::SourceIp:
        return QStringLiteral("limits.per_ip");
    case PolicyScope::Global:
        break;
    }
    return QStringLiteral("limits.global");
}

QString seconds(qint64 ms) {
    return QString::number(qMax<qint64>(1, (ms + 999) / 1000));
}
} // namespace

PolicyEngine::PolicyEngine(const Clock* clock)
    : m_clock(clock ? clock : SystemClock::instance())
    , m_zone(QTimeZone::utc()) {}

void PolicyEngine::setClock(const Clock* clock) {
    QMutexLocker lock(&m_mutex);
    m_clock = clock ? clock : SystemClock::instance();
    m_dayEndMs = 0; // recompute the periods on the next call
    m_monthEndMs = 0;
}

void PolicyEngine::setTimeZone(const QString& zone) {
    QMutexLocker lock(&m_mutex);
    QTimeZone z;
    if (zone.compare(QLatin1String("local"), Qt::CaseInsensitive) == 0)
        z = QTimeZone::systemTimeZone();
    else if (zone.isEmpty() || zone == QLatin1String("UTC"))
        z = QTimeZone::utc();
    else
        z = QTimeZone(zone.toUtf8());
    if (!z.isValid())
        z = QTimeZone::utc();
    if (z == m_zone)
        return;
    m_zone = z;
    m_dayEndMs = 0;
    m_monthEndMs = 0;
}

QString PolicyEngine::scopeKey(PolicyScope scope, const QString& name) {
    return QLatin1String(kScopePrefix[int(scope)]) + (scope == PolicyScope::Global ? QString() : name);
}

void PolicyEngine::updatePeriods(qint64 now) {
    if (now < m_dayEndMs && now < m_monthEndMs)
        return;
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(now, m_zone);
    const QDate date = local.date();
    m_dayIndex = date.toJulianDay();
    m_monthIndex = qint64(date.year()) * 12 + date.month() - 1;
    m_dayEndMs = QDateTime(date.addDays(1), QTime(0, 0), m_zone).toMSecsSinceEpoch();
    const QDate firstOfMonth(date.year(), date.month(), 1);
    m_monthEndMs = QDateTime(firstOfMonth.addMonths(1), QTime(0, 0), m_zone).toMSecsSinceEpoch();
    m_today = date.toString(Qt::ISODate);
    m_monthStart = firstOfMonth.toString(Qt::ISODate);
}

QString PolicyEngine::today() {
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    return m_today;
}

QString PolicyEngine::monthStart() {
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    return m_monthStart;
}

void PolicyEngine::rollPeriods(Scope& s) {
    if (s.dayIndex != m_dayIndex) {
        s.dayIndex = m_dayIndex;
        s.dayTokens = 0;
        s.dayRequests = 0;
    }
    if (s.monthIndex != m_monthIndex) {
        s.monthIndex = m_monthIndex;
        s.monthTokens = 0;
        s.monthRequests = 0;
    }
}

void PolicyEngine::refill(Bucket& b, qint64 perMinute, qint64 now) const {
    const qint64 capacity = perMinute * kUnit;
    if (b.updatedMs < 0) {
        b.units = capacity;
        b.updatedMs = now;
        b.perMinute = perMinute;
        return;
    }
    if (b.perMinute != perMinute) {
        // A changed limit (reload): keep what was used, within the new capacity.
        const qint64 used = b.perMinute * kUnit - b.units;
        b.units = qMin(capacity, capacity - used);
        b.perMinute = perMinute;
    }
    if (now > b.updatedMs) {
        b.units = qMin(capacity, b.units + (now - b.updatedMs) * perMinute);
        b.updatedMs = now;
    }
}

std::optional<PolicyRejection> PolicyEngine::check(const QString& key, PolicyScope kind, const LimitSet& l, Scope& s,
                                                   qint64 now, qint64 estimate, bool countsTokens) {
    auto reject = [&](const char* limitName, qint64 value, const QString& what, qint64 retryMs, const char* kind_) {
        PolicyRejection r;
        r.errorKind = kind_;
        r.retryAfterMs = retryMs;
        r.message = QStringLiteral("GemGate: %1 is over its limit %2 = %3 (%4): %5. Retry in %6 s.")
                        .arg(scopeLabel(kind, key), QLatin1String(limitName))
                        .arg(value)
                        .arg(configHint(kind), what, seconds(retryMs));
        return r;
    };
    s.tokensPerDay = l.tokensPerDay;
    s.requestsPerDay = l.requestsPerDay;
    s.tokensPerMonth = l.tokensPerMonth;
    s.requestsPerMonth = l.requestsPerMonth;
    if (countsTokens && on(l.maxInputTokens) && estimate > l.maxInputTokens) {
        PolicyRejection r;
        r.status = 400;
        r.errorKind = "input_too_large";
        r.message = QStringLiteral("GemGate: the request has an estimated %1 input tokens; %2 allows at most "
                                   "max_input_tokens = %3 per request (%4). Shorten the prompt.")
                        .arg(estimate)
                        .arg(scopeLabel(kind, key))
                        .arg(l.maxInputTokens)
                        .arg(configHint(kind));
        return r;
    }
    if (on(l.concurrentRequests) && s.concurrent >= l.concurrentRequests) {
        return reject("concurrent_requests", l.concurrentRequests,
                      QStringLiteral("%1 requests are in flight").arg(s.concurrent), 1000, "concurrency_limited");
    }
    if (on(l.requestsPerMinute)) {
        refill(s.requests, l.requestsPerMinute, now);
        if (s.requests.units < kUnit) {
            const qint64 wait = (kUnit - s.requests.units + l.requestsPerMinute - 1) / l.requestsPerMinute;
            return reject("requests_per_minute", l.requestsPerMinute, QStringLiteral("no request left this minute"),
                          wait, "rate_limited");
        }
    }
    if (countsTokens && on(l.tokensPerMinute)) {
        refill(s.tokens, l.tokensPerMinute, now);
        // A request larger than a whole minute's budget may still go when the bucket is full.
        const qint64 cost = qMin(estimate, l.tokensPerMinute) * kUnit;
        if (s.tokens.units < qMax<qint64>(cost, 1)) {
            const qint64 wait = (qMax<qint64>(cost, 1) - s.tokens.units + l.tokensPerMinute - 1) / l.tokensPerMinute;
            return reject("tokens_per_minute", l.tokensPerMinute,
                          QStringLiteral("the request needs about %1 tokens and %2 are left this minute")
                              .arg(estimate)
                              .arg(qMax<qint64>(0, s.tokens.units / kUnit)),
                          wait, "token_rate_limited");
        }
    }
    const qint64 toDayEnd = m_dayEndMs - now;
    const qint64 toMonthEnd = m_monthEndMs - now;
    if (on(l.requestsPerDay) && s.dayRequests >= l.requestsPerDay) {
        return reject("requests_per_day", l.requestsPerDay, QStringLiteral("%1 requests today").arg(s.dayRequests),
                      toDayEnd, "quota_exhausted");
    }
    if (on(l.requestsPerMonth) && s.monthRequests >= l.requestsPerMonth) {
        return reject("requests_per_month", l.requestsPerMonth,
                      QStringLiteral("%1 requests this month").arg(s.monthRequests), toMonthEnd, "quota_exhausted");
    }
    if (countsTokens) {
        if (on(l.tokensPerDay) &&
            (s.dayTokens + s.reserved >= l.tokensPerDay || s.dayTokens + s.reserved + estimate > l.tokensPerDay)) {
            return reject("tokens_per_day", l.tokensPerDay,
                          QStringLiteral("%1 tokens used today, %2 in flight, this request needs about %3")
                              .arg(s.dayTokens)
                              .arg(s.reserved)
                              .arg(estimate),
                          toDayEnd, "quota_exhausted");
        }
        if (on(l.tokensPerMonth) && (s.monthTokens + s.reserved >= l.tokensPerMonth ||
                                     s.monthTokens + s.reserved + estimate > l.tokensPerMonth)) {
            return reject("tokens_per_month", l.tokensPerMonth,
                          QStringLiteral("%1 tokens used this month, %2 in flight, this request needs about %3")
                              .arg(s.monthTokens)
                              .arg(s.reserved)
                              .arg(estimate),
                          toMonthEnd, "quota_exhausted");
        }
    }
    return std::nullopt;
}

std::optional<PolicyRejection> PolicyEngine::admit(const PolicySubject& subject, qint64 estimatedTokens,
                                                   bool countsTokens, PolicyTicket* ticket) {
    *ticket = PolicyTicket();
    const qint64 estimate = countsTokens ? qMax<qint64>(0, estimatedTokens) : 0;
    std::array<QString, 4> keys;
    const std::array<const LimitSet*, 4> limits = {&subject.clientLimits, &subject.namespaceLimits, &subject.ipLimits,
                                                   &subject.globalLimits};
    const std::array<const QString*, 4> names = {&subject.client, &subject.nameSpace, &subject.ip, nullptr};
    bool any = false;
    for (int i = 0; i < 4; ++i) {
        if (limits[i]->unlimited() || (names[i] && names[i]->isEmpty()))
            continue;
        keys[i] = scopeKey(PolicyScope(i), names[i] ? *names[i] : QString());
        any = true;
    }
    if (!any)
        return std::nullopt; // nothing limits this request: no ticket, no lock

    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    updatePeriods(now);
    std::array<Scope*, 4> scopes = {};
    for (int i = 0; i < 4; ++i) {
        if (keys[i].isEmpty())
            continue;
        Scope& s = m_scopes[keys[i]];
        rollPeriods(s);
        s.lastUsedMs = now;
        if (auto r = check(keys[i], PolicyScope(i), *limits[i], s, now, estimate, countsTokens))
            return r;
        scopes[i] = &s;
    }
    // Every scope has room: take from all of them.
    for (int i = 0; i < 4; ++i) {
        Scope* s = scopes[i];
        if (!s)
            continue;
        const LimitSet& l = *limits[i];
        ++s->concurrent;
        if (on(l.requestsPerMinute))
            s->requests.units -= kUnit;
        if (countsTokens && on(l.tokensPerMinute))
            s->tokens.units -= estimate * kUnit;
        ++s->dayRequests;
        ++s->monthRequests;
        if (countsTokens)
            s->reserved += estimate;
        ticket->m_scopes[i] = keys[i];
        ticket->m_limits[i] = l;
        if (countsTokens && (on(l.tokensPerDay) || on(l.tokensPerMonth)))
            ticket->m_watchTokens = true;
    }
    ticket->m_valid = true;
    ticket->m_countsTokens = countsTokens;
    ticket->m_estimate = estimate;
    ticket->m_charged = countsTokens ? estimate : 0;
    return std::nullopt;
}

bool PolicyEngine::progress(PolicyTicket& ticket, qint64 runningTotalTokens, QString* message) {
    if (!ticket.m_valid || !ticket.m_countsTokens || runningTotalTokens <= ticket.m_charged)
        return true;
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    const qint64 delta = runningTotalTokens - ticket.m_charged;
    ticket.m_charged = runningTotalTokens;
    bool ok = true;
    for (int i = 0; i < 4; ++i) {
        if (ticket.m_scopes[i].isEmpty())
            continue;
        auto it = m_scopes.find(ticket.m_scopes[i]);
        if (it == m_scopes.end())
            continue;
        Scope& s = *it;
        rollPeriods(s);
        s.reserved += delta;
        const LimitSet& l = ticket.m_limits[i];
        if (!ok)
            continue;
        const char* name = nullptr;
        qint64 limit = 0;
        if (on(l.tokensPerDay) && s.dayTokens + s.reserved > l.tokensPerDay) {
            name = "tokens_per_day";
            limit = l.tokensPerDay;
        } else if (on(l.tokensPerMonth) && s.monthTokens + s.reserved > l.tokensPerMonth) {
            name = "tokens_per_month";
            limit = l.tokensPerMonth;
        }
        if (name) {
            ok = false;
            if (message) {
                *message = QStringLiteral("GemGate: %1 ran out of its quota %2 = %3 (%4) during this stream; the "
                                          "stream was ended after %5 tokens.")
                               .arg(scopeLabel(PolicyScope(i), ticket.m_scopes[i]), QLatin1String(name))
                               .arg(limit)
                               .arg(configHint(PolicyScope(i)))
                               .arg(runningTotalTokens);
            }
        }
    }
    return ok;
}

void PolicyEngine::settle(PolicyTicket& ticket, qint64 actualTokens) {
    if (!ticket.m_valid)
        return;
    ticket.m_valid = false;
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    updatePeriods(now);
    for (int i = 0; i < 4; ++i) {
        if (ticket.m_scopes[i].isEmpty())
            continue;
        auto it = m_scopes.find(ticket.m_scopes[i]);
        if (it == m_scopes.end())
            continue;
        Scope& s = *it;
        rollPeriods(s);
        s.lastUsedMs = now;
        --s.concurrent;
        if (!ticket.m_countsTokens)
            continue;
        s.reserved -= ticket.m_charged;
        if (actualTokens >= 0) {
            s.dayTokens += actualTokens;
            s.monthTokens += actualTokens;
            // The TPM bucket paid the estimate; the reply decides (a larger reply leaves a debt).
            const LimitSet& l = ticket.m_limits[i];
            if (on(l.tokensPerMinute) && s.tokens.updatedMs >= 0) {
                refill(s.tokens, l.tokensPerMinute, now);
                s.tokens.units -= (actualTokens - ticket.m_estimate) * kUnit;
                s.tokens.units = qMin(s.tokens.units, l.tokensPerMinute * kUnit);
            }
        }
    }
}

void PolicyEngine::restore(const QList<PolicyRestoreRow>& rows) {
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    for (const PolicyRestoreRow& r : rows) {
        const QDate d = QDate::fromString(r.day, Qt::ISODate);
        if (!d.isValid() || qint64(d.year()) * 12 + d.month() - 1 != m_monthIndex)
            continue;
        const bool isToday = d.toJulianDay() == m_dayIndex;
        for (const QString& key : {r.client.isEmpty() ? QString() : scopeKey(PolicyScope::Client, r.client),
                                   r.nameSpace.isEmpty() ? QString() : scopeKey(PolicyScope::Namespace, r.nameSpace),
                                   scopeKey(PolicyScope::Global, {})}) {
            if (key.isEmpty())
                continue;
            Scope& s = m_scopes[key];
            rollPeriods(s);
            s.monthRequests += r.requests;
            s.monthTokens += r.tokens;
            if (isToday) {
                s.dayRequests += r.requests;
                s.dayTokens += r.tokens;
            }
        }
    }
}

void PolicyEngine::prune() {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    updatePeriods(now);
    for (auto it = m_scopes.begin(); it != m_scopes.end();) {
        rollPeriods(*it);
        // Idle for a minute: its buckets are full again. Quota counters of clients, namespaces and the gateway
        // stay for the rest of the month; source addresses have no quotas.
        const bool quotaState = (it->monthTokens != 0 || it->monthRequests != 0) && !it.key().startsWith(u"i:");
        const bool idle = it->concurrent == 0 && it->reserved == 0 && now - it->lastUsedMs >= 60'000 && !quotaState;
        if (idle)
            it = m_scopes.erase(it);
        else
            ++it;
    }
}

PolicyEngine::ScopeUsage PolicyEngine::usage(const QString& scopeKey) {
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    ScopeUsage u;
    auto it = m_scopes.find(scopeKey);
    if (it == m_scopes.end())
        return u;
    rollPeriods(*it);
    u.concurrent = it->concurrent;
    u.dayTokens = it->dayTokens;
    u.dayRequests = it->dayRequests;
    u.monthTokens = it->monthTokens;
    u.monthRequests = it->monthRequests;
    u.reservedTokens = it->reserved;
    return u;
}

void PolicyEngine::forgetQuotaLimits() {
    QMutexLocker lock(&m_mutex);
    for (Scope& s : m_scopes)
        s.tokensPerDay = s.requestsPerDay = s.tokensPerMonth = s.requestsPerMonth = -1;
}

QList<PolicyEngine::QuotaUse> PolicyEngine::quotaUses() {
    QMutexLocker lock(&m_mutex);
    updatePeriods(m_clock->nowMs());
    QList<QuotaUse> out;
    for (auto it = m_scopes.begin(); it != m_scopes.end(); ++it) {
        Scope& s = *it;
        rollPeriods(s);
        const QString& key = it.key();
        QString scope;
        if (key == QLatin1String("g"))
            scope = QStringLiteral("global");
        else if (key.startsWith(QLatin1String("c:")))
            scope = QStringLiteral("client:") + key.mid(2);
        else if (key.startsWith(QLatin1String("n:")))
            scope = QStringLiteral("namespace:") + key.mid(2);
        else
            scope = QStringLiteral("ip:") + key.mid(2);
        auto add = [&](const char* name, qint64 used, qint64 max) {
            if (max > 0)
                out.append(QuotaUse{scope, name, used, max});
        };
        add("tokens_per_day", s.dayTokens, s.tokensPerDay);
        add("requests_per_day", s.dayRequests, s.requestsPerDay);
        add("tokens_per_month", s.monthTokens, s.tokensPerMonth);
        add("requests_per_month", s.monthRequests, s.requestsPerMonth);
    }
    return out;
}

} // namespace gemgate
