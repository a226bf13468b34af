#pragma once

// The config as the admin API shows it: the file's own text (comments and layout kept) with every literal secret
// replaced by a placeholder "<redacted:TAG>". TAG is an HMAC of the secret under a key that lives only in this
// process, so it tells nothing about the secret, yet a text fetched from GET /api/config can be edited and PUT back:
// restoreConfigSecrets() puts the running config's secrets back where their placeholders are.
//
// Secrets: auth.client_keys[].key, auth.jwt_secret, literal gemini.api_keys[].key, admin.token and the password of
// an egress proxy URL. A secret given as ${VAR} is not in the text, so the reference itself shows (which is fine).

#include "config/config.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace gemgate {

QByteArray redactConfigText(const QByteArray& text, const Config& config);

// Replaces each placeholder by the running config's secret with the same tag. A placeholder matching none of them
// (e.g. taken from an older GemGate process) is an error naming it: nothing is guessed.
std::optional<QByteArray> restoreConfigSecrets(const QByteArray& text, const Config& running, QString* error);

} // namespace gemgate
