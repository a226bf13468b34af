// UsageStore's time-bucketed reads for the traffic history (what the dashboard shows from before a start).

#include "storage/sqltext.h"
#include "storage/statedb.h"
#include "storage/usagesql.h"
#include "storage/usagestore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace gemgate {

QList<TimelineRow> UsageStore::timeline(qint64 fromMs, qint64 toMs, qint64 bucketMs) {
    bucketMs = qMax<qint64>(1000, bucketMs);
    return m_db->call<QList<TimelineRow>>([=](QSqlDatabase& d) {
        QList<TimelineRow> out;
        QSqlQuery q(d);
        q.setForwardOnly(true);
        // The range scan uses usage_by_time; the groups are few (buckets x statuses x kinds x keys).
        q.prepare(QStringLiteral("SELECT (time_ms / ?) * ? AS bucket, status, error_kind, key_id, COUNT(*), "
                                 "SUM(prompt_tokens), SUM(candidates_tokens), SUM(thoughts_tokens) FROM usage "
                                 "WHERE time_ms >= ? AND time_ms < ? GROUP BY bucket, status, error_kind, key_id "
                                 "ORDER BY bucket"));
        q.addBindValue(bucketMs);
        q.addBindValue(bucketMs);
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading the usage timeline failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next()) {
            TimelineRow r;
            r.bucketMs = q.value(0).toLongLong();
            r.status = q.value(1).toInt();
            r.errorKind = q.value(2).toString();
            r.keyId = q.value(3).toString();
            r.requests = q.value(4).toLongLong();
            r.promptTokens = q.value(5).toLongLong();
            r.candidatesTokens = q.value(6).toLongLong();
            r.thoughtsTokens = q.value(7).toLongLong();
            out.append(r);
        }
        return out;
    });
}

QList<LatencySample> UsageStore::latencySamples(qint64 fromMs, qint64 toMs, int maxSamples) {
    maxSamples = qMax(1, maxSamples);
    return m_db->call<QList<LatencySample>>([=](QSqlDatabase& d) {
        QList<LatencySample> out;
        QSqlQuery count(d);
        count.prepare(QStringLiteral("SELECT COUNT(*) FROM usage WHERE time_ms >= ? AND time_ms < ?"));
        count.addBindValue(fromMs);
        count.addBindValue(toMs);
        if (!count.exec() || !count.next()) {
            qCWarning(lcUsage, "counting usage records failed: %s", qUtf8Printable(sqlText(count.lastError())));
            return out;
        }
        const qint64 n = count.value(0).toLongLong();
        count.finish();
        const qint64 step = qMax<qint64>(1, (n + maxSamples - 1) / maxSamples);
        QSqlQuery q(d);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT time_ms, latency_us, ttfb_us FROM usage WHERE time_ms >= ? AND time_ms < ? "
                                 "AND id % ? = 0 ORDER BY time_ms"));
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
        q.addBindValue(step);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading usage timings failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        out.reserve(int(qMin<qint64>(n, maxSamples) + 1));
        while (q.next())
            out.append({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong()});
        return out;
    });
}

} // namespace gemgate
