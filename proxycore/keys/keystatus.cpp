#include "keys/keystatus.h"

#include <algorithm>

namespace gemgate {

namespace {
double share(qint64 used, qint64 limit) {
    return limit > 0 ? qBound(0.0, 1.0 - double(used) / double(limit), 1.0) : 1.0;
}

// The models a key shows a budget for (unsorted): those it counted today, those its project has counters or a
// cooldown for, and those with a limit of their own (they show their budget before the first request too).
QStringList budgetModels(const KeyEntry& e, const ScopeTable& scopes, const GeminiConfig& config) {
    QStringList models = e.modelRequestsToday.keys();
    for (const QString& m : scopes.projectModels(e.cfg.project)) {
        if (!models.contains(m))
            models.append(m);
    }
    auto addRuleModels = [&models](const QList<ModelLimitRule>& rules) {
        for (const ModelLimitRule& r : rules) {
            if (!r.model.contains(u'*') && !models.contains(r.model))
                models.append(r.model);
        }
    };
    addRuleModels(config.limits);
    addRuleModels(e.cfg.limits);
    for (const ProjectConfig& p : config.projects) {
        if (p.id == e.cfg.project)
            addRuleModels(p.limits);
    }
    return models;
}

// Per dimension, whichever budget is tighter: the project's (shared with its other keys) or the key's own. Each is
// measured against its own counter.
void pickTighter(qint64 pUsed, qint64 pLimit, qint64 kUsed, qint64 kLimit, qint64* used, qint64* limit) {
    if (kLimit > 0 && (pLimit == 0 || share(kUsed, kLimit) < share(pUsed, pLimit))) {
        *used = kUsed;
        *limit = kLimit;
    } else {
        *used = pUsed;
        *limit = pLimit;
    }
}

// One model's budget; the cooldown fields are set while the project x model cools down.
ModelBudget modelBudget(const KeyEntry& e, const QString& m, const ScopeTable& scopes, const GeminiConfig& config,
                        qint64 now) {
    ModelBudget b;
    b.model = m;
    const LimitScope* p = scopes.find(projectScope(e.cfg.project, m));
    const LimitScope* k = scopes.find(keyScope(e.cfg.id, m));
    const ModelLimits pl = projectLimits(config, e.cfg.project, m);
    const ModelLimitRule* kr = matchRule(e.cfg.limits, m);
    const ModelLimits kl = kr ? kr->limits : ModelLimits{};
    pickTighter(p ? p->rpm.sum(now) : 0, pl.rpm, k ? k->rpm.sum(now) : 0, kl.rpm, &b.rpmUsed, &b.rpmLimit);
    pickTighter(p ? p->tpm.sum(now) : 0, pl.tpm, k ? k->tpm.sum(now) : 0, kl.tpm, &b.tpmUsed, &b.tpmLimit);
    pickTighter(p ? p->rpd : 0, pl.rpd, k ? k->rpd : 0, kl.rpd, &b.rpdUsed, &b.rpdLimit);
    if (p && p->cooldownUntil > now) {
        b.cooldownUntilMs = p->cooldownUntil;
        b.cooldownReason = p->cooldownReason;
    }
    return b;
}

double budgetHeadroom(const ModelBudget& b) {
    return std::min({share(b.rpmUsed, b.rpmLimit), share(b.tpmUsed, b.tpmLimit), share(b.rpdUsed, b.rpdLimit)});
}
} // namespace

double keyHeadroom(const KeyEntry& e, const ScopeTable& scopes, const GeminiConfig& config, qint64 now) {
    double headroom = 1.0;
    for (const QString& m : budgetModels(e, scopes, config))
        headroom = std::min(headroom, budgetHeadroom(modelBudget(e, m, scopes, config, now)));
    return headroom;
}

KeyStatus keyStatus(const KeyEntry& e, const ScopeTable& scopes, const GeminiConfig& config, qint64 now) {
    KeyStatus s;
    s.id = e.cfg.id;
    s.label = e.cfg.label;
    s.project = e.cfg.project;
    s.tags = e.cfg.tags;
    s.secretSource = e.cfg.secretRef.isEmpty() ? QStringLiteral("config") : e.cfg.secretRef;
    s.managed = e.cfg.managed;
    s.configEnabled = e.cfg.enabled;
    s.weight = e.cfg.weight;
    s.disabledReason = e.disabledReason;
    s.lastError = e.lastError;
    s.lastErrorAtMs = e.lastErrorAt;
    s.lastSuccessAtMs = e.lastSuccessAt;
    s.inFlight = e.inFlight;
    s.requestsToday = e.requestsToday;
    s.tokensToday = e.tokensToday;

    QStringList models = budgetModels(e, scopes, config);
    std::sort(models.begin(), models.end());
    double headroom = 1.0;
    qint64 limitedUntil = 0;
    QString limitedWhy;
    for (const QString& m : std::as_const(models)) {
        ModelBudget b = modelBudget(e, m, scopes, config, now);
        if (b.cooldownUntilMs > limitedUntil) {
            limitedUntil = b.cooldownUntilMs;
            limitedWhy = QStringLiteral("%1: %2").arg(m.isEmpty() ? QStringLiteral("calls without a model") : m,
                                                      b.cooldownReason);
        }
        headroom = std::min(headroom, budgetHeadroom(b));
        s.budgets.append(std::move(b));
    }
    s.headroom = headroom;

    if (!e.cfg.enabled) {
        s.health = KeyHealth::UserDisabled;
        s.detail = QStringLiteral("disabled in the config");
    } else if (e.userDisabled) {
        s.health = KeyHealth::UserDisabled;
        s.detail = QStringLiteral("turned off by the user");
    } else if (!e.secretLoaded) {
        s.health = KeyHealth::NoSecret;
        s.detail = e.secretError;
    } else if (!e.disabledReason.isEmpty()) {
        s.health = KeyHealth::Disabled;
        s.detail = e.disabledReason;
    } else if (e.cooldownUntil > now) {
        s.health = KeyHealth::CoolingDown;
        s.detail = e.cooldownReason;
        s.availableAtMs = e.cooldownUntil;
    } else if (limitedUntil > now) {
        s.health = KeyHealth::CoolingDown;
        s.detail = limitedWhy;
        s.availableAtMs = limitedUntil;
    } else if (headroom <= 0.0) {
        s.health = KeyHealth::Limited;
        s.detail = QStringLiteral("at a configured limit");
    }
    return s;
}

void addToSummary(KeyPoolSummary& summary, KeyHealth health) {
    ++summary.total;
    switch (health) {
    case KeyHealth::Ready:
        ++summary.available;
        break;
    case KeyHealth::CoolingDown:
    case KeyHealth::Limited:
        ++summary.coolingDown;
        break;
    default:
        ++summary.disabled;
        break;
    }
}

const char* keyHealthName(KeyHealth h) {
    switch (h) {
    case KeyHealth::Ready:
        return "ready";
    case KeyHealth::CoolingDown:
        return "cooling_down";
    case KeyHealth::Limited:
        return "limited";
    case KeyHealth::Disabled:
        return "disabled";
    case KeyHealth::UserDisabled:
        return "user_disabled";
    case KeyHealth::NoSecret:
        return "no_secret";
    }
    return "unknown";
}

} // namespace gemgate
