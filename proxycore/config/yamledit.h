#pragma once

// Edits of a YAML config text that keep everything else as the user wrote it: comments, order, blank lines,
// quoting of untouched values. The Settings page's forms change a few fields of a hand-written file; rewriting the
// whole document from a parsed tree would throw the user's comments away. Each edit names a path of mapping keys
// ("server", "port") and replaces the lines of that key (its value, and its children when it has some), inserts the
// key where it is missing (creating missing parents), or removes it. Block-style mappings only: a path that runs
// through a flow mapping ("server: {port: 1}") is refused with a message naming it.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace gemgate {

struct YamlEdit {
    enum class Kind { Scalar, Map, List, Remove };
    Kind kind = Kind::Scalar;
    QStringList path;                   // mapping keys from the top ("server", "tls", "enabled")
    QString scalar;                     // Scalar: the value as YAML text (already quoted when it must be)
    QList<QPair<QString, QString>> map; // Map: string keys to string values, written as a block mapping
    QStringList list;                   // List: strings, written as a flow sequence

    // A string value, quoted when plain YAML would read it as something else.
    static YamlEdit string(QStringList path, const QString& value) {
        return {Kind::Scalar, std::move(path), quoted(value), {}, {}};
    }
    static YamlEdit number(QStringList path, qint64 value) {
        return {Kind::Scalar, std::move(path), QString::number(value), {}, {}};
    }
    static YamlEdit boolean(QStringList path, bool value) {
        return {Kind::Scalar, std::move(path), value ? QStringLiteral("true") : QStringLiteral("false"), {}, {}};
    }
    static YamlEdit stringMap(QStringList path, QList<QPair<QString, QString>> entries) {
        return {Kind::Map, std::move(path), {}, std::move(entries), {}};
    }
    static YamlEdit stringList(QStringList path, QStringList values) {
        return {Kind::List, std::move(path), {}, {}, std::move(values)};
    }
    static YamlEdit remove(QStringList path) { return {Kind::Remove, std::move(path), {}, {}, {}}; }

    // `value` as a YAML scalar: plain when that reads back as the same string, else double-quoted with escapes.
    // (Inline: the desktop UI builds edits and may link only the control layer.)
    static QString quoted(const QString& value) {
        static const QStringList reserved = {QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("yes"),
                                             QStringLiteral("no"),   QStringLiteral("on"),    QStringLiteral("off"),
                                             QStringLiteral("null"), QStringLiteral("y"),     QStringLiteral("n")};
        bool plain = !value.isEmpty() && (value.front().isLetter() || value.front() == u'/') &&
                     !reserved.contains(value.toLower());
        for (QChar c : value) {
            if (!plain)
                break;
            plain = c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.' || c == u'/' || c == u'@' || c == u'+';
        }
        if (plain)
            return value;
        QString out = QStringLiteral("\"");
        for (QChar c : value) {
            if (c == u'"' || c == u'\\')
                out += u'\\';
            if (c.unicode() < 0x20) {
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QChar(u'0'));
                continue;
            }
            out += c;
        }
        return out + u'"';
    }
};

// Applies the edits in order. nullopt (and *error naming the path and the cause) when the text is not valid YAML,
// a path runs through a flow mapping or a value that is not a mapping, or the result does not parse.
std::optional<QByteArray> applyYamlEdits(const QByteArray& text, const QList<YamlEdit>& edits, QString* error);

} // namespace gemgate
