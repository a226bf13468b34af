// UsageStore's reads of whole records: the newest ones, the request log's pages and the error groups.

#include "storage/sqltext.h"
#include "storage/statedb.h"
#include "storage/usagesql.h"
#include "storage/usagestore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace gemgate {

using namespace usagesql;

QList<UsageRecord> UsageStore::recent(int limit, const QString& client) {
    if (limit <= 0)
        return {};
    return m_db->call<QList<UsageRecord>>([limit, client](QSqlDatabase& d) {
        QList<UsageRecord> out;
        QSqlQuery q(d);
        QString sql = QStringLiteral("SELECT %1 FROM usage").arg(selectRecordColumns());
        if (!client.isEmpty())
            sql += QStringLiteral(" WHERE client = ?");
        sql += QStringLiteral(" ORDER BY time_ms DESC, id DESC LIMIT ?");
        q.prepare(sql);
        if (!client.isEmpty())
            q.addBindValue(client);
        q.addBindValue(limit);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading usage records failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next())
            out.append(recordFromQuery(q));
        return out;
    });
}

LogPage UsageStore::logs(const LogQuery& query) {
    const int limit = std::clamp(query.limit, 1, kMaxLogLimit);
    SqlWhere where;
    where.ifSet("client = ?", query.client);
    where.ifSet("key_id = ?", query.keyId);
    where.ifSet("model = ?", query.model);
    where.ifSet("namespace = ?", query.nameSpace);
    where.ifSet("status = ?", qint64(query.status));
    // Also implied by an error status: stated, so that the planner may use the errors' index.
    if (query.errorsOnly || query.status >= 400 || !query.errorKind.isEmpty())
        where.add(kErrorCondition);
    if (!query.errorKind.isEmpty()) {
        where.add(QLatin1String(kErrorKind) + QStringLiteral(" = ?"));
        where.binds.append(query.errorKind);
    }
    where.ifSet("time_ms >= ?", query.fromMs);
    where.ifSet("time_ms < ?", query.toMs);
    where.ifSet("id < ?", query.beforeId);
    QVariantList binds = where.binds;
    QString sql = QStringLiteral("SELECT %1 FROM usage").arg(selectRecordColumns()) + where.clause();
    sql += QStringLiteral(" ORDER BY id DESC LIMIT ?");
    binds.append(limit + 1); // one more than asked: is there another page?

    return m_db->call<LogPage>([sql, binds, limit](QSqlDatabase& d) {
        LogPage page;
        QSqlQuery q(d);
        q.setForwardOnly(true);
        q.prepare(sql);
        for (const QVariant& v : binds)
            q.addBindValue(v);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading usage logs failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return page;
        }
        while (q.next())
            page.records.append(recordFromQuery(q));
        if (page.records.size() > limit) {
            page.records.removeLast();
            page.nextBeforeId = page.records.last().id;
        }
        return page;
    });
}

QList<ErrorGroup> UsageStore::errorGroups(qint64 sinceMs) {
    return m_db->call<QList<ErrorGroup>>([sinceMs](QSqlDatabase& d) {
        QList<ErrorGroup> out;
        QSqlQuery q(d);
        q.setForwardOnly(true);
        q.prepare(
            QStringLiteral("SELECT %1 AS kind, COUNT(*), MIN(time_ms), MAX(time_ms), group_concat(DISTINCT status) "
                           "FROM usage WHERE time_ms >= ? AND %2 GROUP BY kind")
                .arg(QLatin1String(kErrorKind), QLatin1String(kErrorCondition)));
        q.addBindValue(sinceMs);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading usage errors failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next()) {
            ErrorGroup g;
            g.kind = q.value(0).toString();
            g.count = q.value(1).toLongLong();
            g.firstMs = q.value(2).toLongLong();
            g.lastMs = q.value(3).toLongLong();
            const QStringList statuses = q.value(4).toString().split(u',', Qt::SkipEmptyParts);
            for (const QString& s : statuses)
                g.statuses.append(s.toInt());
            std::sort(g.statuses.begin(), g.statuses.end());
            out.append(g);
        }
        q.finish();

        // The newest record of each kind: one lookup in the errors' index at its time (cheaper than carrying the
        // fields through the aggregate, where SQLite picks a bare column's row only for a single MIN or MAX).
        QSqlQuery last(d);
        last.setForwardOnly(true);
        last.prepare(QStringLiteral("SELECT status, request_id, route, client FROM usage WHERE time_ms = ? AND %1 AND "
                                    "%2 = ? ORDER BY id DESC LIMIT 1")
                         .arg(QLatin1String(kErrorCondition), QLatin1String(kErrorKind)));
        for (ErrorGroup& g : out) {
            last.addBindValue(g.lastMs);
            last.addBindValue(g.kind);
            if (!last.exec()) {
                qCWarning(lcUsage, "reading usage errors failed: %s", qUtf8Printable(sqlText(last.lastError())));
                continue;
            }
            if (last.next()) {
                g.lastStatus = last.value(0).toInt();
                g.lastRequestId = last.value(1).toString().toLatin1();
                g.lastRoute = last.value(2).toString();
                g.lastClient = last.value(3).toString();
            }
            last.finish();
        }

        std::sort(out.begin(), out.end(), [](const ErrorGroup& a, const ErrorGroup& b) {
            if (a.count != b.count)
                return a.count > b.count;
            if (a.lastMs != b.lastMs)
                return a.lastMs > b.lastMs;
            return a.kind < b.kind;
        });
        return out;
    });
}

qint64 UsageStore::recordCount() {
    return m_db->call<qint64>([](QSqlDatabase& d) {
        QSqlQuery q(d);
        return q.exec(QStringLiteral("SELECT count(*) FROM usage")) && q.next() ? q.value(0).toLongLong() : qint64(-1);
    });
}

} // namespace gemgate
