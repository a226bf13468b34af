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
};

} // namespace gemgate
