#pragma once

// The token estimate of a request, made before the call (what quotas and key budgets reserve until the reply's
// usage replaces it).

#include <QByteArray>

namespace gemgate {

// Input tokens of a generate/embed request body, estimated before the call: about 4 bytes per token of text;
// inline media ("data" of inlineData) counts a flat 258 tokens per part (Gemini's per-image charge) instead of
// its base64 length.
qint64 estimateInputTokens(const QByteArray& body);

} // namespace gemgate
