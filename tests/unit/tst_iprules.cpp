// CidrSet / IpRules / clientAddress: IPv4 and IPv6 prefixes, IPv4-mapped addresses both ways, invalid entries,
// deny over allow, and the client address behind trusted proxies (X-Forwarded-For and RFC 7239 Forwarded).

#include "auth/iprules.h"

#include <QTest>

using namespace gemgate;

namespace {

QHostAddress addr(const char* text) {
    return QHostAddress(QString::fromLatin1(text));
}

CidrSet set(const QStringList& entries) {
    QString error;
    auto parsed = CidrSet::parse(entries, &error);
    if (!parsed)
        qFatal("CidrSet::parse failed: %s", qPrintable(error));
    return *parsed;
}

QString client(const char* peer, QByteArrayView xff, QByteArrayView forwarded, const CidrSet& trusted,
               ForwardedHeader header = ForwardedHeader::Auto) {
    return clientAddress(addr(peer), xff, forwarded, trusted, header).toString();
}

} // namespace

class TestIpRules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ipv4() {
        const CidrSet s = set({QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.1.7")});
        QVERIFY(s.contains(addr("10.0.0.0")));
        QVERIFY(s.contains(addr("10.255.255.255")));
        QVERIFY(s.contains(addr("192.168.1.7")));
        QVERIFY(!s.contains(addr("192.168.1.8")));
        QVERIFY(!s.contains(addr("11.0.0.1")));
        QVERIFY(!s.contains(addr("9.255.255.255")));
        QVERIFY(!s.contains(QHostAddress()));
        QCOMPARE(s.entries(), (QStringList{QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.1.7/32")}));
        QCOMPARE(s.indexOf(addr("192.168.1.7")), 1);
    }

    void ipv6() {
        const CidrSet s = set({QStringLiteral("fd00::/8"), QStringLiteral("::1"), QStringLiteral("2001:DB8::/32")});
        QVERIFY(s.contains(addr("fd12:3456::1")));
        QVERIFY(s.contains(addr("::1")));
        QVERIFY(s.contains(addr("2001:db8:ffff::42")));
        QVERIFY(!s.contains(addr("fe80::1")));
        QVERIFY(!s.contains(addr("::2")));
        QVERIFY(!s.contains(addr("2001:db9::1")));
        QVERIFY(!s.contains(addr("127.0.0.1")));
        QCOMPARE(s.entries(),
                 (QStringList{QStringLiteral("fd00::/8"), QStringLiteral("::1/128"), QStringLiteral("2001:db8::/32")}));
        // An address with a zone is matched without it.
        QVERIFY(set({QStringLiteral("fe80::/10")}).contains(addr("fe80::1%lo")));
    }

    void mappedBothWays() {
        // IPv4 rules match IPv4-mapped IPv6 addresses (dual-stack sockets report IPv4 clients that way).
        const CidrSet v4 = set({QStringLiteral("10.0.0.0/8")});
        QVERIFY(v4.contains(addr("::ffff:10.1.2.3")));
        QVERIFY(!v4.contains(addr("::ffff:11.1.2.3")));
        // Mapped rules are IPv4 rules.
        const CidrSet mapped = set({QStringLiteral("::ffff:10.0.0.0/104"), QStringLiteral("::ffff:192.168.1.7")});
        QCOMPARE(mapped.entries(), (QStringList{QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.1.7/32")}));
        QVERIFY(mapped.contains(addr("10.1.2.3")));
        QVERIFY(mapped.contains(addr("::ffff:10.1.2.3")));
        QVERIFY(mapped.contains(addr("192.168.1.7")));
        QVERIFY(!mapped.contains(addr("11.0.0.1")));
        // A mapped prefix shorter than /96 stays an IPv6 rule (only genuine IPv6 addresses match it).
        QCOMPARE(set({QStringLiteral("::ffff:0:0/96")}).entries(), QStringList{QStringLiteral("0.0.0.0/0")});
        QCOMPARE(set({QStringLiteral("::/80")}).entries(), QStringList{QStringLiteral("::/80")});
        QVERIFY(!set({QStringLiteral("::/80")}).contains(addr("10.0.0.1")));
        // The IPv4-compatible form (::a.b.c.d, deprecated) is not a mapped address.
        QVERIFY(!v4.contains(addr("::10.1.2.3")));
        QCOMPARE(normalizedAddress(addr("::ffff:10.1.2.3")), addr("10.1.2.3"));
        QCOMPARE(normalizedAddress(addr("2001:db8::1")), addr("2001:db8::1"));
    }

    void prefixLengths() {
        const CidrSet all4 = set({QStringLiteral("0.0.0.0/0")});
        QVERIFY(all4.contains(addr("1.2.3.4")));
        QVERIFY(all4.contains(addr("255.255.255.255")));
        QVERIFY(all4.contains(addr("::ffff:1.2.3.4")));
        QVERIFY(!all4.contains(addr("2001:db8::1")));
        const CidrSet all6 = set({QStringLiteral("::/0")});
        QVERIFY(all6.contains(addr("2001:db8::1")));
        QVERIFY(all6.contains(addr("::1")));
        QVERIFY(!all6.contains(addr("1.2.3.4")));
        QVERIFY(!all6.contains(addr("::ffff:1.2.3.4")));
        const CidrSet host4 = set({QStringLiteral("192.0.2.1/32")});
        QVERIFY(host4.contains(addr("192.0.2.1")));
        QVERIFY(!host4.contains(addr("192.0.2.0")));
        QVERIFY(!host4.contains(addr("192.0.2.2")));
        const CidrSet host6 = set({QStringLiteral("2001:db8::1/128")});
        QVERIFY(host6.contains(addr("2001:db8::1")));
        QVERIFY(!host6.contains(addr("2001:db8::2")));
        QVERIFY(!host6.contains(addr("2001:db8::")));
        const CidrSet odd =
            set({QStringLiteral("192.168.1.7/24"), QStringLiteral("172.16.0.0/12"), QStringLiteral("2001:db8::1/33")});
        QCOMPARE(odd.entries(), (QStringList{QStringLiteral("192.168.1.0/24"), QStringLiteral("172.16.0.0/12"),
                                             QStringLiteral("2001:db8::/33")}));
        QVERIFY(odd.contains(addr("172.31.255.255")));
        QVERIFY(!odd.contains(addr("172.32.0.0")));
        QVERIFY(odd.contains(addr("2001:db8:7fff::1")));
        QVERIFY(!odd.contains(addr("2001:db8:8000::1")));
        // Whitespace around an entry is fine.
        QCOMPARE(set({QStringLiteral("  10.0.0.0/8 \t")}).entries(), QStringList{QStringLiteral("10.0.0.0/8")});
    }

    void invalidEntries_data() {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QString() << QStringLiteral("empty entry");
        QTest::newRow("blank") << QStringLiteral("   ") << QStringLiteral("empty entry");
        QTest::newRow("v4 /33") << QStringLiteral("10.0.0.0/33") << QStringLiteral("from 0 to 32 for an IPv4 address");
        QTest::newRow("v6 /129") << QStringLiteral("fd00::/129") << QStringLiteral("from 0 to 128 for an IPv6 address");
        QTest::newRow("negative") << QStringLiteral("10.0.0.0/-1") << QStringLiteral("prefix length");
        QTest::newRow("leading zero prefix") << QStringLiteral("10.0.0.0/08") << QStringLiteral("prefix length");
        QTest::newRow("netmask") << QStringLiteral("10.0.0.0/255.0.0.0") << QStringLiteral("prefix length");
        QTest::newRow("no prefix") << QStringLiteral("10.0.0.0/") << QStringLiteral("prefix length");
        QTest::newRow("no address") << QStringLiteral("/8") << QStringLiteral("the part before \"/\"");
        QTest::newRow("two slashes") << QStringLiteral("10.0.0.0/8/9") << QStringLiteral("prefix length");
        QTest::newRow("short v4") << QStringLiteral("10.1")
                                  << QStringLiteral("\"10.1\" is not an IPv4 or IPv6 address");
        QTest::newRow("short v4 prefix") << QStringLiteral("10/8") << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("octal") << QStringLiteral("010.0.0.1") << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("octet > 255") << QStringLiteral("10.0.0.256")
                                     << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("five octets") << QStringLiteral("1.2.3.4.5") << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("hostname") << QStringLiteral("gateway.example")
                                  << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("bad v6") << QStringLiteral("fd00:::1") << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("v6 zone") << QStringLiteral("fe80::1%eth0") << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("space inside") << QStringLiteral("10.0.0.0 /8")
                                      << QStringLiteral("is not an IPv4 or IPv6 address");
        QTest::newRow("bracketed") << QStringLiteral("[::1]") << QStringLiteral("is not an IPv4 or IPv6 address");
    }

    void invalidEntries() {
        QFETCH(QString, entry);
        QFETCH(QString, message);
        CidrSet s;
        QString error;
        QVERIFY(!s.add(entry, &error));
        QVERIFY(s.isEmpty());
        QVERIFY2(error.startsWith(QStringLiteral("invalid IP rule \"%1\"").arg(entry)), qPrintable(error));
        QVERIFY2(error.contains(message), qPrintable(error));
        // parse() names the bad entry among good ones.
        QVERIFY(!CidrSet::parse({QStringLiteral("10.0.0.0/8"), entry, QStringLiteral("::1")}, &error));
        QVERIFY2(error.contains(QLatin1Char('"') + entry + QLatin1Char('"')), qPrintable(error));
    }

    void denyWinsOverAllow() {
        IpRules rules;
        QVERIFY(rules.decide(addr("203.0.113.9"))); // no rules: everything allowed
        rules.deny = set({QStringLiteral("10.66.0.0/16"), QStringLiteral("2001:db8:bad::/48")});
        QVERIFY(rules.decide(addr("203.0.113.9"))); // empty allow list: all not denied
        QString reason;
        QVERIFY(!rules.decide(addr("10.66.1.1"), &reason));
        QCOMPARE(reason, QStringLiteral("denied by 10.66.0.0/16"));
        rules.allow = set({QStringLiteral("10.0.0.0/8"), QStringLiteral("2001:db8::/32")});
        QVERIFY(rules.decide(addr("10.1.1.1"), &reason));
        QCOMPARE(reason, QStringLiteral("allowed by 10.0.0.0/8"));
        QVERIFY(!rules.decide(addr("10.66.1.1"))); // in allow and deny: deny wins
        QVERIFY(!rules.decide(addr("::ffff:10.66.1.1")));
        QVERIFY(rules.decide(addr("::ffff:10.1.1.1")));
        QVERIFY(!rules.decide(addr("2001:db8:bad::1")));
        QVERIFY(rules.decide(addr("2001:db8:900d::1")));
        QVERIFY(!rules.decide(addr("192.0.2.1"), &reason));
        QCOMPARE(reason, QStringLiteral("not in the allow list"));
        QVERIFY(!rules.decide(QHostAddress())); // null address with an allow list
        IpRules denyOnly;
        denyOnly.deny = set({QStringLiteral("0.0.0.0/0")});
        QVERIFY(!denyOnly.decide(addr("8.8.8.8")));
        QVERIFY(denyOnly.decide(addr("2001:db8::1"))); // 0.0.0.0/0 is IPv4 only
    }

    void xffWithoutTrustedProxies() {
        const CidrSet none;
        QCOMPARE(client("203.0.113.5", "1.2.3.4", {}, none), QStringLiteral("203.0.113.5"));
        QCOMPARE(client("10.0.0.2", "1.2.3.4", "for=1.2.3.4", none), QStringLiteral("10.0.0.2"));
        // A peer outside the trusted ranges is the client, whatever it sends.
        const CidrSet trusted = set({QStringLiteral("10.0.0.0/8")});
        QCOMPARE(client("203.0.113.5", "1.2.3.4", "for=1.2.3.4", trusted), QStringLiteral("203.0.113.5"));
        QCOMPARE(client("::ffff:203.0.113.5", "1.2.3.4", {}, trusted), QStringLiteral("203.0.113.5"));
    }

    void xffTrustedHops() {
        const CidrSet trusted =
            set({QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.0.0/16"), QStringLiteral("fd00::/8")});
        // One trusted hop.
        QCOMPARE(client("10.0.0.2", "203.0.113.7", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("::ffff:10.0.0.2", "203.0.113.7", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("fd00::2", "2001:db8::7", {}, trusted), QStringLiteral("2001:db8::7"));
        // Two trusted hops (CDN edge 192.168.1.1 -> load balancer 10.0.0.2 -> us).
        QCOMPARE(client("10.0.0.2", "203.0.113.7, 192.168.1.1", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("10.0.0.2", "203.0.113.7,192.168.1.1,10.0.0.9", {}, trusted), QStringLiteral("203.0.113.7"));
        // Spoofed leftmost entries are never reached.
        QCOMPARE(client("10.0.0.2", "1.1.1.1, 8.8.8.8, 203.0.113.7", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("10.0.0.2", "1.1.1.1, 203.0.113.7, 192.168.1.1", {}, trusted), QStringLiteral("203.0.113.7"));
        // All hops trusted: the leftmost.
        QCOMPARE(client("10.0.0.2", "192.168.5.5, 10.0.0.3", {}, trusted), QStringLiteral("192.168.5.5"));
        // Ports and brackets.
        QCOMPARE(client("10.0.0.2", "203.0.113.7:51234", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("10.0.0.2", "[2001:db8::1]:443", {}, trusted), QStringLiteral("2001:db8::1"));
        QCOMPARE(client("10.0.0.2", "[2001:db8::1]", {}, trusted), QStringLiteral("2001:db8::1"));
        QCOMPARE(client("10.0.0.2", " \t2001:db8::1 ", {}, trusted), QStringLiteral("2001:db8::1"));
        QCOMPARE(client("10.0.0.2", "::ffff:203.0.113.7", {}, trusted), QStringLiteral("203.0.113.7"));
        // No or empty header: the peer.
        QCOMPARE(client("10.0.0.2", {}, {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "  ", {}, trusted), QStringLiteral("10.0.0.2"));
    }

    void xffMalformed() {
        const CidrSet trusted = set({QStringLiteral("10.0.0.0/8")});
        // The walk stops at the first unusable entry: the last trusted address reached is the client.
        QCOMPARE(client("10.0.0.2", "203.0.113.7, garbage", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "203.0.113.7, unknown, 10.0.0.3", {}, trusted), QStringLiteral("10.0.0.3"));
        QCOMPARE(client("10.0.0.2", "203.0.113.7,,10.0.0.3", {}, trusted), QStringLiteral("10.0.0.3"));
        QCOMPARE(client("10.0.0.2", "203.0.113.7, ", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "10.1", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "203.0.113.7:99999999", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "[2001:db8::1", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "\x01\x02\xff", {}, trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "fe80::1%eth0, 10.0.0.3", {}, trusted), QStringLiteral("fe80::1"));
        // Garbage left of the real client does not matter.
        QCOMPARE(client("10.0.0.2", "<script>, 203.0.113.7", {}, trusted), QStringLiteral("203.0.113.7"));
        QCOMPARE(client("10.0.0.2", QByteArray(QByteArray(100000, ',') + "203.0.113.7"), {}, trusted),
                 QStringLiteral("203.0.113.7"));
    }

    void forwarded() {
        const CidrSet trusted = set({QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.0.0/16")});
        QCOMPARE(client("10.0.0.2", {}, "for=\"[2001:db8::1]:443\"", trusted), QStringLiteral("2001:db8::1"));
        QCOMPARE(client("10.0.0.2", {}, "for=\"[2001:db8:cafe::17]\"", trusted), QStringLiteral("2001:db8:cafe::17"));
        QCOMPARE(client("10.0.0.2", {}, "for=192.0.2.60;proto=http;by=203.0.113.43", trusted),
                 QStringLiteral("192.0.2.60"));
        QCOMPARE(client("10.0.0.2", {}, "For=\"192.0.2.43:47011\"", trusted), QStringLiteral("192.0.2.43"));
        QCOMPARE(client("10.0.0.2", {}, "proto=https; for=192.0.2.43 ; host=\"a.example\"", trusted),
                 QStringLiteral("192.0.2.43"));
        // Several elements: walked from the right, trusted ones skipped, spoofed left ones ignored.
        QCOMPARE(client("10.0.0.2", {}, "for=198.51.100.1, for=192.0.2.43, for=\"192.168.1.1\"", trusted),
                 QStringLiteral("192.0.2.43"));
        QCOMPARE(client("10.0.0.2", {}, "for=192.168.1.1, for=10.0.0.7", trusted), QStringLiteral("192.168.1.1"));
        // Obfuscated or unknown nodes, an element without for=, bad syntax: the last trusted address.
        QCOMPARE(client("10.0.0.2", {}, "for=unknown", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "for=192.0.2.43, for=_hidden, for=192.168.1.1", trusted),
                 QStringLiteral("192.168.1.1"));
        QCOMPARE(client("10.0.0.2", {}, "proto=https;by=10.0.0.2", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "for=192.0.2.43;for=192.0.2.44", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "for=\"[2001:db8::1", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "for=[2001:db8::1]", trusted), QStringLiteral("10.0.0.2")); // must be quoted
        QCOMPARE(client("10.0.0.2", {}, "for=\"\\\"192.0.2.43\"", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "for=192.0.2.43 garbage", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, ";;;", trusted), QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", {}, "=", trusted), QStringLiteral("10.0.0.2"));
        // What a client put left of the proxy's element cannot hide it, not even an unbalanced quote.
        QCOMPARE(client("10.0.0.2", {}, "garbage, for=198.51.100.17", trusted), QStringLiteral("198.51.100.17"));
        QCOMPARE(client("10.0.0.2", {}, "for=\"1.2.3.4, for=198.51.100.17", trusted), QStringLiteral("198.51.100.17"));
        QCOMPARE(client("10.0.0.2", {}, "for=\"a,b\", for=198.51.100.17", trusted), QStringLiteral("198.51.100.17"));
        QCOMPARE(client("10.0.0.2", {}, "x=\"\\\"\", for=198.51.100.17", trusted), QStringLiteral("198.51.100.17"));
    }

    void headerChoice() {
        const CidrSet trusted = set({QStringLiteral("10.0.0.0/8")});
        // Auto: X-Forwarded-For when present, otherwise Forwarded.
        QCOMPARE(client("10.0.0.2", "203.0.113.1", "for=203.0.113.2", trusted), QStringLiteral("203.0.113.1"));
        QCOMPARE(client("10.0.0.2", {}, "for=203.0.113.2", trusted), QStringLiteral("203.0.113.2"));
        // Explicit choice: the other header is ignored even when it is present.
        QCOMPARE(client("10.0.0.2", "203.0.113.1", "for=203.0.113.2", trusted, ForwardedHeader::Forwarded),
                 QStringLiteral("203.0.113.2"));
        QCOMPARE(client("10.0.0.2", "203.0.113.1", "for=203.0.113.2", trusted, ForwardedHeader::XForwardedFor),
                 QStringLiteral("203.0.113.1"));
        QCOMPARE(client("10.0.0.2", {}, "for=203.0.113.2", trusted, ForwardedHeader::XForwardedFor),
                 QStringLiteral("10.0.0.2"));
        QCOMPARE(client("10.0.0.2", "203.0.113.1", {}, trusted, ForwardedHeader::Forwarded),
                 QStringLiteral("10.0.0.2"));
    }
};

QTEST_GUILESS_MAIN(TestIpRules)
#include "tst_iprules.moc"
