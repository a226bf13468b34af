#include "config/configreader.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace gemgate::configdetail {

namespace {

constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * kKiB;
constexpr qint64 kGiB = 1024 * kMiB;

bool isEnvNameStart(QChar c) {
    return c == u'_' || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z');
}

bool isValidEnvName(const QString& name) {
    if (name.isEmpty() || !isEnvNameStart(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), [](QChar c) { return isEnvNameStart(c) || (c >= u'0' && c <= u'9'); });
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so "prot" is one edit from "port".
int editDistance(const QString& a, const QString& b) {
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (qsizetype i = 0; i <= n; ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

QString formatSize(qint64 bytes) {
    if (bytes % kGiB == 0)
        return QString::number(bytes / kGiB) + QStringLiteral(" GiB");
    if (bytes % kMiB == 0)
        return QString::number(bytes / kMiB) + QStringLiteral(" MiB");
    if (bytes % kKiB == 0)
        return QString::number(bytes / kKiB) + QStringLiteral(" KiB");
    return QString::number(bytes) + QStringLiteral(" bytes");
}

int oneBased(int zeroBased) {
    return zeroBased < 0 ? 0 : zeroBased + 1;
}

} // namespace

QString quoted(const QString& text) {
    // Messages are single lines, and a pasted certificate or key must not flood the terminal.
    constexpr qsizetype kMaxShown = 80;
    QString shown = text.size() > kMaxShown ? text.left(kMaxShown) + QStringLiteral("...") : text;
    shown.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'"', QStringLiteral("\\\""))
        .replace(u'\n', QStringLiteral("\\n"))
        .replace(u'\r', QStringLiteral("\\r"))
        .replace(u'\t', QStringLiteral("\\t"));
    return u'"' + shown + u'"';
}

QString suggestName(const QString& unknown, const QStringList& known) {
    // "maxConnections" and "Port" are the same mistake as a typo: match them ignoring case and separators first.
    const auto normalize = [](const QString& s) { return s.toLower().remove(u'_').remove(u'-'); };
    const QString normalized = normalize(unknown);
    for (const QString& name : known) {
        if (normalize(name) == normalized)
            return name;
    }
    // Short names are within two edits of almost anything; scale the allowance so "ca" does not suggest "id".
    const int allowed = int(std::min<qsizetype>(2, std::max<qsizetype>(1, unknown.size() / 2)));
    QString best;
    int bestDistance = allowed + 1;
    for (const QString& name : known) {
        const int distance = editDistance(unknown.toLower(), name);
        if (distance < bestDistance) {
            best = name;
            bestDistance = distance;
        }
    }
    return best;
}

std::optional<qint64> parseSize(const QString& text) {
    static const QRegularExpression re(QStringLiteral("^\\s*([0-9]+)(?:\\.([0-9]{1,9}))?\\s*([A-Za-z]*)\\s*$"));
    const QRegularExpressionMatch match = re.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    // K/M/G alone are binary, as in nginx's client_max_body_size; KB/MB/GB are decimal, KiB/MiB/GiB binary.
    const QString unit = match.captured(3).toLower();
    qint64 multiplier = 0;
    if (unit.isEmpty() || unit == u"b")
        multiplier = 1;
    else if (unit == u"k" || unit == u"kib")
        multiplier = kKiB;
    else if (unit == u"m" || unit == u"mib")
        multiplier = kMiB;
    else if (unit == u"g" || unit == u"gib")
        multiplier = kGiB;
    else if (unit == u"kb")
        multiplier = 1000;
    else if (unit == u"mb")
        multiplier = 1000 * 1000;
    else if (unit == u"gb")
        multiplier = 1000 * 1000 * 1000;
    else
        return std::nullopt;

    bool ok = false;
    const qint64 whole = match.captured(1).toLongLong(&ok);
    if (!ok || whole > std::numeric_limits<qint64>::max() / multiplier - multiplier)
        return std::nullopt;
    qint64 result = whole * multiplier;
    const QString fraction = match.captured(2);
    if (!fraction.isEmpty()) {
        qint64 scale = 1;
        for (qsizetype i = 0; i < fraction.size(); ++i)
            scale *= 10;
        // fraction < 10^9 and multiplier <= 2^30, so the product stays far below 2^63.
        result += fraction.toLongLong() * multiplier / scale;
    }
    return result;
}

Reader::Reader(const QString& file, const EnvLookup& env, const QDir& baseDir)
    : m_file(file)
    , m_env(env)
    , m_baseDir(baseDir) {}

ConfigIssue Reader::issue(const YAML::Mark& mark, const QString& path, const QString& message) const {
    ConfigIssue result;
    result.file = m_file;
    if (!mark.is_null()) {
        result.line = oneBased(mark.line);
        result.column = oneBased(mark.column);
    }
    result.path = path;
    result.message = message;
    return result;
}

void Reader::error(const YAML::Mark& mark, const QString& path, const QString& message) {
    m_errors.append(issue(mark, path, message));
}

void Reader::warning(const YAML::Mark& mark, const QString& path, const QString& message) {
    m_warnings.append(issue(mark, path, message));
}

QString Reader::describe(const YAML::Node& node, const QString& text, Secret secret) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a map");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Scalar:
        return secret == Secret::Yes ? QStringLiteral("a text value") : quoted(text);
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("an empty value");
}

std::optional<QString> Reader::scalar(const Field& field, const QString& expected, Secret secret) {
    if (!field.node.IsDefined() || field.node.IsNull())
        return std::nullopt;
    if (!field.node.IsScalar()) {
        error(field.mark, field.path, QStringLiteral("expected %1, got %2").arg(expected, describe(field.node, {})));
        return std::nullopt;
    }
    return substitute(QString::fromStdString(field.node.Scalar()), field, secret);
}

std::optional<QString> Reader::substitute(const QString& raw, const Field& field, Secret secret) {
    if (!raw.contains(u'$'))
        return raw;
    QString out;
    bool ok = true;
    const QString open = QStringLiteral("${");
    qsizetype i = 0;
    while (i < raw.size()) {
        if (raw.mid(i, 3) == QStringLiteral("$${")) {
            out += open;
            i += 3;
            continue;
        }
        if (raw.mid(i, 2) != open) {
            out += raw[i++];
            continue;
        }
        const qsizetype close = raw.indexOf(u'}', i + 2);
        if (close < 0) {
            error(field.mark, field.path,
                  QStringLiteral("expected \"${NAME}\" or \"${NAME:-default}\", got an unterminated \"${\""));
            return std::nullopt;
        }
        const QString body = raw.mid(i + 2, close - i - 2);
        const qsizetype separator = body.indexOf(QStringLiteral(":-"));
        const QString name = separator < 0 ? body : body.left(separator);
        i = close + 1;
        if (!isValidEnvName(name)) {
            // Someone may have wrapped the secret itself in ${...}: never repeat a secret field's text.
            const QString got = secret == Secret::Yes ? QStringLiteral("an invalid name") : quoted(name);
            error(field.mark, field.path,
                  QStringLiteral("expected an environment variable name (letters, digits, _) in \"${...}\", got %1")
                      .arg(got));
            ok = false;
            continue;
        }
        const std::optional<QString> value = m_env ? m_env(name) : std::nullopt;
        if (value && !value->isEmpty())
            out += *value;
        else if (separator >= 0)
            out += body.mid(separator + 2);
        else if (!value) {
            error(field.mark, field.path,
                  QStringLiteral("environment variable %1 is not set (write \"${%1:-}\" to allow it to be unset)")
                      .arg(name));
            ok = false;
        }
    }
    return ok ? std::optional<QString>(out) : std::nullopt;
}

std::vector<Field> Reader::sequence(const Field& field) {
    std::vector<Field> items;
    if (!field.node.IsDefined() || field.node.IsNull())
        return items;
    if (!field.node.IsSequence()) {
        const QString text = field.node.IsScalar() ? QString::fromStdString(field.node.Scalar()) : QString();
        error(field.mark, field.path,
              QStringLiteral("expected a list (lines starting with \"- \"), got %1").arg(describe(field.node, text)));
        return items;
    }
    int index = 0;
    for (const YAML::Node& item : field.node) {
        const YAML::Mark mark = item.IsNull() || item.Mark().is_null() ? field.mark : item.Mark();
        items.push_back(Field{item, mark, field.path + u'[' + QString::number(index++) + u']'});
    }
    return items;
}

bool Reader::toInt(const Field& field, qint64 min, qint64 max, qint64* out) {
    const QString expected = QStringLiteral("an integer between %1 and %2").arg(min).arg(max);
    const std::optional<QString> text = scalar(field, expected);
    if (!text)
        return false;
    bool ok = false;
    const qint64 value = text->trimmed().toLongLong(&ok);
    if (!ok || value < min || value > max) {
        error(field.mark, field.path, QStringLiteral("expected %1, got %2").arg(expected, quoted(*text)));
        return false;
    }
    *out = value;
    return true;
}

bool Reader::toBool(const Field& field, bool* out) {
    const QString expected = QStringLiteral("true or false");
    const std::optional<QString> text = scalar(field, expected);
    if (!text)
        return false;
    const QString value = text->trimmed().toLower();
    if (value == u"true" || value == u"yes" || value == u"on") {
        *out = true;
        return true;
    }
    if (value == u"false" || value == u"no" || value == u"off") {
        *out = false;
        return true;
    }
    error(field.mark, field.path, QStringLiteral("expected %1, got %2").arg(expected, quoted(*text)));
    return false;
}

bool Reader::toSize(const Field& field, qint64 min, qint64 max, qint64* out) {
    const QString expected =
        QStringLiteral("a size between %1 and %2 (bytes, or a number with KiB, MiB, GiB, KB, MB or GB)")
            .arg(formatSize(min), formatSize(max));
    const std::optional<QString> text = scalar(field, expected);
    if (!text)
        return false;
    const std::optional<qint64> value = parseSize(*text);
    if (!value || *value < min || *value > max) {
        error(field.mark, field.path, QStringLiteral("expected %1, got %2").arg(expected, quoted(*text)));
        return false;
    }
    *out = *value;
    return true;
}

QString Reader::resolvePath(const QString& path) const {
    if (path.isEmpty())
        return path;
    if (path == u"~" || path.startsWith(QStringLiteral("~/")))
        return QDir::cleanPath(QDir::homePath() + path.mid(1));
    return QDir::cleanPath(m_baseDir.absoluteFilePath(path));
}

void Reader::addSecret(const QString& secret) {
    // Very short values ("1", "on") also occur in ordinary messages; scrubbing them would garble the text.
    if (secret.size() >= 6 && !m_secrets.contains(secret))
        m_secrets.append(secret);
}

void Reader::finish(QList<ConfigIssue>* errors, QList<ConfigIssue>* warnings) {
    // Messages are built never to quote a secret field; this catches a secret pasted where it does not belong.
    for (QList<ConfigIssue>* list : {&m_errors, &m_warnings}) {
        for (ConfigIssue& item : *list) {
            for (const QString& secret : std::as_const(m_secrets))
                item.message.replace(secret, QStringLiteral("***"));
        }
    }
    *errors = std::move(m_errors);
    *warnings = std::move(m_warnings);
    m_errors.clear();
    m_warnings.clear();
}

MapReader::MapReader(Reader& reader, const Field& field, std::initializer_list<const char*> known)
    : m_reader(reader)
    , m_path(field.path)
    , m_mark(field.mark) {
    const YAML::Node& node = field.node;
    if (!node.IsDefined() || node.IsNull())
        return;
    if (!node.IsMap()) {
        const QString text = node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
        reader.error(field.mark, field.path,
                     QStringLiteral("expected a map (indented \"name: value\" lines), got %1")
                         .arg(Reader::describe(node, text)));
        return;
    }
    QStringList knownNames;
    for (const char* name : known)
        knownNames.append(QString::fromLatin1(name));

    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;
        const YAML::Node value = it->second;
        if (!key.IsScalar()) {
            reader.error(key.Mark(), m_path,
                         QStringLiteral("expected a field name, got %1").arg(Reader::describe(key, {})));
            continue;
        }
        const QString name = QString::fromStdString(key.Scalar());
        if (!knownNames.contains(name)) {
            QString message = QStringLiteral("unknown field %1").arg(quoted(name));
            const QString suggestion = suggestName(name, knownNames);
            if (!suggestion.isEmpty())
                message += QStringLiteral("; did you mean %1?").arg(quoted(suggestion));
            reader.error(key.Mark(), m_path, message);
            continue;
        }
        const QString path = m_path.isEmpty() ? name : m_path + u'.' + name;
        const auto previous = std::find_if(m_entries.begin(), m_entries.end(),
                                           [&name](const auto& entry) { return entry.first == name; });
        if (previous != m_entries.end()) {
            // yaml-cpp keeps both; silently taking one would hide which value is in effect.
            reader.error(key.Mark(), path,
                         QStringLiteral("duplicate field %1 (already set at line %2); keep only one")
                             .arg(quoted(name))
                             .arg(oneBased(previous->second.mark.line)));
            continue;
        }
        const YAML::Mark mark = value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
        m_entries.emplace_back(name, Field{value, mark, path});
    }
}

std::optional<Field> MapReader::field(const char* key) const {
    const QString name = QString::fromLatin1(key);
    for (const auto& entry : m_entries) {
        if (entry.first == name)
            return entry.second;
    }
    return std::nullopt;
}

Field MapReader::child(const char* key) const {
    if (std::optional<Field> found = field(key))
        return *found;
    return Field{YAML::Node(), m_mark, childPath(key)};
}

QString MapReader::childPath(const char* key) const {
    const QString name = QString::fromLatin1(key);
    return m_path.isEmpty() ? name : m_path + u'.' + name;
}

bool MapReader::readString(const char* key, QString* out, Secret secret) {
    const std::optional<Field> found = field(key);
    if (!found)
        return false;
    const std::optional<QString> text = m_reader.scalar(*found, QStringLiteral("a string"), secret);
    if (!text)
        return false;
    *out = *text;
    return true;
}

bool MapReader::readInt(const char* key, qint64 min, qint64 max, int* out) {
    qint64 value = 0;
    const std::optional<Field> found = field(key);
    if (!found || !m_reader.toInt(*found, min, max, &value))
        return false;
    *out = int(value);
    return true;
}

bool MapReader::readPort(const char* key, int min, quint16* out) {
    int value = 0;
    if (!readInt(key, min, 65535, &value))
        return false;
    *out = quint16(value);
    return true;
}

bool MapReader::readBool(const char* key, bool* out) {
    const std::optional<Field> found = field(key);
    return found && m_reader.toBool(*found, out);
}

bool MapReader::readSize(const char* key, qint64 min, qint64 max, qint64* out) {
    const std::optional<Field> found = field(key);
    return found && m_reader.toSize(*found, min, max, out);
}

bool MapReader::readStringList(const char* key, QStringList* out) {
    const std::optional<Field> found = field(key);
    if (!found || !found->node.IsDefined() || found->node.IsNull())
        return false;
    // A single value is accepted as a one-element list: "domains: example.com" means what it says.
    if (found->node.IsScalar()) {
        const std::optional<QString> text = m_reader.scalar(*found, QStringLiteral("a string"));
        if (!text)
            return false;
        *out = QStringList{*text};
        return true;
    }
    const qsizetype errorsBefore = m_reader.errorCount();
    QStringList values;
    for (const Field& item : m_reader.sequence(*found)) {
        if (std::optional<QString> text = m_reader.scalar(item, QStringLiteral("a string")))
            values.append(*text);
    }
    if (m_reader.errorCount() != errorsBefore)
        return false;
    *out = values;
    return true;
}

bool MapReader::readPath(const char* key, QString* out) {
    QString text;
    if (!readString(key, &text))
        return false;
    *out = m_reader.resolvePath(text.trimmed());
    return true;
}

} // namespace gemgate::configdetail
