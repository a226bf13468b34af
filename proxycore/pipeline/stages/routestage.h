#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// Decides what a request is. Everything under the Gemini API prefixes (/v1/, /v1beta/, /v1alpha/ and the
// /upload/ prefix of the Files API) is forwarded as is, known or not, so new Gemini endpoints work without a
// gateway release; anything else is 404 in the Gemini envelope.
class RouteStage final : public Stage {
public:
    const char* name() const override { return "route"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

    static QString modelFromPath(const QByteArray& path);
    // Which OpenAI-compatible call a request is, or None: chat/completions, embeddings and models under
    // /v1beta/openai/ (always) and under /v1/. /v1/models is shared with the native API: it is OpenAI's when the
    // client authenticates the OpenAI way (Authorization: Bearer, and neither x-goog-api-key nor ?key=).
    static OpenAiOp openAiOp(const HttpRequest& request);
    // The one decision of which API a request speaks, made before authentication so that every error an OpenAI
    // client gets (also one for a request that could not even be read) is in OpenAI's envelope: openAiOp(), except
    // that with the OpenAI API turned off /v1/models is only the native Gemini path; anything under
    // /v1beta/openai/ is OpenAI's even when GemGate does not serve it. *op, if given, receives the call.
    static ApiFlavor apiFlavor(const HttpRequest& request, const Config& config, OpenAiOp* op = nullptr);
};

} // namespace gemgate
