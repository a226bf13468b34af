#include "config/configloader.h"

#include "config/configreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>
#include <array>
#include <tuple>

namespace gemgate {

using configdetail::Field;
using configdetail::Reader;

QString ConfigIssue::toString() const {
    QString location = file;
    if (line > 0) {
        location += (location.isEmpty() ? QString() : QStringLiteral(":")) + QString::number(line);
        if (column > 0)
            location += u':' + QString::number(column);
    }
    QString result;
    if (!location.isEmpty())
        result = location + QStringLiteral(": ");
    if (!path.isEmpty())
        result += path + QStringLiteral(": ");
    return result + message;
}

QString ConfigLoadResult::errorText() const {
    QStringList lines;
    for (const ConfigIssue& issue : errors)
        lines.append(issue.toString());
    return lines.join(u'\n');
}

EnvLookup systemEnvironment() {
    return [](const QString& name) -> std::optional<QString> {
        const QByteArray key = name.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(key.constData()))
            return std::nullopt;
        return qEnvironmentVariable(key.constData());
    };
}

ConfigLoadResult loadConfigText(const QByteArray& yaml, const QString& fileName, const EnvLookup& env) {
    ConfigLoadResult result;
    const QDir baseDir = fileName.isEmpty() ? QDir::current() : QFileInfo(fileName).absoluteDir();
    Reader reader(fileName, env, baseDir);
    auto config = std::make_shared<Config>();
    config->sourcePath = fileName;

    std::vector<YAML::Node> documents;
    bool parsed = false;
    try {
        documents = YAML::LoadAll(yaml.toStdString());
        parsed = true;
    } catch (const YAML::Exception& e) {
        reader.error(e.mark, {}, QStringLiteral("invalid YAML: %1").arg(QString::fromStdString(e.msg)));
    } catch (const std::exception& e) {
        reader.error(YAML::Mark::null_mark(), {}, QStringLiteral("invalid YAML: %1").arg(QString::fromUtf8(e.what())));
    }

    if (parsed) {
        if (documents.size() > 1) {
            reader.error(documents[1].Mark(), {},
                         QStringLiteral("expected one YAML document, got %1 (remove the extra \"---\" lines)")
                             .arg(documents.size()));
        }
        // An empty file (or one with only comments) has no document at all: every field keeps its default.
        const Field root = documents.empty() ? Field{YAML::Node(), YAML::Mark::null_mark(), {}}
                                             : Field{documents.front(), documents.front().Mark(), {}};
        try {
            configdetail::readConfig(reader, root, config.get());
        } catch (const std::exception& e) {
            // yaml-cpp reports misuse by exception; the contract here is "never throws", so it becomes an issue.
            reader.error(
                YAML::Mark::null_mark(), {},
                QStringLiteral("internal error while reading the config: %1").arg(QString::fromUtf8(e.what())));
        }
    }

    reader.finish(&result.errors, &result.warnings);
    // Sections are read in a fixed order; reporting in document order lets a user fix the file top to bottom.
    const auto byPosition = [](const ConfigIssue& a, const ConfigIssue& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    };
    std::stable_sort(result.errors.begin(), result.errors.end(), byPosition);
    std::stable_sort(result.warnings.begin(), result.warnings.end(), byPosition);
    if (result.errors.isEmpty())
        result.config = std::move(config);
    return result;
}

ConfigLoadResult loadConfigFile(const QString& path, const EnvLookup& env) {
    QFile file(path);
    QByteArray data;
    if (file.open(QIODevice::ReadOnly))
        data = file.readAll();
    if (!file.isOpen() || file.error() != QFileDevice::NoError) {
        ConfigLoadResult result;
        ConfigIssue issue;
        issue.file = path;
        issue.message = QStringLiteral("cannot read the config file: %1").arg(file.errorString());
        result.errors.append(issue);
        return result;
    }
    ConfigLoadResult result = loadConfigText(data, path, env);
    if (result.config)
        result.config->sourcePath = QFileInfo(path).absoluteFilePath();
    return result;
}

QString defaultConfigPath() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/gemgate/gemgate.yaml");
}

namespace {

// "gg-" + base64url(32 random bytes) without padding: 256 bits from the OS CSPRNG, safe in headers and URLs.
QByteArray generateClientKey() {
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray raw(reinterpret_cast<const char*>(words.data()), qsizetype(sizeof(words)));
    const QByteArray encoded = raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    words.fill(0);
    return QByteArrayLiteral("gg-") + encoded;
}

// Kept short on purpose: resources/gemgate.example.yaml documents every field.
constexpr char kDefaultConfigTemplate[] = R"(# GemGate configuration, written on first start.
# Every field with its default and meaning is listed in gemgate.example.yaml (shipped with GemGate).
# ${VAR} takes a value from the environment; ${VAR:-default} falls back when VAR is unset or empty.

server:
  # Loopback only: nothing outside this machine can reach the gateway until you change the host.
  host: 127.0.0.1
  port: 8080
  tls:
    # With TLS enabled and no cert_path/key_path, a self-signed certificate is generated and reused.
    enabled: false

gemini:
  api_keys:
    # Read from the environment so the key is not stored in this file. While it is empty the gateway
    # starts anyway and answers 503 until a key is configured.
    - id: default
      key: "${GEMINI_API_KEY:-}"
  base_url: https://generativelanguage.googleapis.com

auth:
  # Clients must present one of these keys. This one was generated randomly for this machine;
  # treat it like a password.
  enabled: true
  client_keys:
    - id: local
      key: "@CLIENT_KEY@"

log:
  # stdout, off, or a file path (relative paths are relative to this file's directory).
  access_log: stdout
)";

} // namespace

bool writeDefaultConfig(const QString& path, QString* error) {
    const auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo info(path);
    if (info.exists())
        return fail(QStringLiteral("%1 already exists; not overwriting it").arg(path));

    const QString dirPath = info.absolutePath();
    if (!QFileInfo::exists(dirPath)) {
        // Only the directory we create gets 0700; an existing ~/.config keeps its own mode.
        const QString grandParent = QFileInfo(dirPath).absolutePath();
        if (!QDir().mkpath(grandParent) ||
            !QDir().mkdir(dirPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
            return fail(QStringLiteral("cannot create directory %1").arg(dirPath));
        }
    }

    QByteArray text(kDefaultConfigTemplate);
    QByteArray clientKey = generateClientKey();
    text.replace(QByteArrayLiteral("@CLIENT_KEY@"), clientKey);
    clientKey.fill('\0');

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    // Set on the temporary file before the rename, so the key is never readable by others, not even briefly.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return fail(QStringLiteral("cannot set permissions on %1: %2").arg(path, file.errorString()));
    }
    const bool written = file.write(text) == text.size();
    text.fill('\0');
    if (!written) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return fail(QStringLiteral("cannot write %1: %2").arg(path, reason));
    }
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace gemgate
