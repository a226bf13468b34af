#pragma once

// The admin listener's routes. Without a token: GET /health, /ready and /metrics (for probes and Prometheus).
// Everything else (/api/..., /performance, /errors) needs "Authorization: Bearer <admin token>"; a missing or wrong
// token gets 401 and nothing else (not even whether the path exists). Answers are JSON; errors use Google's error
// envelope ({"error":{"code","message","status"}}), and a rejected config also lists every error with its field path.
//
//   GET  /api/config                      the running config as YAML, secrets as <redacted:...> (?format=json)
//   PUT  /api/config                      a new config (YAML body); If-Match: <version> guards against races
//   GET  /api/config/history              versions, newest first (?limit=&before=)
//   GET  /api/config/history/{v}          one version's text, redacted
//   POST /api/config/rollback/{v}         applies version v's exact bytes as a new version
//   GET  /api/keys                        pool keys with state, budgets and last error
//   POST /api/keys                        {"id","secret","label","weight","project","models","store"}
//   DELETE /api/keys/{id}; POST /api/keys/{id}/enable|disable|test
//   GET  /api/clients; POST /api/clients  {"name","owner","namespace","expires","models","limits","ip_allow",...}
//   POST /api/clients/{id}/enable|disable|rotate; DELETE /api/clients/{id}
//   GET  /api/usage                       ?by=client,namespace,key,model&granularity=day|hour|total&from=&to=&...
//   GET  /api/logs                        ?client=&key=&model=&namespace=&status=&errors=true&from=&to=&limit=&before=
//   GET  /performance                     ?window=60|300|3600 (default: all three)
//   GET  /errors                          ?since=<seconds back, default 3600>

#include "admin/adminserver.h"

#include <QObject>

namespace gemgate {

class GatewayController;

class AdminApi final : public QObject {
    Q_OBJECT
public:
    explicit AdminApi(GatewayController* controller);
    void setToken(const QString& token) { m_token = token.toUtf8(); }
    void handle(const AdminRequest& request, AdminResponder respond);
    // The 401 for a request that needs the token and lacks it (nullopt: go on). Also asked by the transport as soon
    // as the headers are in, so that a body is never read for a request without the token.
    std::optional<AdminReply> refuse(const QByteArray& path, const HttpHeaders& headers) const;

private:
    bool authorized(const HttpHeaders& headers) const;
    AdminReply health() const;
    AdminReply tls() const; // GET /api/tls: the served certificate and ACME status
    AdminReply ready() const;
    AdminReply performance(const AdminRequest& r) const;
    AdminReply errors(const AdminRequest& r) const;
    void config(const AdminRequest& r, const QList<QByteArray>& parts, AdminResponder& respond);
    void keys(const AdminRequest& r, const QList<QByteArray>& parts, AdminResponder respond);
    AdminReply clients(const AdminRequest& r, const QList<QByteArray>& parts);
    AdminReply usage(const AdminRequest& r) const;
    AdminReply logs(const AdminRequest& r) const;

    GatewayController* m_controller;
    QByteArray m_token;
};

} // namespace gemgate
