#include "control/keyintake.h"

#include "gemini/errorclass.h"
#include "keys/redact.h"

#include <QRegularExpression>
#include <QSet>

namespace gemgate {

KeyScan findKeysInText(const QString& text) {
    // AIza + 35 characters (the classic key), or "AQ." + a base64url run (the newer keys tied to a service
    // account); neither glued to more key characters on either side.
    static const QRegularExpression re(
        QStringLiteral("(?<![0-9A-Za-z_-])(AIza[0-9A-Za-z_-]{35}|AQ\\.[0-9A-Za-z_-]{20,400})(?![0-9A-Za-z_.-])"));
    KeyScan scan;
    QSet<QByteArray> seen;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const QByteArray secret = it.next().captured(1).toLatin1();
        if (seen.contains(secret)) {
            ++scan.duplicates;
            continue;
        }
        seen.insert(secret);
        scan.keys.append({secret, maskKey(secret), false});
    }
    return scan;
}

QString maskKey(const QByteArray& secret) {
    if (secret.size() < 12)
        return QStringLiteral("…");
    return QString::fromLatin1(secret.left(6)) + QStringLiteral("…") + QString::fromLatin1(secret.right(4));
}

KeyProbe classifyKeyProbe(int status, const QByteArray& body, const QString& networkError) {
    KeyProbe p;
    p.httpStatus = status;
    if (status == 200) {
        p.result = KeyProbeResult::Valid;
        p.detail = QStringLiteral("the models list call answered 200 OK");
        return p;
    }
    if (status == 0) {
        p.result = KeyProbeResult::NetworkError;
        p.detail = networkError.isEmpty() ? QStringLiteral("no answer from Gemini") : networkError;
        return p;
    }
    const ClassifiedError e = classifyUpstreamError(status, body);
    p.reason = e.reason;
    // Error bodies can quote the key itself.
    p.detail = QString::fromUtf8(redactSecrets(e.message.toUtf8(), {})).simplified().left(300);
    if (status == 429) {
        p.result = e.quota == QuotaScope::PerDay ? KeyProbeResult::RateLimitedDay : KeyProbeResult::RateLimitedMinute;
    } else if (status == 400 || status == 401) {
        p.result = e.cls == UpstreamErrorClass::KeyInvalid || status == 401 ? KeyProbeResult::Invalid
                                                                            : KeyProbeResult::OtherError;
    } else if (status == 402 || status == 403) {
        p.result = KeyProbeResult::Suspended;
    } else {
        p.result = KeyProbeResult::OtherError;
    }
    return p;
}

} // namespace gemgate
