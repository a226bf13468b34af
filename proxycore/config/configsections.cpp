// The configuration schema: which fields exist in each section, their types and ranges, and the checks that span
// several fields. Field names are the YAML (snake_case) ones; see resources/gemgate.example.yaml.

#include "config/configreader.h"

#include <QHash>
#include <QHostAddress>
#include <QRegularExpression>
#include <QTimeZone>
#include <QUrl>

namespace gemgate::configdetail {

namespace {

constexpr qint64 kKiB = 1024;
constexpr qint64 kMiB = 1024 * kKiB;
constexpr qint64 kGiB = 1024 * kMiB;
constexpr qint64 kMaxTimeoutMs = 24LL * 3600 * 1000;
constexpr qint64 kMaxTimeoutSeconds = 24LL * 3600;
constexpr qint64 kMaxPerMinute = 1'000'000;

// A key travels in an HTTP header: whitespace or control characters would corrupt the request (or smuggle a header).
bool isHeaderSafe(const QString& key) {
    return std::all_of(key.begin(), key.end(), [](QChar c) { return c.unicode() > 0x20 && c.unicode() != 0x7f; });
}

// Proxy URLs may carry user:password, and a malformed URL cannot be trusted to parse: cut the user info out of the
// text itself before a message quotes it.
const QRegularExpression& userInfoPattern() {
    static const QRegularExpression re(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@"));
    return re;
}

QString withoutUserInfo(const QString& text) {
    QString result = text;
    return result.replace(userInfoPattern(), QStringLiteral("\\1"));
}

// Reads an absolute URL with one of `schemes` and a host. An empty value means "none" when allowEmpty.
bool readUrl(Reader& reader, MapReader& map, const char* key, const QStringList& schemes, bool allowEmpty, QUrl* out) {
    QString text;
    if (!map.readString(key, &text))
        return false;
    text = text.trimmed();
    if (text.isEmpty() && allowEmpty) {
        *out = QUrl();
        return true;
    }
    if (const QRegularExpressionMatch userInfo = userInfoPattern().match(text); userInfo.hasMatch()) {
        const QString credentials = userInfo.captured(2);
        reader.addSecret(credentials.mid(credentials.indexOf(u':') + 1));
    }
    const QUrl url(text, QUrl::StrictMode);
    if (url.isValid() && schemes.contains(url.scheme().toLower()) && !url.host().isEmpty()) {
        *out = url;
        return true;
    }
    const Field field = map.child(key);
    reader.error(field.mark, field.path,
                 QStringLiteral("expected a URL with a host, starting with %1://, got %2")
                     .arg(schemes.join(QStringLiteral(":// or ")), quoted(withoutUserInfo(text))));
    return false;
}

// Reads a string that must be one of `allowed` (case-insensitive); stores it lower-cased.
bool readEnum(Reader& reader, MapReader& map, const char* key, const QStringList& allowed, QString* out) {
    QString text;
    if (!map.readString(key, &text))
        return false;
    const QString value = text.trimmed().toLower();
    if (allowed.contains(value)) {
        *out = value;
        return true;
    }
    QStringList choices;
    for (const QString& choice : allowed)
        choices.append(quoted(choice));
    const Field field = map.child(key);
    reader.error(field.mark, field.path,
                 QStringLiteral("expected one of %1, got %2").arg(choices.join(QStringLiteral(", ")), quoted(text)));
    return false;
}

void readTls(Reader& reader, const Field& field, TlsConfig* tls) {
    MapReader map(reader, field, {"enabled", "cert_path", "key_path", "self_signed_dir", "acme"});
    map.readBool("enabled", &tls->enabled);
    map.readPath("cert_path", &tls->certPath);
    map.readPath("key_path", &tls->keyPath);
    map.readPath("self_signed_dir", &tls->selfSignedDir);
    if (tls->enabled && tls->certPath.isEmpty() != tls->keyPath.isEmpty()) {
        // One file alone cannot serve TLS, and silently falling back to a self-signed certificate would hide it.
        const bool haveCert = !tls->certPath.isEmpty();
        const char* present = haveCert ? "cert_path" : "key_path";
        const char* missing = haveCert ? "key_path" : "cert_path";
        reader.error(map.child(present).mark, map.childPath(missing),
                     QStringLiteral("expected both cert_path and key_path (or neither, for a generated self-signed "
                                    "certificate), got only %1")
                         .arg(QString::fromLatin1(present)));
    }

    MapReader acme(reader, map.child("acme"),
                   {"enabled", "domains", "email", "directory_url", "ca_file", "challenge", "http_port",
                    "renew_before_days", "storage_dir", "dns_hook", "eab_kid", "eab_hmac_key"});
    acme.readBool("enabled", &tls->acmeEnabled);
    acme.readStringList("domains", &tls->acmeDomains);
    acme.readString("email", &tls->acmeEmail);
    QUrl directory;
    if (readUrl(reader, acme, "directory_url", {QStringLiteral("https"), QStringLiteral("http")}, true, &directory))
        tls->acmeDirectoryUrl = directory.toString();
    acme.readPath("ca_file", &tls->acmeCaFile);
    readEnum(reader, acme, "challenge",
             {QStringLiteral("http-01"), QStringLiteral("tls-alpn-01"), QStringLiteral("dns-01")}, &tls->acmeChallenge);
    acme.readInt("http_port", 0, 65535, &tls->acmeHttpPort);
    acme.readInt("renew_before_days", 1, 365, &tls->acmeRenewBeforeDays);
    acme.readPath("storage_dir", &tls->acmeStorageDir);
    acme.readString("dns_hook", &tls->acmeDnsHook);
    acme.readString("eab_kid", &tls->acmeEabKid);
    acme.readString("eab_hmac_key", &tls->acmeEabHmacKey, Secret::Yes);
    if (!tls->acmeEnabled)
        return;
    const Field enabledField = acme.child("enabled");
    if (!tls->enabled)
        reader.error(enabledField.mark, acme.childPath("enabled"),
                     QStringLiteral("ACME needs server.tls.enabled: true (the certificate is served on HTTPS)"));
    const Field domainsField = acme.child("domains");
    if (tls->acmeDomains.isEmpty())
        reader.error(enabledField.mark, acme.childPath("domains"),
                     QStringLiteral("expected at least one domain name to get a certificate for"));
    bool wildcard = false;
    for (const QString& d : std::as_const(tls->acmeDomains)) {
        static const QRegularExpression name(
            QStringLiteral("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
        if (!name.match(d.toLower()).hasMatch() || !QHostAddress(d).isNull())
            reader.error(domainsField.mark, acme.childPath("domains"),
                         QStringLiteral("expected DNS names such as gemgate.example.com (no IP address, port or "
                                        "trailing dot), got \"%1\"")
                             .arg(d));
        wildcard = wildcard || d.startsWith(QLatin1String("*."));
    }
    const Field challengeField = acme.child("challenge");
    const YAML::Mark challengeMark =
        challengeField.node && challengeField.node.IsScalar() ? challengeField.mark : enabledField.mark;
    const Field httpPortField = acme.child("http_port");
    const YAML::Mark httpPortMark =
        httpPortField.node && httpPortField.node.IsScalar() ? httpPortField.mark : challengeMark;
    if (wildcard && tls->acmeChallenge != QLatin1String("dns-01"))
        reader.error(challengeMark, acme.childPath("challenge"),
                     QStringLiteral("wildcard names need the dns-01 challenge, got %1").arg(tls->acmeChallenge));
    if (tls->acmeChallenge == QLatin1String("http-01") && tls->acmeHttpPort == 0)
        reader.error(httpPortMark, acme.childPath("http_port"),
                     QStringLiteral("the http-01 challenge needs http_port (the CA checks port 80; 0 turns it off)"));
    if (tls->acmeChallenge == QLatin1String("dns-01") && tls->acmeDnsHook.trimmed().isEmpty())
        reader.error(challengeMark, acme.childPath("dns_hook"),
                     QStringLiteral("the dns-01 challenge needs dns_hook, a command run as `<hook> add|remove "
                                    "<fqdn> <value>`"));
    if (tls->acmeEabKid.isEmpty() != tls->acmeEabHmacKey.isEmpty())
        reader.error(enabledField.mark, acme.childPath(tls->acmeEabKid.isEmpty() ? "eab_kid" : "eab_hmac_key"),
                     QStringLiteral("External Account Binding needs both eab_kid and eab_hmac_key"));
    if (tls->acmeChallenge != QLatin1String("http-01"))
        reader.warning(challengeMark, acme.childPath("challenge"),
                       QStringLiteral("the %1 challenge is not available yet: orders fail until it is (use http-01)")
                           .arg(tls->acmeChallenge));
    if (!tls->certPath.isEmpty())
        reader.warning(enabledField.mark, acme.childPath("enabled"),
                       QStringLiteral("cert_path/key_path are served until the ACME certificate arrives, then the "
                                      "ACME one"));
}

void readServer(Reader& reader, const Field& field, ServerConfig* server) {
    MapReader map(reader, field,
                  {"host", "port", "workers", "max_connections", "max_body_bytes", "max_header_bytes",
                   "max_header_count", "header_timeout_ms", "body_timeout_ms", "idle_timeout_ms", "drain_timeout_ms",
                   "tls"});
    QString host;
    if (map.readString("host", &host)) {
        if (host.trimmed().isEmpty()) {
            const Field hostField = map.child("host");
            reader.error(hostField.mark, hostField.path,
                         QStringLiteral("expected a host name or IP address (e.g. 127.0.0.1 or 0.0.0.0), got \"\""));
        } else {
            server->host = host.trimmed();
        }
    }
    // Port 0 asks the OS for any free port (tests, and the GUI's "pick one for me").
    map.readPort("port", 0, &server->port);
    map.readInt("workers", 0, 256, &server->workers);
    map.readInt("max_connections", 1, 1'000'000, &server->maxConnections);
    map.readSize("max_body_bytes", kKiB, 4 * kGiB, &server->maxBodyBytes);
    qint64 headerBytes = 0;
    if (map.readSize("max_header_bytes", kKiB, 16 * kMiB, &headerBytes))
        server->maxHeaderBytes = int(headerBytes);
    map.readInt("max_header_count", 1, 10'000, &server->maxHeaderCount);
    map.readInt("header_timeout_ms", 1, kMaxTimeoutMs, &server->headerTimeoutMs);
    map.readInt("body_timeout_ms", 1, kMaxTimeoutMs, &server->bodyTimeoutMs);
    map.readInt("idle_timeout_ms", 1, kMaxTimeoutMs, &server->idleTimeoutMs);
    map.readInt("drain_timeout_ms", 1, kMaxTimeoutMs, &server->drainTimeoutMs);
    readTls(reader, map.child("tls"), &server->tls);
}

// Reads the `key` of an api_keys / client_keys entry. Returns the trimmed value, an empty string when the value is
// empty, and nullopt when it is missing or invalid (already reported).
std::optional<QString> readKeyValue(Reader& reader, MapReader& entry) {
    const Field keyField = entry.child("key");
    if (!entry.field("key")) {
        reader.error(entry.mark(), keyField.path, QStringLiteral("expected a \"key\" field, got none"));
        return std::nullopt;
    }
    const qsizetype errorsBefore = reader.errorCount();
    QString value;
    entry.readString("key", &value, Secret::Yes);
    if (reader.errorCount() != errorsBefore)
        return std::nullopt;
    value = value.trimmed();
    if (!isHeaderSafe(value)) {
        reader.error(keyField.mark, keyField.path,
                     QStringLiteral("expected a key without spaces or control characters, got a key containing them"));
        return std::nullopt;
    }
    reader.addSecret(value);
    return value;
}

// Reads an entry's `id`, defaulting to prefix + 1-based index, and reports a duplicate of an earlier entry.
QString readEntryId(Reader& reader, MapReader& entry, const QString& fallback, QHash<QString, QString>* seen) {
    QString id;
    entry.readString("id", &id);
    id = id.trimmed();
    const bool explicitId = !id.isEmpty();
    if (!explicitId)
        id = fallback;
    const Field idField = entry.child("id");
    if (const auto previous = seen->constFind(id); previous != seen->cend()) {
        reader.error(explicitId ? idField.mark : entry.mark(), idField.path,
                     QStringLiteral("expected a unique id, got %1 (already used by %2)").arg(quoted(id), *previous));
    } else {
        seen->insert(id, entry.path());
    }
    return id;
}

bool requireMap(Reader& reader, const Field& item, const QString& expected) {
    if (item.node.IsMap())
        return true;
    const QString text = item.node.IsScalar() ? QString::fromStdString(item.node.Scalar()) : QString();
    reader.error(item.mark, item.path,
                 QStringLiteral("expected %1, got %2").arg(expected, Reader::describe(item.node, text, Secret::Yes)));
    return false;
}

// Reads a list of {model, rpm, tpm, rpd} limit rules.
void readLimits(Reader& reader, const Field& field, QList<ModelLimitRule>* out) {
    QHash<QString, QString> seen;
    const std::vector<Field> items = reader.sequence(field);
    for (const Field& item : items) {
        if (!requireMap(reader, item, QStringLiteral("a map with model and rpm/tpm/rpd")))
            continue;
        MapReader entry(reader, item, {"model", "rpm", "tpm", "rpd"});
        ModelLimitRule rule;
        entry.readString("model", &rule.model);
        rule.model = rule.model.trimmed();
        const Field modelField = entry.child("model");
        if (rule.model.isEmpty()) {
            reader.error(entry.mark(), modelField.path,
                         QStringLiteral("expected a model name, a prefix ending in * or \"*\", got none"));
            continue;
        }
        if (rule.model.indexOf(u'*') >= 0 && rule.model.indexOf(u'*') != rule.model.size() - 1) {
            reader.error(modelField.mark, modelField.path,
                         QStringLiteral("expected * only at the end (a prefix such as gemini-2.5-pro*), got %1")
                             .arg(quoted(rule.model)));
            continue;
        }
        if (const auto previous = seen.constFind(rule.model); previous != seen.cend()) {
            reader.error(modelField.mark, modelField.path,
                         QStringLiteral("expected each model once, got %1 again (first at %2)")
                             .arg(quoted(rule.model), *previous));
            continue;
        }
        seen.insert(rule.model, entry.path());
        for (auto [name, target] : {std::pair<const char*, qint64*>{"rpm", &rule.limits.rpm},
                                    std::pair<const char*, qint64*>{"tpm", &rule.limits.tpm},
                                    std::pair<const char*, qint64*>{"rpd", &rule.limits.rpd}}) {
            if (const std::optional<Field> f = entry.field(name))
                reader.toInt(*f, 0, 1'000'000'000'000LL, target);
        }
        out->append(rule);
    }
}

constexpr qint64 kMaxLimit = 1'000'000'000'000LL;

void readLimitFields(Reader& reader, const MapReader& map, LimitSet* out) {
    for (const auto& [name, member] : kLimitSetFields) {
        if (const std::optional<Field> f = map.field(name))
            reader.toInt(*f, 0, kMaxLimit, &(out->*member));
    }
}

// A map of limit fields (limits.client_default, limits.global, ...).
void readLimitSet(Reader& reader, const Field& field, LimitSet* out) {
    MapReader map(reader, field,
                  {"requests_per_minute", "concurrent_requests", "tokens_per_minute", "tokens_per_day",
                   "tokens_per_month", "requests_per_day", "requests_per_month", "max_input_tokens",
                   "max_output_tokens"});
    readLimitFields(reader, map, out);
}

// A map of name -> limit set (limits.clients, limits.namespaces).
void readNamedLimitSets(Reader& reader, const Field& field, QHash<QString, LimitSet>* out) {
    if (!field.node.IsDefined() || field.node.IsNull())
        return;
    if (!field.node.IsMap()) {
        reader.error(field.mark, field.path,
                     QStringLiteral("expected a map of names to limits, got %1").arg(Reader::describe(field.node, {})));
        return;
    }
    for (auto it = field.node.begin(); it != field.node.end(); ++it) {
        const QString name = QString::fromStdString(it->first.Scalar()).trimmed();
        const Field entry{it->second, it->second.Mark(), field.path + QLatin1Char('.') + name};
        if (name.isEmpty()) {
            reader.error(it->first.Mark(), field.path, QStringLiteral("expected a name, got an empty key"));
            continue;
        }
        LimitSet set;
        readLimitSet(reader, entry, &set);
        out->insert(name, set);
    }
}

void readClientLimits(Reader& reader, const Field& field, LimitsConfig* limits) {
    MapReader map(reader, field,
                  {"client_default", "clients", "namespace_default", "namespaces", "per_ip", "global", "time_zone"});
    readLimitSet(reader, map.child("client_default"), &limits->clientDefault);
    readNamedLimitSets(reader, map.child("clients"), &limits->clients);
    readLimitSet(reader, map.child("namespace_default"), &limits->namespaceDefault);
    readNamedLimitSets(reader, map.child("namespaces"), &limits->namespaces);
    readLimitSet(reader, map.child("per_ip"), &limits->perIp);
    readLimitSet(reader, map.child("global"), &limits->global);
    for (auto [value, name] : {std::pair<qint64, const char*>{limits->perIp.tokensPerDay, "tokens_per_day"},
                               {limits->perIp.tokensPerMonth, "tokens_per_month"},
                               {limits->perIp.requestsPerDay, "requests_per_day"},
                               {limits->perIp.requestsPerMonth, "requests_per_month"}}) {
        if (value > 0) {
            const Field f = map.child("per_ip");
            reader.error(f.mark, f.path + QLatin1Char('.') + QLatin1String(name),
                         QStringLiteral("expected only requests_per_minute, concurrent_requests, tokens_per_minute "
                                        "and the per-request caps for source IPs (addresses change; daily and "
                                        "monthly quotas belong to clients and namespaces)"));
        }
    }
    if (map.readString("time_zone", &limits->timeZone)) {
        const QString tz = limits->timeZone.trimmed();
        if (tz.compare(QLatin1String("local"), Qt::CaseInsensitive) != 0 &&
            !QTimeZone::isTimeZoneIdAvailable(tz.toUtf8())) {
            const Field f = map.child("time_zone");
            reader.error(f.mark, f.path,
                         QStringLiteral("expected an IANA time zone (e.g. UTC, Europe/Berlin, America/Los_Angeles) "
                                        "or \"local\", got %1")
                             .arg(quoted(tz)));
        }
        limits->timeZone = tz;
    }
}

void readOpenAi(Reader& reader, const Field& field, OpenAiConfig* openai) {
    MapReader map(reader, field, {"enabled", "model_aliases", "reasoning_content"});
    map.readBool("enabled", &openai->enabled);
    map.readBool("reasoning_content", &openai->reasoningContent);
    const Field aliases = map.child("model_aliases");
    if (!aliases.node.IsDefined() || aliases.node.IsNull())
        return;
    if (!aliases.node.IsMap()) {
        reader.error(aliases.mark, aliases.path,
                     QStringLiteral("expected a map of client model names to Gemini models (gpt-4o: gemini-2.5-flash), "
                                    "got %1")
                         .arg(Reader::describe(aliases.node, {})));
        return;
    }
    for (auto it = aliases.node.begin(); it != aliases.node.end(); ++it) {
        const QString from = QString::fromStdString(it->first.Scalar()).trimmed();
        const Field target{it->second, it->second.Mark(), aliases.path + QLatin1Char('.') + from};
        const std::optional<QString> to = reader.scalar(target, QStringLiteral("a Gemini model name"));
        if (from.isEmpty() || !to || to->trimmed().isEmpty()) {
            reader.error(target.mark, target.path,
                         QStringLiteral("expected a client model name mapped to a Gemini model"));
            continue;
        }
        QString model = to->trimmed();
        if (model.startsWith(QLatin1String("models/")))
            model = model.mid(7);
        openai->modelAliases.insert(from, model);
    }
}

void readUsage(Reader& reader, const Field& field, UsageConfig* usage) {
    MapReader map(reader, field, {"enabled", "retention_days", "aggregate_retention_days"});
    map.readBool("enabled", &usage->enabled);
    map.readInt("retention_days", 1, 36500, &usage->retentionDays);
    map.readInt("aggregate_retention_days", 1, 36500, &usage->aggregateRetentionDays);
    if (usage->aggregateRetentionDays < usage->retentionDays) {
        const Field f = map.child("aggregate_retention_days");
        reader.error(f.mark, f.path,
                     QStringLiteral("expected at least retention_days (%1): daily roll-ups outlive the records they "
                                    "sum, got %2")
                         .arg(usage->retentionDays)
                         .arg(usage->aggregateRetentionDays));
    }
}

void readBreaker(Reader& reader, const Field& field, BreakerConfig* breaker) {
    MapReader map(reader, field, {"enabled", "window_seconds", "trip_percent", "min_keys", "open_seconds"});
    map.readBool("enabled", &breaker->enabled);
    map.readInt("window_seconds", 1, 3600, &breaker->windowSeconds);
    int percent = int(breaker->ratio * 100 + 0.5);
    if (map.readInt("trip_percent", 1, 100, &percent))
        breaker->ratio = percent / 100.0;
    map.readInt("min_keys", 1, 1000, &breaker->minKeys);
    map.readInt("open_seconds", 1, 3600, &breaker->openSeconds);
}

void readKeyPool(Reader& reader, const Field& field, KeyPoolConfig* pool) {
    MapReader map(reader, field,
                  {"strategy", "sticky_header", "retry_budget_ms", "backoff_base_ms", "backoff_max_ms",
                   "cooldown_base_seconds", "cooldown_max_seconds", "blame_after_failures",
                   "transient_cooldown_seconds", "stream_guard", "health_check_seconds", "breaker"});
    QString strategy;
    if (readEnum(reader, map, "strategy",
                 {QStringLiteral("round_robin"), QStringLiteral("least_in_flight"), QStringLiteral("most_headroom"),
                  QStringLiteral("weighted_random"), QStringLiteral("sticky")},
                 &strategy)) {
        static const QHash<QString, KeyStrategy> kinds = {
            {QStringLiteral("round_robin"), KeyStrategy::RoundRobin},
            {QStringLiteral("least_in_flight"), KeyStrategy::LeastInFlight},
            {QStringLiteral("most_headroom"), KeyStrategy::MostHeadroom},
            {QStringLiteral("weighted_random"), KeyStrategy::WeightedRandom},
            {QStringLiteral("sticky"), KeyStrategy::Sticky},
        };
        pool->strategy = kinds.value(strategy);
    }
    if (map.readString("sticky_header", &pool->stickyHeader))
        pool->stickyHeader = pool->stickyHeader.trimmed().toLower();
    map.readInt("retry_budget_ms", 0, kMaxTimeoutMs, &pool->retryBudgetMs);
    map.readInt("backoff_base_ms", 0, 60'000, &pool->backoffBaseMs);
    map.readInt("backoff_max_ms", 0, 600'000, &pool->backoffMaxMs);
    map.readInt("cooldown_base_seconds", 1, 3600, &pool->cooldownBaseSeconds);
    map.readInt("cooldown_max_seconds", 1, 86'400, &pool->cooldownMaxSeconds);
    map.readInt("blame_after_failures", 1, 1000, &pool->blameAfterFailures);
    map.readInt("transient_cooldown_seconds", 1, 86'400, &pool->transientCooldownSeconds);
    map.readBool("stream_guard", &pool->streamGuard);
    map.readInt("health_check_seconds", 0, 86'400, &pool->healthCheckSeconds);
    readBreaker(reader, map.child("breaker"), &pool->breaker);
    if (pool->backoffMaxMs < pool->backoffBaseMs) {
        const Field f = map.child("backoff_max_ms");
        reader.error(f.mark, f.path,
                     QStringLiteral("expected at least backoff_base_ms (%1), got %2")
                         .arg(pool->backoffBaseMs)
                         .arg(pool->backoffMaxMs));
    }
    if (pool->cooldownMaxSeconds < pool->cooldownBaseSeconds) {
        const Field f = map.child("cooldown_max_seconds");
        reader.error(f.mark, f.path,
                     QStringLiteral("expected at least cooldown_base_seconds (%1), got %2")
                         .arg(pool->cooldownBaseSeconds)
                         .arg(pool->cooldownMaxSeconds));
    }
}

const QRegularExpression& secretRefPattern() {
    static const QRegularExpression re(QStringLiteral("^(keychain:[^\\s]+|env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"));
    return re;
}

void readApiKey(Reader& reader, const Field& item, int index, QHash<QString, QString>* ids, GeminiConfig* gemini) {
    MapReader entry(reader, item,
                    {"id", "label", "key", "secret", "weight", "enabled", "project", "tags", "models", "proxy",
                     "limits", "max_requests_per_minute"});
    UpstreamKey key;
    key.id = readEntryId(reader, entry, QStringLiteral("key%1").arg(index + 1), ids);
    entry.readString("label", &key.label);
    key.label = key.label.trimmed();
    entry.readInt("weight", 1, 1000, &key.weight);
    entry.readBool("enabled", &key.enabled);
    entry.readString("project", &key.project);
    key.project = key.project.trimmed();
    entry.readStringList("tags", &key.tags);
    entry.readStringList("models", &key.models);
    readUrl(reader, entry, "proxy", {QStringLiteral("http"), QStringLiteral("socks5")}, true, &key.proxy);
    readLimits(reader, entry.child("limits"), &key.limits);
    int legacyRpm = 0;
    if (entry.readInt("max_requests_per_minute", 0, kMaxPerMinute, &legacyRpm) && legacyRpm > 0) {
        // Seed 000's per-key limit: requests per minute for every model, unless `limits` says otherwise.
        const bool hasCatchAll = std::any_of(key.limits.cbegin(), key.limits.cend(),
                                             [](const ModelLimitRule& r) { return r.model == u"*"; });
        if (!hasCatchAll)
            key.limits.append(ModelLimitRule{QStringLiteral("*"), ModelLimits{legacyRpm, 0, 0}});
    }

    const bool hasKey = entry.field("key").has_value();
    const bool hasRef = entry.field("secret").has_value();
    if (hasKey && hasRef) {
        const Field refField = entry.child("secret");
        reader.error(refField.mark, refField.path,
                     QStringLiteral("expected either key (the key itself) or secret (where it is stored), got both"));
        return;
    }
    if (hasRef) {
        QString ref;
        if (!entry.readString("secret", &ref))
            return;
        ref = ref.trimmed();
        if (!secretRefPattern().match(ref).hasMatch()) {
            const Field refField = entry.child("secret");
            reader.error(refField.mark, refField.path,
                         QStringLiteral("expected keychain:<name>, env:<VAR> or file:<path>, got %1").arg(quoted(ref)));
            return;
        }
        if (ref.startsWith(QLatin1String("file:")))
            ref = QStringLiteral("file:") + reader.resolvePath(ref.mid(5));
        key.secretRef = ref;
        gemini->apiKeys.append(key);
        return;
    }
    const std::optional<QString> secret = readKeyValue(reader, entry);
    if (!secret)
        return;
    if (secret->isEmpty()) {
        // The first-run config reads ${GEMINI_API_KEY:-}: starting without it (and answering 503) beats not
        // starting at all, since the key can be added later from the GUI.
        const Field keyField = entry.child("key");
        reader.warning(keyField.mark, keyField.path,
                       QStringLiteral("API key %1 is empty; the entry is skipped (requests get 503 while no key "
                                      "is configured)")
                           .arg(quoted(key.id)));
        return;
    }
    key.secret = *secret;
    gemini->apiKeys.append(key);
}

void readProjects(Reader& reader, const Field& field, QList<ProjectConfig>* out) {
    QHash<QString, QString> ids;
    const std::vector<Field> items = reader.sequence(field);
    for (size_t i = 0; i < items.size(); ++i) {
        if (!requireMap(reader, items[i], QStringLiteral("a map with id and limits")))
            continue;
        MapReader entry(reader, items[i], {"id", "limits"});
        ProjectConfig project;
        entry.readString("id", &project.id);
        project.id = project.id.trimmed();
        if (project.id.isEmpty()) {
            reader.error(entry.mark(), entry.childPath("id"), QStringLiteral("expected a project id, got none"));
            continue;
        }
        if (const auto previous = ids.constFind(project.id); previous != ids.cend()) {
            const Field f = entry.child("id");
            reader.error(
                f.mark, f.path,
                QStringLiteral("expected a unique id, got %1 (already used by %2)").arg(quoted(project.id), *previous));
            continue;
        }
        ids.insert(project.id, entry.path());
        readLimits(reader, entry.child("limits"), &project.limits);
        out->append(project);
    }
}

void readGemini(Reader& reader, const Field& field, GeminiConfig* gemini) {
    MapReader map(reader, field,
                  {"api_keys", "base_url", "timeout_seconds", "connect_timeout_seconds", "transport", "proxy",
                   "ca_file", "max_retries", "limits", "projects", "key_pool"});
    QHash<QString, QString> ids;
    const std::vector<Field> items = reader.sequence(map.child("api_keys"));
    for (size_t i = 0; i < items.size(); ++i) {
        if (!requireMap(reader, items[i], QStringLiteral("a map with id and key")))
            continue;
        readApiKey(reader, items[i], int(i), &ids, gemini);
    }

    readUrl(reader, map, "base_url", {QStringLiteral("https"), QStringLiteral("http")}, false, &gemini->baseUrl);
    map.readInt("timeout_seconds", 1, kMaxTimeoutSeconds, &gemini->timeoutSeconds);
    map.readInt("connect_timeout_seconds", 1, 3600, &gemini->connectTimeoutSeconds);
    QString transport;
    if (readEnum(reader, map, "transport", {QStringLiteral("http1"), QStringLiteral("http2")}, &transport))
        gemini->transport = transport == u"http2" ? UpstreamTransportKind::Http2 : UpstreamTransportKind::Http1;
    readUrl(reader, map, "proxy", {QStringLiteral("http"), QStringLiteral("socks5")}, true, &gemini->proxy);
    map.readPath("ca_file", &gemini->caFile);
    map.readInt("max_retries", 0, 10, &gemini->maxRetries);
    readLimits(reader, map.child("limits"), &gemini->limits);
    readProjects(reader, map.child("projects"), &gemini->projects);
    readKeyPool(reader, map.child("key_pool"), &gemini->keyPool);
}

void readAuth(Reader& reader, const Field& field, AuthConfig* auth) {
    MapReader map(reader, field,
                  {"enabled", "jwt_secret", "jwt", "rate_limit_per_minute", "client_keys", "ip_allow", "ip_deny",
                   "trusted_proxies", "forwarded_header"});
    map.readBool("enabled", &auth->enabled);
    map.readStringList("ip_allow", &auth->ipAllow);
    map.readStringList("ip_deny", &auth->ipDeny);
    map.readStringList("trusted_proxies", &auth->trustedProxies);
    readEnum(reader, map, "forwarded_header",
             {QStringLiteral("auto"), QStringLiteral("x-forwarded-for"), QStringLiteral("forwarded")},
             &auth->forwardedHeader);
    {
        MapReader jwt(reader, map.child("jwt"),
                      {"public_keys", "jwks_file", "issuer", "audiences", "leeway_seconds", "identity_claim",
                       "namespace_claim", "limits_claim"});
        jwt.readString("namespace_claim", &auth->jwt.namespaceClaim);
        jwt.readString("limits_claim", &auth->jwt.limitsClaim);
        jwt.readStringList("public_keys", &auth->jwt.publicKeys);
        for (QString& k : auth->jwt.publicKeys) {
            if (!k.contains(QLatin1String("-----BEGIN")))
                k = reader.resolvePath(k.trimmed());
        }
        jwt.readPath("jwks_file", &auth->jwt.jwksFile);
        jwt.readString("issuer", &auth->jwt.issuer);
        jwt.readStringList("audiences", &auth->jwt.audiences);
        jwt.readInt("leeway_seconds", 0, 3600, &auth->jwt.leewaySeconds);
        jwt.readString("identity_claim", &auth->jwt.identityClaim);
    }
    if (map.readString("jwt_secret", &auth->jwtSecret, Secret::Yes) && !auth->jwtSecret.isEmpty()) {
        reader.addSecret(auth->jwtSecret);
        if (auth->jwtSecret.size() < 32) {
            const Field secretField = map.child("jwt_secret");
            reader.warning(secretField.mark, secretField.path,
                           QStringLiteral("jwt_secret is shorter than 32 characters and can be guessed; HS256 client "
                                          "tokens are not accepted until it is at least 32 (RFC 7518)"));
        }
    }
    map.readInt("rate_limit_per_minute", 0, kMaxPerMinute, &auth->rateLimitPerMinute);

    QHash<QString, QString> ids;
    QHash<QString, QString> keyOwners; // key value -> path; never printed, only used to name the other entry
    const std::vector<Field> items = reader.sequence(map.child("client_keys"));
    for (size_t i = 0; i < items.size(); ++i) {
        if (!requireMap(reader, items[i], QStringLiteral("a map with id and key")))
            continue;
        MapReader entry(reader, items[i],
                        {"id", "key", "rate_limit_per_minute", "namespace", "models", "ip_allow", "ip_deny",
                         "requests_per_minute", "concurrent_requests", "tokens_per_minute", "tokens_per_day",
                         "tokens_per_month", "requests_per_day", "requests_per_month", "max_input_tokens",
                         "max_output_tokens"});
        ClientKey client;
        client.id = readEntryId(reader, entry, QStringLiteral("client%1").arg(i + 1), &ids);
        readLimitFields(reader, entry, &client.limits);
        // The seed's name for requests_per_minute (which wins when both are given).
        int legacyRpm = -1;
        if (entry.readInt("rate_limit_per_minute", 0, kMaxPerMinute, &legacyRpm) && client.limits.requestsPerMinute < 0)
            client.limits.requestsPerMinute = legacyRpm;
        if (entry.readString("namespace", &client.nameSpace))
            client.nameSpace = client.nameSpace.trimmed();
        if (client.nameSpace.isEmpty())
            client.nameSpace = QStringLiteral("default");
        entry.readStringList("models", &client.models);
        entry.readStringList("ip_allow", &client.ipAllow);
        entry.readStringList("ip_deny", &client.ipDeny);
        const std::optional<QString> secret = readKeyValue(reader, entry);
        if (!secret)
            continue;
        const Field keyField = entry.child("key");
        if (secret->isEmpty()) {
            reader.error(keyField.mark, keyField.path,
                         QStringLiteral("expected a non-empty client key, got an empty value"));
            continue;
        }
        if (const auto owner = keyOwners.constFind(*secret); owner != keyOwners.cend()) {
            // Two ids with one key make usage and quotas unattributable.
            reader.error(keyField.mark, keyField.path,
                         QStringLiteral("expected a unique client key, got the same key as %1").arg(*owner));
            continue;
        }
        keyOwners.insert(*secret, entry.path());
        if (secret->size() < 16) {
            reader.warning(
                keyField.mark, keyField.path,
                QStringLiteral("client key %1 is shorter than 16 characters and easy to guess").arg(quoted(client.id)));
        }
        client.key = *secret;
        auth->clientKeys.append(client);
    }
}

void readMetrics(Reader& reader, const Field& field, MetricsConfig* metrics) {
    MapReader map(reader, field, {"enabled", "prometheus_port"});
    map.readBool("enabled", &metrics->enabled);
    map.readPort("prometheus_port", 0, &metrics->prometheusPort);
}

void readAdmin(Reader& reader, const Field& field, AdminConfig* admin) {
    MapReader map(reader, field, {"enabled", "host", "token", "token_file"});
    map.readBool("enabled", &admin->enabled);
    if (map.readString("host", &admin->host)) {
        const QString h = admin->host.trimmed();
        if (h != QLatin1String("localhost") && QHostAddress(h).isNull()) {
            const Field f = map.child("host");
            reader.error(f.mark, f.path,
                         QStringLiteral("expected an IP address to bind the admin listener to (127.0.0.1, ::1, "
                                        "0.0.0.0 ...), got %1")
                             .arg(quoted(admin->host)));
        }
    }
    if (map.readString("token", &admin->token, Secret::Yes) && !admin->token.isEmpty() && admin->token.size() < 16) {
        const Field f = map.child("token");
        reader.error(f.mark, f.path,
                     QStringLiteral("expected an admin token of at least 16 characters (it guards the whole "
                                    "gateway), got %1 characters")
                         .arg(admin->token.size()));
    }
    map.readPath("token_file", &admin->tokenFile);
}

void readStorage(Reader& reader, const Field& field, StorageConfig* storage) {
    MapReader map(reader, field, {"database"});
    map.readPath("database", &storage->database);
}

void readLog(Reader& reader, const Field& field, LogConfig* log) {
    MapReader map(reader, field, {"access_log", "level", "bodies"});
    QString target;
    if (map.readString("access_log", &target)) {
        const QString value = target.trimmed();
        const QString lower = value.toLower();
        if (lower == u"stdout") {
            log->accessLog = LogTarget::Stdout;
        } else if (lower == u"off" || lower == u"false" || lower == u"none") {
            log->accessLog = LogTarget::Off;
        } else if (value.isEmpty()) {
            const Field targetField = map.child("access_log");
            reader.error(targetField.mark, targetField.path,
                         QStringLiteral("expected \"stdout\", \"off\" or a file path, got \"\""));
        } else {
            log->accessLog = LogTarget::File;
            log->accessLogPath = reader.resolvePath(value);
        }
    }
    readEnum(reader, map, "level",
             {QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"), QStringLiteral("error")},
             &log->level);

    MapReader bodies(reader, map.child("bodies"), {"enabled", "path", "max_bytes"});
    bodies.readBool("enabled", &log->bodies.enabled);
    bodies.readPath("path", &log->bodies.path);
    bodies.readSize("max_bytes", kKiB, 16 * kMiB, &log->bodies.maxBytes);
}

// An HTTP field name is a token (RFC 9110 5.1): letters, digits and !#$%&'*+-.^_`|~.
bool isHeaderToken(const QString& name) {
    static const QString extra = QStringLiteral("!#$%&'*+-.^_`|~");
    return !name.isEmpty() && std::all_of(name.begin(), name.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || extra.contains(c);
    });
}

// A list of header names (one name alone is a one-element list), stored lower-cased. An empty list is kept empty.
void readHeaderNames(Reader& reader, MapReader& map, const char* key, QStringList* out) {
    const std::optional<Field> found = map.field(key);
    if (!found || !found->node.IsDefined() || found->node.IsNull())
        return;
    const qsizetype errorsBefore = reader.errorCount();
    const std::vector<Field> items = found->node.IsScalar() ? std::vector<Field>{*found} : reader.sequence(*found);
    QStringList names;
    for (const Field& item : items) {
        const qsizetype before = reader.errorCount();
        const std::optional<QString> text = reader.scalar(item, QStringLiteral("a header name"));
        if (reader.errorCount() != before)
            continue;
        const QString name = text.value_or(QString()).trimmed();
        if (!isHeaderToken(name)) {
            reader.error(item.mark, item.path,
                         QStringLiteral("expected a header name (letters, digits and !#$%&'*+-.^_`|~), got %1")
                             .arg(quoted(text.value_or(QString()))));
            continue;
        }
        if (!names.contains(name.toLower()))
            names.append(name.toLower());
    }
    if (reader.errorCount() == errorsBefore)
        *out = names;
}

void readHeaders(Reader& reader, const Field& field, HeadersConfig* headers) {
    MapReader map(reader, field, {"strip_upstream", "strip_response", "security_headers"});
    readHeaderNames(reader, map, "strip_upstream", &headers->stripUpstream);
    readHeaderNames(reader, map, "strip_response", &headers->stripResponse);
    map.readBool("security_headers", &headers->securityHeaders);
}

} // namespace

void readConfig(Reader& reader, const Field& root, Config* config) {
    MapReader map(
        reader, root,
        {"server", "gemini", "auth", "metrics", "admin", "log", "storage", "limits", "usage", "openai", "headers"});
    readServer(reader, map.child("server"), &config->server);
    readGemini(reader, map.child("gemini"), &config->gemini);
    readAuth(reader, map.child("auth"), &config->auth);
    readMetrics(reader, map.child("metrics"), &config->metrics);
    readAdmin(reader, map.child("admin"), &config->admin);
    readLog(reader, map.child("log"), &config->log);
    readStorage(reader, map.child("storage"), &config->storage);
    readClientLimits(reader, map.child("limits"), &config->limits);
    readUsage(reader, map.child("usage"), &config->usage);
    readOpenAi(reader, map.child("openai"), &config->openai);
    readHeaders(reader, map.child("headers"), &config->headers);
}

} // namespace gemgate::configdetail
