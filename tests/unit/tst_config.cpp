// Config loader: defaults, the seed and example files, every validation message with its location, ${VAR}
// substitution, size strings, relative paths, secrets kept out of messages, and the first-run file.

#include "config/configloader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace gemgate;

// Declared before the YAML fixtures: moc's tokenizer loses track inside some raw string literals.
class TestConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void issueToString_data();
    void issueToString();
    void errorTextListsEveryError();
    void emptyFileGivesDefaults_data();
    void emptyFileGivesDefaults();
    void seedConfigLoads();
    void seedDetailedConfigLoadsWithAcmeWarning();
    void exampleConfigLoads();
    void validationErrors_data();
    void validationErrors();
    void validConfigsWithoutErrors_data();
    void validConfigsWithoutErrors();
    void keyPoolSectionsParse();
    void headersAndBodyLogParse();
    void multipleErrorsReportedTogether();
    void envSubstitution_data();
    void envSubstitution();
    void envMissingVariable();
    void envNeverInKeys();
    void envInNumbers();
    void sizeStrings_data();
    void sizeStrings();
    void emptyUpstreamKeyIsWarningAndSkipped();
    void relativePathsResolveAgainstConfigDir();
    void unknownFieldSuggestion_data();
    void unknownFieldSuggestion();
    void secretsNeverInMessages();
    void yamlSyntaxError_data();
    void yamlSyntaxError();
    void multipleDocumentsRejected();
    void missingFileNamesPathAndReason();
    void defaultConfigPathIsGenericConfigLocation();
    void writeDefaultConfigRoundTrip();
    void writeDefaultConfigRefusesToOverwrite();
};

namespace {

EnvLookup envFrom(const QHash<QString, QString>& vars) {
    return [vars](const QString& name) -> std::optional<QString> {
        const auto it = vars.constFind(name);
        if (it == vars.cend())
            return std::nullopt;
        return *it;
    };
}

const EnvLookup kNoEnv = envFrom({});

ConfigLoadResult load(const QByteArray& yaml, const EnvLookup& env = kNoEnv) {
    return loadConfigText(yaml, QStringLiteral("/etc/gemgate/test.yaml"), env);
}

QString describe(const QList<ConfigIssue>& issues) {
    QStringList lines;
    for (const ConfigIssue& issue : issues)
        lines.append(issue.toString());
    return lines.join(u'\n');
}

// The first config block of seed 000 (the README of the project GemGate replaces), verbatim.
const QByteArray kSeedConfig = R"(server:
  host: "0.0.0.0"
  port: 8443
  workers: 4
  max_connections: 1000
  tls:
    enabled: true
    cert_path: "certs/cert.pem"
    key_path: "certs/key.pem"

gemini:
  api_keys:
    - id: "key1"
      key: "your-gemini-api-key"
      weight: 1
      max_requests_per_minute: 100
  base_url: "https://generativelanguage.googleapis.com"
  timeout_seconds: 30

auth:
  enabled: true
  jwt_secret: "your-jwt-secret-here"
  rate_limit_per_minute: 60

metrics:
  enabled: true
  prometheus_port: 9090
)";

// Seed 000's detailed server / api key / auth blocks, merged into one document.
const QByteArray kSeedDetailedConfig = R"(server:
  host: "0.0.0.0"        # 监听地址
  port: 8080              # 监听端口
  workers: 4              # 工作进程数
  max_connections: 1000   # 最大连接数
  tls:
    enabled: true         # 启用 TLS
    cert_path: "certs/cert.pem"
    key_path: "certs/key.pem"
    acme:                 # ACME 自动证书
      enabled: true
      domains: ["api.example.com"]
      email: "admin@example.com"
      directory_url: "https://acme-v02.api.letsencrypt.org/directory"
gemini:
  api_keys:
    - id: "primary"
      key: "your-api-key"
      weight: 2           # 权重，影响负载分配
      max_requests_per_minute: 100
    - id: "backup"
      key: "backup-api-key"
      weight: 1
      max_requests_per_minute: 50
auth:
  enabled: true
  jwt_secret: "your-secret"  # 至少32字符
  rate_limit_per_minute: 60    # 每分钟请求限制
)";

} // namespace

void TestConfig::issueToString_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");

    const QString f = QStringLiteral("g.yaml");
    const QString p = QStringLiteral("server.port");
    QTest::newRow("full") << f << 3 << 9 << p << QStringLiteral("g.yaml:3:9: server.port: msg");
    QTest::newRow("no column") << f << 3 << 0 << p << QStringLiteral("g.yaml:3: server.port: msg");
    QTest::newRow("no line") << f << 0 << 0 << p << QStringLiteral("g.yaml: server.port: msg");
    QTest::newRow("no path") << f << 3 << 9 << QString() << QStringLiteral("g.yaml:3:9: msg");
    QTest::newRow("nothing") << QString() << 0 << 0 << QString() << QStringLiteral("msg");
}

void TestConfig::issueToString() {
    QFETCH(QString, file);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    ConfigIssue issue;
    issue.file = file;
    issue.line = line;
    issue.column = column;
    issue.path = path;
    issue.message = QStringLiteral("msg");
    QCOMPARE(issue.toString(), expected);
}

void TestConfig::errorTextListsEveryError() {
    const ConfigLoadResult result = load("server:\n  port: x\n  workers: y\n");
    QCOMPARE(result.errors.size(), 2);
    const QStringList lines = result.errorText().split(u'\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0), result.errors.at(0).toString());
    QCOMPARE(lines.at(1), result.errors.at(1).toString());
    QVERIFY(lines.at(0).startsWith(QStringLiteral("/etc/gemgate/test.yaml:2:9: server.port: ")));
}

void TestConfig::emptyFileGivesDefaults_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("comments only") << QByteArray("# nothing here\n\n# at all\n");
    QTest::newRow("document marker") << QByteArray("---\n");
    QTest::newRow("empty sections") << QByteArray("server:\ngemini:\nauth:\nmetrics:\nlog:\n");
    QTest::newRow("empty values") << QByteArray("server:\n  port:\n  host: ~\n  tls:\n    acme:\n");
}

void TestConfig::emptyFileGivesDefaults() {
    QFETCH(QByteArray, yaml);
    const ConfigLoadResult result = load(yaml);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));
    const Config& c = *result.config;
    const Config d;
    QCOMPARE(c.server.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.server.port, quint16(8080));
    QCOMPARE(c.server.workers, d.server.workers);
    QCOMPARE(c.server.maxConnections, d.server.maxConnections);
    QCOMPARE(c.server.maxBodyBytes, 32LL * 1024 * 1024);
    QCOMPARE(c.server.maxHeaderBytes, d.server.maxHeaderBytes);
    QCOMPARE(c.server.headerTimeoutMs, d.server.headerTimeoutMs);
    QCOMPARE(c.server.drainTimeoutMs, d.server.drainTimeoutMs);
    QVERIFY(!c.server.tls.enabled);
    QVERIFY(!c.server.tls.acmeEnabled);
    QVERIFY(c.gemini.apiKeys.isEmpty());
    QCOMPARE(c.gemini.baseUrl, QUrl(QStringLiteral("https://generativelanguage.googleapis.com")));
    QCOMPARE(c.gemini.timeoutSeconds, 300);
    QCOMPARE(c.gemini.transport, UpstreamTransportKind::Http1);
    QVERIFY(c.gemini.proxy.isEmpty());
    QVERIFY(c.auth.enabled);
    QVERIFY(c.auth.clientKeys.isEmpty());
    QVERIFY(c.metrics.enabled);
    QCOMPARE(c.metrics.prometheusPort, quint16(9090));
    QCOMPARE(c.log.accessLog, LogTarget::Stdout);
    QCOMPARE(c.log.level, QStringLiteral("info"));
    QCOMPARE(c.sourcePath, QStringLiteral("/etc/gemgate/test.yaml"));
}

void TestConfig::seedConfigLoads() {
    const ConfigLoadResult result = load(kSeedConfig);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    const Config& c = *result.config;
    QCOMPARE(c.server.host, QStringLiteral("0.0.0.0"));
    QCOMPARE(c.server.port, quint16(8443));
    QCOMPARE(c.server.workers, 4);
    QCOMPARE(c.server.maxConnections, 1000);
    QVERIFY(c.server.tls.enabled);
    QCOMPARE(c.server.tls.certPath, QStringLiteral("/etc/gemgate/certs/cert.pem"));
    QCOMPARE(c.server.tls.keyPath, QStringLiteral("/etc/gemgate/certs/key.pem"));
    QCOMPARE(c.gemini.apiKeys.size(), 1);
    QCOMPARE(c.gemini.apiKeys[0].id, QStringLiteral("key1"));
    QCOMPARE(c.gemini.apiKeys[0].secret, QStringLiteral("your-gemini-api-key"));
    QCOMPARE(c.gemini.apiKeys[0].weight, 1);
    QCOMPARE(c.gemini.apiKeys[0].limits.size(), 1);
    QCOMPARE(c.gemini.apiKeys[0].limits[0].model, QStringLiteral("*"));
    QCOMPARE(c.gemini.apiKeys[0].limits[0].limits.rpm, 100);
    QCOMPARE(c.gemini.timeoutSeconds, 30);
    QVERIFY(c.auth.enabled);
    QCOMPARE(c.auth.jwtSecret, QStringLiteral("your-jwt-secret-here"));
    QCOMPARE(c.auth.rateLimitPerMinute, 60);
    QVERIFY(c.metrics.enabled);
    QCOMPARE(c.metrics.prometheusPort, quint16(9090));
    // The seed's placeholder JWT secret is too short to be safe: worth a warning, not a refusal.
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings[0].path, QStringLiteral("auth.jwt_secret"));
}

void TestConfig::seedDetailedConfigLoadsWithAcmeWarning() {
    const ConfigLoadResult result = load(kSeedDetailedConfig);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    const Config& c = *result.config;
    QVERIFY(c.server.tls.acmeEnabled);
    QCOMPARE(c.server.tls.acmeDomains, QStringList{QStringLiteral("api.example.com")});
    QCOMPARE(c.server.tls.acmeEmail, QStringLiteral("admin@example.com"));
    QCOMPARE(c.server.tls.acmeDirectoryUrl, QStringLiteral("https://acme-v02.api.letsencrypt.org/directory"));
    QCOMPARE(c.gemini.apiKeys.size(), 2);
    QCOMPARE(c.gemini.apiKeys[0].id, QStringLiteral("primary"));
    QCOMPARE(c.gemini.apiKeys[0].weight, 2);
    QCOMPARE(c.gemini.apiKeys[1].id, QStringLiteral("backup"));
    QCOMPARE(c.gemini.apiKeys[1].limits.value(0).limits.rpm, 50);

    const auto acme = std::find_if(result.warnings.cbegin(), result.warnings.cend(), [](const ConfigIssue& w) {
        return w.path == QStringLiteral("server.tls.acme.enabled");
    });
    QVERIFY2(acme != result.warnings.cend(), qPrintable(describe(result.warnings)));
    QVERIFY(acme->message.contains(QStringLiteral("served until the ACME certificate arrives")));
    QCOMPARE(acme->line, 11);
    QCOMPARE(acme->column, 16);
}

void TestConfig::exampleConfigLoads() {
    const QString path = QStringLiteral(GEMGATE_SOURCE_DIR "/resources/gemgate.example.yaml");
    const ConfigLoadResult result =
        loadConfigFile(path, envFrom({{QStringLiteral("GEMINI_API_KEY"), QStringLiteral("AIza-example-0123456789")}}));
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(describe(result.warnings)));
    const Config& c = *result.config;
    QCOMPARE(c.sourcePath, QFileInfo(path).absoluteFilePath());
    QCOMPARE(c.gemini.apiKeys.size(), 1);
    QCOMPARE(c.gemini.apiKeys[0].secret, QStringLiteral("AIza-example-0123456789"));

    // The example documents the defaults: apart from the key it must produce exactly a default Config.
    const Config d;
    QCOMPARE(c.server.host, d.server.host);
    QCOMPARE(c.server.port, d.server.port);
    QCOMPARE(c.server.workers, d.server.workers);
    QCOMPARE(c.server.maxConnections, d.server.maxConnections);
    QCOMPARE(c.server.maxBodyBytes, d.server.maxBodyBytes);
    QCOMPARE(c.server.maxHeaderBytes, d.server.maxHeaderBytes);
    QCOMPARE(c.server.maxHeaderCount, d.server.maxHeaderCount);
    QCOMPARE(c.server.headerTimeoutMs, d.server.headerTimeoutMs);
    QCOMPARE(c.server.bodyTimeoutMs, d.server.bodyTimeoutMs);
    QCOMPARE(c.server.idleTimeoutMs, d.server.idleTimeoutMs);
    QCOMPARE(c.server.drainTimeoutMs, d.server.drainTimeoutMs);
    QCOMPARE(c.server.tls.enabled, d.server.tls.enabled);
    QCOMPARE(c.server.tls.certPath, d.server.tls.certPath);
    QCOMPARE(c.server.tls.selfSignedDir, d.server.tls.selfSignedDir);
    QCOMPARE(c.server.tls.acmeEnabled, d.server.tls.acmeEnabled);
    QCOMPARE(c.server.tls.acmeDirectoryUrl, d.server.tls.acmeDirectoryUrl);
    QCOMPARE(c.gemini.apiKeys[0].weight, UpstreamKey().weight);
    QCOMPARE(c.gemini.apiKeys[0].limits.size(), 0);
    QCOMPARE(c.gemini.baseUrl, d.gemini.baseUrl);
    QCOMPARE(c.gemini.timeoutSeconds, d.gemini.timeoutSeconds);
    QCOMPARE(c.gemini.connectTimeoutSeconds, d.gemini.connectTimeoutSeconds);
    QCOMPARE(c.gemini.transport, d.gemini.transport);
    QCOMPARE(c.gemini.proxy, d.gemini.proxy);
    QCOMPARE(c.gemini.caFile, d.gemini.caFile);
    QCOMPARE(c.gemini.maxRetries, d.gemini.maxRetries);
    QCOMPARE(c.auth.enabled, d.auth.enabled);
    QCOMPARE(c.auth.jwtSecret, d.auth.jwtSecret);
    QCOMPARE(c.auth.rateLimitPerMinute, d.auth.rateLimitPerMinute);
    QCOMPARE(c.metrics.enabled, d.metrics.enabled);
    QCOMPARE(c.metrics.prometheusPort, d.metrics.prometheusPort);
    QCOMPARE(c.log.accessLog, d.log.accessLog);
    QCOMPARE(c.log.level, d.log.level);
    QCOMPARE(c.log.bodies.enabled, d.log.bodies.enabled);
    QCOMPARE(c.log.bodies.path, d.log.bodies.path);
    QCOMPARE(c.log.bodies.maxBytes, d.log.bodies.maxBytes);
    QCOMPARE(c.headers.stripUpstream, d.headers.stripUpstream);
    QCOMPARE(c.headers.stripResponse, d.headers.stripResponse);
    QCOMPARE(c.headers.securityHeaders, d.headers.securityHeaders);

    // And it shows every field (unknown ones would already have failed the load above).
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    const char* const fields[] = {
        "host",
        "port",
        "workers",
        "max_connections",
        "max_body_bytes",
        "max_header_bytes",
        "max_header_count",
        "header_timeout_ms",
        "body_timeout_ms",
        "idle_timeout_ms",
        "drain_timeout_ms",
        "tls",
        "enabled",
        "cert_path",
        "key_path",
        "self_signed_dir",
        "acme",
        "domains",
        "email",
        "directory_url",
        "api_keys",
        "id",
        "key",
        "weight",
        "max_requests_per_minute",
        "base_url",
        "timeout_seconds",
        "connect_timeout_seconds",
        "transport",
        "proxy",
        "ca_file",
        "max_retries",
        "secret",
        "label",
        "project",
        "tags",
        "models",
        "limits",
        "model",
        "rpm",
        "tpm",
        "rpd",
        "projects",
        "key_pool",
        "strategy",
        "sticky_header",
        "retry_budget_ms",
        "backoff_base_ms",
        "backoff_max_ms",
        "cooldown_base_seconds",
        "cooldown_max_seconds",
        "blame_after_failures",
        "transient_cooldown_seconds",
        "stream_guard",
        "health_check_seconds",
        "breaker",
        "window_seconds",
        "trip_percent",
        "min_keys",
        "open_seconds",
        "storage",
        "database",
        "jwt_secret",
        "jwt",
        "public_keys",
        "jwks_file",
        "issuer",
        "audiences",
        "leeway_seconds",
        "identity_claim",
        "ip_allow",
        "ip_deny",
        "trusted_proxies",
        "forwarded_header",
        "rate_limit_per_minute",
        "client_keys",
        "prometheus_port",
        "access_log",
        "level",
        "bodies",
        "path",
        "max_bytes",
        "headers",
        "strip_upstream",
        "strip_response",
        "security_headers",
    };
    for (const char* field : fields) {
        // Documented as a live field or in a commented-out example.
        const QRegularExpression re(QStringLiteral("^\\s*(#\\s*)?(- )?%1:").arg(QLatin1String(field)),
                                    QRegularExpression::MultilineOption);
        QVERIFY2(re.match(text).hasMatch(), field);
    }
}

void TestConfig::validationErrors_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    const auto row = [](const char* name, const char* yaml, const char* path, int line, int column,
                        const char* message) {
        QTest::newRow(name) << QByteArray(yaml) << QString::fromUtf8(path) << line << column
                            << QString::fromUtf8(message);
    };
    // Types.
    // ACME (server.tls.acme).
    row("acme without tls", "server:\n  tls:\n    acme:\n      enabled: true\n      domains: [a.example.com]\n",
        "server.tls.acme.enabled", 4, 16, "ACME needs server.tls.enabled: true (the certificate is served on HTTPS)");
    row("acme without domains", "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n",
        "server.tls.acme.domains", 5, 16, "expected at least one domain name to get a certificate for");
    row("acme ip address",
        "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n      domains: [127.0.0.1x, \"a b\"]\n",
        "server.tls.acme.domains", 6, 16,
        R"(expected DNS names such as gemgate.example.com (no IP address, port or trailing dot), got "a b")");
    row("acme wildcard needs dns-01",
        "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n      domains: [\"*.a.example\"]\n"
        "      challenge: http-01\n",
        "server.tls.acme.challenge", 7, 18, "wildcard names need the dns-01 challenge, got http-01");
    row("acme http-01 without port",
        "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n      domains: [a.example]\n"
        "      http_port: 0\n",
        "server.tls.acme.http_port", 7, 18,
        "the http-01 challenge needs http_port (the CA checks port 80; 0 turns it off)");
    row("acme dns-01 without hook",
        "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n      domains: [a.example]\n"
        "      challenge: dns-01\n",
        "server.tls.acme.dns_hook", 7, 18,
        "the dns-01 challenge needs dns_hook, a command run as `<hook> add|remove <fqdn> <value>`");
    row("acme unknown challenge", "server:\n  tls:\n    acme:\n      challenge: dns-02\n", "server.tls.acme.challenge",
        4, 18, R"(expected one of "http-01", "tls-alpn-01", "dns-01", got "dns-02")");
    row("acme eab half",
        "server:\n  tls:\n    enabled: true\n    acme:\n      enabled: true\n      domains: [a.example]\n"
        "      eab_kid: kid-1\n",
        "server.tls.acme.eab_hmac_key", 5, 16, "External Account Binding needs both eab_kid and eab_hmac_key");
    row("port not a number", "server:\n  port: abc\n", "server.port", 2, 9,
        R"(expected an integer between 0 and 65535, got "abc")");
    row("bool", "auth:\n  enabled: maybe\n", "auth.enabled", 2, 12, R"(expected true or false, got "maybe")");
    row("string got list", "server:\n  host: [a, b]\n", "server.host", 2, 9, "expected a string, got a list");
    row("list got scalar", "gemini:\n  api_keys: abc\n", "gemini.api_keys", 2, 13,
        R"(expected a list (lines starting with "- "), got "abc")");
    row("map got scalar", "server: 5\n", "server", 1, 9, R"(expected a map (indented "name: value" lines), got "5")");
    row("root not a map", "- a\n- b\n", "", 1, 1, R"(expected a map (indented "name: value" lines), got a list)");
    row("float is not an integer", "server:\n  workers: 1.5\n", "server.workers", 2, 12,
        R"(expected an integer between 0 and 256, got "1.5")");
    // Ranges.
    row("port too big", "server:\n  port: 70000\n", "server.port", 2, 9,
        R"(expected an integer between 0 and 65535, got "70000")");
    row("workers", "server:\n  workers: 300\n", "server.workers", 2, 12,
        R"(expected an integer between 0 and 256, got "300")");
    row("max_connections", "server:\n  max_connections: 0\n", "server.max_connections", 2, 20,
        R"(expected an integer between 1 and 1000000, got "0")");
    row("weight zero", "gemini:\n  api_keys:\n    - id: a\n      key: k1\n      weight: 0\n",
        "gemini.api_keys[0].weight", 5, 15, R"(expected an integer between 1 and 1000, got "0")");
    row("weight in second entry",
        "gemini:\n  api_keys:\n    - {id: a, key: k1}\n    - id: b\n      key: k2\n"
        "      weight: abc\n",
        "gemini.api_keys[1].weight", 6, 15, R"(expected an integer between 1 and 1000, got "abc")");
    row("weight too big", "gemini:\n  api_keys:\n    - {id: a, key: k1, weight: 1001}\n", "gemini.api_keys[0].weight",
        3, 32, R"(expected an integer between 1 and 1000, got "1001")");
    row("timeout_seconds zero", "gemini:\n  timeout_seconds: 0\n", "gemini.timeout_seconds", 2, 20,
        R"(expected an integer between 1 and 86400, got "0")");
    row("connect timeout", "gemini:\n  connect_timeout_seconds: -1\n", "gemini.connect_timeout_seconds", 2, 28,
        R"(expected an integer between 1 and 3600, got "-1")");
    row("header timeout negative", "server:\n  header_timeout_ms: -5\n", "server.header_timeout_ms", 2, 22,
        R"(expected an integer between 1 and 86400000, got "-5")");
    row("idle timeout zero", "server:\n  idle_timeout_ms: 0\n", "server.idle_timeout_ms", 2, 20,
        R"(expected an integer between 1 and 86400000, got "0")");
    row("max_retries", "gemini:\n  max_retries: 11\n", "gemini.max_retries", 2, 16,
        R"(expected an integer between 0 and 10, got "11")");
    row("prometheus port too big", "metrics:\n  prometheus_port: 70000\n", "metrics.prometheus_port", 2, 20,
        R"(expected an integer between 0 and 65535, got "70000")");
    row("admin host", "admin:\n  host: example.com\n", "admin.host", 2, 9,
        R"(expected an IP address to bind the admin listener to (127.0.0.1, ::1, 0.0.0.0 ...), got "example.com")");
    row("admin token short", "admin:\n  token: short\n", "admin.token", 2, 10,
        "expected an admin token of at least 16 characters (it guards the whole gateway), got 5 characters");
    row("body too small", "server:\n  max_body_bytes: 512\n", "server.max_body_bytes", 2, 19,
        R"(expected a size between 1 KiB and 4 GiB (bytes, or a number with KiB, MiB, GiB, KB, MB or GB), got "512")");
    row("body too large", "server:\n  max_body_bytes: 5GiB\n", "server.max_body_bytes", 2, 19,
        R"(expected a size between 1 KiB and 4 GiB (bytes, or a number with KiB, MiB, GiB, KB, MB or GB), got "5GiB")");
    row("body bad unit", "server:\n  max_body_bytes: 32XB\n", "server.max_body_bytes", 2, 19,
        R"(expected a size between 1 KiB and 4 GiB (bytes, or a number with KiB, MiB, GiB, KB, MB or GB), got "32XB")");
    // URLs and enums.
    row("base_url scheme", "gemini:\n  base_url: ftp://example.com\n", "gemini.base_url", 2, 13,
        R"(expected a URL with a host, starting with https:// or http://, got "ftp://example.com")");
    row("base_url without host", "gemini:\n  base_url: \"https://\"\n", "gemini.base_url", 2, 13,
        R"(expected a URL with a host, starting with https:// or http://, got "https://")");
    row("base_url empty", "gemini:\n  base_url: \"\"\n", "gemini.base_url", 2, 13,
        R"(expected a URL with a host, starting with https:// or http://, got "")");
    row("proxy scheme", "gemini:\n  proxy: https://proxy.local:3128\n", "gemini.proxy", 2, 10,
        R"(expected a URL with a host, starting with http:// or socks5://, got "https://proxy.local:3128")");
    row("transport", "gemini:\n  transport: http3\n", "gemini.transport", 2, 14,
        R"(expected one of "http1", "http2", got "http3")");
    row("log level", "log:\n  level: verbose\n", "log.level", 2, 10,
        R"(expected one of "debug", "info", "warning", "error", got "verbose")");
    row("access_log empty", "log:\n  access_log: \"\"\n", "log.access_log", 2, 15,
        R"(expected "stdout", "off" or a file path, got "")");
    row("host empty", "server:\n  host: \"\"\n", "server.host", 2, 9,
        R"(expected a host name or IP address (e.g. 127.0.0.1 or 0.0.0.0), got "")");
    // Keys.
    row("duplicate key id", "gemini:\n  api_keys:\n    - id: a\n      key: k1\n    - id: a\n      key: k2\n",
        "gemini.api_keys[1].id", 5, 11, R"(expected a unique id, got "a" (already used by gemini.api_keys[0]))");
    row("generated id collides", "gemini:\n  api_keys:\n    - {id: key2, key: k1}\n    - {key: k2}\n",
        "gemini.api_keys[1].id", 4, 7, R"(expected a unique id, got "key2" (already used by gemini.api_keys[0]))");
    row("api key missing", "gemini:\n  api_keys:\n    - id: a\n      weight: 2\n", "gemini.api_keys[0].key", 3, 7,
        R"(expected a "key" field, got none)");
    row("api key bare string", "gemini:\n  api_keys:\n    - AIzaBareKey\n", "gemini.api_keys[0]", 3, 7,
        "expected a map with id and key, got a text value");
    row("api key with space", "gemini:\n  api_keys:\n    - id: a\n      key: \"abc def\"\n", "gemini.api_keys[0].key",
        4, 12, "expected a key without spaces or control characters, got a key containing them");
    row("duplicate client id",
        "auth:\n  client_keys:\n    - id: c\n      key: client-key-one-123456\n    - id: c\n"
        "      key: client-key-two-123456\n",
        "auth.client_keys[1].id", 5, 11, R"(expected a unique id, got "c" (already used by auth.client_keys[0]))");
    row("empty client key", "auth:\n  client_keys:\n    - id: c\n      key: \"\"\n", "auth.client_keys[0].key", 4, 12,
        "expected a non-empty client key, got an empty value");
    row("client key missing", "auth:\n  client_keys:\n    - id: c\n", "auth.client_keys[0].key", 3, 7,
        R"(expected a "key" field, got none)");
    row("duplicate client key value",
        "auth:\n  client_keys:\n    - {id: a, key: same-key-1234567890}\n    - {id: b, key: same-key-1234567890}\n",
        "auth.client_keys[1].key", 4, 20, "expected a unique client key, got the same key as auth.client_keys[0]");
    // TLS.
    row("tls cert without key", "server:\n  tls:\n    enabled: true\n    cert_path: c.pem\n", "server.tls.key_path", 4,
        16,
        "expected both cert_path and key_path (or neither, for a generated self-signed certificate), got only "
        "cert_path");
    row("tls key without cert", "server:\n  tls:\n    enabled: yes\n    key_path: k.pem\n", "server.tls.cert_path", 4,
        15,
        "expected both cert_path and key_path (or neither, for a generated self-signed certificate), got only "
        "key_path");
    // Unknown and duplicate fields.
    row("unknown field with suggestion", "server:\n  prot: 8080\n", "server", 2, 3,
        R"(unknown field "prot"; did you mean "port"?)");
    row("unknown root field", "sever:\n  port: 1\n", "", 1, 1, R"(unknown field "sever"; did you mean "server"?)");
    row("unknown field no suggestion", "server:\n  frobnicate: 1\n", "server", 2, 3, R"(unknown field "frobnicate")");
    row("unknown field in list entry", "gemini:\n  api_keys:\n    - id: a\n      key: k\n      wieght: 2\n",
        "gemini.api_keys[0]", 5, 7, R"(unknown field "wieght"; did you mean "weight"?)");
    row("duplicate field", "server:\n  port: 1\n  port: 2\n", "server.port", 3, 3,
        R"(duplicate field "port" (already set at line 2); keep only one)");
    // The key pool.
    row("strategy", "gemini:\n  key_pool:\n    strategy: fastest\n", "gemini.key_pool.strategy", 3, 15,
        R"(expected one of "round_robin", "least_in_flight", "most_headroom", "weighted_random", "sticky", got "fastest")");
    row("key and secret", "gemini:\n  api_keys:\n    - id: a\n      key: k1\n      secret: env:X\n",
        "gemini.api_keys[0].secret", 5, 15,
        "expected either key (the key itself) or secret (where it is stored), got both");
    row("secret reference", "gemini:\n  api_keys:\n    - id: a\n      secret: vault:x\n", "gemini.api_keys[0].secret",
        4, 15, R"(expected keychain:<name>, env:<VAR> or file:<path>, got "vault:x")");
    row("limit pattern", "gemini:\n  limits:\n    - model: gem*ini\n", "gemini.limits[0].model", 3, 14,
        R"(expected * only at the end (a prefix such as gemini-2.5-pro*), got "gem*ini")");
    row("limit negative", "gemini:\n  limits:\n    - model: x\n      rpm: -1\n", "gemini.limits[0].rpm", 4, 12,
        R"(expected an integer between 0 and 1000000000000, got "-1")");
    row("backoff order", "gemini:\n  key_pool:\n    backoff_base_ms: 500\n    backoff_max_ms: 100\n",
        "gemini.key_pool.backoff_max_ms", 4, 21, "expected at least backoff_base_ms (500), got 100");
    // Substitution.
    // Headers and body logging.
    row("bad header name", "headers:\n  strip_upstream:\n    - via\n    - \"x bad\"\n", "headers.strip_upstream[1]", 4,
        7, R"(expected a header name (letters, digits and !#$%&'*+-.^_`|~), got "x bad")");
    row("header name with colon", "headers:\n  strip_response: [\"x-a:\"]\n", "headers.strip_response[0]", 2, 20,
        R"(expected a header name (letters, digits and !#$%&'*+-.^_`|~), got "x-a:")");
    row("security_headers", "headers:\n  security_headers: sometimes\n", "headers.security_headers", 2, 21,
        R"(expected true or false, got "sometimes")");
    row("body log max_bytes too small", "log:\n  bodies:\n    max_bytes: 512\n", "log.bodies.max_bytes", 3, 16,
        R"(expected a size between 1 KiB and 16 MiB (bytes, or a number with KiB, MiB, GiB, KB, MB or GB), got "512")");
    row("body log max_bytes too large", "log:\n  bodies:\n    max_bytes: 32MiB\n", "log.bodies.max_bytes", 3, 16,
        R"(expected a size between 1 KiB and 16 MiB (bytes, or a number with KiB, MiB, GiB, KB, MB or GB), got "32MiB")");
    row("body log unknown field", "log:\n  bodies:\n    max_byte: 1KiB\n", "log.bodies", 3, 5,
        R"(unknown field "max_byte"; did you mean "max_bytes"?)");
    row("env missing", "gemini:\n  base_url: ${GG_UNSET_URL}\n", "gemini.base_url", 2, 13,
        R"(environment variable GG_UNSET_URL is not set (write "${GG_UNSET_URL:-}" to allow it to be unset))");
    row("env unterminated", "server:\n  host: \"${HOST\"\n", "server.host", 2, 9,
        R"(expected "${NAME}" or "${NAME:-default}", got an unterminated "${")");
    row("env bad name", "server:\n  host: \"${1X}\"\n", "server.host", 2, 9,
        R"(expected an environment variable name (letters, digits, _) in "${...}", got "1X")");
}

void TestConfig::validationErrors() {
    QFETCH(QByteArray, yaml);
    QFETCH(QString, path);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);

    const ConfigLoadResult result = load(yaml);
    QVERIFY(!result.ok());
    QVERIFY(!result.config);
    QVERIFY2(result.errors.size() == 1, qPrintable(result.errorText()));
    const ConfigIssue& issue = result.errors.first();
    QCOMPARE(issue.file, QStringLiteral("/etc/gemgate/test.yaml"));
    QCOMPARE(issue.path, path);
    QCOMPARE(issue.message, message);
    QCOMPARE(issue.line, line);
    QCOMPARE(issue.column, column);
}

void TestConfig::validConfigsWithoutErrors_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("port 0 means any") << QByteArray("server:\n  port: 0\n");
    QTest::newRow("tls off with one path") << QByteArray("server:\n  tls:\n    cert_path: c.pem\n");
    QTest::newRow("tls on with neither path") << QByteArray("server:\n  tls:\n    enabled: true\n");
    QTest::newRow("socks5 proxy") << QByteArray("gemini:\n  proxy: socks5://127.0.0.1:1080\n");
    QTest::newRow("empty proxy") << QByteArray("gemini:\n  proxy: \"\"\n");
    QTest::newRow("http2") << QByteArray("gemini:\n  transport: HTTP2\n");
    QTest::newRow("quoted integer") << QByteArray("server:\n  port: \"9000\"\n");
    QTest::newRow("bool words") << QByteArray("auth:\n  enabled: no\nmetrics:\n  enabled: On\n");
    QTest::newRow("access log off") << QByteArray("log:\n  access_log: off\n  level: WARNING\n");
    QTest::newRow("flow style") << QByteArray("{server: {port: 1}, log: {level: debug}}\n");
    QTest::newRow("acme domain as string") << QByteArray("server:\n  tls:\n    acme:\n      domains: a.example\n");
}

void TestConfig::validConfigsWithoutErrors() {
    QFETCH(QByteArray, yaml);
    const ConfigLoadResult result = load(yaml);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
}

void TestConfig::keyPoolSectionsParse() {
    const ConfigLoadResult r = load(R"(gemini:
  api_keys:
    - id: a
      key: AIzaSyLiteral-0123456789abcdefghijklmnop
      label: Laptop key
      project: p1
      tags: [free, team-a]
      models: ["gemini-2.5-flash*"]
      proxy: socks5://127.0.0.1:1080
      limits:
        - model: "*"
          rpm: 7
      max_requests_per_minute: 100
    - id: b
      secret: keychain:upstream-b
      enabled: false
    - id: c
      secret: file:keys/c.key
      max_requests_per_minute: 30
  limits:
    - model: gemini-2.5-flash
      rpm: 10
      tpm: 250000
      rpd: 250
    - model: "gemini-2.5-pro*"
      rpd: 100
  projects:
    - id: p1
      limits:
        - model: "*"
          rpm: 1000
  key_pool:
    strategy: sticky
    sticky_header: X-Session
    retry_budget_ms: 5000
    stream_guard: false
    health_check_seconds: 0
    breaker:
      trip_percent: 50
      open_seconds: 20
storage:
  database: state/gg.db
)");
    QVERIFY2(r.ok(), qPrintable(r.errorText()));
    const GeminiConfig& g = r.config->gemini;
    QCOMPARE(g.apiKeys.size(), 3);
    const UpstreamKey& a = g.apiKeys[0];
    QCOMPARE(a.label, QStringLiteral("Laptop key"));
    QCOMPARE(a.project, QStringLiteral("p1"));
    QCOMPARE(a.tags, (QStringList{QStringLiteral("free"), QStringLiteral("team-a")}));
    QCOMPARE(a.models, QStringList{QStringLiteral("gemini-2.5-flash*")});
    QCOMPARE(a.proxy, QUrl(QStringLiteral("socks5://127.0.0.1:1080")));
    QCOMPARE(a.limits.size(), 1); // the explicit "*" rule wins over max_requests_per_minute
    QCOMPARE(a.limits[0].limits.rpm, 7);
    QVERIFY(a.secretRef.isEmpty());
    QCOMPARE(g.apiKeys[1].secretRef, QStringLiteral("keychain:upstream-b"));
    QVERIFY(g.apiKeys[1].secret.isEmpty());
    QVERIFY(!g.apiKeys[1].enabled);
    QCOMPARE(g.apiKeys[2].secretRef, QStringLiteral("file:/etc/gemgate/keys/c.key")); // relative to the config
    QCOMPARE(g.apiKeys[2].limits.value(0).limits.rpm, 30);
    QCOMPARE(g.limits.size(), 2);
    QCOMPARE(g.limits[0].limits.tpm, 250000);
    QCOMPARE(g.limits[1].model, QStringLiteral("gemini-2.5-pro*"));
    QCOMPARE(g.limits[1].limits.rpd, 100);
    QCOMPARE(g.projects.size(), 1);
    QCOMPARE(g.projects[0].limits[0].limits.rpm, 1000);
    QCOMPARE(g.keyPool.strategy, KeyStrategy::Sticky);
    QCOMPARE(g.keyPool.stickyHeader, QStringLiteral("x-session"));
    QCOMPARE(g.keyPool.retryBudgetMs, 5000);
    QVERIFY(!g.keyPool.streamGuard);
    QCOMPARE(g.keyPool.healthCheckSeconds, 0);
    QCOMPARE(g.keyPool.breaker.ratio, 0.5);
    QCOMPARE(g.keyPool.breaker.openSeconds, 20);
    QCOMPARE(r.config->storage.database, QStringLiteral("/etc/gemgate/state/gg.db"));
}

void TestConfig::headersAndBodyLogParse() {
    {
        const ConfigLoadResult r = load(R"(headers:
  strip_upstream: [X-Forwarded-For, " Via ", x-forwarded-for]
  strip_response: X-Goog-Debug
  security_headers: false
log:
  bodies:
    enabled: true
    path: bodies/debug.log
    max_bytes: 1MiB
)");
        QVERIFY2(r.ok(), qPrintable(r.errorText()));
        const Config& c = *r.config;
        QCOMPARE(c.headers.stripUpstream, (QStringList{QStringLiteral("x-forwarded-for"), QStringLiteral("via")}));
        QCOMPARE(c.headers.stripResponse, QStringList{QStringLiteral("x-goog-debug")});
        QCOMPARE(c.headers.securityHeaders, false);
        QCOMPARE(c.log.bodies.enabled, true);
        QCOMPARE(c.log.bodies.path, QStringLiteral("/etc/gemgate/bodies/debug.log"));
        QCOMPARE(c.log.bodies.maxBytes, 1024 * 1024);
    }
    {
        // [] forwards every privacy header (e.g. X-Forwarded-For to one's own upstream).
        const ConfigLoadResult r = load("headers:\n  strip_upstream: []\n");
        QVERIFY2(r.ok(), qPrintable(r.errorText()));
        QVERIFY(r.config->headers.stripUpstream.isEmpty());
        QCOMPARE(r.config->log.bodies.enabled, false);
        QCOMPARE(r.config->log.bodies.maxBytes, 16 * 1024);
    }
    {
        // An empty value keeps the default list.
        const ConfigLoadResult r = load("headers:\n  strip_upstream:\n");
        QVERIFY2(r.ok(), qPrintable(r.errorText()));
        QCOMPARE(r.config->headers.stripUpstream, HeadersConfig().stripUpstream);
    }
}

void TestConfig::multipleErrorsReportedTogether() {
    const QByteArray yaml = "server:\n"           // 1
                            "  port: abc\n"       // 2
                            "  prot: 1\n"         // 3
                            "gemini:\n"           // 4
                            "  api_keys:\n"       // 5
                            "    - id: a\n"       // 6
                            "      key: k1\n"     // 7
                            "      weight: 0\n"   // 8
                            "    - id: a\n"       // 9
                            "      key: k2\n"     // 10
                            "  transport: spdy\n" // 11
                            "log:\n"              // 12
                            "  level: loud\n";    // 13
    const ConfigLoadResult result = load(yaml);
    QVERIFY(!result.ok());
    QVERIFY(!result.config);
    QStringList paths;
    QList<int> lines;
    for (const ConfigIssue& issue : result.errors) {
        paths.append(issue.path);
        lines.append(issue.line);
    }
    // Reported in document order, whatever order the sections are checked in.
    QCOMPARE(paths, (QStringList{QStringLiteral("server.port"), QStringLiteral("server"),
                                 QStringLiteral("gemini.api_keys[0].weight"), QStringLiteral("gemini.api_keys[1].id"),
                                 QStringLiteral("gemini.transport"), QStringLiteral("log.level")}));
    QCOMPARE(lines, (QList<int>{2, 3, 8, 9, 11, 13}));
}

void TestConfig::envSubstitution_data() {
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected");
    const QString a = QStringLiteral("alpha");
    QTest::newRow("plain") << QByteArray("${GG_A}") << a;
    QTest::newRow("quoted") << QByteArray("\"${GG_A}\"") << a;
    QTest::newRow("embedded") << QByteArray("\"x-${GG_A}-y\"") << QStringLiteral("x-alpha-y");
    QTest::newRow("two variables") << QByteArray("\"${GG_A}.${GG_B}\"") << QStringLiteral("alpha.beta");
    QTest::newRow("default unused when set") << QByteArray("\"${GG_A:-zz}\"") << a;
    QTest::newRow("default when unset") << QByteArray("\"${GG_UNSET:-fallback}\"") << QStringLiteral("fallback");
    QTest::newRow("default when empty") << QByteArray("\"${GG_EMPTY:-fallback}\"") << QStringLiteral("fallback");
    QTest::newRow("empty default") << QByteArray("\"${GG_UNSET:-}\"") << QString();
    QTest::newRow("set but empty") << QByteArray("\"${GG_EMPTY}\"") << QString();
    QTest::newRow("escaped") << QByteArray("\"$${GG_A}\"") << QStringLiteral("${GG_A}");
    QTest::newRow("lone dollar") << QByteArray("\"cost $5\"") << QStringLiteral("cost $5");
    QTest::newRow("value is not re-expanded") << QByteArray("${GG_NESTED}") << QStringLiteral("${GG_A}");
}

void TestConfig::envSubstitution() {
    QFETCH(QByteArray, value);
    QFETCH(QString, expected);
    const EnvLookup env = envFrom({{QStringLiteral("GG_A"), QStringLiteral("alpha")},
                                   {QStringLiteral("GG_B"), QStringLiteral("beta")},
                                   {QStringLiteral("GG_EMPTY"), QString()},
                                   {QStringLiteral("GG_NESTED"), QStringLiteral("${GG_A}")}});
    const ConfigLoadResult result = load("server:\n  tls:\n    acme:\n      email: " + value + "\n", env);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.config->server.tls.acmeEmail, expected);
}

void TestConfig::envMissingVariable() {
    const QByteArray yaml = "gemini:\n"
                            "  api_keys:\n"
                            "    - id: a\n"
                            "      key: ${GG_KEY_ONE}\n"
                            "auth:\n"
                            "  jwt_secret: \"${GG_JWT}\"\n";
    const ConfigLoadResult result = load(yaml);
    QCOMPARE(result.errors.size(), 2);
    QCOMPARE(result.errors[0].path, QStringLiteral("gemini.api_keys[0].key"));
    QVERIFY(result.errors[0].message.contains(QStringLiteral("GG_KEY_ONE")));
    QCOMPARE(result.errors[0].line, 4);
    QCOMPARE(result.errors[0].column, 12);
    QCOMPARE(result.errors[1].path, QStringLiteral("auth.jwt_secret"));
    QVERIFY(result.errors[1].message.contains(QStringLiteral("GG_JWT")));
    QVERIFY(result.errorText().contains(QStringLiteral("auth.jwt_secret: environment variable GG_JWT is not set")));
}

void TestConfig::envNeverInKeys() {
    const EnvLookup env = envFrom({{QStringLiteral("SECTION"), QStringLiteral("server")}});
    const ConfigLoadResult result = load("${SECTION}:\n  port: 1\n", env);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].message, QStringLiteral("unknown field \"${SECTION}\""));
}

void TestConfig::envInNumbers() {
    const EnvLookup env = envFrom(
        {{QStringLiteral("GG_PORT"), QStringLiteral("9001")}, {QStringLiteral("GG_TLS"), QStringLiteral("true")}});
    const ConfigLoadResult result =
        load("server:\n  port: ${GG_PORT}\n  workers: ${GG_WORKERS:-3}\n  max_body_bytes: ${GG_BODY:-1MiB}\n"
             "  tls:\n    enabled: ${GG_TLS}\n",
             env);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.config->server.port, quint16(9001));
    QCOMPARE(result.config->server.workers, 3);
    QCOMPARE(result.config->server.maxBodyBytes, 1024LL * 1024);
    QVERIFY(result.config->server.tls.enabled);

    // A substituted value is validated like a literal one, and the message shows what it became.
    const ConfigLoadResult bad =
        load("server:\n  port: ${GG_PORT_BAD}\n", envFrom({{QStringLiteral("GG_PORT_BAD"), QStringLiteral("http")}}));
    QCOMPARE(bad.errors.size(), 1);
    QCOMPARE(bad.errors[0].message, QStringLiteral("expected an integer between 0 and 65535, got \"http\""));
}

void TestConfig::sizeStrings_data() {
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expected"); // -1: rejected
    QTest::newRow("bytes") << QByteArray("2048") << qint64(2048);
    QTest::newRow("MiB") << QByteArray("32MiB") << qint64(32) * 1024 * 1024;
    QTest::newRow("MB") << QByteArray("100MB") << qint64(100'000'000);
    QTest::newRow("KiB") << QByteArray("512KiB") << qint64(512) * 1024;
    QTest::newRow("KB") << QByteArray("2KB") << qint64(2000);
    QTest::newRow("GiB") << QByteArray("1GiB") << (qint64(1) << 30);
    QTest::newRow("upper limit") << QByteArray("4GiB") << (qint64(4) << 30);
    QTest::newRow("lower limit") << QByteArray("1KiB") << qint64(1024);
    QTest::newRow("k alone is binary") << QByteArray("64k") << qint64(64) * 1024;
    QTest::newRow("lower case and space") << QByteArray("\" 10 mib \"") << qint64(10) * 1024 * 1024;
    QTest::newRow("fraction") << QByteArray("1.5MiB") << qint64(1536) * 1024;
    QTest::newRow("B suffix") << QByteArray("4096B") << qint64(4096);
    QTest::newRow("below limit") << QByteArray("1023") << qint64(-1);
    QTest::newRow("above limit") << QByteArray("4.1GiB") << qint64(-1);
    QTest::newRow("unknown unit") << QByteArray("32XB") << qint64(-1);
    QTest::newRow("unit only") << QByteArray("MiB") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-1MiB") << qint64(-1);
    QTest::newRow("overflow") << QByteArray("99999999999999999999GiB") << qint64(-1);
}

void TestConfig::sizeStrings() {
    QFETCH(QByteArray, value);
    QFETCH(qint64, expected);
    const ConfigLoadResult result = load("server:\n  max_body_bytes: " + value + "\n");
    if (expected < 0) {
        QCOMPARE(result.errors.size(), 1);
        QCOMPARE(result.errors[0].path, QStringLiteral("server.max_body_bytes"));
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.config->server.maxBodyBytes, expected);
}

void TestConfig::emptyUpstreamKeyIsWarningAndSkipped() {
    const QByteArray yaml = "gemini:\n"
                            "  api_keys:\n"
                            "    - id: default\n"
                            "      key: \"${GEMINI_API_KEY:-}\"\n"
                            "    - key: AIza-second-key-123\n"
                            "    - key:\n";
    const ConfigLoadResult result = load(yaml);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.config->gemini.apiKeys.size(), 1);
    QCOMPARE(result.config->gemini.apiKeys[0].id, QStringLiteral("key2"));
    QCOMPARE(result.config->gemini.apiKeys[0].secret, QStringLiteral("AIza-second-key-123"));
    QCOMPARE(result.warnings.size(), 2);
    QCOMPARE(result.warnings[0].path, QStringLiteral("gemini.api_keys[0].key"));
    QCOMPARE(result.warnings[0].line, 4);
    QCOMPARE(result.warnings[0].column, 12);
    QVERIFY(result.warnings[0].message.contains(QStringLiteral("\"default\" is empty")));
    QCOMPARE(result.warnings[1].path, QStringLiteral("gemini.api_keys[2].key"));
    QVERIFY(result.warnings[1].message.contains(QStringLiteral("\"key3\" is empty")));
}

void TestConfig::relativePathsResolveAgainstConfigDir() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("conf")));
    const QString confDir = tmp.path() + QStringLiteral("/conf");
    const QString path = confDir + QStringLiteral("/gemgate.yaml");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("server:\n"
               "  tls:\n"
               "    enabled: true\n"
               "    cert_path: certs/cert.pem\n"
               "    key_path: ../keys/./key.pem\n"
               "    self_signed_dir: /var/lib/gemgate/tls\n"
               "gemini:\n"
               "  ca_file: ~/corp-ca.pem\n"
               "log:\n"
               "  access_log: logs/access.log\n");
    file.close();

    // A relative path to the config file itself must not change the result.
    const QString relativeConfig = QDir::current().relativeFilePath(path);
    for (const QString& configPath : {path, relativeConfig}) {
        const ConfigLoadResult result = loadConfigFile(configPath, kNoEnv);
        QVERIFY2(result.ok(), qPrintable(result.errorText()));
        const Config& c = *result.config;
        QCOMPARE(c.server.tls.certPath, confDir + QStringLiteral("/certs/cert.pem"));
        QCOMPARE(c.server.tls.keyPath, tmp.path() + QStringLiteral("/keys/key.pem"));
        QCOMPARE(c.server.tls.selfSignedDir, QStringLiteral("/var/lib/gemgate/tls"));
        QCOMPARE(c.gemini.caFile, QDir::homePath() + QStringLiteral("/corp-ca.pem"));
        QCOMPARE(c.log.accessLog, LogTarget::File);
        QCOMPARE(c.log.accessLogPath, confDir + QStringLiteral("/logs/access.log"));
        QCOMPARE(c.sourcePath, QFileInfo(path).absoluteFilePath());
    }
}

void TestConfig::unknownFieldSuggestion_data() {
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QString>("suggestion"); // empty: none expected
    QTest::newRow("transposition") << QByteArray("prot") << QStringLiteral("port");
    QTest::newRow("missing letter") << QByteArray("worker") << QStringLiteral("workers");
    QTest::newRow("two edits") << QByteArray("max_conections_") << QStringLiteral("max_connections");
    QTest::newRow("camelCase") << QByteArray("maxBodyBytes") << QStringLiteral("max_body_bytes");
    QTest::newRow("capitalised") << QByteArray("Host") << QStringLiteral("host");
    QTest::newRow("too far") << QByteArray("listen") << QString();
    QTest::newRow("short and unrelated") << QByteArray("ab") << QString();
}

void TestConfig::unknownFieldSuggestion() {
    QFETCH(QByteArray, field);
    QFETCH(QString, suggestion);
    const ConfigLoadResult result = load("server:\n  " + field + ": 1\n");
    QCOMPARE(result.errors.size(), 1);
    QString expected = QStringLiteral("unknown field \"%1\"").arg(QString::fromUtf8(field));
    if (!suggestion.isEmpty())
        expected += QStringLiteral("; did you mean \"%1\"?").arg(suggestion);
    QCOMPARE(result.errors[0].message, expected);
}

void TestConfig::secretsNeverInMessages() {
    const QByteArray yaml = "gemini:\n"
                            "  api_keys:\n"
                            "    - id: one\n"
                            "      key: AIzaSyA-secret-one-0123456789\n"
                            "      weight: AIzaSyA-secret-one-0123456789\n" // misplaced: scrubbed
                            "    - id: two\n"
                            "      key: [AIzaSyB-secret-two-0123456789]\n"
                            "    - AIzaSyC-secret-three-0123456789\n"
                            "    - id: four\n"
                            "      key: ${GG_SECRET_ENV}\n"
                            "      weight: 0\n"
                            "    - id: five\n"
                            "      key: \"AIzaSyE secret five\"\n"
                            "    - id: six\n"
                            "      key: \"${AIzaSyF_secret_six}\"\n"
                            "    - id: seven\n"
                            "      key: \"${AIzaSyG-secret-seven}\"\n"
                            "  proxy: http://user:ProxyPass-0123456@proxy.local:notaport\n"
                            "auth:\n"
                            "  jwt_secret: short-jwt-secret-xyz\n"
                            "  rate_limit_per_minute: short-jwt-secret-xyz\n"
                            "  client_keys:\n"
                            "    - id: c1\n"
                            "      key: gg-client-secret-one-0123456789\n"
                            "    - id: c2\n"
                            "      key: gg-client-secret-one-0123456789\n"
                            "    - id: c3\n"
                            "      key: {nested: gg-client-secret-nested-0123}\n"
                            "    - id: c4\n"
                            "      key: \"${gg-secret-in-braces-0123}\"\n"
                            "    - id: c5\n"
                            "      key: tiny-secret\n";
    const EnvLookup env = envFrom({{QStringLiteral("GG_SECRET_ENV"), QStringLiteral("AIzaSyD-secret-env-0123456789")}});
    const ConfigLoadResult result = load(yaml, env);
    QVERIFY(!result.ok());
    // Every bad entry above produced an issue (so the check below really looked at their messages).
    QVERIFY2(result.errors.size() >= 10, qPrintable(result.errorText()));
    QVERIFY2(!result.warnings.isEmpty(), "the short jwt secret and client key should warn");

    const QStringList secrets = {
        QStringLiteral("AIzaSyA-secret-one"),   QStringLiteral("AIzaSyB-secret-two"),
        QStringLiteral("AIzaSyC-secret-three"), QStringLiteral("AIzaSyD-secret-env"),
        QStringLiteral("AIzaSyE secret five"),  QStringLiteral("AIzaSyG-secret-seven"),
        QStringLiteral("ProxyPass-0123456"),    QStringLiteral("short-jwt-secret-xyz"),
        QStringLiteral("gg-client-secret-one"), QStringLiteral("gg-client-secret-nested"),
        QStringLiteral("gg-secret-in-braces"),  QStringLiteral("tiny-secret"),
    };
    QList<ConfigIssue> all = result.errors;
    all += result.warnings;
    for (const ConfigIssue& issue : all) {
        const QString text = issue.toString();
        for (const QString& secret : secrets)
            QVERIFY2(!text.contains(secret), qPrintable(QStringLiteral("secret leaked in: ") + text));
    }
    // Variable names are not secrets: an unset one is named so the user can fix it.
    QVERIFY(result.errorText().contains(QStringLiteral("AIzaSyF_secret_six is not set")));
}

void TestConfig::yamlSyntaxError_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::newRow("bad indentation") << QByteArray("server:\n  port: 1\n host: x\n    tls: y\n") << 3 << 2;
    QTest::newRow("unclosed flow list") << QByteArray("server:\n  port: [1, 2\n") << 3 << 1;
    QTest::newRow("map value in scalar") << QByteArray("a: b\n  c: d\n") << 2 << 4;
}

void TestConfig::yamlSyntaxError() {
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(int, column);
    const ConfigLoadResult result = load(yaml);
    QVERIFY(!result.ok());
    QVERIFY2(result.errors.size() == 1, qPrintable(result.errorText()));
    QVERIFY(result.errors[0].message.startsWith(QStringLiteral("invalid YAML: ")));
    QCOMPARE(result.errors[0].line, line);
    QCOMPARE(result.errors[0].column, column);
    QVERIFY(result.errors[0].path.isEmpty());
}

void TestConfig::multipleDocumentsRejected() {
    const ConfigLoadResult result = load("server: {}\n---\nlog: {}\n");
    QCOMPARE(result.errors.size(), 1);
    QVERIFY(result.errors[0].message.startsWith(QStringLiteral("expected one YAML document, got 2")));
    QVERIFY(result.errors[0].line >= 2);
}

void TestConfig::missingFileNamesPathAndReason() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.path() + QStringLiteral("/nope/gemgate.yaml");
    const ConfigLoadResult result = loadConfigFile(path, kNoEnv);
    QVERIFY(!result.ok());
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].file, path);
    QVERIFY2(result.errors[0].toString().startsWith(path + QStringLiteral(": ")), qPrintable(result.errorText()));
    QVERIFY2(result.errorText().contains(QStringLiteral("No such file or directory")), qPrintable(result.errorText()));

    // A directory is not a config file either.
    const ConfigLoadResult dir = loadConfigFile(tmp.path(), kNoEnv);
    QCOMPARE(dir.errors.size(), 1);
    QCOMPARE(dir.errors[0].file, tmp.path());
}

void TestConfig::defaultConfigPathIsGenericConfigLocation() {
    const QString expected = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
                             QStringLiteral("/gemgate/gemgate.yaml");
    QCOMPARE(defaultConfigPath(), expected);
}

void TestConfig::writeDefaultConfigRoundTrip() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/new/gemgate");
    const QString path = dir + QStringLiteral("/gemgate.yaml");
    QString error;
    QVERIFY2(writeDefaultConfig(path, &error), qPrintable(error));

#ifdef Q_OS_UNIX
    struct stat fileStat {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &fileStat), 0);
    QCOMPARE(fileStat.st_mode & 0777, 0600u);
    struct stat dirStat {};
    QCOMPARE(::stat(QFile::encodeName(dir).constData(), &dirStat), 0);
    QCOMPARE(dirStat.st_mode & 0777, 0700u);
#endif
    QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());

    // Without GEMINI_API_KEY: loads, warns about the empty upstream key, and has no upstream key.
    const ConfigLoadResult result = loadConfigFile(path, kNoEnv);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings[0].path, QStringLiteral("gemini.api_keys[0].key"));
    const Config& c = *result.config;
    QCOMPARE(c.server.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.server.port, quint16(8080));
    QVERIFY(!c.server.tls.enabled);
    QVERIFY(c.gemini.apiKeys.isEmpty());
    QCOMPARE(c.gemini.baseUrl, QUrl(QStringLiteral("https://generativelanguage.googleapis.com")));
    QVERIFY(c.auth.enabled);
    QCOMPARE(c.auth.clientKeys.size(), 1);
    QCOMPARE(c.auth.clientKeys[0].id, QStringLiteral("local"));
    static const QRegularExpression keyPattern(QStringLiteral("^gg-[A-Za-z0-9_-]{43}$"));
    QVERIFY2(keyPattern.match(c.auth.clientKeys[0].key).hasMatch(), "client key format");
    QCOMPARE(c.log.accessLog, LogTarget::Stdout);

    // With it: one upstream key named "default".
    const ConfigLoadResult withKey =
        loadConfigFile(path, envFrom({{QStringLiteral("GEMINI_API_KEY"), QStringLiteral("AIza-from-env-123")}}));
    QVERIFY2(withKey.ok(), qPrintable(withKey.errorText()));
    QVERIFY(withKey.warnings.isEmpty());
    QCOMPARE(withKey.config->gemini.apiKeys.size(), 1);
    QCOMPARE(withKey.config->gemini.apiKeys[0].id, QStringLiteral("default"));
    QCOMPARE(withKey.config->gemini.apiKeys[0].secret, QStringLiteral("AIza-from-env-123"));

    // Each file gets its own random client key.
    const QString other = tmp.path() + QStringLiteral("/other.yaml");
    QVERIFY2(writeDefaultConfig(other, &error), qPrintable(error));
    const ConfigLoadResult second = loadConfigFile(other, kNoEnv);
    QVERIFY(second.ok());
    QVERIFY(second.config->auth.clientKeys[0].key != c.auth.clientKeys[0].key);
}

void TestConfig::writeDefaultConfigRefusesToOverwrite() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.path() + QStringLiteral("/gemgate.yaml");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("server:\n  port: 1234\n");
    file.close();
    QString error;
    QVERIFY(!writeDefaultConfig(path, &error));
    QVERIFY(error.contains(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("server:\n  port: 1234\n"));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
