#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// GET /health: liveness for load balancers and the window; needs no credential.
class HealthStage final : public Stage {
public:
    // What /health reports: the key pool's summary, whether the gateway drains, and since when it runs.
    HealthStage(const KeyPool& keys, const std::atomic<bool>& draining, QDateTime startedAt)
        : m_keys(keys)
        , m_draining(draining)
        , m_startedAt(std::move(startedAt)) {}
    const char* name() const override { return "health"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

private:
    const KeyPool& m_keys;
    const std::atomic<bool>& m_draining;
    QDateTime m_startedAt;
};

} // namespace gemgate
