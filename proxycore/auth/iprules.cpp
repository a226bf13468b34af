#include "auth/iprules.h"

#include <QLatin1StringView>

namespace gemgate {

namespace {

void setError(QString* error, const QString& message) {
    if (error)
        *error = message;
}

bool isDigit(QChar c) {
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// A decimal number without sign or leading zeros ("0" itself is fine), at most `maxDigits` digits.
std::optional<int> parseDecimal(QStringView text, int maxDigits) {
    if (text.isEmpty() || text.size() > maxDigits || (text.size() > 1 && text.front() == QLatin1Char('0')))
        return std::nullopt;
    int value = 0;
    for (QChar c : text) {
        if (!isDigit(c))
            return std::nullopt;
        value = value * 10 + (c.unicode() - '0');
    }
    return value;
}

// A complete address in canonical textual form: four decimal octets for IPv4 (no "10.1" or octal "010.0.0.1"
// shorthand, which inet_aton-style parsers accept), or an IPv6 address. A zone ("%eth0") is accepted only when
// allowScope is set (addresses reported by proxies); rules never carry one.
std::optional<QHostAddress> parseAddress(QStringView text, bool allowScope) {
    if (text.isEmpty())
        return std::nullopt;
    if (text.contains(QLatin1Char(':'))) {
        const qsizetype percent = text.indexOf(QLatin1Char('%'));
        if (percent >= 0 && !allowScope)
            return std::nullopt;
        const QStringView body = percent >= 0 ? text.first(percent) : text;
        for (QChar c : body) {
            const bool ok = isDigit(c) || (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
                            (c >= QLatin1Char('A') && c <= QLatin1Char('F')) || c == QLatin1Char(':') ||
                            c == QLatin1Char('.');
            if (!ok)
                return std::nullopt;
        }
        QHostAddress address;
        if (!address.setAddress(body.toString()) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
        return address;
    }
    const auto octets = text.split(QLatin1Char('.'));
    if (octets.size() != 4)
        return std::nullopt;
    quint32 value = 0;
    for (QStringView octet : octets) {
        const auto n = parseDecimal(octet, 3);
        if (!n || *n > 255)
            return std::nullopt;
        value = (value << 8) | quint32(*n);
    }
    return QHostAddress(value);
}

bool isMapped(const QHostAddress& address) {
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 0; i < 10; ++i) {
        if (bytes[i] != 0)
            return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

QHostAddress mappedToIPv4(const QHostAddress& address) {
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    return QHostAddress((quint32(bytes[12]) << 24) | (quint32(bytes[13]) << 16) | (quint32(bytes[14]) << 8) |
                        quint32(bytes[15]));
}

} // namespace

QHostAddress normalizedAddress(const QHostAddress& address) {
    if (isMapped(address))
        return mappedToIPv4(address);
    if (address.protocol() == QAbstractSocket::IPv6Protocol && !address.scopeId().isEmpty()) {
        QHostAddress copy = address;
        copy.setScopeId(QString());
        return copy;
    }
    return address;
}

// --- CidrSet ---------------------------------------------------------------------------------------------------

std::optional<CidrSet> CidrSet::parse(const QStringList& entries, QString* error) {
    CidrSet set;
    for (const QString& entry : entries) {
        if (!set.add(entry, error))
            return std::nullopt;
    }
    return set;
}

bool CidrSet::add(const QString& entry, QString* error) {
    const QString text = entry.trimmed();
    auto fail = [&](const QString& why) {
        setError(error, QStringLiteral("invalid IP rule \"%1\": %2").arg(entry, why));
        return false;
    };
    if (text.isEmpty())
        return fail(QStringLiteral("empty entry"));
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    const QStringView addressText = slash >= 0 ? QStringView(text).first(slash) : QStringView(text);
    const auto address = parseAddress(addressText, false);
    if (!address) {
        return fail(QStringLiteral("%1 is not an IPv4 or IPv6 address")
                        .arg(addressText.isEmpty() ? QStringLiteral("the part before \"/\"")
                                                   : QLatin1Char('"') + addressText.toString() + QLatin1Char('"')));
    }
    const bool v4 = address->protocol() == QAbstractSocket::IPv4Protocol;
    const int maxLength = v4 ? 32 : 128;
    int length = maxLength;
    if (slash >= 0) {
        const auto parsed = parseDecimal(QStringView(text).sliced(slash + 1), 3);
        if (!parsed || *parsed > maxLength) {
            return fail(QStringLiteral("the prefix length must be a number from 0 to %1 for an %2 address")
                            .arg(maxLength)
                            .arg(v4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6")));
        }
        length = *parsed;
    }
    // Clear the host bits.
    auto subnet = QHostAddress::parseSubnet(address->toString() + QLatin1Char('/') + QString::number(length));
    if (subnet.second < 0)
        return fail(QStringLiteral("not a valid subnet"));
    // ::ffff:a.b.c.d/96+n is the IPv4 range a.b.c.d/n.
    if (isMapped(subnet.first) && subnet.second >= 96)
        subnet = qMakePair(mappedToIPv4(subnet.first), subnet.second - 96);
    m_subnets.append(subnet);
    return true;
}

qsizetype CidrSet::indexOf(const QHostAddress& address) const {
    if (address.isNull())
        return -1;
    const QHostAddress normalized = normalizedAddress(address);
    for (qsizetype i = 0; i < m_subnets.size(); ++i) {
        if (normalized.isInSubnet(m_subnets.at(i).first, m_subnets.at(i).second))
            return i;
    }
    return -1;
}

QStringList CidrSet::entries() const {
    QStringList out;
    out.reserve(m_subnets.size());
    for (const auto& subnet : m_subnets)
        out << subnet.first.toString() + QLatin1Char('/') + QString::number(subnet.second);
    return out;
}

// --- IpRules ---------------------------------------------------------------------------------------------------

bool IpRules::decide(const QHostAddress& address, QString* reason) const {
    const qsizetype denied = deny.indexOf(address);
    if (denied >= 0) {
        setError(reason, QStringLiteral("denied by %1").arg(deny.entries().at(denied)));
        return false;
    }
    if (allow.isEmpty()) {
        setError(reason, QStringLiteral("allowed: no allow list"));
        return true;
    }
    const qsizetype allowed = allow.indexOf(address);
    if (allowed >= 0) {
        setError(reason, QStringLiteral("allowed by %1").arg(allow.entries().at(allowed)));
        return true;
    }
    setError(reason, QStringLiteral("not in the allow list"));
    return false;
}

// --- clientAddress ---------------------------------------------------------------------------------------------

namespace {

// One hop of X-Forwarded-For or of a Forwarded for= value: "a.b.c.d", "a.b.c.d:port", "v6", "[v6]", "[v6]:port".
std::optional<QHostAddress> parseHop(QStringView text) {
    text = text.trimmed();
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return std::nullopt;
        const QStringView rest = text.sliced(close + 1);
        if (!rest.isEmpty() && !(rest.front() == QLatin1Char(':') && parseDecimal(rest.sliced(1), 5)))
            return std::nullopt;
        const auto address = parseAddress(text.sliced(1, close - 1), true);
        if (!address || address->protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
        return address;
    }
    const qsizetype firstColon = text.indexOf(QLatin1Char(':'));
    if (firstColon >= 0 && text.indexOf(QLatin1Char(':'), firstColon + 1) < 0) {
        // Exactly one colon: IPv4 with a port.
        if (!parseDecimal(text.sliced(firstColon + 1), 5))
            return std::nullopt;
        const auto address = parseAddress(text.first(firstColon), false);
        if (!address || address->protocol() != QAbstractSocket::IPv4Protocol)
            return std::nullopt;
        return address;
    }
    return parseAddress(text, true);
}

// X-Forwarded-For: comma-separated hops, left to right. A malformed hop is nullopt.
QList<std::optional<QHostAddress>> xffHops(QByteArrayView header) {
    QList<std::optional<QHostAddress>> hops;
    const QString text = QString::fromLatin1(header.data(), header.size());
    for (QStringView part : QStringView(text).split(QLatin1Char(',')))
        hops.append(parseHop(part));
    return hops;
}

bool isTokenChar(QChar c) {
    if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
        return false;
    return !QStringView(u"\"(),/:;<=>?@[\\]{}").contains(c);
}

// Splits a Forwarded header into its elements at the commas outside quoted strings, scanning from the right. The
// elements a trusted proxy appended are on the right and well formed, so they split correctly whatever a client
// put on the left (an unbalanced quote there only affects the client's own part).
QList<QStringView> forwardedElements(QStringView text) {
    QList<QStringView> elements;
    bool inQuote = false;
    qsizetype end = text.size();
    for (qsizetype k = text.size() - 1; k >= 0; --k) {
        const QChar c = text.at(k);
        if (c == QLatin1Char('"')) {
            qsizetype backslashes = 0;
            while (k - 1 - backslashes >= 0 && text.at(k - 1 - backslashes) == QLatin1Char('\\'))
                ++backslashes;
            if (backslashes % 2 == 0)
                inQuote = !inQuote;
        } else if (c == QLatin1Char(',') && !inQuote) {
            elements.prepend(text.sliced(k + 1, end - k - 1));
            end = k;
        }
    }
    elements.prepend(text.first(end));
    return elements;
}

// The for= node of one Forwarded element: pairs separated by ';', each name=token or name="quoted-string".
// nullopt for bad syntax, a missing or repeated for=, or a node that is not an IP address ("unknown", "_hidden").
std::optional<QHostAddress> forwardedFor(QStringView element) {
    std::optional<QString> forValue;
    qsizetype i = 0;
    const qsizetype n = element.size();
    auto skipSpace = [&] {
        while (i < n && (element.at(i) == QLatin1Char(' ') || element.at(i) == QLatin1Char('\t')))
            ++i;
    };
    for (;;) {
        skipSpace();
        const qsizetype nameStart = i;
        while (i < n && isTokenChar(element.at(i)))
            ++i;
        const QString name = element.sliced(nameStart, i - nameStart).toString().toLower();
        if (name.isEmpty() || i >= n || element.at(i) != QLatin1Char('='))
            return std::nullopt;
        ++i; // '='
        QString value;
        if (i < n && element.at(i) == QLatin1Char('"')) {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar c = element.at(i++);
                if (c == QLatin1Char('"')) {
                    closed = true;
                    break;
                }
                if (c == QLatin1Char('\\')) {
                    if (i >= n)
                        break;
                    value += element.at(i++);
                } else {
                    value += c;
                }
            }
            if (!closed)
                return std::nullopt;
        } else {
            const qsizetype valueStart = i;
            while (i < n && isTokenChar(element.at(i)))
                ++i;
            value = element.sliced(valueStart, i - valueStart).toString();
            if (value.isEmpty())
                return std::nullopt;
        }
        if (name == QLatin1StringView("for")) {
            if (forValue)
                return std::nullopt;
            forValue = value;
        }
        skipSpace();
        if (i >= n)
            break;
        if (element.at(i) != QLatin1Char(';'))
            return std::nullopt;
        ++i; // ';'
    }
    if (!forValue)
        return std::nullopt;
    return parseHop(*forValue);
}

QList<std::optional<QHostAddress>> forwardedHops(QByteArrayView header) {
    QList<std::optional<QHostAddress>> hops;
    const QString text = QString::fromLatin1(header.data(), header.size());
    for (QStringView element : forwardedElements(text))
        hops.append(forwardedFor(element));
    return hops;
}

} // namespace

QHostAddress clientAddress(const QHostAddress& peer, QByteArrayView xForwardedFor, QByteArrayView forwarded,
                           const CidrSet& trustedProxies, ForwardedHeader header) {
    QHostAddress current = normalizedAddress(peer);
    if (trustedProxies.isEmpty() || !trustedProxies.contains(current))
        return current;
    bool useXff = false;
    switch (header) {
    case ForwardedHeader::Auto:
        useXff = !xForwardedFor.trimmed().isEmpty();
        break;
    case ForwardedHeader::XForwardedFor:
        useXff = true;
        break;
    case ForwardedHeader::Forwarded:
        useXff = false;
        break;
    }
    const QByteArrayView value = useXff ? xForwardedFor : forwarded;
    if (value.trimmed().isEmpty())
        return current;
    const auto hops = useXff ? xffHops(value) : forwardedHops(value);
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        if (!hops.at(i))
            return current; // unusable entry: the last trusted address
        const QHostAddress hop = normalizedAddress(*hops.at(i));
        if (!trustedProxies.contains(hop))
            return hop;
        current = hop;
    }
    return current;
}

} // namespace gemgate
