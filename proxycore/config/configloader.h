#pragma once

// Loading, validating and writing the YAML configuration.
//
// Contract: load*() never throws and never returns a half-valid Config. Either `errors` is empty and `config`
// holds the whole validated snapshot, or `errors` lists every problem found (not just the first), each naming
// the file, line and column, the field path (e.g. "gemini.api_keys[1].weight") and what was expected.

#include "config/config.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace gemgate {

struct ConfigIssue {
    QString file;
    int line = 0;   // 1-based; 0 when unknown
    int column = 0; // 1-based; 0 when unknown
    QString path;   // field path, e.g. "server.port"
    QString message;
    // "file:line:column: path: message"
    QString toString() const;
};

struct ConfigLoadResult {
    std::shared_ptr<Config> config; // null when errors is non-empty
    QList<ConfigIssue> errors;
    QList<ConfigIssue> warnings;
    bool ok() const { return errors.isEmpty() && config != nullptr; }
    QString errorText() const; // every error, one per line
};

// Looks up an environment variable for ${VAR} substitution; injectable for tests. Substitution applies to scalar
// values only (never keys): ${VAR} must be set (an unset one is an error), ${VAR:-default} falls back to the default
// when VAR is unset or empty, and $${ gives a literal ${.
using EnvLookup = std::function<std::optional<QString>(const QString& name)>;
EnvLookup systemEnvironment();

// Relative cert/key/ca/log paths resolve against the config file's directory; for loadConfigText, fileName names
// the file in messages and supplies that directory (the current one when fileName has no directory part).
ConfigLoadResult loadConfigFile(const QString& path, const EnvLookup& env = systemEnvironment());
ConfigLoadResult loadConfigText(const QByteArray& yaml, const QString& fileName,
                                const EnvLookup& env = systemEnvironment());

// ~/.config/gemgate/gemgate.yaml on Linux (QStandardPaths::GenericConfigLocation + "/gemgate/gemgate.yaml", so it
// does not depend on the application name being set).
QString defaultConfigPath();

// Writes a commented first-run config atomically (QSaveFile, mode 0600): loopback listener, one generated
// client key, upstream key from ${GEMINI_API_KEY}. Creates the parent directory (mode 0700) when missing. Refuses to
// overwrite an existing file, so a user's config is never clobbered. Returns false and sets *error on failure.
bool writeDefaultConfig(const QString& path, QString* error);

} // namespace gemgate
