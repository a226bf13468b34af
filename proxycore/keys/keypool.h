#pragma once

// The pool of upstream Gemini keys, shared by all workers: which key serves the next request, and what each
// key's answers say about it.
//
// Model (gemini-api.md sections 5 and 6): quotas belong to a Google Cloud project and a model, so the pool counts
// requests (RPM, RPD) and input tokens (TPM) per project x model, and per key x model where a key has limits of its
// own. RPM/TPM are sliding 60 s windows in 1 s buckets; RPD resets at midnight America/Los_Angeles. A key whose
// project is at a limit is skipped before Google answers 429. Reactive state comes from classified upstream
// errors: per-minute 429 cools the project x model down for RetryInfo's delay (or a jittered exponential backoff),
// per-day 429 until the Pacific reset, a bad key is disabled with its reason, repeated transient failures while
// other keys succeed rest a key for a while. When most keys answer 429 within a short window (IP- or
// account-level throttling) a pool-level breaker opens and lets one probe through at a time when it half-opens.
//
// Every pick() that returns a lease must be closed by exactly one of reportSuccess / reportFailure / release.
// All members are thread-safe; critical sections are short and take one mutex.

#include "clock/clock.h"
#include "config/config.h"
#include "gemini/errorclass.h"
#include "gemini/tokenestimate.h"
#include "keys/breaker.h"
#include "keys/keypersistence.h"
#include "keys/slidingwindow.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QUrl>

#include <optional>
#include <random>

namespace gemgate {

struct KeyEntry; // keys/keypool_p.h
struct KeyStateRow;
struct KeyDayCounterRow;
struct ProjectCooldownRow;

enum class KeyHealth {
    Ready,        // can take requests now
    CoolingDown,  // resting after 429s or repeated transient failures; back by itself
    Limited,      // at a configured RPM/TPM/RPD limit for some model
    Disabled,     // the upstream said the key is bad; re-validated on a schedule
    UserDisabled, // turned off in the config or by the user
    NoSecret,     // its secret could not be loaded (yet)
};
const char* keyHealthName(KeyHealth h);

struct PickRequest {
    QString model;                   // "gemini-2.5-flash"; empty for routes that name none
    bool countsAgainstQuota = false; // generate / embed calls; model lists, files, countTokens do not
    qint64 estimatedTokens = 0;      // input tokens, for TPM
    QStringList exclude;             // keys already tried for this request
    QString stickyKey;               // sticky strategy: the client's session or id
    QString pinnedKey;               // a stateful resource lives in this key's project: prefer this key ...
    QString pinnedProject;           // ... else another key of this project, never a key of another project
    bool dryRun = false;             // only ask whether a key could serve: no lease, nothing counted
};

struct KeyLease {
    QString id;
    QString project;
    QByteArray secret;
    QUrl proxy; // the key's own egress proxy, if any
    QString model;
    bool counted = false;
    qint64 reservedTokens = 0;
    bool probe = false; // the breaker's half-open probe
    qint64 pickedAtMs = 0;
};

enum class NoKeyCause {
    None,
    NoneConfigured, // no keys at all                                      -> 503
    AllLimited,     // every usable key is cooling down / at a limit       -> 429 + Retry-After
    NoneUsable,     // keys exist but are disabled, have no secret, ...    -> 503
    BreakerOpen,    // most keys answered 429 moments ago                  -> 429 + Retry-After
    Exhausted,      // every usable key was already tried for this request -> the last upstream error
};

struct PickResult {
    std::optional<KeyLease> lease;
    NoKeyCause cause = NoKeyCause::None;
    qint64 retryAfterMs = 0; // AllLimited / BreakerOpen (and NoneUsable when keys rest): when to try again
    QString message;         // names the cause per key, never a secret
};

// One model's budget on one key (what the window shows).
struct ModelBudget {
    QString model;
    qint64 rpmUsed = 0, rpmLimit = 0;
    qint64 tpmUsed = 0, tpmLimit = 0;
    qint64 rpdUsed = 0, rpdLimit = 0;
    qint64 cooldownUntilMs = 0;
    QString cooldownReason;
};

struct KeyStatus {
    QString id;
    QString label;
    QString project;
    QStringList tags; // from the config file
    QString note;     // the window's note and tags (state database; filled in by the key manager)
    QStringList noteTags;
    QString secretSource; // "config", "keychain:<name>", "env:<VAR>", "file:<path>"
    bool managed = false;
    bool configEnabled = true; // false: `enabled: false` in the config file (only the file can turn it on)
    int weight = 1;
    KeyHealth health = KeyHealth::Ready;
    QString detail;           // one line: why the key is not Ready, or "" when it is
    qint64 availableAtMs = 0; // CoolingDown / Limited: when it is expected back
    QString disabledReason;
    QString lastError;
    qint64 lastErrorAtMs = 0;
    qint64 lastSuccessAtMs = 0;
    int inFlight = 0;
    qint64 requestsToday = 0; // this key, every model, since the last Pacific midnight
    qint64 tokensToday = 0;
    double headroom = 1.0; // 0..1: the tightest remaining share of any configured limit
    QList<ModelBudget> budgets;
};

struct KeyPoolSummary {
    int total = 0;
    int available = 0; // Ready
    int coolingDown = 0;
    int disabled = 0;
};

// What the persistence timer takes out of the pool: rows changed since the last call.
struct KeyPoolDelta {
    QList<KeyStateRow> states;
    QList<KeyDayCounterRow> counters; // increments
    QList<ProjectCooldownRow> cooldowns;
    bool isEmpty() const;
};

struct HealthCheckTarget {
    QString id;
    QByteArray secret;
    QUrl proxy;
};

class KeyPool {
public:
    explicit KeyPool(const Clock* clock = nullptr); // null => the system clock
    ~KeyPool();
    void setClock(const Clock* clock);
    // Seeds the weighted_random strategy and the jitter (tests).
    void setRandomSeed(quint64 seed);

    // Replaces keys, limits and strategy (config load or reload). Keys that keep their id keep their state,
    // counters and rotation position. Keys with a secretRef and no secret wait for setSecret().
    void configure(const GeminiConfig& config);
    void setSecret(const QString& id, const QByteArray& secret);
    void setSecretError(const QString& id, const QString& error);

    PickResult pick(const PickRequest& request);
    // The request finished with a 2xx/3xx; inputTokens from usageMetadata (< 0: unknown, keep the estimate).
    void reportSuccess(const KeyLease& lease, qint64 inputTokens = -1);
    // The attempt failed; the class decides what happens to the key. Returns a short description of the action
    // taken ("cooling gemini-2.5-flash in project p1 for 41 s") for the log.
    QString reportFailure(const KeyLease& lease, const ClassifiedError& error);
    // No outcome (the client left, or the request was never answered): frees the in-flight slot only.
    void release(const KeyLease& lease);
    // The breaker's probe got an answer that is not a 429 (its headers): Gemini accepts requests again, so the
    // breaker closes now rather than when a long stream ends. Clears lease->probe.
    void probeAnswered(KeyLease* lease);
    // Human-readable lines about what the pool did (key disabled, project cooling, key resting), oldest first,
    // for the window's log and stderr; taken once.
    QStringList takeEvents();

    // Management (window, admin API).
    bool setUserEnabled(const QString& id, bool enabled);
    QList<KeyStatus> statuses() const;
    std::optional<KeyStatus> status(const QString& id) const;
    KeyPoolSummary summary() const;
    QStringList projectOf(const QStringList& ids) const;
    QString projectOf(const QString& id) const;
    bool contains(const QString& id) const;

    // Health checks: keys the pool disabled or rests, whose last check is older than the interval.
    QList<HealthCheckTarget> dueForHealthCheck(qint64 intervalMs);
    std::optional<HealthCheckTarget> target(const QString& id) const;
    // The cheap validation call's outcome: ok brings a disabled / resting key back (quota cooldowns keep running:
    // a model list says nothing about a generate quota).
    void reportHealthCheck(const QString& id, bool ok, const ClassifiedError& error);

    // Every loaded secret, for scrubbing upstream text before it leaves the process.
    QList<QByteArray> secrets() const;
    QByteArray redact(const QByteArray& text) const;

    // Persistence.
    void restore(const QList<KeyStateRow>& states, const QList<KeyDayCounterRow>& today,
                 const QList<ProjectCooldownRow>& cooldowns);
    KeyPoolDelta takeDelta();

private:
    // The pool is a facade: its parts live in keys/ (slidingwindow, eligibility, pickstrategy, breaker,
    // failurepolicy, keystatus, keypersistence) as plain types and functions, and KeyPool keeps their state under
    // its one mutex.
    KeyEntry* find(const QString& id);
    const KeyEntry* find(const QString& id) const;
    void rollDay(qint64 now);
    void forgive(KeyEntry& e);
    void chargeTokens(KeyEntry& e, const KeyLease& lease, qint64 delta, qint64 now);

    mutable QMutex m_mutex;
    const Clock* m_clock;
    std::mt19937_64 m_rng;
    QList<KeyEntry*> m_entries; // owned
    ScopeTable m_scopes;
    GeminiConfig m_config;
    QString m_day;
    qint64 m_dayEndsMs = 0;
    qint64 m_lastPoolSuccessMs = 0;
    KeyPoolJournal m_journal; // rows for the next persistence delta
    QStringList m_events;
    PoolBreaker m_breaker;
};

// Whether `model` is in an allow list of exact names, prefixes ending in '*' or "*" (an empty list or model: yes).
bool modelAllowed(const QStringList& allowed, const QString& model);

} // namespace gemgate
