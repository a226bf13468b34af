#pragma once

// Which keys can take a request now, and why the others cannot: a key's blocker (pinned project, config, user,
// secret, disabled, model allow list, already tried, its own rest, the project's cooldown, configured RPM / TPM /
// RPD limits), the sorting of the pool's keys into candidates, and the answer when none can serve. Nothing here
// locks or changes a key: KeyPool calls these under its mutex.

#include "keys/keypool.h"
#include "keys/keypool_p.h"
#include "keys/slidingwindow.h"

namespace gemgate {

// Why a key cannot take a request now.
struct Blocker {
    enum Kind { None, Excluded, Unusable, Waiting } kind = None;
    qint64 untilMs = 0;   // Waiting
    bool resting = false; // Waiting only because the key rests after transient failures (not a rate limit)
    QString why;
};

// The pool's state a blocker is judged against; dayEndsMs is the next Pacific midnight (RPD resets).
struct LimitState {
    const ScopeTable& scopes;
    const GeminiConfig& config;
    qint64 dayEndsMs = 0;
};

Blocker keyBlocker(const KeyEntry& e, const PickRequest& r, const LimitState& limits, qint64 now);

// Enabled in the config and by the user, secret loaded, not disabled by the pool (what the breaker counts).
bool keyUsable(const KeyEntry& e);

struct Candidates {
    QList<KeyEntry*> eligible; // can serve now; only the pinned key when it is one of them
    qint64 soonestMs = 0;      // when the first waiting key is back
    int waiting = 0;
    int rateLimited = 0; // waiting for a cooldown or limit, not resting
    int excluded = 0;    // already tried for this request
    QStringList reasons; // "<id>: <why>" for the keys that cannot serve
};

Candidates findCandidates(const QList<KeyEntry*>& entries, const PickRequest& r, const LimitState& limits, qint64 now);

// The answer when no candidate can serve. breakerOpenUntilMs: when the open breaker lets a probe through, or 0.
PickResult noKeyResult(const Candidates& c, qint64 now, qint64 breakerOpenUntilMs);

} // namespace gemgate
