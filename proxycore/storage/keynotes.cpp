#include "storage/keynotes.h"

#include "storage/sqltext.h"
#include "storage/statedb.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace gemgate {

namespace {
Q_LOGGING_CATEGORY(lcNotes, "gemgate.storage")
}

QHash<QString, KeyNote> KeyNotes::load() {
    return m_db->call<QHash<QString, KeyNote>>([](QSqlDatabase& db) {
        QHash<QString, KeyNote> out;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT key_id, note, tags FROM key_notes"))) {
            qCWarning(lcNotes, "reading key notes failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next()) {
            KeyNote n;
            n.note = q.value(1).toString();
            for (const QJsonValue& v : QJsonDocument::fromJson(q.value(2).toString().toUtf8()).array())
                n.tags.append(v.toString());
            out.insert(q.value(0).toString(), n);
        }
        return out;
    });
}

void KeyNotes::save(const QString& keyId, const KeyNote& note) {
    m_db->post([keyId, note](QSqlDatabase& db) {
        QSqlQuery q(db);
        if (note.isEmpty()) {
            q.prepare(QStringLiteral("DELETE FROM key_notes WHERE key_id = ?"));
            q.addBindValue(keyId);
        } else {
            q.prepare(QStringLiteral("INSERT INTO key_notes (key_id, note, tags, updated_at_ms) VALUES (?, ?, ?, ?) "
                                     "ON CONFLICT (key_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, "
                                     "updated_at_ms = excluded.updated_at_ms"));
            q.addBindValue(keyId);
            q.addBindValue(note.note);
            q.addBindValue(
                QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(note.tags)).toJson(QJsonDocument::Compact)));
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
        }
        if (!q.exec())
            qCWarning(lcNotes, "saving the note of key %s failed: %s", qUtf8Printable(keyId),
                      qUtf8Printable(sqlText(q.lastError())));
    });
}

} // namespace gemgate
