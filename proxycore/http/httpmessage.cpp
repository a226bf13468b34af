#include "http/httpmessage.h"

#include <QByteArrayView>
#include <QUrl>

namespace gemgate {

namespace {
bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) {
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}
} // namespace

qsizetype HttpHeaders::indexOf(const QByteArray& name) const {
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (equalsIgnoreCase(m_entries[i].first, name))
            return i;
    }
    return -1;
}

void HttpHeaders::set(const QByteArray& name, QByteArray value) {
    remove(name);
    add(name, std::move(value));
}

void HttpHeaders::remove(const QByteArray& name) {
    m_entries.removeIf([&](const Entry& e) { return equalsIgnoreCase(e.first, name); });
}

void HttpHeaders::replaceValue(const QByteArray& name, QByteArray value) {
    const qsizetype i = indexOf(name);
    if (i >= 0)
        m_entries[i].second = std::move(value);
}

QByteArray HttpHeaders::value(const QByteArray& name) const {
    const qsizetype i = indexOf(name);
    return i < 0 ? QByteArray() : m_entries[i].second;
}

bool HttpHeaders::hasToken(const QByteArray& name, const QByteArray& token) const {
    for (const Entry& e : m_entries) {
        if (!equalsIgnoreCase(e.first, name))
            continue;
        for (const QByteArray& part : e.second.split(',')) {
            if (equalsIgnoreCase(part.trimmed(), token))
                return true;
        }
    }
    return false;
}

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 100:
        return QByteArrayLiteral("Continue");
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 204:
        return QByteArrayLiteral("No Content");
    case 206:
        return QByteArrayLiteral("Partial Content");
    case 301:
        return QByteArrayLiteral("Moved Permanently");
    case 302:
        return QByteArrayLiteral("Found");
    case 304:
        return QByteArrayLiteral("Not Modified");
    case 308:
        return QByteArrayLiteral("Permanent Redirect");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 402:
        return QByteArrayLiteral("Payment Required");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 411:
        return QByteArrayLiteral("Length Required");
    case 413:
        return QByteArrayLiteral("Content Too Large");
    case 414:
        return QByteArrayLiteral("URI Too Long");
    case 415:
        return QByteArrayLiteral("Unsupported Media Type");
    case 417:
        return QByteArrayLiteral("Expectation Failed");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 499:
        return QByteArrayLiteral("Client Closed Request");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

bool isHopByHopHeader(const QByteArray& lowerName) {
    static const QByteArray names[] = {
        QByteArrayLiteral("connection"),
        QByteArrayLiteral("keep-alive"),
        QByteArrayLiteral("proxy-authenticate"),
        QByteArrayLiteral("proxy-authorization"),
        QByteArrayLiteral("proxy-connection"),
        QByteArrayLiteral("te"),
        QByteArrayLiteral("trailer"),
        QByteArrayLiteral("transfer-encoding"),
        QByteArrayLiteral("upgrade"),
    };
    for (const QByteArray& n : names) {
        if (lowerName == n)
            return true;
    }
    return false;
}

QByteArray queryValue(const QByteArray& query, const QByteArray& name) {
    for (const QByteArray& item : query.split('&')) {
        const qsizetype eq = item.indexOf('=');
        const QByteArray key = eq < 0 ? item : item.left(eq);
        if (QByteArray::fromPercentEncoding(key) == name)
            return eq < 0 ? QByteArray() : QByteArray::fromPercentEncoding(item.mid(eq + 1));
    }
    return {};
}

QByteArray removeQueryItem(const QByteArray& query, const QByteArray& name) {
    QByteArray out;
    for (const QByteArray& item : query.split('&')) {
        if (item.isEmpty())
            continue;
        const qsizetype eq = item.indexOf('=');
        const QByteArray key = eq < 0 ? item : item.left(eq);
        if (QByteArray::fromPercentEncoding(key) == name)
            continue;
        if (!out.isEmpty())
            out += '&';
        out += item;
    }
    return out;
}

} // namespace gemgate
