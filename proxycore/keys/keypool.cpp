#include "keys/keypool.h"

#include "keys/breaker.h"
#include "keys/eligibility.h"
#include "keys/failurepolicy.h"
#include "keys/keypersistence.h"
#include "keys/keypool_p.h"
#include "keys/keystatus.h"
#include "keys/pickstrategy.h"
#include "keys/redact.h"
#include "storage/statedb.h"

namespace gemgate {

bool KeyPoolDelta::isEmpty() const {
    return states.isEmpty() && counters.isEmpty() && cooldowns.isEmpty();
}

KeyPool::KeyPool(const Clock* clock)
    : m_clock(clock ? clock : SystemClock::instance())
    , m_rng(std::random_device{}()) {}

KeyPool::~KeyPool() {
    qDeleteAll(m_entries);
}

void KeyPool::setClock(const Clock* clock) {
    QMutexLocker lock(&m_mutex);
    m_clock = clock ? clock : SystemClock::instance();
    m_dayEndsMs = 0;
}

void KeyPool::setRandomSeed(quint64 seed) {
    QMutexLocker lock(&m_mutex);
    m_rng.seed(seed);
}

KeyEntry* KeyPool::find(const QString& id) {
    return findEntry(m_entries, id);
}

const KeyEntry* KeyPool::find(const QString& id) const {
    return findEntry(m_entries, id);
}

void KeyPool::configure(const GeminiConfig& config) {
    QMutexLocker lock(&m_mutex);
    QList<KeyEntry*> next;
    next.reserve(config.apiKeys.size());
    for (const UpstreamKey& k : config.apiKeys) {
        KeyEntry* e = nullptr;
        for (qsizetype i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i]->cfg.id == k.id) {
                e = m_entries.takeAt(i);
                break;
            }
        }
        const bool existed = e != nullptr;
        if (!e)
            e = new KeyEntry;
        const bool sameSource =
            e->cfg.secretRef == k.secretRef && (k.secretRef.isEmpty() ? e->secret == k.secret.toUtf8() : true);
        if (existed && !sameSource)
            forgive(*e); // a replaced key is judged afresh
        e->cfg = k;
        if (e->cfg.project.isEmpty())
            e->cfg.project = k.id;
        if (e->cfg.label.isEmpty())
            e->cfg.label = k.id;
        e->cfg.weight = qMax(1, k.weight);
        if (!k.secretRef.isEmpty()) {
            if (!sameSource) {
                e->secret.clear();
                e->secretLoaded = false;
                e->secretError = QStringLiteral("waiting for %1").arg(k.secretRef);
            }
        } else {
            e->secret = k.secret.toUtf8();
            e->secretLoaded = !e->secret.isEmpty();
            e->secretError.clear();
        }
        e->cfg.secret.clear(); // the pool keeps the secret in one place only
        next.append(e);
    }
    qDeleteAll(m_entries); // removed keys
    m_entries = std::move(next);
    m_config = config;
    for (UpstreamKey& k : m_config.apiKeys)
        k.secret.clear();
    m_breaker.configure(m_config.keyPool.breaker);
}

void KeyPool::forgive(KeyEntry& e) {
    e.disabledReason.clear();
    e.cooldownUntil = 0;
    e.cooldownReason.clear();
    e.transientInRow = 0;
    e.restLevel = 0;
    markKeyDirty(e);
}

void KeyPool::setSecret(const QString& id, const QByteArray& secret) {
    QMutexLocker lock(&m_mutex);
    if (KeyEntry* e = find(id)) {
        if (!e->secret.isEmpty() && e->secret != secret)
            forgive(*e); // the secret behind the reference changed (rotated in the keychain or file)
        e->secret = secret;
        e->secretLoaded = !secret.isEmpty();
        e->secretError = secret.isEmpty() ? QStringLiteral("the secret is empty") : QString();
    }
}

void KeyPool::setSecretError(const QString& id, const QString& error) {
    QMutexLocker lock(&m_mutex);
    if (KeyEntry* e = find(id)) {
        e->secret.clear();
        e->secretLoaded = false;
        e->secretError = error;
    }
}

void KeyPool::rollDay(qint64 now) {
    if (now < m_dayEndsMs)
        return;
    const QString day = pacificDayKey(now);
    m_dayEndsMs = nextPacificMidnightMs(now);
    if (day == m_day)
        return;
    const bool first = m_day.isEmpty();
    m_day = day;
    if (first)
        return;
    m_scopes.resetDay();
    for (KeyEntry* e : std::as_const(m_entries)) {
        e->requestsToday = 0;
        e->tokensToday = 0;
        e->modelRequestsToday.clear();
    }
}

PickResult KeyPool::pick(const PickRequest& r) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    rollDay(now);
    PickResult result;
    if (m_entries.isEmpty()) {
        result.cause = NoKeyCause::NoneConfigured;
        result.message = QStringLiteral("no upstream Gemini API key is configured");
        return result;
    }

    Candidates c = findCandidates(m_entries, r, LimitState{m_scopes, m_config, m_dayEndsMs}, now);
    if (c.eligible.isEmpty())
        return noKeyResult(c, now, m_breaker.openUntilMs());

    // The breaker holds everything while open, and lets one probe through when half-open.
    const PoolBreaker::Gate gate = m_breaker.admit(now);
    if (gate.hold) {
        result.cause = NoKeyCause::BreakerOpen;
        result.retryAfterMs = gate.retryAfterMs;
        result.message = QStringLiteral("most upstream keys were rate-limited by Gemini moments ago (IP- or "
                                        "project-level throttling); requests are held back and one probe "
                                        "request at a time checks whether Gemini accepts requests again");
        return result;
    }
    const bool probe = gate.probe;

    if (r.dryRun)
        return result; // a key could serve; cause None, no lease
    const qint64 chooseNow = m_clock->nowMs();
    KeyEntry* e = chooseKey(m_config.keyPool.strategy, c.eligible, r, m_rng, [this, chooseNow](const KeyEntry& x) {
        return keyHeadroom(x, m_scopes, m_config, chooseNow);
    });
    KeyLease lease;
    lease.id = e->cfg.id;
    lease.project = e->cfg.project;
    lease.secret = e->secret;
    lease.proxy = e->cfg.proxy;
    lease.model = r.countsAgainstQuota ? r.model : QString();
    lease.probe = probe;
    lease.pickedAtMs = now;
    if (probe)
        m_breaker.probeStarted();
    ++e->inFlight;
    if (r.countsAgainstQuota && !r.model.isEmpty()) {
        lease.counted = true;
        lease.reservedTokens = r.estimatedTokens;
        LimitScope& p = m_scopes.get(projectScope(e->cfg.project, r.model));
        p.rpm.add(now, 1);
        p.tpm.add(now, r.estimatedTokens);
        ++p.rpd;
        p.tokensDay += r.estimatedTokens;
        if (matchRule(e->cfg.limits, r.model)) {
            LimitScope& k = m_scopes.get(keyScope(e->cfg.id, r.model));
            k.rpm.add(now, 1);
            k.tpm.add(now, r.estimatedTokens);
            ++k.rpd;
            k.tokensDay += r.estimatedTokens;
        }
        ++e->requestsToday;
        e->tokensToday += r.estimatedTokens;
        ++e->modelRequestsToday[r.model];
        m_journal.countRequest(e->cfg.id, r.model, m_day, r.estimatedTokens);
    }
    result.lease = std::move(lease);
    return result;
}

void KeyPool::reportSuccess(const KeyLease& lease, qint64 inputTokens) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    rollDay(now);
    m_lastPoolSuccessMs = now;
    if (lease.probe)
        m_breaker.close();
    KeyEntry* e = find(lease.id);
    if (!e)
        return;
    e->inFlight = qMax(0, e->inFlight - 1);
    e->lastSuccessAt = now;
    e->transientInRow = 0;
    e->restLevel = 0;
    markKeyDirty(*e);
    if (!lease.model.isEmpty()) {
        if (LimitScope* s = m_scopes.find(projectScope(lease.project, lease.model)))
            s->strikes = 0;
    }
    if (lease.counted && inputTokens >= 0)
        chargeTokens(*e, lease, inputTokens - lease.reservedTokens, now);
}

void KeyPool::chargeTokens(KeyEntry& e, const KeyLease& lease, qint64 delta, qint64 now) {
    // Reconcile TPM: the estimate was charged at pick time; charge (or refund) the difference now.
    if (delta == 0)
        return;
    // A refund only makes sense while the tokens charged at pick time are still in the minute window; later it
    // would be taken from other requests' tokens.
    const bool inWindow = delta > 0 || now - lease.pickedAtMs < kWindowMs - kWindowBucketMs;
    for (const QString& name : {projectScope(lease.project, lease.model), keyScope(lease.id, lease.model)}) {
        if (LimitScope* s = m_scopes.find(name)) {
            if (inWindow)
                s->tpm.add(now, delta);
            s->tokensDay = qMax<qint64>(0, s->tokensDay + delta);
        }
    }
    e.tokensToday = qMax<qint64>(0, e.tokensToday + delta);
    m_journal.countTokens(e.cfg.id, lease.model, m_day, delta);
}

QString KeyPool::reportFailure(const KeyLease& lease, const ClassifiedError& error) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    rollDay(now);
    KeyEntry* e = find(lease.id);
    if (e)
        e->inFlight = qMax(0, e->inFlight - 1);
    if (lease.probe)
        m_breaker.probeEnded();
    if (!e)
        return {};
    // A failed attempt consumed no input tokens: refund the estimate (the request still counts for RPM/RPD).
    if (lease.counted)
        chargeTokens(*e, lease, -lease.reservedTokens, now);

    const FailureDecision d = decideFailure(
        FailureContext{*e, lease, m_config.keyPool, m_scopes, m_entries, m_dayEndsMs, m_lastPoolSuccessMs, now}, error,
        m_rng);
    if (d.kind == FailureDecision::Kind::Ignore)
        return {};
    e->lastError = d.error;
    e->lastErrorAt = now;
    markKeyDirty(*e);
    switch (d.kind) {
    case FailureDecision::Kind::Ignore:
        break;
    case FailureDecision::Kind::DisableKey:
        e->disabledReason = d.disabledReason;
        e->disabledAt = now;
        e->lastCheckAt = now;
        if (d.wholeProject) {
            for (KeyEntry* x : std::as_const(m_entries)) {
                if (x != e && x->cfg.project == e->cfg.project && x->disabledReason.isEmpty()) {
                    x->disabledReason = d.disabledReason;
                    x->disabledAt = now;
                    x->lastCheckAt = now;
                    markKeyDirty(*x);
                }
            }
        }
        break;
    case FailureDecision::Kind::CoolProject:
        m_scopes.get(projectScope(e->cfg.project, d.strikesModel)).strikes = d.strikes;
        for (const QString& m : d.coolModels) {
            LimitScope& target = m_scopes.get(projectScope(e->cfg.project, m));
            if (d.coolUntilMs <= target.cooldownUntil)
                continue;
            target.cooldownUntil = d.coolUntilMs;
            target.cooldownReason = d.coolReason;
            m_journal.noteCooldown(e->cfg.project, m, d.coolUntilMs, d.coolReason);
        }
        if (d.breaker == FailureDecision::BreakerStep::Reopen) {
            m_breaker.reopen(now);
        } else if (d.breaker == FailureDecision::BreakerStep::Note429) {
            const QString opened = m_breaker.note429(e->cfg.id, now, m_entries);
            if (!opened.isEmpty())
                m_events.append(opened);
        }
        break;
    case FailureDecision::Kind::CountTransient:
        e->transientInRow = d.transientInRow;
        if (d.rest) {
            ++e->restLevel;
            e->cooldownUntil = now + d.restMs;
            e->lastCheckAt = now; // the health check is due an interval from now, not at once
            e->cooldownReason = d.restReason;
            e->transientInRow = 0;
        }
        break;
    }
    if (!d.action.isEmpty()) {
        if (m_events.size() >= 200)
            m_events.removeFirst();
        m_events.append(d.action);
    }
    return d.action;
}

QStringList KeyPool::takeEvents() {
    QMutexLocker lock(&m_mutex);
    return std::exchange(m_events, {});
}

void KeyPool::probeAnswered(KeyLease* lease) {
    if (!lease->probe)
        return;
    QMutexLocker lock(&m_mutex);
    lease->probe = false;
    m_breaker.close();
    m_events.append(QStringLiteral("Gemini accepts requests again: the breaker closed"));
}

void KeyPool::release(const KeyLease& lease) {
    QMutexLocker lock(&m_mutex);
    if (lease.probe)
        m_breaker.probeEnded();
    if (KeyEntry* e = find(lease.id))
        e->inFlight = qMax(0, e->inFlight - 1);
}

bool KeyPool::setUserEnabled(const QString& id, bool enabled) {
    QMutexLocker lock(&m_mutex);
    KeyEntry* e = find(id);
    if (!e)
        return false;
    e->userDisabled = !enabled;
    if (enabled)
        forgive(*e); // turning a key on by hand also forgives what the pool held against it
    markKeyDirty(*e);
    return true;
}

QList<KeyStatus> KeyPool::statuses() const {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    QList<KeyStatus> out;
    for (const KeyEntry* e : m_entries)
        out.append(keyStatus(*e, m_scopes, m_config, now));
    return out;
}

std::optional<KeyStatus> KeyPool::status(const QString& id) const {
    QMutexLocker lock(&m_mutex);
    if (const KeyEntry* e = find(id))
        return keyStatus(*e, m_scopes, m_config, m_clock->nowMs());
    return std::nullopt;
}

KeyPoolSummary KeyPool::summary() const {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    KeyPoolSummary s;
    for (const KeyEntry* e : m_entries)
        addToSummary(s, keyStatus(*e, m_scopes, m_config, now).health);
    return s;
}

QString KeyPool::projectOf(const QString& id) const {
    QMutexLocker lock(&m_mutex);
    const KeyEntry* e = find(id);
    return e ? e->cfg.project : QString();
}

QStringList KeyPool::projectOf(const QStringList& ids) const {
    QStringList out;
    for (const QString& id : ids)
        out.append(projectOf(id));
    return out;
}

bool KeyPool::contains(const QString& id) const {
    QMutexLocker lock(&m_mutex);
    return find(id) != nullptr;
}

QList<HealthCheckTarget> KeyPool::dueForHealthCheck(qint64 intervalMs) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    QList<HealthCheckTarget> out;
    for (KeyEntry* e : std::as_const(m_entries)) {
        if (!e->cfg.enabled || e->userDisabled || !e->secretLoaded)
            continue;
        const bool needs = !e->disabledReason.isEmpty() || e->cooldownUntil > now;
        if (!needs || now - e->lastCheckAt < intervalMs)
            continue;
        e->lastCheckAt = now;
        out.append(HealthCheckTarget{e->cfg.id, e->secret, e->cfg.proxy});
    }
    return out;
}

std::optional<HealthCheckTarget> KeyPool::target(const QString& id) const {
    QMutexLocker lock(&m_mutex);
    const KeyEntry* e = find(id);
    if (!e || !e->secretLoaded)
        return std::nullopt;
    return HealthCheckTarget{e->cfg.id, e->secret, e->cfg.proxy};
}

void KeyPool::reportHealthCheck(const QString& id, bool ok, const ClassifiedError& error) {
    QMutexLocker lock(&m_mutex);
    KeyEntry* e = find(id);
    if (!e)
        return;
    const qint64 now = m_clock->nowMs();
    e->lastCheckAt = now;
    if (ok) {
        e->disabledReason.clear();
        e->cooldownUntil = 0;
        e->cooldownReason.clear();
        e->transientInRow = 0;
        e->lastSuccessAt = now;
    } else if (error.cls == UpstreamErrorClass::KeyInvalid) {
        QList<QByteArray> secrets;
        for (const KeyEntry* x : std::as_const(m_entries))
            secrets.append(x->secret);
        const QString message =
            clipReason(QString::fromUtf8(redactSecrets(error.message.toUtf8(), secrets)).simplified());
        e->disabledReason = error.reason.isEmpty() ? message : error.reason + QStringLiteral(": ") + message;
        e->disabledAt = now;
        e->lastError = e->disabledReason;
        e->lastErrorAt = now;
    }
    markKeyDirty(*e);
}

QList<QByteArray> KeyPool::secrets() const {
    QMutexLocker lock(&m_mutex);
    QList<QByteArray> out;
    for (const KeyEntry* e : m_entries) {
        if (!e->secret.isEmpty())
            out.append(e->secret);
    }
    return out;
}

QByteArray KeyPool::redact(const QByteArray& text) const {
    return redactSecrets(text, secrets());
}

void KeyPool::restore(const QList<KeyStateRow>& states, const QList<KeyDayCounterRow>& today,
                      const QList<ProjectCooldownRow>& cooldowns) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    rollDay(now);
    restoreKeyRows(m_entries, m_scopes, m_day, now, states, today, cooldowns);
}

KeyPoolDelta KeyPool::takeDelta() {
    QMutexLocker lock(&m_mutex);
    return m_journal.take(m_entries);
}

} // namespace gemgate
