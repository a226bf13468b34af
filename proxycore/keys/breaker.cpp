#include "keys/breaker.h"

#include "keys/eligibility.h"
#include "keys/keypool_p.h"

#include <QSet>

#include <cmath>

namespace gemgate {

namespace {
constexpr qint64 kMaxBreakerOpenMs = 5 * 60 * 1000;
} // namespace

void PoolBreaker::configure(const BreakerConfig& config) {
    m_config = config;
    m_openMs = qint64(m_config.openSeconds) * 1000;
}

PoolBreaker::Gate PoolBreaker::admit(qint64 now) {
    Gate g;
    if (!m_config.enabled || m_state == State::Closed)
        return g;
    if (m_state == State::Open && now >= m_openUntil)
        m_state = State::HalfOpen;
    if (m_state == State::Open || m_probeInFlight) {
        g.hold = true;
        g.retryAfterMs = m_state == State::Open ? m_openUntil - now : 1000;
        return g;
    }
    g.probe = true;
    return g;
}

void PoolBreaker::close() {
    m_probeInFlight = false;
    m_state = State::Closed;
    m_openMs = qint64(m_config.openSeconds) * 1000;
    m_recent429.clear();
}

void PoolBreaker::reopen(qint64 now) {
    m_state = State::Open;
    m_openMs = qMin(kMaxBreakerOpenMs, m_openMs * 2);
    m_openUntil = now + m_openMs;
}

QString PoolBreaker::note429(const QString& id, qint64 now, const QList<KeyEntry*>& entries) {
    if (!m_config.enabled)
        return {};
    m_recent429.emplace_back(now, id);
    while (!m_recent429.empty() && m_recent429.front().first < now - qint64(m_config.windowSeconds) * 1000)
        m_recent429.pop_front();
    if (m_state != State::Closed)
        return {};
    QSet<QString> distinct;
    for (const auto& [t, k] : m_recent429)
        distinct.insert(k);
    int usableKeys = 0;
    for (const KeyEntry* e : entries) {
        if (keyUsable(*e))
            ++usableKeys;
    }
    const int usable = qMax(1, usableKeys);
    const int needed = qMax(m_config.minKeys, int(std::ceil(m_config.ratio * usable - 1e-9)));
    if (int(distinct.size()) < needed)
        return {};
    m_state = State::Open;
    m_openUntil = now + m_openMs;
    return QStringLiteral("%1 of %2 usable keys answered 429 within %3 s: Gemini is throttling this IP or account; "
                          "holding requests back for %4 (breaker open)")
        .arg(distinct.size())
        .arg(usable)
        .arg(m_config.windowSeconds)
        .arg(secondsText(m_openMs));
}

} // namespace gemgate
