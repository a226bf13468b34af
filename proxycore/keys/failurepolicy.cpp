#include "keys/failurepolicy.h"

#include "keys/redact.h"

namespace gemgate {

namespace {
constexpr qint64 kMaxTransientRestMs = 60 * 60 * 1000;

// +-20 %
qint64 jitter(qint64 ms, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> dist(0.8, 1.2);
    return qint64(double(ms) * dist(rng));
}

void disableKey(const FailureContext& ctx, const ClassifiedError& error, FailureDecision& d) {
    d.kind = FailureDecision::Kind::DisableKey;
    d.disabledReason =
        d.error.isEmpty() ? QStringLiteral("rejected by Gemini (HTTP %1)").arg(error.httpStatus) : d.error;
    d.action = QStringLiteral("disabled key %1: %2").arg(ctx.key.cfg.id, d.disabledReason);
    if (error.billingWide) {
        // Prepaid credit exhausted: every key billed to this project stops.
        d.wholeProject = true;
        d.action += QStringLiteral(" (and every key of project %1)").arg(ctx.key.cfg.project);
    }
}

void coolProject(const FailureContext& ctx, const ClassifiedError& error, const QList<QByteArray>& secrets,
                 std::mt19937_64& rng, FailureDecision& d) {
    d.kind = FailureDecision::Kind::CoolProject;
    const KeyLease& lease = ctx.lease;
    // The quota's own model name (QuotaFailure) and the request's can differ (aliases): cool both. A call that
    // counts against no model quota (files, batches, countTokens) cools only its own scope.
    const QString quotaModel =
        lease.counted ? QString::fromUtf8(redactSecrets(error.model.toUtf8(), secrets)) : QString();
    const QString model = !quotaModel.isEmpty() ? quotaModel : lease.model;
    d.coolModels = {model};
    if (lease.counted && !lease.model.isEmpty() && lease.model != model)
        d.coolModels.append(lease.model);
    d.strikesModel = model;
    const LimitScope* s = ctx.scopes.find(projectScope(ctx.key.cfg.project, model));
    d.strikes = s ? s->strikes : 0;
    const QString what = model.isEmpty() ? QStringLiteral("calls without a model") : model;
    if (error.quota == QuotaScope::PerDay) {
        d.coolUntilMs = ctx.dayEndsMs;
        d.coolReason =
            QStringLiteral("daily quota of %1 used up (429, %2); resets at midnight Pacific time")
                .arg(what, error.quotaId.isEmpty() ? QStringLiteral("per day")
                                                   : QString::fromUtf8(redactSecrets(error.quotaId.toUtf8(), secrets)));
    } else if (error.retryDelayMs >= 0) {
        d.coolUntilMs = ctx.now + qMax<qint64>(error.retryDelayMs, 1000);
        d.coolReason =
            QStringLiteral("rate-limited for %1 (429, retry after %2)").arg(what, secondsText(error.retryDelayMs));
        d.strikes = 0;
    } else {
        ++d.strikes;
        const qint64 base = qint64(ctx.config.cooldownBaseSeconds) * 1000;
        const qint64 cap = qint64(ctx.config.cooldownMaxSeconds) * 1000;
        const qint64 ms = qMin(cap, jitter(base << qMin(d.strikes - 1, 20), rng));
        d.coolUntilMs = ctx.now + ms;
        d.coolReason = QStringLiteral("rate-limited for %1 (429 without a retry delay, backing off %2)")
                           .arg(what, secondsText(ms));
    }
    d.action = QStringLiteral("project %1 cooling down: %2").arg(ctx.key.cfg.project, d.coolReason);
    // Daily quotas running out together (even round-robin) is not throttling: only per-minute and unknown 429s
    // count for the breaker. A probe's 429 says the throttling goes on.
    if (lease.probe)
        d.breaker = FailureDecision::BreakerStep::Reopen;
    else if (error.quota != QuotaScope::PerDay)
        d.breaker = FailureDecision::BreakerStep::Note429;
}

void countTransient(const FailureContext& ctx, FailureDecision& d) {
    d.kind = FailureDecision::Kind::CountTransient;
    const KeyEntry& e = ctx.key;
    // Blame the key only when it keeps failing while other keys succeed: a failure counts towards the streak only
    // if some request succeeded since this key's previous failure. A Gemini-wide 503 blames nobody.
    const bool othersSucceeded = ctx.lastPoolSuccessMs > 0 && ctx.lastPoolSuccessMs >= e.lastErrorAt;
    d.transientInRow = e.transientInRow + (othersSucceeded ? 1 : 0);
    if (d.transientInRow < ctx.config.blameAfterFailures)
        return;
    const qint64 base = qint64(ctx.config.transientCooldownSeconds) * 1000;
    d.rest = true;
    d.restMs = qMin(kMaxTransientRestMs, base << qMin(e.restLevel, 20));
    d.restReason = QStringLiteral("failed %1 times in a row while other keys succeeded (last: %2)")
                       .arg(d.transientInRow)
                       .arg(d.error);
    d.action = QStringLiteral("key %1 rests for %2: %3").arg(e.cfg.id, secondsText(d.restMs), d.restReason);
}
} // namespace

FailureDecision decideFailure(const FailureContext& ctx, const ClassifiedError& error, std::mt19937_64& rng) {
    FailureDecision d;
    switch (error.cls) {
    case UpstreamErrorClass::None:
    case UpstreamErrorClass::Cancelled:
    case UpstreamErrorClass::BadRequest: // the request's fault: nothing about the key changes
        return d;
    case UpstreamErrorClass::KeyInvalid:
    case UpstreamErrorClass::RateLimited:
    case UpstreamErrorClass::Transient:
        break;
    }

    QList<QByteArray> secrets;
    for (const KeyEntry* x : ctx.entries)
        secrets.append(x->secret);
    // Reason, quota id and message are all upstream text: the whole line is redacted.
    const QString raw = error.reason.isEmpty()    ? error.message
                        : error.message.isEmpty() ? error.reason
                                                  : error.reason + QStringLiteral(": ") + error.message;
    d.error = clipReason(QString::fromUtf8(redactSecrets(raw.toUtf8(), secrets)).simplified());

    switch (error.cls) {
    case UpstreamErrorClass::KeyInvalid:
        disableKey(ctx, error, d);
        break;
    case UpstreamErrorClass::RateLimited:
        coolProject(ctx, error, secrets, rng, d);
        break;
    case UpstreamErrorClass::Transient:
        countTransient(ctx, d);
        break;
    default:
        break;
    }
    return d;
}

} // namespace gemgate
