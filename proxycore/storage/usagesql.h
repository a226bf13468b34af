#pragma once

// What UsageStore's files share (usagestore.cpp writes and sums; usagelog.cpp and usagetimeline.cpp read): the
// record columns and how a record is read back, what counts as an error, the WHERE builder. Internal to storage/.

#include "storage/usagestore.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

namespace gemgate {

Q_DECLARE_LOGGING_CATEGORY(lcUsage)

namespace usagesql {

// The record columns, in recordFromQuery()'s order after the row id.
extern const char kRecordColumns[];
// A record that counts as an error: the partial indexes' condition (a query can use them only with it verbatim).
extern const char kErrorCondition[];
// An error record's kind: its error kind, or "http_<status>".
extern const char kErrorKind[];
inline constexpr int kMaxLogLimit = 1000;

// What reads of whole records select: the row id, then kRecordColumns.
QString selectRecordColumns();
// A record selected with selectRecordColumns().
UsageRecord recordFromQuery(const QSqlQuery& q);

// The WHERE clause of a read, condition by condition, with its bound values.
struct SqlWhere {
    QStringList conditions;
    QVariantList binds;
    void add(const QString& condition) { conditions.append(condition); }
    void add(const char* condition) { add(QString::fromLatin1(condition)); }
    void add(const char* condition, const QVariant& value) {
        add(condition);
        binds.append(value);
    }
    // Filters left empty / 0 match everything.
    void ifSet(const char* condition, const QString& value) {
        if (!value.isEmpty())
            add(condition, value);
    }
    void ifSet(const char* condition, qint64 value) {
        if (value > 0)
            add(condition, value);
    }
    QString clause() const;
};

} // namespace usagesql
} // namespace gemgate
