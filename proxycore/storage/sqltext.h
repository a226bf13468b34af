#pragma once

// Small text helpers shared by everything that talks to the state database.

#include <QSqlError>
#include <QString>

namespace gemgate {

// SQLite's own message ("file is not a database", "database is locked"), without Qt's generic suffix.
inline QString sqlText(const QSqlError& e) {
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
}

// SQLite binds a null QString as NULL, which would break NOT NULL columns and, in a primary key, the upserts
// (NULLs are all distinct): always bind a non-null string.
inline QString text(const QString& s) {
    return s.isNull() ? QString::fromLatin1("", 0) : s;
}

} // namespace gemgate
