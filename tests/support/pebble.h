#pragma once

// Debian's pebble ACME test server and pebble-challtestsrv (its DNS), started on loopback on free ports for one
// test: pebble's own HTTPS uses a throwaway certificate made here (what GemGate's ca_file trusts); every name
// resolves to 127.0.0.1 through challtestsrv; http-01 and tls-alpn-01 checks go to the ports the test gives.
// Issued certificates chain to pebble's root, new at every start (root()).

#include "tls/selfsigned.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace gemgate::test {

class Pebble {
public:
    ~Pebble() { stop(); }

    static quint16 freePort() {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

    static bool available() { return !QStandardPaths::findExecutable(QStringLiteral("pebble")).isEmpty(); }

    // httpPort / tlsPort: where pebble checks http-01 / tls-alpn-01 answers. nonceRejectPercent: how many valid
    // nonces pebble refuses (its default is 5). Returns false (and why in *error) when something did not start.
    // validitySeconds: the lifetime of issued certificates (0: pebble's default, five years).
    bool start(quint16 httpPort, quint16 tlsPort, QString* error, int nonceRejectPercent = 5,
               qint64 validitySeconds = 0) {
        QString e;
        const CertificateBundle own = generateSelfSigned(QStringLiteral("pebble test"), 30, &e);
        if (own.isNull()) {
            *error = e;
            return false;
        }
        m_ca = own.chain.first();
        writeFile(QStringLiteral("cert.pem"), m_ca.toPem());
        writeFile(QStringLiteral("key.pem"), own.key.toPem());
        m_port = freePort();
        m_managementPort = freePort();
        m_dnsPort = freePort();
        const QByteArray config =
            QStringLiteral(R"({"pebble": {"listenAddress": "127.0.0.1:%1",
            "managementListenAddress": "127.0.0.1:%2", "certificate": "%3", "privateKey": "%4", "httpPort": %5,
            "tlsPort": %6, "ocspResponderURL": "", "externalAccountBindingRequired": false%7}})")
                .arg(m_port)
                .arg(m_managementPort)
                .arg(m_dir.filePath(QStringLiteral("cert.pem")), m_dir.filePath(QStringLiteral("key.pem")))
                .arg(httpPort)
                .arg(tlsPort)
                .arg(validitySeconds > 0 ? QStringLiteral(", \"certificateValidityPeriod\": %1").arg(validitySeconds)
                                         : QString())
                .toUtf8();
        writeFile(QStringLiteral("pebble-config.json"), config);

        m_dns.setProcessChannelMode(QProcess::MergedChannels);
        m_dns.start(QStringLiteral("pebble-challtestsrv"),
                    {QStringLiteral("-defaultIPv4"), QStringLiteral("127.0.0.1"), QStringLiteral("-defaultIPv6"),
                     QString(), QStringLiteral("-dns01"), QStringLiteral("127.0.0.1:%1").arg(m_dnsPort),
                     QStringLiteral("-http01"), QString(), QStringLiteral("-https01"), QString(),
                     QStringLiteral("-tlsalpn01"), QString(), QStringLiteral("-management"),
                     QStringLiteral("127.0.0.1:%1").arg(freePort())});
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PEBBLE_VA_NOSLEEP"), QStringLiteral("1"));
        env.insert(QStringLiteral("PEBBLE_WFE_NONCEREJECT"), QString::number(nonceRejectPercent));
        m_pebble.setProcessEnvironment(env);
        m_pebble.setProcessChannelMode(QProcess::MergedChannels);
        m_pebble.start(QStringLiteral("pebble"),
                       {QStringLiteral("-config"), m_dir.filePath(QStringLiteral("pebble-config.json")),
                        QStringLiteral("-dnsserver"), QStringLiteral("127.0.0.1:%1").arg(m_dnsPort)});
        if (!m_dns.waitForStarted(5000) || !m_pebble.waitForStarted(5000)) {
            *error = QStringLiteral("pebble did not start: %1 %2").arg(m_dns.errorString(), m_pebble.errorString());
            return false;
        }
        for (int i = 0; i < 100; ++i) { // about a second in practice
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(100)) {
                const QByteArray root = fetch(QStringLiteral("https://127.0.0.1:%1/roots/0").arg(m_managementPort));
                m_root = QSslCertificate(root, QSsl::Pem);
                if (!m_root.isNull())
                    return true;
            }
            QTest::qWait(50);
        }
        *error = QStringLiteral("pebble did not answer: %1").arg(QString::fromUtf8(m_pebble.readAll()));
        return false;
    }

    void stop() {
        for (QProcess* p : {&m_pebble, &m_dns}) {
            if (p->state() != QProcess::NotRunning) {
                p->terminate();
                if (!p->waitForFinished(3000))
                    p->kill();
                p->waitForFinished(3000);
            }
        }
    }

    QUrl directory() const { return QUrl(QStringLiteral("https://127.0.0.1:%1/dir").arg(m_port)); }
    QSslCertificate ca() const { return m_ca; } // pebble's own HTTPS (trust it to talk to pebble)
    QString caPath() const { return m_dir.filePath(QStringLiteral("cert.pem")); }
    QSslCertificate root() const { return m_root; } // what issued certificates chain to
    QString output() { return QString::fromUtf8(m_pebble.readAll()); }

private:
    void writeFile(const QString& name, const QByteArray& data) {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly | QIODevice::Truncate);
        f.write(data);
    }

    QByteArray fetch(const QString& url) {
        QNetworkAccessManager nam;
        QNetworkRequest req{QUrl(url)};
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificate(m_ca);
        req.setSslConfiguration(ssl);
        QNetworkReply* reply = nam.get(req);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        return reply->readAll();
    }

    QTemporaryDir m_dir;
    QProcess m_pebble;
    QProcess m_dns;
    QSslCertificate m_ca;
    QSslCertificate m_root;
    quint16 m_port = 0;
    quint16 m_managementPort = 0;
    quint16 m_dnsPort = 0;
};

} // namespace gemgate::test
