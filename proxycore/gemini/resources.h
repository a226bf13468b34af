#pragma once

// Gemini's stateful resources (files, cachedContents, batches, resumable upload sessions) as the API names them:
// which ones a request names, which one a creating call's answer names, and which calls create one. Plain functions
// on bytes; the pins that route them to their key live in keys/resourcepins.h.

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace gemgate {

// The resources a request names: in its path (/v1beta/files/abc, /v1beta/cachedContents/x, /v1beta/batches/b:cancel,
// with or without an /upload prefix) and, for model calls, in its JSON body (fileData.fileUri ".../files/abc",
// "cachedContent": "cachedContents/x"). At most a handful; duplicates removed.
QStringList referencedResources(const QByteArray& path, const QByteArray& body);

// The resource a successful creating call returned: "name" at the top level of the JSON body, or under "file"
// (upload finalization). Empty when there is none or the name is not one of files/, cachedContents/, batches/.
QString createdResourceName(const QByteArray& body);

// Calls that create a stateful resource whose name the answer carries (a batch, a cache, a file, an upload).
bool createsResource(const QByteArray& method, const QByteArray& path, const QByteArray& action);

} // namespace gemgate
