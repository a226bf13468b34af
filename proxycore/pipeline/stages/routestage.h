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
};

} // namespace gemgate
