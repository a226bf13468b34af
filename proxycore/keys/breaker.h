#pragma once

// The pool-level circuit breaker. When most usable keys answer 429 within a short window (Gemini throttling the IP
// or the account rather than one project's quota), it opens and holds every request back; once the open period is
// over it half-opens and lets one probe request through at a time. The probe's first answer that is not a 429
// closes it; a 429 opens it again for twice as long, up to 5 minutes. Nothing here locks: KeyPool keeps one under
// its mutex.

#include "config/config.h"

#include <QList>
#include <QString>

#include <deque>
#include <utility>

namespace gemgate {

struct KeyEntry;

class PoolBreaker {
public:
    // Config load or reload: the settings, and the next open period is open_seconds again (the state stays).
    void configure(const BreakerConfig& config);

    struct Gate {
        bool hold = false; // answer BreakerOpen, with retryAfterMs
        qint64 retryAfterMs = 0;
        bool probe = false; // a lease from this pick is the half-open probe
    };
    // Before a pick that has a key to give. An open breaker whose period is over half-opens here.
    Gate admit(qint64 now);
    // The end of the open period while the breaker is open, else 0.
    qint64 openUntilMs() const { return m_state == State::Open ? m_openUntil : 0; }

    // The probe's lease was handed out.
    void probeStarted() { m_probeInFlight = true; }
    // The probe's lease ended (released or failed): the next pick may probe again.
    void probeEnded() { m_probeInFlight = false; }
    // The probe got an answer that is not a 429: close, forget the recent 429s, reset the open period.
    void close();
    // The probe got a 429: open again for twice as long as last time (at most 5 minutes).
    void reopen(qint64 now);
    // A per-minute or unknown 429 from key `id`. Returns the event line when it opened the breaker, else "".
    QString note429(const QString& id, qint64 now, const QList<KeyEntry*>& entries);

private:
    enum class State { Closed, Open, HalfOpen };

    BreakerConfig m_config;
    State m_state = State::Closed;
    std::deque<std::pair<qint64, QString>> m_recent429; // (when, key id), oldest first
    qint64 m_openUntil = 0;
    qint64 m_openMs = 0; // the current open period
    bool m_probeInFlight = false;
};

} // namespace gemgate
