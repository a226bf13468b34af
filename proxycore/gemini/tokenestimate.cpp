#include "gemini/tokenestimate.h"

namespace gemgate {

qint64 estimateInputTokens(const QByteArray& body) {
    // Skip the base64 payloads of inline media: find "data":"...", count 258 per occurrence and drop its length.
    qint64 mediaParts = 0;
    qint64 mediaBytes = 0;
    qsizetype from = 0;
    static const QByteArray kData = QByteArrayLiteral("\"data\"");
    while ((from = body.indexOf(kData, from)) >= 0) {
        qsizetype i = from + kData.size();
        while (i < body.size() &&
               (body[i] == ' ' || body[i] == ':' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
            ++i;
        if (i >= body.size() || body[i] != '"') {
            from = i;
            continue;
        }
        const qsizetype end = body.indexOf('"', i + 1);
        if (end < 0)
            break;
        ++mediaParts;
        mediaBytes += end - i - 1;
        from = end + 1;
    }
    const qint64 textBytes = qMax<qint64>(0, body.size() - mediaBytes);
    return (textBytes + 3) / 4 + mediaParts * 258;
}

} // namespace gemgate
