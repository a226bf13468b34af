#include "keys/redact.h"

#include <algorithm>

namespace gemgate {

namespace {
bool isKeyChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
} // namespace

QByteArray redactSecrets(QByteArray text, const QList<QByteArray>& secrets) {
    static const QByteArray kMask = QByteArrayLiteral("[REDACTED]");
    // Longest first: when one secret contains another, replacing the short one first would leave the rest of the
    // long one in the text.
    QList<QByteArray> ordered = secrets;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const QByteArray& a, const QByteArray& b) { return a.size() > b.size(); });
    for (const QByteArray& s : std::as_const(ordered)) {
        if (s.size() >= 4)
            text.replace(s, kMask);
    }
    // Google API keys: "AIza" followed by 35 characters of [0-9A-Za-z_-].
    qsizetype from = 0;
    while ((from = text.indexOf("AIza", from)) >= 0) {
        qsizetype end = from + 4;
        while (end < text.size() && isKeyChar(text[end]))
            ++end;
        if (end - from >= 39) {
            text.replace(from, end - from, kMask);
            from += kMask.size();
        } else {
            from = end;
        }
    }
    return text;
}

} // namespace gemgate
