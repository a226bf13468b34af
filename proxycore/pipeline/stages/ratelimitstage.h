#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// Requests per minute per client (token bucket; `auth.client_keys[].rate_limit_per_minute`, else
// `auth.rate_limit_per_minute`): 429 with Retry-After and a message naming the limit.
class RateLimitStage final : public Stage {
public:
    const char* name() const override { return "rate_limit"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;
};

} // namespace gemgate
