#pragma once

// Internal to the config loader: typed, located reads from a yaml-cpp tree. Every read that fails records a
// ConfigIssue (file, line, column, field path, "expected ..., got ...") and leaves the caller's default untouched,
// so one pass over the document reports every problem instead of stopping at the first.

#include "config/configloader.h"

#include <QDir>
#include <QString>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <vector>

namespace gemgate::configdetail {

// Secret fields are read like strings, but their value is never quoted in a message.
enum class Secret { No, Yes };

// A value found in the document together with where it was found. For an empty value ("port:" with nothing after
// it) yaml-cpp marks the next token, so `mark` is the key's mark in that case.
struct Field {
    YAML::Node node;
    YAML::Mark mark;
    QString path;
};

class Reader {
public:
    Reader(const QString& file, const EnvLookup& env, const QDir& baseDir);

    void error(const YAML::Mark& mark, const QString& path, const QString& message);
    void warning(const YAML::Mark& mark, const QString& path, const QString& message);

    // Scalar text after ${VAR} substitution. nullopt when the value is empty (use the default), not a scalar (an
    // issue naming `expected` is recorded) or a substitution failed (recorded).
    std::optional<QString> scalar(const Field& field, const QString& expected, Secret secret = Secret::No);
    // The elements of a list; an empty value is an empty list, anything else records an issue.
    std::vector<Field> sequence(const Field& field);

    bool toInt(const Field& field, qint64 min, qint64 max, qint64* out);
    bool toBool(const Field& field, bool* out);
    bool toSize(const Field& field, qint64 min, qint64 max, qint64* out);

    // Resolves a relative path against the config file's directory and expands a leading "~/".
    QString resolvePath(const QString& path) const;

    // Remembers a secret so that finish() can scrub it from any message as a last line of defence.
    void addSecret(const QString& secret);
    void finish(QList<ConfigIssue>* errors, QList<ConfigIssue>* warnings);

    // Lets a caller tell "empty value" from "invalid value" after a read that returned nothing.
    qsizetype errorCount() const { return m_errors.size(); }

    // `got "abc"` / `got a list`: what a message says was found, without the value for secrets.
    static QString describe(const YAML::Node& node, const QString& text, Secret secret = Secret::No);

private:
    std::optional<QString> substitute(const QString& raw, const Field& field, Secret secret);
    ConfigIssue issue(const YAML::Mark& mark, const QString& path, const QString& message) const;

    QString m_file;
    const EnvLookup& m_env;
    QDir m_baseDir;
    QList<ConfigIssue> m_errors;
    QList<ConfigIssue> m_warnings;
    QStringList m_secrets;
};

// One YAML map with a fixed set of known keys. Construction records: a non-map value, keys that are not scalars,
// duplicate keys, and unknown keys (with a "did you mean" suggestion). The typed readers then leave `*out`
// untouched when the key is absent, empty or invalid, and return true only when they stored a value.
class MapReader {
public:
    MapReader(Reader& reader, const Field& field, std::initializer_list<const char*> known);

    std::optional<Field> field(const char* key) const;
    // The field, or an empty one (at this map's location) when the key is absent.
    Field child(const char* key) const;
    QString childPath(const char* key) const;
    const YAML::Mark& mark() const { return m_mark; }
    const QString& path() const { return m_path; }

    bool readString(const char* key, QString* out, Secret secret = Secret::No);
    bool readInt(const char* key, qint64 min, qint64 max, int* out);
    bool readPort(const char* key, int min, quint16* out);
    bool readBool(const char* key, bool* out);
    bool readSize(const char* key, qint64 min, qint64 max, qint64* out);
    bool readStringList(const char* key, QStringList* out);
    // A path value resolved against the config file's directory; an empty value clears it.
    bool readPath(const char* key, QString* out);

private:
    Reader& m_reader;
    QString m_path;
    YAML::Mark m_mark;
    std::vector<std::pair<QString, Field>> m_entries;
};

// The closest known name within a small edit distance (or equal once case and underscores are ignored).
QString suggestName(const QString& unknown, const QStringList& known);

// Parses "123", "32MiB", "100 MB", "512k" (binary K/M/G, decimal KB/MB/GB). nullopt on malformed input/overflow.
std::optional<qint64> parseSize(const QString& text);

QString quoted(const QString& text);

// The whole schema: reads every section of the document root into *config (configsections.cpp).
void readConfig(Reader& reader, const Field& root, Config* config);

} // namespace gemgate::configdetail
