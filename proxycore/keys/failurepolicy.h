#pragma once

// What a failed attempt does to its key, decided from the classified upstream error and the state of the key and
// its project: nothing (the client left, the request's own fault), disable the key (and, when prepaid credit ran
// out, every key of its project), cool the project x model down (RetryInfo's delay, the Pacific reset for daily
// quotas, else a jittered exponential backoff) and tell the breaker, or count a transient failure towards a rest
// of the key. decideFailure() changes nothing but the random generator; KeyPool applies the decision under its
// mutex.

#include "config/config.h"
#include "gemini/errorclass.h"
#include "keys/keypool.h"
#include "keys/keypool_p.h"
#include "keys/slidingwindow.h"

#include <random>

namespace gemgate {

// What the decision is made from (read only).
struct FailureContext {
    const KeyEntry& key;
    const KeyLease& lease;
    const KeyPoolConfig& config;
    const ScopeTable& scopes;        // the project x model's 429 streak
    const QList<KeyEntry*>& entries; // every key's secret is scrubbed from upstream text
    qint64 dayEndsMs = 0;            // the next Pacific midnight
    qint64 lastPoolSuccessMs = 0;    // the pool's last success, 0 = none yet
    qint64 now = 0;
};

struct FailureDecision {
    enum class Kind {
        Ignore,         // nothing about the key changes (no action, no event)
        DisableKey,     // disable the key with disabledReason
        CoolProject,    // cool project x model scopes down, then tell the breaker
        CountTransient, // count towards the key's transient streak, maybe rest the key
    } kind = Kind::Ignore;
    QString error; // the key's last error: upstream reason and message, redacted, one line

    // DisableKey
    QString disabledReason;
    bool wholeProject = false; // every other key of the project that is not disabled yet gets the same reason

    // CoolProject
    QString strikesModel;   // the project x model scope whose streak of 429s without a retry delay ...
    int strikes = 0;        // ... becomes this
    QStringList coolModels; // project x model scopes cooling until coolUntilMs (unless cooling longer already)
    qint64 coolUntilMs = 0;
    QString coolReason;
    enum class BreakerStep { None, Reopen, Note429 } breaker = BreakerStep::None;

    // CountTransient
    int transientInRow = 0; // the key's streak after this failure
    // The streak is long enough: the key rests for restMs, its rest level goes up and the streak starts again.
    bool rest = false;
    qint64 restMs = 0;
    QString restReason;

    QString action; // for the log and reportFailure's answer; "" when nothing worth telling happened
};

// rng: the pool's seeded generator (the backoff's jitter draws from it only for a 429 without a retry delay).
FailureDecision decideFailure(const FailureContext& ctx, const ClassifiedError& error, std::mt19937_64& rng);

} // namespace gemgate
