#pragma once

// Names of Gemini API calls for metrics and usage records: the path with its variable parts replaced, so that a
// label has a small, fixed set of values and carries no id a client made up.

#include <QByteArray>
#include <QString>

namespace gemgate::gemini {

// What a usage record names the call: method and path (at most 256 bytes of it), the model replaced by "{model}"
// when one is given (the model is a column of its own). "POST /v1beta/models/{model}:generateContent".
QString usageRouteLabel(const QByteArray& method, const QByteArray& path, const QString& model);

// The route label of the metrics for a native Gemini REST path: every resource id replaced ("files/{id}",
// "models/{model}"), collections and actions the Gemini API does not have replaced by "{other}", at most six
// segments after the version ("/..." beyond). Gemini REST paths alternate collection and id after the version:
// /v1beta/{collection}/{id}[/{collection}/{id}][:action].
QString restRouteLabel(const QByteArray& method, const QByteArray& path);

} // namespace gemgate::gemini
