#pragma once

// IP allow/deny rules and the client address behind trusted reverse proxies.
//
// Address families. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4
// client) is the IPv4 address a.b.c.d everywhere here:
//   - addresses are normalized before matching (::ffff:10.1.2.3 is matched as 10.1.2.3);
//   - a rule inside ::ffff:0:0/96 is stored as its IPv4 equivalent (::ffff:10.0.0.0/104 is 10.0.0.0/8).
// So IPv4 rules match mapped addresses and mapped rules match plain IPv4 addresses. Other IPv6 rules, including
// ::/0, match only genuine IPv6 addresses; 0.0.0.0/0 matches every IPv4 (and IPv4-mapped) address.

#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace gemgate {

// Normalizes an address for matching and reporting: IPv4-mapped IPv6 becomes IPv4, an IPv6 scope id is dropped.
QHostAddress normalizedAddress(const QHostAddress& address);

class CidrSet {
public:
    // Parses every entry ("10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8", "::ffff:10.0.0.0/104"); nullopt and
    // *error naming the first bad entry when one does not parse.
    static std::optional<CidrSet> parse(const QStringList& entries, QString* error);

    // Adds one entry: an IPv4 or IPv6 address (a /32 or /128), or address/prefix-length. Surrounding whitespace
    // is ignored; host bits after the prefix are cleared ("192.168.1.7/24" is 192.168.1.0/24). False and *error
    // (naming the entry) when it does not parse; the set is then unchanged.
    bool add(const QString& entry, QString* error);

    bool contains(const QHostAddress& address) const { return indexOf(address) >= 0; }
    // Index of the first entry containing the address, -1 for none (and for a null address).
    qsizetype indexOf(const QHostAddress& address) const;

    bool isEmpty() const { return m_subnets.isEmpty(); }
    qsizetype size() const { return m_subnets.size(); }
    // The normalized entries, e.g. "10.0.0.0/8", "2001:db8::/32".
    QStringList entries() const;

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

struct IpRules {
    CidrSet allow; // empty: every address not denied is allowed
    CidrSet deny;  // wins over allow

    // Whether a client at `address` may connect. Deny wins; an empty allow list allows everything else. A null
    // address is allowed only when the allow list is empty. *reason (optional) says which rule decided.
    bool decide(const QHostAddress& address, QString* reason = nullptr) const;
};

// Which forwarding header clientAddress() reads.
enum class ForwardedHeader {
    Auto,          // X-Forwarded-For when the request has one, otherwise Forwarded
    XForwardedFor, // only X-Forwarded-For
    Forwarded,     // only Forwarded (RFC 7239)
};

// The address of the client behind trusted reverse proxies.
//
// Rule: the forwarding headers are believed only when the TCP peer is in trustedProxies (when it is not, or
// trustedProxies is empty, the peer is the client). The header's hop list (X-Forwarded-For "a, b, c" or the
// "for=" of each Forwarded element) is walked from the right, i.e. starting with the hop the trusted peer itself
// appended. A trusted address is skipped and the walk continues to its left; the first address that is not
// trusted is the client. The walk stops at an entry that is not an IP address (empty, "unknown", an obfuscated
// Forwarded identifier, a Forwarded element without for=, a syntax error): the client is then the last trusted
// address reached, i.e. the proxy that handed over the unusable entry. When every entry is trusted the leftmost
// one is returned. Entries left of the first untrusted one are never looked at, so a client cannot spoof its
// address by sending its own X-Forwarded-For: the proxy appends the real peer to the right of it.
// Accepted entry forms: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443"
// (Forwarded values may be quoted, as RFC 7239 requires for IPv6). Several header lines of one kind must be
// joined with ", " by the caller, in order. With ForwardedHeader::Auto and a request carrying both headers,
// only X-Forwarded-For is read; configure the header the proxy really sets when it is Forwarded, or a client
// could supply its own X-Forwarded-For that the proxy passes on untouched.
// The result is normalized (see normalizedAddress()).
QHostAddress clientAddress(const QHostAddress& peer, QByteArrayView xForwardedFor, QByteArrayView forwarded,
                           const CidrSet& trustedProxies, ForwardedHeader header = ForwardedHeader::Auto);

} // namespace gemgate
