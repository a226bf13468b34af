#pragma once

// Client keys issued by GemGate (issue 4's "who is calling"): each person or app gets its own key, shown once at
// creation and stored only as its SHA-256 in the state database, with a name, owner, namespace, expiry and an
// optional list of allowed models. The CLI (`gemgate clients ...`) and the running gateway use the same database;
// the gateway notices another process's changes through SQLite's data_version and refreshes its directory.

#include "auth/iprules.h"
#include "config/config.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>

namespace gemgate {

class StateDb;

struct ClientRecord {
    QString id;         // "c-<12 hex>": stable, shown in logs and usage
    QString name;       // unique, chosen by the operator
    QString owner;      // free text (a person, a team)
    QString nameSpace;  // team / app the client's limits and usage roll up to ("default" when not given)
    QString keyPrefix;  // the first characters of the key, to recognise it ("gg_AbCd1234")
    QByteArray keyHash; // SHA-256 of the key; the key itself is never stored
    bool enabled = true;
    qint64 expiresAtMs = 0; // 0 = never
    QStringList models;     // allowed models (exact or prefix*); empty = all
    qint64 createdAtMs = 0;
    qint64 rotatedAtMs = 0;
    LimitSet limits;     // its own limits (unset fields: limits.clients / limits.client_default decide)
    QStringList ipAllow; // CIDR; empty = the global rules only
    QStringList ipDeny;
    IpRules ipRules; // ipAllow / ipDeny parsed (filled by ClientDirectory::replace)

    bool expired(qint64 nowMs) const { return expiresAtMs > 0 && nowMs >= expiresAtMs; }
};

struct NewClient {
    QString name;
    QString owner;
    QString nameSpace;
    qint64 expiresAtMs = 0;
    QStringList models;
    LimitSet limits;
    QStringList ipAllow;
    QStringList ipDeny;
};

// A freshly created or rotated client: the key is here once and nowhere else.
struct IssuedClient {
    ClientRecord record;
    QByteArray key;
};

class ClientStore {
public:
    explicit ClientStore(StateDb* db); // creates the table when missing
    std::optional<IssuedClient> add(const NewClient& client, QString* error);
    QList<ClientRecord> list();
    // id or name
    std::optional<ClientRecord> find(const QString& idOrName);
    bool setEnabled(const QString& idOrName, bool enabled, QString* error);
    // Replaces the client's own limits and IP rules.
    bool setPolicy(const QString& idOrName, const LimitSet& limits, const QStringList& ipAllow,
                   const QStringList& ipDeny, QString* error);
    // Moves the client to another namespace ("" = "default"); its limits and usage roll up there from now on.
    bool setNamespace(const QString& idOrName, const QString& nameSpace, QString* error);
    bool remove(const QString& idOrName, QString* error);
    std::optional<IssuedClient> rotate(const QString& idOrName, QString* error);
    // Changes when another connection (another process) committed to the database.
    qint64 dataVersion();

    // A new key: "gg_" + 43 characters of base64url from 32 bytes of the system CSPRNG.
    static QByteArray generateKey();
    static QByteArray hashKey(QByteArrayView key);
    // Limits as a JSON object of their YAML names (only the fields that are set) and back.
    static QByteArray limitsToJson(const LimitSet& limits);
    static LimitSet limitsFromJson(const QByteArray& json);
    // Checks CIDR lists (for the CLI); empty when all parse, else the first bad entry and why.
    static QString checkCidrs(const QStringList& cidrs);

private:
    StateDb* m_db;
};

// The gateway's view of the issued clients, by key hash; swapped atomically, read lock-free by the workers.
using ClientMap = QHash<QByteArray, ClientRecord>;
class ClientDirectory {
public:
    void replace(const QList<ClientRecord>& clients);
    std::shared_ptr<const ClientMap> snapshot() const { return m_map.load(std::memory_order_acquire); }

private:
    std::atomic<std::shared_ptr<const ClientMap>> m_map{std::make_shared<const ClientMap>()};
};

} // namespace gemgate
