#pragma once

// The state database's schema: one ordered list of migrations for every table (key state, usage, config history,
// issued clients), applied by StateDb::open() in one transaction, so that a table changes in exactly one place and
// a file written by an older GemGate is brought up to date. The schema_version table holds the version reached.
//
// Version 1 is the layout as it stood when the list was made. Until then some stores created their tables on first
// use, so a file recorded at version 1 may lack some of them: version 1's statements are all idempotent (IF NOT
// EXISTS, columns added only when missing) and are applied again to such a file. Every later version is applied
// once, in order, to a file below it. A file at a version above the latest is refused, and left untouched.

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <vector>

namespace gemgate {

struct SchemaMigration {
    int version = 0;
    const char* what = ""; // one line for errors: "usage records and daily roll-ups"
    std::vector<const char*> statements;
    // Run after the statements, for what SQL alone cannot say (e.g. a column added only when missing). Returns an
    // error text, empty on success.
    std::function<QString(QSqlDatabase&)> apply;
};

// Ascending by version, starting at 1, without gaps.
const std::vector<SchemaMigration>& schemaMigrations();
int latestSchemaVersion();

// Brings the connection's schema to latestSchemaVersion(), inside a transaction of its own (rolled back on any
// error). Returns an error text naming the version and the cause; empty on success.
QString migrateSchema(QSqlDatabase& db);

} // namespace gemgate
