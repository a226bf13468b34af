#include "keys/eligibility.h"

namespace gemgate {

bool modelAllowed(const QStringList& allowed, const QString& model) {
    if (allowed.isEmpty() || model.isEmpty())
        return true;
    for (const QString& a : allowed) {
        if (a == model || a == u"*" || (a.endsWith(u'*') && model.startsWith(QStringView(a).chopped(1))))
            return true;
    }
    return false;
}

bool keyUsable(const KeyEntry& e) {
    return e.cfg.enabled && !e.userDisabled && e.secretLoaded && e.disabledReason.isEmpty();
}

Blocker keyBlocker(const KeyEntry& e, const PickRequest& r, const LimitState& limits, qint64 now) {
    Blocker b;
    auto unusable = [&b](QString why) {
        b.kind = Blocker::Unusable;
        b.why = std::move(why);
        return b;
    };
    if (!r.pinnedProject.isEmpty() && e.cfg.project != r.pinnedProject)
        return unusable(QStringLiteral("belongs to another project than the resource"));
    if (!e.cfg.enabled)
        return unusable(QStringLiteral("disabled in the config"));
    if (e.userDisabled)
        return unusable(QStringLiteral("turned off by the user"));
    if (!e.secretLoaded)
        return unusable(QStringLiteral("secret not loaded (%1)").arg(e.secretError));
    if (!e.disabledReason.isEmpty())
        return unusable(QStringLiteral("disabled: %1").arg(e.disabledReason));
    if (!modelAllowed(e.cfg.models, r.model))
        return unusable(QStringLiteral("not allowed to use model %1").arg(r.model));
    if (r.exclude.contains(e.cfg.id)) {
        b.kind = Blocker::Excluded;
        return b;
    }

    qint64 wait = 0;
    QString why;
    bool resting = false;
    auto consider = [&](qint64 until, const QString& reason, bool rest = false) {
        if (until > now && until - now > wait) {
            wait = until - now;
            why = reason;
            resting = rest;
        }
    };
    consider(e.cooldownUntil, e.cooldownReason, true);
    const QString project = e.cfg.project;
    // Calls that name no model (files, batches, model lists) have a scope of their own, so that a 429 on them does
    // not stop generation, and the reverse.
    const QString model = r.countsAgainstQuota ? r.model : QString();
    if (const LimitScope* s = limits.scopes.find(projectScope(project, model)))
        consider(s->cooldownUntil, s->cooldownReason);
    if (r.countsAgainstQuota && !r.model.isEmpty()) {
        auto limitCheck = [&](const LimitScope* s, const ModelLimits& l, const QString& where) {
            if (!l.any())
                return;
            if (l.rpd > 0 && (s ? s->rpd : 0) + 1 > l.rpd)
                consider(limits.dayEndsMs, QStringLiteral("%1 reached its %2 requests/day for %3 (resets at midnight "
                                                          "Pacific time)")
                                               .arg(where)
                                               .arg(l.rpd)
                                               .arg(r.model));
            if (!s)
                return;
            if (l.rpm > 0) {
                const qint64 ms = s->rpm.msUntilFits(now, 1, l.rpm);
                if (ms > 0)
                    consider(
                        now + ms,
                        QStringLiteral("%1 reached its %2 requests/minute for %3").arg(where).arg(l.rpm).arg(r.model));
            }
            if (l.tpm > 0) {
                const qint64 need = qMin(r.estimatedTokens, l.tpm);
                const qint64 ms = s->tpm.msUntilFits(now, need, l.tpm);
                if (ms > 0)
                    consider(now + ms, QStringLiteral("%1 reached its %2 input tokens/minute for %3")
                                           .arg(where)
                                           .arg(l.tpm)
                                           .arg(r.model));
            }
        };
        limitCheck(limits.scopes.find(projectScope(project, r.model)), projectLimits(limits.config, project, r.model),
                   QStringLiteral("project %1").arg(project));
        if (const ModelLimitRule* kr = matchRule(e.cfg.limits, r.model))
            limitCheck(limits.scopes.find(keyScope(e.cfg.id, r.model)), kr->limits, QStringLiteral("the key"));
    }
    if (wait > 0) {
        b.kind = Blocker::Waiting;
        b.untilMs = now + wait;
        b.why = why;
        b.resting = resting;
    }
    return b;
}

Candidates findCandidates(const QList<KeyEntry*>& entries, const PickRequest& r, const LimitState& limits, qint64 now) {
    Candidates c;
    KeyEntry* pinned = nullptr;
    for (KeyEntry* e : entries) {
        const Blocker b = keyBlocker(*e, r, limits, now);
        if (e->cfg.id == r.pinnedKey)
            pinned = e;
        switch (b.kind) {
        case Blocker::None:
            c.eligible.append(e);
            break;
        case Blocker::Excluded:
            ++c.excluded;
            break;
        case Blocker::Waiting:
            ++c.waiting;
            if (!b.resting)
                ++c.rateLimited;
            if (c.soonestMs == 0 || b.untilMs < c.soonestMs)
                c.soonestMs = b.untilMs;
            c.reasons.append(QStringLiteral("%1: %2 (back in %3)").arg(e->cfg.id, b.why, secondsText(b.untilMs - now)));
            break;
        case Blocker::Unusable:
            if (r.pinnedProject.isEmpty() || e->cfg.project == r.pinnedProject)
                c.reasons.append(QStringLiteral("%1: %2").arg(e->cfg.id, b.why));
            break;
        }
    }
    // A pinned resource prefers the key that created it.
    if (pinned && c.eligible.contains(pinned))
        c.eligible = {pinned};
    return c;
}

PickResult noKeyResult(const Candidates& c, qint64 now, qint64 breakerOpenUntilMs) {
    PickResult result;
    const QString list = c.reasons.mid(0, 8).join(QStringLiteral("; "));
    if (c.rateLimited > 0) {
        result.cause = NoKeyCause::AllLimited;
        result.retryAfterMs = qMax<qint64>(c.soonestMs - now, 1);
        if (breakerOpenUntilMs > now)
            result.retryAfterMs = qMax(result.retryAfterMs, breakerOpenUntilMs - now);
        result.message = QStringLiteral("every usable upstream key is rate-limited: %1").arg(list);
    } else if (c.excluded > 0) {
        result.cause = NoKeyCause::Exhausted;
        result.message = QStringLiteral("every usable upstream key was tried");
    } else {
        // Keys resting after repeated failures are unavailable, not rate-limited: 503, with a Retry-After.
        result.cause = NoKeyCause::NoneUsable;
        if (c.waiting > 0)
            result.retryAfterMs = qMax<qint64>(c.soonestMs - now, 1);
        result.message = QStringLiteral("no upstream key can take this request: %1").arg(list);
    }
    return result;
}

} // namespace gemgate
