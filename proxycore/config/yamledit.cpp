#include "config/yamledit.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace gemgate {

namespace {

int indentOf(const QByteArray& line) {
    int i = 0;
    while (i < line.size() && line[i] == ' ')
        ++i;
    return i;
}

bool isBlank(const QByteArray& line) {
    return line.trimmed().isEmpty();
}

// Where a trailing "# comment" starts on a line, looking from `from` and skipping quoted text; -1 when none.
qsizetype commentStart(const QByteArray& line, qsizetype from) {
    char quote = 0;
    for (qsizetype i = from; i < line.size(); ++i) {
        const char c = line[i];
        if (quote) {
            if (c == '\\' && quote == '"')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            return i;
        }
    }
    return -1;
}

class Document {
public:
    explicit Document(const QByteArray& text) {
        m_eol = text.contains("\r\n") ? QByteArray("\r\n") : QByteArray("\n");
        m_lines = text.split('\n');
        for (QByteArray& l : m_lines) {
            if (l.endsWith('\r'))
                l.chop(1);
        }
        m_finalNewline = text.isEmpty() || text.endsWith('\n');
        if (m_finalNewline && !m_lines.isEmpty())
            m_lines.removeLast();
        m_unit = 2;
        for (const QByteArray& l : m_lines) {
            const int indent = indentOf(l);
            if (indent > 0 && !isBlank(l) && !l.trimmed().startsWith('#')) {
                m_unit = qMin(indent, 8);
                break;
            }
        }
    }

    QByteArray text() const {
        QByteArray out = m_lines.join(m_eol);
        if (m_finalNewline && !m_lines.isEmpty())
            out += m_eol;
        return out;
    }

    bool apply(const YamlEdit& edit, QString* error) {
        YAML::Node root;
        try {
            root = YAML::Load(text().toStdString());
        } catch (const YAML::Exception& e) {
            *error = QStringLiteral("the config text is not valid YAML (line %1): %2")
                         .arg(e.mark.line + 1)
                         .arg(QString::fromStdString(e.msg));
            return false;
        }
        if (edit.path.isEmpty()) {
            *error = QStringLiteral("an edit needs a field path");
            return false;
        }
        if (!root.IsNull() && !root.IsMap()) {
            *error = QStringLiteral("the config text is not a mapping of sections");
            return false;
        }
        if (root.IsMap() && root.Style() == YAML::EmitterStyle::Flow) {
            *error = QStringLiteral("the config text is one flow mapping; edit it as text");
            return false;
        }

        // Walk down the path as far as it exists.
        YAML::Node node;
        node.reset(root);
        int found = 0;
        int keyLine = -1, keyCol = 0;
        YAML::Node keyValue;
        for (; found < edit.path.size(); ++found) {
            const QString here = edit.path.mid(0, found).join(u'.');
            if (node.IsNull())
                break;
            if (!node.IsMap()) {
                *error = QStringLiteral("%1 is not a mapping; edit it as text").arg(here);
                return false;
            }
            if (node.Style() == YAML::EmitterStyle::Flow && node.size() > 0) {
                *error = QStringLiteral("%1 is written in flow style ({...}); edit it as text").arg(here);
                return false;
            }
            bool hit = false;
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (it->first.IsScalar() && QString::fromStdString(it->first.Scalar()) == edit.path[found]) {
                    keyLine = it->first.Mark().line;
                    keyCol = it->first.Mark().column;
                    keyValue.reset(it->second);
                    hit = true;
                    break;
                }
            }
            if (!hit)
                break;
            node.reset(keyValue);
        }
        if (keyLine >= m_lines.size()) {
            *error = QStringLiteral("cannot place %1 in the text").arg(edit.path.join(u'.'));
            return false;
        }

        if (found == edit.path.size()) {
            const int end = blockEnd(keyLine, keyCol);
            if (edit.kind == YamlEdit::Kind::Remove) {
                m_lines.remove(keyLine, end - keyLine);
                return true;
            }
            // Keep a comment at the end of the key's line.
            const QByteArray& line = m_lines[keyLine];
            const qsizetype from =
                keyValue.IsScalar() && keyValue.Mark().line == keyLine ? keyValue.Mark().column : keyCol;
            const qsizetype hash = commentStart(line, from);
            const QByteArray comment = hash >= 0 ? QByteArray("  ") + line.mid(hash) : QByteArray();
            const QList<QByteArray> lines = render(edit, edit.path.size() - 1, keyCol, comment);
            m_lines.remove(keyLine, end - keyLine);
            for (qsizetype i = 0; i < lines.size(); ++i)
                m_lines.insert(keyLine + i, lines[i]);
            return true;
        }
        if (edit.kind == YamlEdit::Kind::Remove)
            return true; // nothing to remove

        // Insert the missing part under the deepest existing mapping.
        int at = 0;
        int col = 0;
        if (found == 0) {
            at = int(m_lines.size());
            while (at > 0 && isBlank(m_lines[at - 1]))
                --at;
        } else if (node.IsNull() || (node.IsMap() && node.size() == 0)) {
            // "server:" with no value, "server: ~" or "aliases: {}": the key line becomes a mapping's head.
            QByteArray& line = m_lines[keyLine];
            const qsizetype colon = line.indexOf(':', keyCol);
            if (colon < 0) {
                *error = QStringLiteral("cannot place %1 in the text").arg(edit.path.join(u'.'));
                return false;
            }
            const qsizetype hash = commentStart(line, colon + 1);
            const QByteArray comment = hash >= 0 ? QByteArray("  ") + line.mid(hash) : QByteArray();
            line = line.left(colon + 1) + comment;
            at = keyLine + 1;
            col = keyCol + m_unit;
        } else {
            at = blockEnd(keyLine, keyCol);
            col = node.begin()->first.Mark().column;
        }
        QList<QByteArray> lines;
        for (int i = found; i < edit.path.size() - 1; ++i) {
            lines.append(QByteArray(col, ' ') + YamlEdit::quoted(edit.path[i]).toUtf8() + ':');
            col += m_unit;
        }
        lines += render(edit, edit.path.size() - 1, col, {});
        for (qsizetype i = 0; i < lines.size(); ++i)
            m_lines.insert(at + i, lines[i]);
        return true;
    }

private:
    // The line after the last one of the key on keyLine (its value's lines: deeper indented, or a sequence's "- "
    // items at the key's own indentation). Trailing blank lines are left outside.
    int blockEnd(int keyLine, int keyCol) const {
        int last = keyLine;
        for (int j = keyLine + 1; j < m_lines.size(); ++j) {
            const QByteArray& l = m_lines[j];
            if (isBlank(l))
                continue;
            const int indent = indentOf(l);
            const QByteArray rest = l.mid(indent);
            if (indent > keyCol || (indent == keyCol && (rest == "-" || rest.startsWith("- ")))) {
                last = j;
                continue;
            }
            break;
        }
        return last + 1;
    }

    QList<QByteArray> render(const YamlEdit& edit, int keyIndex, int col, const QByteArray& comment) const {
        const QByteArray head = QByteArray(col, ' ') + YamlEdit::quoted(edit.path[keyIndex]).toUtf8() + ':';
        switch (edit.kind) {
        case YamlEdit::Kind::Scalar:
            return {head + ' ' + edit.scalar.toUtf8() + comment};
        case YamlEdit::Kind::List: {
            QStringList items;
            for (const QString& v : edit.list)
                items.append(YamlEdit::quoted(v));
            return {head + " [" + items.join(QStringLiteral(", ")).toUtf8() + ']' + comment};
        }
        case YamlEdit::Kind::Map: {
            if (edit.map.isEmpty())
                return {head + " {}" + comment};
            QList<QByteArray> out{head + comment};
            for (const auto& [k, v] : edit.map)
                out.append(QByteArray(col + m_unit, ' ') + YamlEdit::quoted(k).toUtf8() + ": " +
                           YamlEdit::quoted(v).toUtf8());
            return out;
        }
        case YamlEdit::Kind::Remove:
            break;
        }
        return {};
    }

    QList<QByteArray> m_lines;
    QByteArray m_eol;
    bool m_finalNewline = true;
    int m_unit = 2;
};

} // namespace

std::optional<QByteArray> applyYamlEdits(const QByteArray& text, const QList<YamlEdit>& edits, QString* error) {
    Document doc(text);
    for (const YamlEdit& edit : edits) {
        QString why;
        if (!doc.apply(edit, &why)) {
            *error = edit.path.join(u'.') + QStringLiteral(": ") + why;
            return std::nullopt;
        }
    }
    const QByteArray out = doc.text();
    try {
        (void)YAML::Load(out.toStdString());
    } catch (const YAML::Exception& e) {
        *error = QStringLiteral("the edited text does not parse (line %1): %2")
                     .arg(e.mark.line + 1)
                     .arg(QString::fromStdString(e.msg));
        return std::nullopt;
    }
    return out;
}

} // namespace gemgate
