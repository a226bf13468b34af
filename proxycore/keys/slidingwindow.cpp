#include "keys/slidingwindow.h"

namespace gemgate {

qint64 SlidingWindow::sum(qint64 nowMs) const {
    const qint64 s = nowMs / kWindowBucketMs;
    qint64 total = 0;
    for (int i = 0; i < kWindowBuckets; ++i) {
        if (m_second[i] > s - kWindowBuckets && m_second[i] <= s)
            total += m_value[i];
    }
    return total;
}

qint64 SlidingWindow::msUntilFits(qint64 nowMs, qint64 need, qint64 limit) const {
    qint64 total = sum(nowMs);
    if (total + need <= limit)
        return 0;
    const qint64 s = nowMs / kWindowBucketMs;
    // Oldest bucket first.
    for (qint64 age = kWindowBuckets - 1; age >= 0; --age) {
        const qint64 sec = s - age;
        const int i = int(((sec % kWindowBuckets) + kWindowBuckets) % kWindowBuckets);
        if (m_second[i] != sec)
            continue;
        total -= m_value[i];
        if (total + need <= limit)
            return (sec + kWindowBuckets) * kWindowBucketMs - nowMs;
    }
    return kWindowMs; // need alone exceeds the limit: say "a minute", the best guess
}

QString keyScope(const QString& key, const QString& model) {
    return QStringLiteral("k\x1f") + key + QChar(0x1f) + model;
}

QString projectScope(const QString& project, const QString& model) {
    return QStringLiteral("p\x1f") + project + QChar(0x1f) + model;
}

ScopeTable::~ScopeTable() {
    qDeleteAll(m_scopes);
}

LimitScope& ScopeTable::get(const QString& name) {
    LimitScope*& s = m_scopes[name];
    if (!s)
        s = new LimitScope;
    return *s;
}

QStringList ScopeTable::projectModels(const QString& project) const {
    QStringList models;
    const QString prefix = QStringLiteral("p\x1f") + project + QChar(0x1f);
    for (auto it = m_scopes.cbegin(); it != m_scopes.cend(); ++it) {
        if (it.key().startsWith(prefix))
            models.append(it.key().mid(prefix.size()));
    }
    return models;
}

void ScopeTable::resetDay() {
    for (LimitScope* s : std::as_const(m_scopes)) {
        s->rpd = 0;
        s->tokensDay = 0;
    }
}

const ModelLimitRule* matchRule(const QList<ModelLimitRule>& rules, const QString& model) {
    const ModelLimitRule* best = nullptr;
    qsizetype bestLen = -1;
    for (const ModelLimitRule& r : rules) {
        qsizetype len = -1;
        if (r.model == model)
            len = 1 << 20;
        else if (r.model.endsWith(u'*') && model.startsWith(QStringView(r.model).chopped(1)))
            len = r.model.size() - 1;
        if (len > bestLen) {
            best = &r;
            bestLen = len;
        }
    }
    return best;
}

ModelLimits projectLimits(const GeminiConfig& config, const QString& project, const QString& model) {
    for (const ProjectConfig& p : config.projects) {
        if (p.id == project) {
            if (const ModelLimitRule* r = matchRule(p.limits, model))
                return r->limits;
            break;
        }
    }
    if (const ModelLimitRule* r = matchRule(config.limits, model))
        return r->limits;
    return {};
}

} // namespace gemgate
