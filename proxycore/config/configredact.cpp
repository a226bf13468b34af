#include "config/configredact.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>

namespace gemgate {

namespace {
const QByteArray& processKey() {
    static const QByteArray key = [] {
        QByteArray k(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(k.data()), 8);
        return k;
    }();
    return key;
}

QByteArray tagOf(const QByteArray& secret) {
    return QMessageAuthenticationCode::hash(secret, processKey(), QCryptographicHash::Sha256).toHex().left(12);
}

QList<QByteArray> secretsOf(const Config& c) {
    QList<QByteArray> out;
    auto add = [&out](const QString& s) {
        if (s.size() >= 4 && !out.contains(s.toUtf8()))
            out.append(s.toUtf8());
    };
    for (const ClientKey& k : c.auth.clientKeys)
        add(k.key);
    add(c.auth.jwtSecret);
    add(c.admin.token);
    for (const UpstreamKey& k : c.gemini.apiKeys) {
        if (k.secretRef.isEmpty() && !k.managed)
            add(k.secret);
        add(k.proxy.password());
        add(k.proxy.password(QUrl::FullyEncoded)); // as written in the URL: p%40ss for p@ss
    }
    add(c.gemini.proxy.password());
    add(c.gemini.proxy.password(QUrl::FullyEncoded));
    // The forms a secret takes inside a quoted YAML scalar ('it''s', "a\"b"), when they differ from its value.
    const QList<QByteArray> plain = out;
    for (const QByteArray& s : plain) {
        QByteArray single = s;
        single.replace('\'', "''");
        QByteArray dbl = s;
        dbl.replace('\\', "\\\\").replace('"', "\\\"");
        for (const QByteArray& v : {single, dbl})
            if (!out.contains(v))
                out.append(v);
    }
    // Longest first, so a secret that contains another is replaced whole.
    std::sort(out.begin(), out.end(), [](const QByteArray& a, const QByteArray& b) { return a.size() > b.size(); });
    return out;
}
} // namespace

QByteArray redactConfigText(const QByteArray& text, const Config& config) {
    QByteArray out = text;
    for (const QByteArray& s : secretsOf(config))
        out.replace(s, QByteArray("<redacted:" + tagOf(s) + ">"));
    return out;
}

std::optional<QByteArray> restoreConfigSecrets(const QByteArray& text, const Config& running, QString* error) {
    if (!text.contains("<redacted"))
        return text;
    QHash<QByteArray, QByteArray> byTag;
    for (const QByteArray& s : secretsOf(running))
        byTag.insert(tagOf(s), s);
    static const QRegularExpression placeholder(QStringLiteral("<redacted(?::([0-9a-f]*))?>"));
    const QString t = QString::fromUtf8(text);
    QByteArray out;
    QStringList unknown;
    qsizetype last = 0;
    for (auto it = placeholder.globalMatch(t); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += t.mid(last, m.capturedStart() - last).toUtf8();
        const QByteArray secret = byTag.value(m.captured(1).toLatin1());
        if (secret.isEmpty())
            unknown.append(m.captured(0));
        out += secret;
        last = m.capturedEnd();
    }
    out += t.mid(last).toUtf8();
    if (!unknown.isEmpty()) {
        *error = QStringLiteral("the config contains %1, which matches no secret of the running config (placeholders "
                                "are only valid in the GemGate process that issued them): put the real value there")
                     .arg(unknown.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    return out;
}

} // namespace gemgate
