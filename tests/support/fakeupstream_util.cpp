// Small JSON and HTTP helpers shared by the route files of FakeUpstream.

#include "fakeupstream_p.h"

#include <QRandomGenerator>

#include <cstdio>

namespace gemgate::test::detail {

void appendJsonString(QByteArray& out, QByteArrayView utf8) {
    out.append('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default:
            if (c < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(c));
                out.append(escaped, 6);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
}

QByteArray jsonString(QByteArrayView utf8) {
    QByteArray out;
    out.reserve(utf8.size() + 2);
    appendJsonString(out, utf8);
    return out;
}

QByteArray rfc3339(const QDateTime& utc) {
    return utc.toUTC().toString(Qt::ISODateWithMs).toLatin1();
}

int tokensFor(QByteArrayView utf8) {
    return int(qMax<qsizetype>(1, (utf8.size() + 3) / 4));
}

QByteArray randomId(int length) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray id(length, Qt::Uninitialized);
    for (char& c : id)
        c = kAlphabet[QRandomGenerator::global()->bounded(int(sizeof kAlphabet - 1))];
    return id;
}

QByteArray queryValue(QByteArrayView query, QByteArrayView name) {
    qsizetype pos = 0;
    while (pos <= query.size()) {
        qsizetype end = query.indexOf('&', pos);
        if (end < 0)
            end = query.size();
        const QByteArrayView pair = query.sliced(pos, end - pos);
        const qsizetype eq = pair.indexOf('=');
        if (eq == name.size() && pair.startsWith(name))
            return QByteArray::fromPercentEncoding(pair.sliced(eq + 1).toByteArray().replace('+', ' '));
        if (eq < 0 && pair == name)
            return QByteArrayLiteral("");
        pos = end + 1;
    }
    return {};
}

Reply jsonReply(QByteArray body, int status) {
    Reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Reply errorReply(int code, QByteArrayView status, QByteArrayView message, QByteArrayView detailsJson) {
    QByteArray body;
    body.reserve(160 + message.size() + detailsJson.size());
    body.append("{\"error\":{\"code\":");
    body.append(QByteArray::number(code));
    body.append(",\"message\":");
    appendJsonString(body, message);
    body.append(",\"status\":\"");
    body.append(status);
    body.append('"');
    if (!detailsJson.isEmpty()) {
        body.append(",\"details\":");
        body.append(detailsJson);
    }
    body.append("}}");
    return jsonReply(std::move(body), code);
}

Reply notFound(QByteArrayView message) {
    return errorReply(404, "NOT_FOUND",
                      message.isEmpty() ? QByteArrayView("Requested entity was not found.") : message);
}

Reply malformedRequestReply() {
    return errorReply(400, "INVALID_ARGUMENT", "Malformed HTTP request.");
}

bool jsonPage(const RouteInput& in, QByteArrayView field, const QList<QByteArray>& items, int defaultSize, int maxSize,
              Reply& out) {
    int size = queryValue(in.query, "pageSize").toInt();
    if (size <= 0)
        size = defaultSize;
    size = qMin(size, maxSize);
    qsizetype offset = 0;
    const QByteArray token = queryValue(in.query, "pageToken");
    if (!token.isEmpty()) {
        const QByteArray decoded = QByteArray::fromBase64(token, QByteArray::Base64UrlEncoding);
        bool ok = decoded.startsWith("offset:");
        offset = ok ? decoded.mid(7).toLongLong(&ok) : 0;
        if (!ok || offset < 0 || offset > items.size()) {
            out = errorReply(400, "INVALID_ARGUMENT", "Invalid page token.");
            return false;
        }
    }
    const qsizetype end = qMin(items.size(), offset + size);
    QByteArray body("{");
    if (end > offset) {
        body.append('"');
        body.append(field);
        body.append("\":[");
        for (qsizetype i = offset; i < end; ++i) {
            if (i > offset)
                body.append(',');
            body.append(items.at(i));
        }
        body.append(']');
    }
    if (end < items.size()) {
        const QByteArray next = QByteArrayLiteral("offset:") + QByteArray::number(end);
        body.append(end > offset ? ",\"nextPageToken\":" : "\"nextPageToken\":");
        appendJsonString(body, next.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    }
    body.append('}');
    out = jsonReply(std::move(body));
    return true;
}

QJsonValue jsonField(const QJsonObject& o, QLatin1String camel, QLatin1String snake) {
    const auto it = o.constFind(camel);
    return it != o.constEnd() ? *it : o.value(snake);
}

} // namespace gemgate::test::detail
