#pragma once

// The request that goes upstream for one attempt: the client's request on the configured base URL with the chosen
// key, without the client's credentials, hop-by-hop headers, headers.strip_upstream or the sticky-session header,
// and asking for an identity encoding (usage is read from the body as it streams; SSE must never sit in a
// compressor).

#include "upstream/transport.h"

namespace gemgate {

struct KeyLease;
struct RequestContext;

UpstreamRequest buildUpstreamRequest(const RequestContext& ctx, const KeyLease& key);

} // namespace gemgate
