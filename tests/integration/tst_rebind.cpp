// A reload that moves the listener to another address on the same port must close the old socket first (the two
// cannot listen at once). If the new address cannot be taken, the old one is taken again; when that fails too
// (another program took the port in that moment), the reload says the gateway is no longer listening, and the
// next reload listens again even when it changes nothing.
//
// "Another program" is played by this test binary's own bind(): while armed, the first bind() to the port that
// finds the old address free takes it first with a listening socket of its own, as a racing program would.

#include "gatewayfixture.h"

#include <QTest>

#include <arpa/inet.h>
#include <atomic>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace gemgate;
using namespace gemgate::test;

namespace {
std::atomic<int> g_armedPort{0};
std::atomic<int> g_squatter{-1};

using BindFn = int (*)(int, const sockaddr*, socklen_t);

BindFn realBind() {
    static const auto fn = reinterpret_cast<BindFn>(::dlsym(RTLD_NEXT, "bind"));
    return fn;
}

void takeLoopbackPort(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in loop = {};
    loop.sin_family = AF_INET;
    loop.sin_port = htons(static_cast<quint16>(port));
    loop.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Like any server: a connection of the gateway's in TIME_WAIT on that port must not keep it out.
    const int on = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (realBind()(s, reinterpret_cast<const sockaddr*>(&loop), sizeof loop) == 0 && ::listen(s, 8) == 0)
        g_squatter.store(s);
    else
        ::close(s);
}

void releaseSquatter() {
    g_armedPort.store(0);
    const int s = g_squatter.exchange(-1);
    if (s >= 0)
        ::close(s);
}
} // namespace

// Interposes libc's bind() for the whole test process (Qt's sockets included).
extern "C" int bind(int fd, const sockaddr* addr, socklen_t len) {
    const int port = g_armedPort.load();
    if (port != 0 && g_squatter.load() < 0 && addr->sa_family == AF_INET &&
        ntohs(reinterpret_cast<const sockaddr_in*>(addr)->sin_port) == port)
        takeLoopbackPort(port); // succeeds only once the gateway's own socket on 127.0.0.1 has closed
    return realBind()(fd, addr, len);
}

class TstRebind : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { releaseSquatter(); }
    void fallbackFailureIsReportedAndRecovered_data();
    void fallbackFailureIsReportedAndRecovered();
};

void TstRebind::fallbackFailureIsReportedAndRecovered_data() {
    // The config of the reload after the failed one: the one still in force, or the one that failed, again.
    QTest::addColumn<bool>("retryTheNewAddress");
    QTest::newRow("the running config again") << false;
    QTest::newRow("the new address again") << true;
}

void TstRebind::fallbackFailureIsReportedAndRecovered() {
    QFETCH(bool, retryTheNewAddress);
    QStringList messages; // before the fixture: its controller still reports while it goes
    GatewayFixture f(1);
    QVERIFY(f.start());
    const quint16 port = f.port();
    QCOMPARE(f.request("GET", "/health").status, 200);

    auto moved = std::make_shared<Config>(*f.config);
    moved->server.host = QStringLiteral("0.0.0.0");
    moved->server.port = port;
    connect(&f.controller, &GatewayController::message, this, [&](const QString& m) { messages.append(m); });

    g_armedPort.store(port);
    QString error;
    QVERIFY(!f.controller.reload(moved, &error));
    QVERIFY2(g_squatter.load() >= 0, "the test's squatter never got the port");
    QVERIFY2(error.contains(QStringLiteral("cannot listen on 0.0.0.0:%1").arg(port)), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("no longer listening")), qPrintable(error));
    QVERIFY2(messages.join(u'\n').contains(QLatin1String("no longer listening")), qPrintable(messages.join(u'\n')));
    QCOMPARE(f.controller.listenUrl(), QString());
    QCOMPARE(f.controller.boundPort(), quint16(0));

    // The other program is gone: the next reload listens again.
    releaseSquatter();
    error.clear();
    QVERIFY2(f.controller.reload(retryTheNewAddress ? moved : std::make_shared<Config>(*f.config), &error),
             qPrintable(error));
    QVERIFY(f.port() != 0);
    if (retryTheNewAddress)
        QCOMPARE(f.port(), port);
    QVERIFY2(f.controller.listenUrl().endsWith(QLatin1Char(':') + QString::number(f.port())),
             qPrintable(f.controller.listenUrl()));
    QCOMPARE(f.request("GET", "/health").status, 200);
}

QTEST_GUILESS_MAIN(TstRebind)
#include "tst_rebind.moc"
