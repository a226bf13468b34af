#include "clients/clientstore.h"

#include "storage/statedb.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <future>

namespace gemgate {

namespace {
constexpr int kPrefixChars = 11; // "gg_" + 8

QString modelsJson(const QStringList& models) {
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(models)).toJson(QJsonDocument::Compact));
}

QStringList modelsFromJson(const QString& text) {
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(text.toUtf8()).array())
        out.append(v.toString());
    return out;
}

ClientRecord fromQuery(const QSqlQuery& q) {
    ClientRecord r;
    r.id = q.value(0).toString();
    r.name = q.value(1).toString();
    r.owner = q.value(2).toString();
    r.nameSpace = q.value(3).toString();
    r.keyPrefix = q.value(4).toString();
    r.keyHash = q.value(5).toByteArray();
    r.enabled = q.value(6).toBool();
    r.expiresAtMs = q.value(7).toLongLong();
    r.models = modelsFromJson(q.value(8).toString());
    r.createdAtMs = q.value(9).toLongLong();
    r.rotatedAtMs = q.value(10).toLongLong();
    r.limits = ClientStore::limitsFromJson(q.value(11).toByteArray());
    r.ipAllow = modelsFromJson(q.value(12).toString());
    r.ipDeny = modelsFromJson(q.value(13).toString());
    return r;
}

const char* kColumns =
    "id, name, owner, namespace, key_prefix, key_hash, enabled, expires_at_ms, models, created_at_ms, rotated_at_ms, "
    "limits, ip_allow, ip_deny";
} // namespace

ClientStore::ClientStore(StateDb* db)
    : m_db(db) {} // the clients table is in the schema (storage/schema.cpp)

QByteArray ClientStore::generateKey() {
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(raw.data()), raw.size() / 4);
    return "gg_" + raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray ClientStore::hashKey(QByteArrayView key) {
    return QCryptographicHash::hash(key, QCryptographicHash::Sha256);
}

QByteArray ClientStore::limitsToJson(const LimitSet& limits) {
    QJsonObject o;
    for (const auto& [name, member] : kLimitSetFields) {
        if (limits.*member >= 0)
            o.insert(QLatin1String(name), double(limits.*member));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

LimitSet ClientStore::limitsFromJson(const QByteArray& json) {
    LimitSet out;
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    for (const auto& [name, member] : kLimitSetFields) {
        const QJsonValue v = o.value(QLatin1String(name));
        if (v.isDouble() && v.toDouble() >= 0)
            out.*member = qint64(v.toDouble());
    }
    return out;
}

QString ClientStore::checkCidrs(const QStringList& cidrs) {
    QString error;
    return CidrSet::parse(cidrs, &error) ? QString() : error;
}

std::optional<IssuedClient> ClientStore::add(const NewClient& client, QString* error) {
    const QString name = client.name.trimmed();
    if (name.isEmpty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), [](QChar c) {
            return c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.';
        })) {
        *error = QStringLiteral("the client name must be 1-64 letters, digits, '-', '_' or '.', got \"%1\"")
                     .arg(name.left(80));
        return std::nullopt;
    }
    IssuedClient issued;
    issued.key = generateKey();
    ClientRecord& r = issued.record;
    r.id = QStringLiteral("c-") + QString::fromLatin1(hashKey(QByteArray(issued.key + "id")).toHex().left(12));
    r.name = name;
    r.owner = client.owner.trimmed();
    if (r.owner.isNull())
        r.owner = QLatin1String(""); // a null QString binds as SQL NULL
    r.nameSpace = client.nameSpace.trimmed().isEmpty() ? QStringLiteral("default") : client.nameSpace.trimmed();
    r.keyPrefix = QString::fromLatin1(issued.key.left(kPrefixChars));
    r.keyHash = hashKey(issued.key);
    r.expiresAtMs = client.expiresAtMs;
    r.models = client.models;
    r.limits = client.limits;
    r.ipAllow = client.ipAllow;
    r.ipDeny = client.ipDeny;
    r.createdAtMs = QDateTime::currentMSecsSinceEpoch();
    const QString failure = m_db->call<QString>([r](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("INSERT INTO clients (%1) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                      .arg(QLatin1String(kColumns)));
        for (const QVariant& v :
             {QVariant(r.id), QVariant(r.name), QVariant(r.owner), QVariant(r.nameSpace), QVariant(r.keyPrefix),
              QVariant(r.keyHash), QVariant(r.enabled ? 1 : 0), QVariant(r.expiresAtMs), QVariant(modelsJson(r.models)),
              QVariant(r.createdAtMs), QVariant(r.rotatedAtMs), QVariant(QString::fromUtf8(limitsToJson(r.limits))),
              QVariant(modelsJson(r.ipAllow)), QVariant(modelsJson(r.ipDeny))})
            q.addBindValue(v);
        if (q.exec())
            return QString();
        return q.lastError().text().contains(QLatin1String("UNIQUE"))
                   ? QStringLiteral("a client named \"%1\" already exists").arg(r.name)
                   : QStringLiteral("could not store the client: %1").arg(q.lastError().text());
    });
    if (!failure.isEmpty()) {
        *error = failure;
        return std::nullopt;
    }
    return issued;
}

QList<ClientRecord> ClientStore::list() {
    return m_db->call<QList<ClientRecord>>([](QSqlDatabase& d) {
        QList<ClientRecord> out;
        QSqlQuery q(d);
        if (q.exec(QStringLiteral("SELECT %1 FROM clients ORDER BY name").arg(QLatin1String(kColumns)))) {
            while (q.next())
                out.append(fromQuery(q));
        }
        return out;
    });
}

std::optional<ClientRecord> ClientStore::find(const QString& idOrName) {
    for (const ClientRecord& r : list()) {
        if (r.id == idOrName || r.name == idOrName)
            return r;
    }
    return std::nullopt;
}

bool ClientStore::setEnabled(const QString& idOrName, bool enabled, QString* error) {
    const std::optional<ClientRecord> r = find(idOrName);
    if (!r) {
        *error = QStringLiteral("no client \"%1\"").arg(idOrName);
        return false;
    }
    const QString id = r->id;
    return m_db->call<bool>([id, enabled](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("UPDATE clients SET enabled = ? WHERE id = ?"));
        q.addBindValue(enabled ? 1 : 0);
        q.addBindValue(id);
        return q.exec();
    });
}

bool ClientStore::setNamespace(const QString& idOrName, const QString& nameSpace, QString* error) {
    const std::optional<ClientRecord> r = find(idOrName);
    if (!r) {
        *error = QStringLiteral("no client \"%1\"").arg(idOrName);
        return false;
    }
    const QString ns = nameSpace.trimmed().isEmpty() ? QStringLiteral("default") : nameSpace.trimmed();
    if (ns.size() > 80) {
        *error = QStringLiteral("namespace: at most 80 characters, got %1").arg(ns.size());
        return false;
    }
    const QString id = r->id;
    return m_db->call<bool>([id, ns](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("UPDATE clients SET namespace = ? WHERE id = ?"));
        q.addBindValue(ns);
        q.addBindValue(id);
        return q.exec();
    });
}

bool ClientStore::setPolicy(const QString& idOrName, const LimitSet& limits, const QStringList& ipAllow,
                            const QStringList& ipDeny, QString* error) {
    const std::optional<ClientRecord> r = find(idOrName);
    if (!r) {
        *error = QStringLiteral("no client \"%1\"").arg(idOrName);
        return false;
    }
    const QString id = r->id;
    const QString limitsText = QString::fromUtf8(limitsToJson(limits));
    const QString allow = modelsJson(ipAllow);
    const QString deny = modelsJson(ipDeny);
    return m_db->call<bool>([id, limitsText, allow, deny](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("UPDATE clients SET limits = ?, ip_allow = ?, ip_deny = ? WHERE id = ?"));
        q.addBindValue(limitsText);
        q.addBindValue(allow);
        q.addBindValue(deny);
        q.addBindValue(id);
        return q.exec();
    });
}

bool ClientStore::remove(const QString& idOrName, QString* error) {
    const std::optional<ClientRecord> r = find(idOrName);
    if (!r) {
        *error = QStringLiteral("no client \"%1\"").arg(idOrName);
        return false;
    }
    const QString id = r->id;
    return m_db->call<bool>([id](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("DELETE FROM clients WHERE id = ?"));
        q.addBindValue(id);
        return q.exec();
    });
}

std::optional<IssuedClient> ClientStore::rotate(const QString& idOrName, QString* error) {
    std::optional<ClientRecord> r = find(idOrName);
    if (!r) {
        *error = QStringLiteral("no client \"%1\"").arg(idOrName);
        return std::nullopt;
    }
    IssuedClient issued;
    issued.key = generateKey();
    issued.record = *r;
    issued.record.keyPrefix = QString::fromLatin1(issued.key.left(kPrefixChars));
    issued.record.keyHash = hashKey(issued.key);
    issued.record.rotatedAtMs = QDateTime::currentMSecsSinceEpoch();
    const ClientRecord rec = issued.record;
    const bool ok = m_db->call<bool>([rec](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("UPDATE clients SET key_prefix = ?, key_hash = ?, rotated_at_ms = ? WHERE id = ?"));
        q.addBindValue(rec.keyPrefix);
        q.addBindValue(rec.keyHash);
        q.addBindValue(rec.rotatedAtMs);
        q.addBindValue(rec.id);
        return q.exec();
    });
    if (!ok) {
        *error = QStringLiteral("could not store the new key");
        return std::nullopt;
    }
    return issued;
}

qint64 ClientStore::dataVersion() {
    return m_db->call<qint64>([](QSqlDatabase& d) {
        QSqlQuery q(d);
        return q.exec(QStringLiteral("PRAGMA data_version")) && q.next() ? q.value(0).toLongLong() : qint64(-1);
    });
}

void ClientDirectory::replace(const QList<ClientRecord>& clients) {
    auto map = std::make_shared<ClientMap>();
    for (ClientRecord r : clients) {
        QString ignored; // checked when stored; an entry that does not parse is left out of the rules
        for (const QString& e : std::as_const(r.ipAllow))
            r.ipRules.allow.add(e, &ignored);
        for (const QString& e : std::as_const(r.ipDeny))
            r.ipRules.deny.add(e, &ignored);
        map->insert(r.keyHash, r);
    }
    m_map.store(std::move(map), std::memory_order_release);
}

} // namespace gemgate
