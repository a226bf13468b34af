#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// The client policy, after routing (it needs the model and the call): the client's allowed models, then its limits
// and quotas and those of its namespace, its source address and the gateway (PolicyEngine), and the per-request
// caps: too many estimated input tokens is a 400, maxOutputTokens is clamped to the cap.
class PolicyStage final : public Stage {
public:
    // runtime: the config snapshot this stage is built for (limits.*, the client default).
    PolicyStage(RuntimePtr runtime, PolicyEngine& policy)
        : m_rt(std::move(runtime))
        , m_policy(policy) {}
    const char* name() const override { return "policy"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

    // Calls that consume a model's generate / embed quota (and count against token limits).
    static bool countsTokens(const QByteArray& action);
    // The request body with generationConfig.maxOutputTokens at most `cap` (set when absent). The body unchanged
    // when it is not a JSON object.
    static QByteArray clampOutputTokens(const QByteArray& body, qint64 cap);

private:
    RuntimePtr m_rt;
    PolicyEngine& m_policy;
};

} // namespace gemgate
