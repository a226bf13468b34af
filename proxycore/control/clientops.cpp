// GatewayController: issued clients and their usage (split from gatewaycontroller.cpp).

#include "control/gatewaycontroller.h"
#include "control/keymanager.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QTimeZone>

namespace gemgate {

ClientStore* GatewayController::clientStoreOr(QString* error) const {
    ClientStore* store = m_keys->clientStore();
    if (!store && error)
        *error = QStringLiteral("no state database is open: start the gateway once so that it opens its database");
    return store;
}

void GatewayController::clientsUpdated() {
    // The workers read the directory lock-free; replacing it here makes the change count from the next request.
    m_keys->refreshClients();
    Q_EMIT clientsChanged();
}

QList<ClientRecord> GatewayController::clients() const {
    ClientStore* store = m_keys->clientStore();
    return store ? store->list() : QList<ClientRecord>();
}

std::optional<IssuedClient> GatewayController::addClient(const NewClient& client, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    QString bad;
    if (store && (!(bad = ClientStore::checkCidrs(client.ipAllow)).isEmpty() ||
                  !(bad = ClientStore::checkCidrs(client.ipDeny)).isEmpty()))
        err = QStringLiteral("IP rules expect IPv4/IPv6 addresses or CIDR ranges: %1").arg(bad);
    std::optional<IssuedClient> issued;
    if (store && err.isEmpty())
        issued = store->add(client, &err);
    if (!issued) {
        if (error)
            *error = err;
        return std::nullopt;
    }
    clientsUpdated();
    Q_EMIT message(QStringLiteral("client \"%1\" added (%2)").arg(issued->record.name, issued->record.id));
    return issued;
}

bool GatewayController::setClientEnabled(const QString& idOrName, bool enabled, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    if (!store || !store->setEnabled(idOrName, enabled, &err)) {
        if (error)
            *error = err.isEmpty() ? QStringLiteral("could not update client \"%1\"").arg(idOrName) : err;
        return false;
    }
    clientsUpdated();
    Q_EMIT message(enabled ? QStringLiteral("client \"%1\" enabled").arg(idOrName)
                           : QStringLiteral("client \"%1\" disabled").arg(idOrName));
    return true;
}

std::optional<IssuedClient> GatewayController::rotateClient(const QString& idOrName, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    std::optional<IssuedClient> issued = store ? store->rotate(idOrName, &err) : std::nullopt;
    if (!issued) {
        if (error)
            *error = err;
        return std::nullopt;
    }
    clientsUpdated();
    Q_EMIT message(QStringLiteral("client \"%1\" has a new key; the old one no longer works").arg(issued->record.name));
    return issued;
}

bool GatewayController::removeClient(const QString& idOrName, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    if (!store || !store->remove(idOrName, &err)) {
        if (error)
            *error = err.isEmpty() ? QStringLiteral("could not remove client \"%1\"").arg(idOrName) : err;
        return false;
    }
    clientsUpdated();
    Q_EMIT message(QStringLiteral("client \"%1\" removed").arg(idOrName));
    return true;
}

bool GatewayController::setClientPolicy(const QString& idOrName, const LimitSet& limits, const QStringList& ipAllow,
                                        const QStringList& ipDeny, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    QString bad;
    if (store &&
        (!(bad = ClientStore::checkCidrs(ipAllow)).isEmpty() || !(bad = ClientStore::checkCidrs(ipDeny)).isEmpty()))
        err = QStringLiteral("IP rules expect IPv4/IPv6 addresses or CIDR ranges: %1").arg(bad);
    if (!store || !err.isEmpty() || !store->setPolicy(idOrName, limits, ipAllow, ipDeny, &err)) {
        if (error)
            *error = err.isEmpty() ? QStringLiteral("could not update client \"%1\"").arg(idOrName) : err;
        return false;
    }
    clientsUpdated();
    Q_EMIT message(QStringLiteral("client \"%1\": limits and IP rules updated").arg(idOrName));
    return true;
}

QList<UsageSummaryRow> GatewayController::usage(const UsageQuery& query) const {
    UsageStore* store = m_keys->usageStore();
    if (!store)
        return {};
    // The workers queue records for the writer thread; what they queued so far is committed before the read.
    store->flush();
    return store->summarize(query);
}

bool GatewayController::setClientNamespace(const QString& idOrName, const QString& nameSpace, QString* error) {
    QString err;
    ClientStore* store = clientStoreOr(&err);
    if (!store || !store->setNamespace(idOrName, nameSpace, &err)) {
        if (error)
            *error = err.isEmpty() ? QStringLiteral("could not update client \"%1\"").arg(idOrName) : err;
        return false;
    }
    clientsUpdated();
    Q_EMIT message(QStringLiteral("client \"%1\": namespace set to %2").arg(idOrName, nameSpace.trimmed()));
    return true;
}

QList<ClientUsage> GatewayController::clientUsage() const {
    QList<ClientUsage> out;
    ClientStore* store = m_keys->clientStore();
    if (!store)
        return out;
    const ConfigPtr c = config();
    const LimitsConfig limits = c ? c->limits : LimitsConfig();
    // Days and months as the quotas count them: in limits.time_zone.
    QTimeZone zone = QTimeZone::utc();
    if (limits.timeZone == QLatin1String("local"))
        zone = QTimeZone::systemTimeZone();
    else if (QTimeZone z(limits.timeZone.toUtf8()); z.isValid())
        zone = z;
    const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(zone).date();
    const QString day = today.toString(Qt::ISODate);
    const QString monthStart = QDate(today.year(), today.month(), 1).toString(Qt::ISODate);
    QHash<QString, UsageSummaryRow> todayRows, monthRows;
    UsageQuery q;
    q.groupBy = {QStringLiteral("client")};
    q.byDay = false;
    q.fromDay = monthStart;
    q.toDay = day;
    for (const UsageSummaryRow& r : usage(q))
        monthRows.insert(r.client, r);
    q.fromDay = day;
    for (const UsageSummaryRow& r : usage(q))
        todayRows.insert(r.client, r);
    // As the runtime builds it: requests per minute default to auth.rate_limit_per_minute.
    LimitSet clientDefault = c ? c->limits.clientDefault : LimitSet();
    if (c && clientDefault.requestsPerMinute < 0)
        clientDefault.requestsPerMinute = c->auth.rateLimitPerMinute;
    for (const ClientRecord& r : store->list()) {
        ClientUsage u;
        u.client = r;
        u.effective = r.limits.over(limits.clients.value(r.name)).over(clientDefault);
        const UsageSummaryRow t = todayRows.value(r.name), m = monthRows.value(r.name);
        u.requestsToday = t.admitted;
        u.tokensToday = t.totalTokens;
        u.requestsMonth = m.admitted;
        u.tokensMonth = m.totalTokens;
        out.append(u);
    }
    return out;
}

} // namespace gemgate
