#include "admin/adminapi.h"

#include "clients/clientstore.h"
#include "control/gatewaycontroller.h"
#include "control/keymanager.h"
#include "metrics/exposition.h"
#include "secrets/secretstore.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>

namespace gemgate {

namespace {
QByteArray toJson(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

AdminReply ok(const QJsonObject& o, int status = 200) {
    return AdminReply::json(status, toJson(o));
}

QString param(const AdminRequest& r, const char* name) {
    return QUrl::fromPercentEncoding(queryValue(r.http.query, name).replace('+', ' '));
}

QString iso(qint64 ms) {
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs) : QString();
}

QJsonValue isoOrNull(qint64 ms) {
    return ms > 0 ? QJsonValue(iso(ms)) : QJsonValue();
}

// "2026-11-24", "2026-11-24T13:00:00Z" or milliseconds since the epoch.
std::optional<qint64> parseTime(const QString& text, bool endOfDay) {
    bool isNumber = false;
    const qint64 n = text.toLongLong(&isNumber);
    if (isNumber)
        return n;
    const QDate d = QDate::fromString(text, Qt::ISODate);
    if (d.isValid())
        return QDateTime(endOfDay ? d.addDays(1) : d, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (t.isValid())
        return t.toMSecsSinceEpoch();
    return std::nullopt;
}

QJsonArray strings(const QStringList& l) {
    return QJsonArray::fromStringList(l);
}

QStringList stringList(const QJsonValue& v) {
    QStringList out;
    for (const QJsonValue& x : v.toArray())
        out.append(x.toString());
    return out;
}

QJsonObject keyJson(const KeyStatus& k) {
    QJsonArray budgets;
    for (const ModelBudget& b : k.budgets)
        budgets.append(QJsonObject{{QStringLiteral("model"), b.model},
                                   {QStringLiteral("rpm_used"), b.rpmUsed},
                                   {QStringLiteral("rpm_limit"), b.rpmLimit},
                                   {QStringLiteral("tpm_used"), b.tpmUsed},
                                   {QStringLiteral("tpm_limit"), b.tpmLimit},
                                   {QStringLiteral("rpd_used"), b.rpdUsed},
                                   {QStringLiteral("rpd_limit"), b.rpdLimit},
                                   {QStringLiteral("cooldown_until"), isoOrNull(b.cooldownUntilMs)},
                                   {QStringLiteral("cooldown_reason"), b.cooldownReason}});
    return QJsonObject{{QStringLiteral("id"), k.id},
                       {QStringLiteral("label"), k.label},
                       {QStringLiteral("project"), k.project},
                       {QStringLiteral("tags"), strings(k.tags)},
                       {QStringLiteral("note"), k.note},
                       {QStringLiteral("note_tags"), strings(k.noteTags)},
                       {QStringLiteral("secret_source"), k.secretSource},
                       {QStringLiteral("managed"), k.managed},
                       {QStringLiteral("weight"), k.weight},
                       {QStringLiteral("state"), QLatin1String(keyStateName(k.health))},
                       {QStringLiteral("health"), QLatin1String(keyHealthName(k.health))},
                       {QStringLiteral("detail"), k.detail},
                       {QStringLiteral("available_at"), isoOrNull(k.availableAtMs)},
                       {QStringLiteral("disabled_reason"), k.disabledReason},
                       {QStringLiteral("last_error"), k.lastError},
                       {QStringLiteral("last_error_at"), isoOrNull(k.lastErrorAtMs)},
                       {QStringLiteral("last_success_at"), isoOrNull(k.lastSuccessAtMs)},
                       {QStringLiteral("in_flight"), k.inFlight},
                       {QStringLiteral("requests_today"), k.requestsToday},
                       {QStringLiteral("tokens_today"), k.tokensToday},
                       {QStringLiteral("headroom"), k.headroom},
                       {QStringLiteral("budgets"), budgets}};
}

QJsonObject clientJson(const ClientRecord& c) {
    return QJsonObject{
        {QStringLiteral("id"), c.id},
        {QStringLiteral("name"), c.name},
        {QStringLiteral("owner"), c.owner},
        {QStringLiteral("namespace"), c.nameSpace},
        {QStringLiteral("key_prefix"), c.keyPrefix},
        {QStringLiteral("enabled"), c.enabled},
        {QStringLiteral("expires_at"), isoOrNull(c.expiresAtMs)},
        {QStringLiteral("models"), strings(c.models)},
        {QStringLiteral("created_at"), isoOrNull(c.createdAtMs)},
        {QStringLiteral("rotated_at"), isoOrNull(c.rotatedAtMs)},
        {QStringLiteral("limits"), QJsonDocument::fromJson(ClientStore::limitsToJson(c.limits)).object()},
        {QStringLiteral("ip_allow"), strings(c.ipAllow)},
        {QStringLiteral("ip_deny"), strings(c.ipDeny)}};
}

QJsonObject usageSums(const UsageSummaryRow& r) {
    return QJsonObject{{QStringLiteral("requests"), r.requests},
                       {QStringLiteral("admitted"), r.admitted},
                       {QStringLiteral("errors"), r.errors},
                       {QStringLiteral("truncated"), r.truncated},
                       {QStringLiteral("prompt_tokens"), r.promptTokens},
                       {QStringLiteral("candidates_tokens"), r.candidatesTokens},
                       {QStringLiteral("thoughts_tokens"), r.thoughtsTokens},
                       {QStringLiteral("cached_tokens"), r.cachedTokens},
                       {QStringLiteral("total_tokens"), r.totalTokens},
                       {QStringLiteral("bytes_in"), r.bytesIn},
                       {QStringLiteral("bytes_out"), r.bytesOut}};
}

QJsonObject recordJson(const UsageRecord& r) {
    return QJsonObject{{QStringLiteral("id"), r.id},
                       {QStringLiteral("time"), iso(r.timeMs)},
                       {QStringLiteral("request_id"), QString::fromLatin1(r.requestId)},
                       {QStringLiteral("client"), r.client},
                       {QStringLiteral("namespace"), r.nameSpace},
                       {QStringLiteral("key"), r.keyId},
                       {QStringLiteral("model"), r.model},
                       {QStringLiteral("route"), r.route},
                       {QStringLiteral("status"), r.status},
                       {QStringLiteral("latency_ms"), double(r.latencyUs) / 1000},
                       {QStringLiteral("ttfb_ms"), r.ttfbUs >= 0 ? QJsonValue(double(r.ttfbUs) / 1000) : QJsonValue()},
                       {QStringLiteral("prompt_tokens"), r.promptTokens},
                       {QStringLiteral("candidates_tokens"), r.candidatesTokens},
                       {QStringLiteral("thoughts_tokens"), r.thoughtsTokens},
                       {QStringLiteral("cached_tokens"), r.cachedTokens},
                       {QStringLiteral("total_tokens"), r.totalTokens},
                       {QStringLiteral("bytes_in"), r.bytesIn},
                       {QStringLiteral("bytes_out"), r.bytesOut},
                       {QStringLiteral("error_kind"), r.errorKind},
                       {QStringLiteral("truncated"), r.truncated},
                       {QStringLiteral("stream"), r.stream}};
}

AdminReply methodNotAllowed(const char* allow) {
    AdminReply r = AdminReply::error(405, QStringLiteral("this path answers %1").arg(QLatin1String(allow)));
    r.headers.add("Allow", allow);
    return r;
}

// A JSON object body, or an error reply naming what is wrong.
std::optional<QJsonObject> jsonBody(const AdminRequest& r, AdminReply* error) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.http.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = AdminReply::error(
            400,
            pe.error != QJsonParseError::NoError
                ? QStringLiteral("the body is not valid JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset)
                : QStringLiteral("expected a JSON object as the body"));
        return std::nullopt;
    }
    return doc.object();
}

QJsonObject versionJson(const ConfigVersion& v) {
    return QJsonObject{{QStringLiteral("version"), v.version}, {QStringLiteral("applied_at"), iso(v.appliedAtMs)},
                       {QStringLiteral("who"), v.who},         {QStringLiteral("source"), v.source},
                       {QStringLiteral("sha256"), v.sha256},   {QStringLiteral("size"), v.size},
                       {QStringLiteral("comment"), v.comment}};
}

AdminReply applyResult(const ConfigApplyResult& res) {
    if (res.ok)
        return ok(QJsonObject{{QStringLiteral("applied"), true},
                              {QStringLiteral("version"), res.version},
                              {QStringLiteral("warnings"), QJsonArray::fromStringList(res.warnings)}});
    AdminReply reply = AdminReply::error(res.status, res.error);
    if (!res.issues.isEmpty()) {
        QJsonObject o = QJsonDocument::fromJson(reply.body).object();
        QJsonObject e = o.value(QLatin1String("error")).toObject();
        QJsonArray list;
        for (const ConfigIssue& i : res.issues)
            list.append(QJsonObject{{QStringLiteral("path"), i.path},
                                    {QStringLiteral("line"), i.line},
                                    {QStringLiteral("column"), i.column},
                                    {QStringLiteral("message"), i.message}});
        e.insert(QLatin1String("errors"), list);
        o.insert(QLatin1String("error"), e);
        reply.body = toJson(o);
    }
    return reply;
}

QString who(const AdminRequest& r) {
    return QStringLiteral("admin api (%1)").arg(r.peer);
}
} // namespace

AdminApi::AdminApi(GatewayController* controller)
    : m_controller(controller) {}

std::optional<AdminReply> AdminApi::refuse(const QByteArray& path, const HttpHeaders& headers) const {
    static const QByteArray open[] = {"/health", "/healthz", "/ready", "/readyz", "/metrics"};
    for (const QByteArray& p : open)
        if (path == p)
            return std::nullopt;
    if (authorized(headers))
        return std::nullopt;
    AdminReply r = AdminReply::error(
        401, m_token.isEmpty()
                 ? QStringLiteral("the admin API has no token (set admin.token); it answers nothing")
                 : QStringLiteral("the admin API needs \"Authorization: Bearer <admin token>\" (admin.token, or "
                                  "the admin-token file beside the state database)"));
    r.headers.add("WWW-Authenticate", "Bearer realm=\"gemgate-admin\"");
    return r;
}

bool AdminApi::authorized(const HttpHeaders& headers) const {
    if (m_token.isEmpty())
        return false;
    const QByteArray auth = headers.value("authorization");
    if (!auth.startsWith("Bearer ") && !auth.startsWith("bearer "))
        return false;
    // Compared as hashes: equal-length, constant-time-ish, and no early exit on the first differing byte.
    const QByteArray given = QCryptographicHash::hash(auth.mid(7).trimmed(), QCryptographicHash::Sha256);
    const QByteArray want = QCryptographicHash::hash(m_token, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < want.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ want[i]);
    return diff == 0;
}

void AdminApi::handle(const AdminRequest& request, AdminResponder respond) {
    const QByteArray& path = request.http.path;
    const QByteArray& method = request.http.method;
    const bool get = method == "GET" || method == "HEAD";
    if (path == "/health" || path == "/healthz")
        return respond(get ? health() : methodNotAllowed("GET, HEAD"));
    if (path == "/ready" || path == "/readyz")
        return respond(get ? ready() : methodNotAllowed("GET, HEAD"));
    if (path == "/metrics") {
        if (!get)
            return respond(methodNotAllowed("GET, HEAD"));
        const ConfigPtr c = m_controller->config();
        if (c && !c->metrics.enabled)
            return respond(AdminReply::error(404, QStringLiteral("/metrics is off (metrics.enabled: false)")));
        AdminReply r;
        r.contentType = kPrometheusContentType;
        r.body = m_controller->prometheusMetrics();
        return respond(r);
    }
    if (std::optional<AdminReply> refused = refuse(path, request.http.headers))
        return respond(*refused);
    if (path == "/performance")
        return respond(get ? performance(request) : methodNotAllowed("GET"));
    if (path == "/errors")
        return respond(get ? errors(request) : methodNotAllowed("GET"));
    const QList<QByteArray> parts = path.split('/'); // "", "api", "config", ...
    if (parts.size() >= 3 && parts[1] == "api") {
        if (parts[2] == "config")
            return config(request, parts, respond);
        if (parts[2] == "keys")
            return keys(request, parts, std::move(respond));
        if (parts[2] == "clients")
            return respond(clients(request, parts));
        if (parts[2] == "usage" && parts.size() == 3)
            return respond(get ? usage(request) : methodNotAllowed("GET"));
        if (parts[2] == "logs" && parts.size() == 3)
            return respond(get ? logs(request) : methodNotAllowed("GET"));
        if (parts[2] == "tls" && parts.size() == 3)
            return respond(get ? tls() : methodNotAllowed("GET"));
    }
    respond(AdminReply::error(404, QStringLiteral("no admin route for %1 %2")
                                       .arg(QString::fromLatin1(method), QString::fromUtf8(path.left(200)))));
}

AdminReply AdminApi::tls() const {
    QJsonObject out;
    const std::optional<ServedCertificate> served = m_controller->servedCertificate();
    out.insert(QStringLiteral("enabled"), served.has_value());
    if (served) {
        out.insert(QStringLiteral("certificate"),
                   QJsonObject{{QStringLiteral("names"), QJsonArray::fromStringList(served->names)},
                               {QStringLiteral("subject"), served->subject},
                               {QStringLiteral("issuer"), served->issuer},
                               {QStringLiteral("serial"), served->serial},
                               {QStringLiteral("not_before"), served->notBefore.toUTC().toString(Qt::ISODate)},
                               {QStringLiteral("not_after"), served->notAfter.toUTC().toString(Qt::ISODate)},
                               {QStringLiteral("source"), served->source}});
    }
    const AcmeStatus a = m_controller->acmeStatus();
    if (a.enabled) {
        out.insert(QStringLiteral("acme"),
                   QJsonObject{{QStringLiteral("domains"), QJsonArray::fromStringList(a.domains)},
                               {QStringLiteral("ordering"), a.ordering},
                               {QStringLiteral("next_renewal"), isoOrNull(a.nextAttemptMs)},
                               {QStringLiteral("last_error"), a.lastError},
                               {QStringLiteral("orders_ok"), a.renewals},
                               {QStringLiteral("orders_failed"), a.failures}});
    }
    return ok(out);
}

AdminReply AdminApi::health() const {
    const KeySummary k = m_controller->keySummary();
    const GatewayState s = m_controller->state();
    return ok(QJsonObject{
        {QStringLiteral("status"), s == GatewayState::Stopped ? QStringLiteral("stopped") : QStringLiteral("up")},
        {QStringLiteral("version"), QLatin1String(GEMGATE_VERSION)},
        {QStringLiteral("draining"), s == GatewayState::Draining},
        {QStringLiteral("listen"), m_controller->listenUrl()},
        {QStringLiteral("keys"), QJsonObject{{QStringLiteral("total"), k.total},
                                             {QStringLiteral("available"), k.available},
                                             {QStringLiteral("cooling_down"), k.coolingDown},
                                             {QStringLiteral("disabled"), k.disabled}}}});
}

AdminReply AdminApi::ready() const {
    QString reason;
    const bool isReady = m_controller->isReady(&reason);
    QJsonObject o{{QStringLiteral("ready"), isReady},
                  {QStringLiteral("available_keys"), m_controller->keySummary().available}};
    if (!isReady)
        o.insert(QLatin1String("reason"), reason);
    AdminReply r = ok(o, isReady ? 200 : 503);
    if (!isReady)
        r.headers.add("Retry-After", "5");
    return r;
}

AdminReply AdminApi::performance(const AdminRequest& r) const {
    QList<int> windows{60, 300, 3600};
    const QString w = param(r, "window");
    if (!w.isEmpty()) {
        bool isInt = false;
        const int seconds = w.toInt(&isInt);
        if (!isInt || seconds < 1 || seconds > 3600)
            return AdminReply::error(400, QStringLiteral("window: expected seconds between 1 and 3600 (60, 300, "
                                                         "3600), got \"%1\"")
                                              .arg(w));
        windows = {seconds};
    }
    QJsonArray out;
    for (int seconds : windows) {
        const PerfWindow::Stats s = m_controller->performance(seconds);
        auto pct = [](const PerfWindow::Percentiles& p) {
            return QJsonObject{{QStringLiteral("p50"), p.p50},
                               {QStringLiteral("p95"), p.p95},
                               {QStringLiteral("p99"), p.p99},
                               {QStringLiteral("samples"), qint64(p.samples)}};
        };
        out.append(QJsonObject{{QStringLiteral("window_seconds"), s.windowSeconds},
                               {QStringLiteral("covered_seconds"), s.coveredSeconds},
                               {QStringLiteral("requests"), qint64(s.requests)},
                               {QStringLiteral("server_errors"), qint64(s.errors)},
                               {QStringLiteral("qps"), s.requestsPerSecond},
                               {QStringLiteral("latency_ms"), pct(s.latency)},
                               {QStringLiteral("ttfb_ms"), pct(s.ttfb)}});
    }
    return ok(QJsonObject{{QStringLiteral("windows"), out}});
}

AdminReply AdminApi::errors(const AdminRequest& r) const {
    qint64 seconds = 3600;
    const QString since = param(r, "since");
    if (!since.isEmpty()) {
        bool isInt = false;
        seconds = since.toLongLong(&isInt);
        if (!isInt || seconds < 1)
            return AdminReply::error(400,
                                     QStringLiteral("since: expected a number of seconds back, got \"%1\"").arg(since));
    }
    const qint64 from = QDateTime::currentMSecsSinceEpoch() - seconds * 1000;
    QJsonArray groups;
    qint64 total = 0;
    for (const ErrorGroup& g : m_controller->recentErrors(from)) {
        QJsonArray statuses;
        for (int s : g.statuses)
            statuses.append(s);
        total += g.count;
        groups.append(QJsonObject{{QStringLiteral("kind"), g.kind},
                                  {QStringLiteral("count"), g.count},
                                  {QStringLiteral("statuses"), statuses},
                                  {QStringLiteral("first_at"), iso(g.firstMs)},
                                  {QStringLiteral("last_at"), iso(g.lastMs)},
                                  {QStringLiteral("last_status"), g.lastStatus},
                                  {QStringLiteral("last_request_id"), QString::fromLatin1(g.lastRequestId)},
                                  {QStringLiteral("last_route"), g.lastRoute},
                                  {QStringLiteral("last_client"), g.lastClient}});
    }
    return ok(QJsonObject{
        {QStringLiteral("since"), iso(from)}, {QStringLiteral("total"), total}, {QStringLiteral("groups"), groups}});
}

void AdminApi::config(const AdminRequest& r, const QList<QByteArray>& parts, AdminResponder& respond) {
    const QByteArray& method = r.http.method;
    if (parts.size() == 3) {
        if (method == "GET") {
            int version = 0;
            const QByteArray text = m_controller->redactedConfigText(&version);
            if (text.isEmpty())
                return respond(AdminReply::error(
                    404, QStringLiteral("GemGate runs from an in-memory config: there is no config text to show")));
            if (param(r, "format") == QLatin1String("json"))
                return respond(ok(QJsonObject{{QStringLiteral("version"), version},
                                              {QStringLiteral("path"), m_controller->configPath()},
                                              {QStringLiteral("yaml"), QString::fromUtf8(text)}}));
            AdminReply reply;
            reply.contentType = "application/yaml; charset=utf-8";
            reply.body = text;
            reply.headers.add("ETag", '"' + QByteArray::number(version) + '"');
            reply.headers.add("X-GemGate-Config-Version", QByteArray::number(version));
            return respond(reply);
        }
        if (method == "PUT") {
            QByteArray ifMatch = r.http.headers.value("if-match").trimmed();
            if (ifMatch.startsWith('"') && ifMatch.endsWith('"'))
                ifMatch = ifMatch.mid(1, ifMatch.size() - 2);
            if (ifMatch == "*")
                ifMatch.clear();
            bool numeric = false;
            if (!ifMatch.isEmpty() && (ifMatch.toInt(&numeric), !numeric))
                return respond(AdminReply::error(400, QStringLiteral("If-Match: expected the version from the ETag of "
                                                                     "GET /api/config, e.g. \"7\"")));
            if (r.http.body.trimmed().isEmpty())
                return respond(AdminReply::error(400, QStringLiteral("expected the new config as YAML in the body")));
            return respond(applyResult(m_controller->applyConfigText(r.http.body, who(r), ifMatch.toInt())));
        }
        return respond(methodNotAllowed("GET, PUT"));
    }
    if (parts[3] == "history") {
        if (method != "GET")
            return respond(methodNotAllowed("GET"));
        if (parts.size() == 5) {
            QString error;
            const std::optional<QByteArray> text = m_controller->redactedConfigVersion(parts[4].toInt(), &error);
            if (!text)
                return respond(AdminReply::error(404, error));
            AdminReply reply;
            reply.contentType = "application/yaml; charset=utf-8";
            reply.body = *text;
            return respond(reply);
        }
        const int limit = param(r, "limit").isEmpty() ? 50 : param(r, "limit").toInt();
        QJsonArray list;
        for (const ConfigVersion& v : m_controller->configHistory(limit, param(r, "before").toInt()))
            list.append(versionJson(v));
        int current = 0;
        m_controller->redactedConfigText(&current);
        return respond(ok(QJsonObject{{QStringLiteral("current"), current}, {QStringLiteral("versions"), list}}));
    }
    if (parts[3] == "rollback" && parts.size() == 5) {
        if (method != "POST")
            return respond(methodNotAllowed("POST"));
        bool isInt = false;
        const int v = parts[4].toInt(&isInt);
        if (!isInt || v < 1)
            return respond(AdminReply::error(400, QStringLiteral("expected a version number in the path")));
        ConfigApplyResult res = m_controller->rollbackConfig(v, who(r));
        AdminReply reply = applyResult(res);
        if (res.ok) {
            QJsonObject o = QJsonDocument::fromJson(reply.body).object();
            o.insert(QLatin1String("rolled_back_to"), v);
            reply.body = toJson(o);
        }
        return respond(reply);
    }
    respond(AdminReply::error(404, QStringLiteral("no admin route for %1").arg(QString::fromUtf8(r.http.path))));
}

void AdminApi::keys(const AdminRequest& r, const QList<QByteArray>& parts, AdminResponder respond) {
    const QByteArray& method = r.http.method;
    if (parts.size() == 3) {
        if (method == "GET") {
            QJsonArray list;
            for (const KeyStatus& k : m_controller->keyStatuses())
                list.append(keyJson(k));
            return respond(ok(QJsonObject{{QStringLiteral("keys"), list}}));
        }
        if (method != "POST")
            return respond(methodNotAllowed("GET, POST"));
        AdminReply bad;
        const std::optional<QJsonObject> body = jsonBody(r, &bad);
        if (!body)
            return respond(bad);
        NewKey k;
        k.id = body->value(QLatin1String("id")).toString();
        k.label = body->value(QLatin1String("label")).toString();
        k.secret = body->value(QLatin1String("secret")).toString().toUtf8();
        k.weight = body->value(QLatin1String("weight")).toInt(1);
        k.project = body->value(QLatin1String("project")).toString();
        k.models = stringList(body->value(QLatin1String("models")));
        const QString store = body->value(QLatin1String("store")).toString(QStringLiteral("keychain"));
        if (store == QLatin1String("keychain"))
            k.backend = SecretBackend::Keychain;
        else if (store == QLatin1String("file"))
            k.backend = SecretBackend::File;
        else
            return respond(AdminReply::error(
                400, QStringLiteral("store: expected \"keychain\" or \"file\", got \"%1\"").arg(store)));
        if (k.id.isEmpty() || k.secret.isEmpty())
            return respond(
                AdminReply::error(400, QStringLiteral("expected \"id\" and \"secret\" (the Gemini API key)")));
        if (k.weight < 1 || k.weight > 1000)
            return respond(AdminReply::error(400, QStringLiteral("weight: expected 1..1000, got %1").arg(k.weight)));
        const QString id = k.id;
        m_controller->addKey(k, [respond, id](bool done, const QString& message) {
            respond(done ? ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("message"), message}}, 201)
                         : AdminReply::error(400, message));
        });
        return;
    }
    const QString id = QUrl::fromPercentEncoding(parts[3]);
    if (parts.size() == 4) {
        if (method != "DELETE")
            return respond(methodNotAllowed("DELETE"));
        m_controller->removeKey(id, [respond, id](bool done, const QString& message) {
            respond(done ? ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("removed"), true}})
                         : AdminReply::error(message.contains(QLatin1String("unknown")) ? 404 : 400, message));
        });
        return;
    }
    if (parts.size() != 5)
        return respond(
            AdminReply::error(404, QStringLiteral("no admin route for %1").arg(QString::fromUtf8(r.http.path))));
    if (method != "POST")
        return respond(methodNotAllowed("POST"));
    const QByteArray& action = parts[4];
    if (action == "enable" || action == "disable") {
        QString error;
        if (!m_controller->setKeyEnabled(id, action == "enable", &error))
            return respond(AdminReply::error(400, error));
        return respond(ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("enabled"), action == "enable"}}));
    }
    if (action == "test") {
        // The answer comes as keyTested(); the request waits for it (at most 30 s).
        auto* waiter = new QObject(this);
        auto answered = std::make_shared<bool>(false);
        connect(m_controller, &GatewayController::keyTested, waiter,
                [waiter, respond, id, answered](const QString& tested, bool good, const QString& message) {
                    if (tested != id || *answered)
                        return;
                    *answered = true;
                    respond(ok(QJsonObject{{QStringLiteral("id"), id},
                                           {QStringLiteral("ok"), good},
                                           {QStringLiteral("message"), message}}));
                    waiter->deleteLater();
                });
        QTimer::singleShot(30'000, waiter, [waiter, respond, answered] {
            if (!*answered) {
                *answered = true;
                respond(AdminReply::error(504, QStringLiteral("the key test did not finish within 30 s")));
            }
            waiter->deleteLater();
        });
        m_controller->testKey(id);
        return;
    }
    respond(AdminReply::error(
        404, QStringLiteral("unknown key action \"%1\" (enable, disable, test)").arg(QString::fromUtf8(action))));
}

AdminReply AdminApi::clients(const AdminRequest& r, const QList<QByteArray>& parts) {
    const QByteArray& method = r.http.method;
    if (parts.size() == 3) {
        if (method == "GET") {
            QJsonArray list;
            for (const ClientRecord& c : m_controller->clients())
                list.append(clientJson(c));
            return ok(QJsonObject{{QStringLiteral("clients"), list}});
        }
        if (method != "POST")
            return methodNotAllowed("GET, POST");
        AdminReply bad;
        const std::optional<QJsonObject> body = jsonBody(r, &bad);
        if (!body)
            return bad;
        NewClient c;
        c.name = body->value(QLatin1String("name")).toString();
        c.owner = body->value(QLatin1String("owner")).toString();
        c.nameSpace = body->value(QLatin1String("namespace")).toString();
        c.models = stringList(body->value(QLatin1String("models")));
        c.ipAllow = stringList(body->value(QLatin1String("ip_allow")));
        c.ipDeny = stringList(body->value(QLatin1String("ip_deny")));
        if (body->contains(QLatin1String("limits")))
            c.limits = ClientStore::limitsFromJson(toJson(body->value(QLatin1String("limits")).toObject()));
        const QString expires = body->value(QLatin1String("expires_at")).toString();
        if (!expires.isEmpty()) {
            const std::optional<qint64> at = parseTime(expires, false);
            if (!at)
                return AdminReply::error(
                    400, QStringLiteral("expires_at: expected an ISO 8601 time, got \"%1\"").arg(expires));
            c.expiresAtMs = *at;
        }
        if (c.name.isEmpty())
            return AdminReply::error(400, QStringLiteral("name: expected the client's name"));
        QString error;
        const std::optional<IssuedClient> issued = m_controller->addClient(c, &error);
        if (!issued)
            return AdminReply::error(400, error);
        return ok(QJsonObject{{QStringLiteral("client"), clientJson(issued->record)},
                              {QStringLiteral("key"), QString::fromLatin1(issued->key)},
                              {QStringLiteral("note"), QStringLiteral("the key is shown this once")}},
                  201);
    }
    const QString id = QUrl::fromPercentEncoding(parts[3]);
    QString error;
    if (parts.size() == 4) {
        if (method != "DELETE")
            return methodNotAllowed("DELETE");
        if (!m_controller->removeClient(id, &error))
            return AdminReply::error(404, error);
        return ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("removed"), true}});
    }
    if (parts.size() != 5)
        return AdminReply::error(404, QStringLiteral("no admin route for %1").arg(QString::fromUtf8(r.http.path)));
    if (method != "POST")
        return methodNotAllowed("POST");
    const QByteArray& action = parts[4];
    if (action == "enable" || action == "disable") {
        if (!m_controller->setClientEnabled(id, action == "enable", &error))
            return AdminReply::error(404, error);
        return ok(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("enabled"), action == "enable"}});
    }
    if (action == "rotate") {
        const std::optional<IssuedClient> issued = m_controller->rotateClient(id, &error);
        if (!issued)
            return AdminReply::error(404, error);
        return ok(QJsonObject{{QStringLiteral("client"), clientJson(issued->record)},
                              {QStringLiteral("key"), QString::fromLatin1(issued->key)},
                              {QStringLiteral("note"), QStringLiteral("the key is shown this once")}});
    }
    return AdminReply::error(
        404, QStringLiteral("unknown client action \"%1\" (enable, disable, rotate)").arg(QString::fromUtf8(action)));
}

AdminReply AdminApi::usage(const AdminRequest& r) const {
    UsageQuery q;
    const QString by = param(r, "by");
    for (const QString& g : by.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = g.trimmed();
        if (name != QLatin1String("client") && name != QLatin1String("namespace") && name != QLatin1String("key") &&
            name != QLatin1String("model"))
            return AdminReply::error(400, QStringLiteral("by: expected client, namespace, key or model (comma-"
                                                         "separated), got \"%1\"")
                                              .arg(name));
        q.groupBy.append(name);
    }
    const QString granularity = param(r, "granularity").isEmpty() ? QStringLiteral("day") : param(r, "granularity");
    if (granularity != QLatin1String("day") && granularity != QLatin1String("hour") &&
        granularity != QLatin1String("total"))
        return AdminReply::error(
            400, QStringLiteral("granularity: expected day, hour or total, got \"%1\"").arg(granularity));
    q.byDay = granularity == QLatin1String("day");
    q.byHour = granularity == QLatin1String("hour");
    const QString from = param(r, "from"), to = param(r, "to");
    if (q.byHour) {
        const std::optional<qint64> f = from.isEmpty() ? std::optional<qint64>(0) : parseTime(from, false);
        const std::optional<qint64> t = to.isEmpty() ? std::optional<qint64>(0) : parseTime(to, true);
        if (!f || !t)
            return AdminReply::error(400, QStringLiteral("from/to: expected a day (2026-11-24), an ISO 8601 time or "
                                                         "milliseconds since the epoch"));
        q.fromMs = *f;
        q.toMs = *t;
    } else {
        for (const QString& d : {from, to})
            if (!d.isEmpty() && !QDate::fromString(d, Qt::ISODate).isValid())
                return AdminReply::error(400,
                                         QStringLiteral("from/to: expected a day like 2026-11-24, got \"%1\"").arg(d));
        q.fromDay = from;
        q.toDay = to;
    }
    q.client = param(r, "client");
    q.nameSpace = param(r, "namespace");
    q.keyId = param(r, "key");
    q.model = param(r, "model");
    QJsonArray rows;
    for (const UsageSummaryRow& row : m_controller->usage(q)) {
        QJsonObject o = usageSums(row);
        if (q.byDay)
            o.insert(QLatin1String("day"), row.day);
        if (q.byHour)
            o.insert(QLatin1String("hour"), row.hour);
        if (q.groupBy.contains(QLatin1String("client")))
            o.insert(QLatin1String("client"), row.client);
        if (q.groupBy.contains(QLatin1String("namespace")))
            o.insert(QLatin1String("namespace"), row.nameSpace);
        if (q.groupBy.contains(QLatin1String("key")))
            o.insert(QLatin1String("key"), row.keyId);
        if (q.groupBy.contains(QLatin1String("model")))
            o.insert(QLatin1String("model"), row.model);
        rows.append(o);
    }
    return ok(QJsonObject{{QStringLiteral("granularity"), granularity},
                          {QStringLiteral("by"), strings(q.groupBy)},
                          {QStringLiteral("rows"), rows}});
}

AdminReply AdminApi::logs(const AdminRequest& r) const {
    LogQuery q;
    q.client = param(r, "client");
    q.keyId = param(r, "key");
    q.model = param(r, "model");
    q.nameSpace = param(r, "namespace");
    const QString status = param(r, "status");
    if (!status.isEmpty()) {
        bool isInt = false;
        q.status = status.toInt(&isInt);
        if (!isInt || q.status < 100 || q.status > 599)
            return AdminReply::error(
                400, QStringLiteral("status: expected an HTTP status (100-599), got \"%1\"").arg(status));
    }
    q.errorsOnly = param(r, "errors") == QLatin1String("true") || param(r, "errors") == QLatin1String("1");
    for (const auto& [name, out, end] : {std::tuple{"from", &q.fromMs, false}, std::tuple{"to", &q.toMs, true}}) {
        const QString v = param(r, name);
        if (v.isEmpty())
            continue;
        const std::optional<qint64> t = parseTime(v, end);
        if (!t)
            return AdminReply::error(400, QStringLiteral("%1: expected a day (2026-11-24), an ISO 8601 time or "
                                                         "milliseconds since the epoch, got \"%2\"")
                                              .arg(QLatin1String(name), v));
        *out = *t;
    }
    const QString limit = param(r, "limit");
    if (!limit.isEmpty()) {
        bool isInt = false;
        q.limit = limit.toInt(&isInt);
        if (!isInt || q.limit < 1 || q.limit > 1000)
            return AdminReply::error(400, QStringLiteral("limit: expected 1..1000, got \"%1\"").arg(limit));
    }
    q.beforeId = param(r, "before").toLongLong();
    const LogPage page = m_controller->logs(q);
    QJsonArray records;
    for (const UsageRecord& rec : page.records)
        records.append(recordJson(rec));
    QJsonObject o{{QStringLiteral("records"), records}};
    o.insert(QLatin1String("next_before"), page.nextBeforeId > 0 ? QJsonValue(page.nextBeforeId) : QJsonValue());
    return ok(o);
}

} // namespace gemgate
