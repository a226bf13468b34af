#include "storage/confighistory.h"

#include "storage/sqltext.h"

#include "clock/clock.h"
#include "storage/statedb.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>
#include <sys/types.h>

namespace gemgate {

namespace {
Q_LOGGING_CATEGORY(lcConfigHistory, "gemgate.confighistory")

constexpr int kMaxListLimit = 1000;
constexpr QFile::Permissions kFilePerms = QFile::ReadOwner | QFile::WriteOwner;

const char kColumns[] = "version, applied_at_ms, who, source, sha256, size, comment";

QString native(const QString& path) {
    return QDir::toNativeSeparators(path);
}

QString sha256Hex(const QByteArray& bytes) {
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

ConfigVersion versionFromQuery(const QSqlQuery& q) {
    ConfigVersion v;
    v.version = q.value(0).toInt();
    v.appliedAtMs = q.value(1).toLongLong();
    v.who = q.value(2).toString();
    v.source = q.value(3).toString();
    v.sha256 = q.value(4).toString();
    v.size = q.value(5).toLongLong();
    v.comment = q.value(6).toString();
    return v;
}

// Runs a SELECT of kColumns and returns its rows; logs a failure (the operation and SQLite's message).
QList<ConfigVersion> selectVersions(QSqlDatabase& db, const QString& tail, const QVariantList& binds,
                                    const char* what) {
    QList<ConfigVersion> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM config_versions %2").arg(QLatin1String(kColumns), tail));
    for (const QVariant& v : binds)
        q.addBindValue(v);
    if (!q.exec()) {
        qCWarning(lcConfigHistory, "%s failed: %s", what, qUtf8Printable(sqlText(q.lastError())));
        return out;
    }
    while (q.next())
        out.append(versionFromQuery(q));
    return out;
}

std::optional<ConfigVersion> latestVersion(QSqlDatabase& db) {
    const QList<ConfigVersion> rows = selectVersions(db, QStringLiteral("ORDER BY version DESC LIMIT 1"), {}, "latest");
    return rows.isEmpty() ? std::nullopt : std::optional<ConfigVersion>(rows.first());
}

// Creates every missing directory of dir, each with mode 0700, and sets dir itself to 0700 (it is ours, and holds
// secrets: also one created by hand or an older build).
bool makeDir(const QString& dir, QString* error) {
    if (!makePrivateDirs(dir, error))
        return false;
    struct stat st {};
    if (::stat(QFile::encodeName(dir).constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = QStringLiteral("%1 is not a directory").arg(native(dir));
        return false;
    }
    if ((st.st_mode & 07777) != 0700 && ::chmod(QFile::encodeName(dir).constData(), 0700) != 0) {
        *error = QStringLiteral("cannot set mode 0700 on directory %1: %2")
                     .arg(native(dir), QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

// Writes bytes to path atomically (a temporary file renamed over it), mode 0600 before the first byte is written.
bool writeFile(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(native(path), file.errorString());
        return false;
    }
    if (!file.setPermissions(kFilePerms)) {
        *error = QStringLiteral("cannot set mode 0600 on %1: %2").arg(native(path), file.errorString());
        file.cancelWriting();
        return false;
    }
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(native(path), file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

// The bytes of path when they are version v's (size and sha256 as recorded); nullopt with *error otherwise.
std::optional<QByteArray> readVerified(const QString& path, const ConfigVersion& v, QString* error) {
    QFile file(path);
    if (!file.exists()) {
        *error = QStringLiteral("config version %1: its file %2 is missing").arg(v.version).arg(native(path));
        return std::nullopt;
    }
    // A file of another size is not read at all (it could be anything, of any size).
    if (file.size() != v.size) {
        *error = QStringLiteral("config version %1: %2 has been changed or damaged since it was recorded (%3 bytes, "
                                "%4 recorded)")
                     .arg(v.version)
                     .arg(native(path))
                     .arg(file.size())
                     .arg(v.size);
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("config version %1: cannot read %2: %3")
                     .arg(v.version)
                     .arg(native(path), file.errorString());
        return std::nullopt;
    }
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("config version %1: cannot read %2: %3")
                     .arg(v.version)
                     .arg(native(path), file.errorString());
        return std::nullopt;
    }
    if (bytes.size() != v.size || sha256Hex(bytes) != v.sha256) {
        *error = QStringLiteral("config version %1: %2 has been changed or damaged since it was recorded (its sha256 "
                                "no longer matches)")
                     .arg(v.version)
                     .arg(native(path));
        return std::nullopt;
    }
    return bytes;
}

bool execSql(QSqlDatabase& db, const QString& sql, QString* error) {
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *error = sqlText(q.lastError());
    return false;
}

// What record() does on the writer thread.
struct RecordOutcome {
    std::optional<ConfigVersion> version;
    bool created = false; // a new row was inserted (to be checked once committed)
    QString error;
};

} // namespace

ConfigHistory::ConfigHistory(StateDb* db, QString versionsDir, const Clock* clock)
    : m_db(db)
    , m_dir(QDir::cleanPath(QFileInfo(versionsDir).absoluteFilePath()))
    , m_clock(clock ? clock : SystemClock::instance()) {
    // The config_versions table is in the schema (storage/schema.cpp). A failure here is logged; record() tries
    // again and reports it.
    QString error;
    if (!makeDir(m_dir, &error))
        qCWarning(lcConfigHistory, "config history: %s", qUtf8Printable(error));
}

QString ConfigHistory::filePath(int v) const {
    return m_dir + QStringLiteral("/%1.yaml").arg(v);
}

std::optional<ConfigVersion> ConfigHistory::record(const QByteArray& bytes, const QString& who, const QString& source,
                                                   const QString& comment, QString* error) {
    ConfigVersion candidate;
    candidate.appliedAtMs = m_clock->nowMs();
    candidate.who = text(who);
    candidate.source = text(source);
    candidate.sha256 = sha256Hex(bytes);
    candidate.size = bytes.size();
    candidate.comment = text(comment);
    const QString dir = m_dir;
    // Not auto: the QStringBuilder would refer to the .arg() temporary after the return.
    auto path = [dir](int v) -> QString { return dir + QStringLiteral("/%1.yaml").arg(v); };

    // Comparing with the latest version, inserting the row and writing the file are one task of the writer thread:
    // two records (also from two ConfigHistory objects on one StateDb) never interleave.
    RecordOutcome outcome = m_db->call<RecordOutcome>([candidate, bytes, dir, path](QSqlDatabase& d) {
        RecordOutcome out;
        if (!makeDir(dir, &out.error))
            return out;
        const std::optional<ConfigVersion> latest = latestVersion(d);
        if (latest && latest->sha256 == candidate.sha256 && latest->size == candidate.size) {
            QString damaged;
            if (!readVerified(path(latest->version), *latest, &damaged)) {
                // Same bytes as the latest version: restore its file rather than record them again.
                qCWarning(lcConfigHistory, "%s; rewriting it", qUtf8Printable(damaged));
                if (!writeFile(path(latest->version), bytes, &out.error))
                    return out;
            }
            out.version = latest;
            return out;
        }

        // The row and the file together: a savepoint (inside the batch's transaction) takes the row back when the
        // file cannot be written.
        QString sqlError;
        if (!execSql(d, QStringLiteral("SAVEPOINT config_record"), &sqlError)) {
            out.error = QStringLiteral("cannot record the config version: %1").arg(sqlError);
            return out;
        }
        auto rollback = [&d] {
            QString ignored;
            execSql(d, QStringLiteral("ROLLBACK TO config_record"), &ignored);
            execSql(d, QStringLiteral("RELEASE config_record"), &ignored);
        };
        QSqlQuery q(d);
        q.prepare(QStringLiteral("INSERT INTO config_versions (applied_at_ms, who, source, sha256, size, comment) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"));
        q.addBindValue(candidate.appliedAtMs);
        q.addBindValue(candidate.who);
        q.addBindValue(candidate.source);
        q.addBindValue(candidate.sha256);
        q.addBindValue(candidate.size);
        q.addBindValue(candidate.comment);
        if (!q.exec()) {
            out.error = QStringLiteral("cannot record the config version: %1").arg(sqlText(q.lastError()));
            rollback();
            return out;
        }
        ConfigVersion v = candidate;
        v.version = q.lastInsertId().toInt();
        q.finish();
        if (v.version <= 0) {
            out.error = QStringLiteral("cannot record the config version: no version number was assigned");
            rollback();
            return out;
        }
        if (!writeFile(path(v.version), bytes, &out.error)) {
            rollback();
            return out;
        }
        if (!execSql(d, QStringLiteral("RELEASE config_record"), &sqlError)) {
            out.error = QStringLiteral("cannot record the config version: %1").arg(sqlError);
            rollback();
            QFile::remove(path(v.version));
            return out;
        }
        out.version = v;
        out.created = true;
        return out;
    });

    if (outcome.version && outcome.created) {
        // call() returns once the batch is committed, but a failed commit is only logged: make sure the row is
        // there (otherwise its number would be handed out again, and this version would not exist).
        const int v = outcome.version->version;
        const QString sha = outcome.version->sha256;
        const bool kept = m_db->call<bool>([v, sha, path](QSqlDatabase& d) {
            const QList<ConfigVersion> rows =
                selectVersions(d, QStringLiteral("WHERE version = ?"), {QVariant(v)}, "record (check)");
            if (!rows.isEmpty())
                return rows.first().sha256 == sha;
            QFile::remove(path(v)); // no row refers to it
            return false;
        });
        if (!kept) {
            outcome.error = QStringLiteral("cannot record the config version: the state database did not commit it "
                                           "(see the log)");
            outcome.version.reset();
        }
    }
    if (!outcome.version && error)
        *error = outcome.error;
    return outcome.version;
}

QList<ConfigVersion> ConfigHistory::list(int limit, int beforeVersion) {
    const int n = std::clamp(limit, 1, kMaxListLimit);
    return m_db->call<QList<ConfigVersion>>([n, beforeVersion](QSqlDatabase& d) {
        if (beforeVersion > 0)
            return selectVersions(d, QStringLiteral("WHERE version < ? ORDER BY version DESC LIMIT ?"),
                                  {QVariant(beforeVersion), QVariant(n)}, "list");
        return selectVersions(d, QStringLiteral("ORDER BY version DESC LIMIT ?"), {QVariant(n)}, "list");
    });
}

std::optional<ConfigVersion> ConfigHistory::version(int v) {
    const QList<ConfigVersion> rows = m_db->call<QList<ConfigVersion>>([v](QSqlDatabase& d) {
        return selectVersions(d, QStringLiteral("WHERE version = ?"), {QVariant(v)}, "version");
    });
    return rows.isEmpty() ? std::nullopt : std::optional<ConfigVersion>(rows.first());
}

std::optional<ConfigVersion> ConfigHistory::latest() {
    return m_db->call<std::optional<ConfigVersion>>([](QSqlDatabase& d) { return latestVersion(d); });
}

std::optional<QByteArray> ConfigHistory::content(int v, QString* error) {
    QString message;
    std::optional<QByteArray> bytes;
    if (const std::optional<ConfigVersion> row = version(v))
        bytes = readVerified(filePath(v), *row, &message);
    else
        message = QStringLiteral("config version %1 is unknown (never recorded, or pruned)").arg(v);
    if (!bytes && error)
        *error = message;
    return bytes;
}

void ConfigHistory::prune(int keep) {
    const int n = std::max(keep, 0);
    // First the rows (committed when call() returns), then the files no row refers to any more: a failed commit
    // leaves rows whose files are still there.
    m_db->call<bool>([n](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("DELETE FROM config_versions WHERE version NOT IN "
                                 "(SELECT version FROM config_versions ORDER BY version DESC LIMIT ?)"));
        q.addBindValue(n);
        if (!q.exec()) {
            qCWarning(lcConfigHistory, "pruning config versions failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return false;
        }
        return true;
    });
    const QString dir = m_dir;
    // On the writer thread, where versions are written: no file is half-written while the directory is listed.
    m_db->call<bool>([dir](QSqlDatabase& d) {
        QSet<int> kept;
        QSqlQuery q(d);
        if (!q.exec(QStringLiteral("SELECT version FROM config_versions"))) {
            qCWarning(lcConfigHistory, "pruning config versions failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return false;
        }
        while (q.next())
            kept.insert(q.value(0).toInt());
        // "<version>.yaml", and "<version>.yaml.XXXXXX" left by QSaveFile when the process died while writing.
        static const QRegularExpression versionFile(QStringLiteral("^([0-9]+)\\.yaml(\\..+)?$"));
        const QStringList names = QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
        for (const QString& name : names) {
            const QRegularExpressionMatch m = versionFile.match(name);
            if (!m.hasMatch())
                continue;
            bool ok = false;
            const int v = m.captured(1).toInt(&ok);
            if (ok && kept.contains(v) && !m.hasCaptured(2))
                continue;
            const QString path = dir + u'/' + name;
            if (!QFile::remove(path))
                qCWarning(lcConfigHistory, "cannot remove %s", qUtf8Printable(native(path)));
        }
        return true;
    });
}

} // namespace gemgate
