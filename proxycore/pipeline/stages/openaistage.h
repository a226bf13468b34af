#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// The OpenAI-compatible API's request side: validates and translates an OpenAI request into the native Gemini
// call it stands for (openai/openaitranslate.h) and rewrites the request in place, so that policy, key
// scheduling, forwarding and metering treat it like any native call. ProxySession translates the answer back.
class OpenAiStage final : public Stage {
public:
    // runtime: the config snapshot this stage is built for (openai.*); signatures: thought signatures of tool calls
    // sent to OpenAI clients, restored on the way back.
    OpenAiStage(RuntimePtr runtime, openai::SignatureCache& signatures)
        : m_rt(std::move(runtime))
        , m_signatures(signatures) {}
    const char* name() const override { return "openai"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

private:
    RuntimePtr m_rt;
    openai::SignatureCache& m_signatures;
};

} // namespace gemgate
