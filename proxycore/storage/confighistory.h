#pragma once

// Config history: every config GemGate applies is kept as a numbered version, so that the admin API can show what
// changed, when and by whom, and roll back to an earlier one.
//
// The metadata (number, time, who, source, sha256, size, comment) is a row of `config_versions` in the state
// database. The exact bytes are not: a config can hold literal secrets (client keys, JWT secrets), and secrets never
// reach the database. They go to an owner-only file <versionsDir>/<version>.yaml (directory 0700, file 0600,
// written atomically). The row's sha256 detects a file that was changed or damaged since.
//
// All work runs on StateDb's writer thread (a version's row and its file are written in the same step there, so a
// row never exists without its file) and blocks the caller until done. Version numbers are never reused, also after
// prune(). Thread-safe.

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace gemgate {

class Clock;
class StateDb;

struct ConfigVersion {
    int version = 0;        // 1, 2, ...
    qint64 appliedAtMs = 0; // when it was recorded (ms since the epoch)
    QString who;            // "admin api (127.0.0.1)", "window", "gemgated (SIGHUP)"
    QString source;         // "start", "file", "sighup", "admin-api", "rollback", "window"
    QString sha256;         // of the exact bytes, lower-case hex
    qint64 size = 0;        // bytes
    QString comment;        // free text, e.g. "rollback to version 3"
};

class ConfigHistory {
public:
    // Creates the table and versionsDir (mode 0700; an existing one is set to 0700) when missing; blocks until done.
    // versionsDir: the caller passes <directory of the state database>/config-versions. clock: null = the wall clock;
    // not owned, must outlive this object.
    ConfigHistory(StateDb* db, QString versionsDir, const Clock* clock = nullptr);
    ConfigHistory(const ConfigHistory&) = delete;
    ConfigHistory& operator=(const ConfigHistory&) = delete;

    QString versionsDir() const { return m_dir; }
    // The file holding version v's bytes (whether it exists or not).
    QString filePath(int v) const;

    // Records bytes as a new version and returns it. When they equal the latest version's bytes (same sha256) nothing
    // is recorded and that latest version is returned unchanged (its file is rewritten if it went missing or was
    // damaged). nullopt with *error (naming the file or SQLite's message, never the bytes) when the file or the row
    // cannot be written; then nothing is recorded.
    std::optional<ConfigVersion> record(const QByteArray& bytes, const QString& who, const QString& source,
                                        const QString& comment, QString* error);

    // Newest first, at most `limit` (clamped to 1..1000) versions; beforeVersion > 0: only versions below it (the
    // page cursor: pass the last version of the previous page).
    QList<ConfigVersion> list(int limit = 50, int beforeVersion = 0);
    std::optional<ConfigVersion> version(int v);
    std::optional<ConfigVersion> latest();

    // The exact bytes of version v. nullopt with *error when the version is unknown (or pruned), its file is missing
    // or unreadable, or the file's size / sha256 no longer match the recorded ones (changed or damaged).
    std::optional<QByteArray> content(int v, QString* error);

    // Keeps the newest `keep` versions (rows and files; keep <= 0 removes all) and removes the other version files
    // in versionsDir, also ones a crash left behind.
    void prune(int keep);

private:
    StateDb* m_db;
    QString m_dir;
    const Clock* m_clock;
};

} // namespace gemgate
