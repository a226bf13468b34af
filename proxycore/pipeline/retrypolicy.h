#pragma once

// What the session's retry loop decides by: which failures another key may fix, how long to back off, which calls
// are unsafe to replay, and the answer when the key pool has no key to give.

#include "gemini/errorclass.h"
#include "keys/keypool.h"
#include "pipeline/gatewayerror.h"

namespace gemgate {

struct KeyPoolConfig;
struct RequestContext;

// A key that is invalid, rate limited or failing transiently may be replaced by another one.
bool retryableOnAnotherKey(const ClassifiedError& error);

// Exponential backoff with jitter before the n-th retry after a transient failure (n >= 1).
qint64 transientBackoffMs(const KeyPoolConfig& pool, int retry);

// A call that creates something (a batch, a cache, an upload chunk) may have been carried out although its answer
// was lost: replaying it could create a duplicate. Only a failure to connect (nothing sent) is safe to replay.
bool unsafeToReplay(const RequestContext& ctx, bool requestSent);

// The gateway's answer when the pool had no key: 429 with Retry-After when every key is cooling down or the
// breaker is open, 503 when none is configured or usable (naming the pinned resource's key when one decided).
GatewayError noKeyError(const PickResult& result, const RequestContext& ctx);

} // namespace gemgate
