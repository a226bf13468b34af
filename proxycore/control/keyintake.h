#pragma once

// Bulk key intake (the Keys page's "Add many"): find every Gemini API key in pasted text (AIza… and the newer AQ.…
// form), drop duplicates and keys already in the pool, and check each against the upstream with a models list
// call, a few at a time, sorting the answers by cause. The secrets stay in the caller's hands (they go to the
// chosen store when added); the classification sees only statuses and error bodies.

#include <QByteArray>
#include <QList>
#include <QString>

namespace gemgate {

struct KeyCandidate {
    QByteArray secret;
    QString masked;      // "AIzaSy…wxyz": for display
    bool inPool = false; // the pool already has this key (under some id)
};

struct KeyScan {
    QList<KeyCandidate> keys; // in the order found, each once
    int duplicates = 0;       // repeated in the text (dropped)
};

enum class KeyProbeResult {
    Pending,
    Valid,             // the models list answered 200
    Invalid,           // 400 / 401: the key does not exist or is malformed (API_KEY_INVALID)
    Suspended,         // 403: suspended, blocked, leaked or the API is off in its project; 402: no credit
    RateLimitedMinute, // 429 on a per-minute quota: a working key, busy now
    RateLimitedDay,    // 429 on a per-day quota: a working key, spent until Pacific midnight
    NetworkError,      // no HTTP answer (connection, TLS, proxy, timeout)
    OtherError,        // any other HTTP error (5xx, ...)
};

struct KeyProbe {
    KeyProbeResult result = KeyProbeResult::Pending;
    int httpStatus = 0;
    QString reason; // ErrorInfo reason or the like (API_KEY_INVALID, CONSUMER_SUSPENDED, ...), "" when none
    QString detail; // one line for people; never contains a key
    // Valid and rate-limited keys exist and may be added.
    bool usable() const {
        return result == KeyProbeResult::Valid || result == KeyProbeResult::RateLimitedMinute ||
               result == KeyProbeResult::RateLimitedDay;
    }
};

// Every key-shaped token in the text, each once, in order (duplicates counted). inPool is left false.
KeyScan findKeysInText(const QString& text);
// "AIzaSy…wxyz"
QString maskKey(const QByteArray& secret);
// The cause of a models list answer: status 0 means no HTTP answer (networkError says why). `secrets` are scrubbed
// from the detail.
KeyProbe classifyKeyProbe(int status, const QByteArray& body, const QString& networkError);

} // namespace gemgate
