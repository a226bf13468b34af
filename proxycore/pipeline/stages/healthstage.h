#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// GET /health: liveness for load balancers and the window; needs no credential.
class HealthStage final : public Stage {
public:
    const char* name() const override { return "health"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;
};

} // namespace gemgate
