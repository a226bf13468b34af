#pragma once

// Gemini's model actions (the part after ':' in /v1beta/models/{model}:{action}) and what the gateway needs to know
// of them. The route labels of the metrics (routelabels.h) list the actions they name.

#include <QByteArray>

namespace gemgate::gemini {

// generateContent or streamGenerateContent: an answer with candidates (the stream guard, the output cap).
inline bool isGenerate(const QByteArray& action) {
    return action == "generateContent" || action == "streamGenerateContent";
}

// embedContent or batchEmbedContents: no usageMetadata in the answer (metered at the estimate).
inline bool isEmbed(const QByteArray& action) {
    return action == "embedContent" || action == "batchEmbedContents";
}

// Calls that consume a model's generate / embed quota (and count against token limits).
inline bool countsTokens(const QByteArray& action) {
    return isGenerate(action) || isEmbed(action) || action == "predict" || action == "predictLongRunning";
}

} // namespace gemgate::gemini
