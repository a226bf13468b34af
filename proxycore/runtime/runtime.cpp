#include "runtime/runtime.h"

#include "tls/acmestore.h"
#include "tls/selfsigned.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <tuple>

namespace gemgate {

RuntimePtr buildRuntime(ConfigPtr config, QString* error, QStringList* notes) {
    auto rt = std::make_shared<Runtime>();
    rt->config = config;

    const TlsConfig& tls = config->server.tls;
    if (tls.enabled) {
        CertificateBundle bundle;
        QString err;
        // An ACME certificate once there is one, else the configured files, else a self-signed one.
        if (tls.acmeEnabled &&
            !(bundle = acme::loadCertificate(acme::storageDir(tls.acmeStorageDir), tls.acmeDomains, &err)).isNull()) {
            if (notes)
                notes->append(QStringLiteral("serving the ACME certificate for %1 (until %2)")
                                  .arg(tls.acmeDomains.join(QStringLiteral(", ")),
                                       bundle.chain.first().expiryDate().toString(Qt::ISODate)));
        } else if (!tls.certPath.isEmpty()) {
            bundle = loadCertificateFiles(tls.certPath, tls.keyPath, &err);
        } else {
            // No certificate yet (an ACME one is on its way, or none is configured): a self-signed one meanwhile.
            const QString dir = tls.selfSignedDir.isEmpty()
                                    ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                                          QLatin1String("/gemgate/tls")
                                    : tls.selfSignedDir;
            bool generated = false;
            bundle = loadOrCreateSelfSigned(dir, &generated, &err);
            if (!bundle.isNull() && notes) {
                notes->append(generated ? QStringLiteral("generated a self-signed certificate in %1").arg(dir)
                                        : QStringLiteral("using the self-signed certificate in %1").arg(dir));
            }
        }
        if (bundle.isNull()) {
            *error = QStringLiteral("server.tls: %1").arg(err);
            return nullptr;
        }
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        conf.setLocalCertificateChain(bundle.chain);
        conf.setPrivateKey(bundle.key);
        conf.setProtocol(QSsl::TlsV1_2OrLater);
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        conf.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        rt->serverTls = std::make_shared<const QSslConfiguration>(conf);
    }

    QSslConfiguration up = QSslConfiguration::defaultConfiguration();
    up.setProtocol(QSsl::TlsV1_2OrLater);
    if (!config->gemini.caFile.isEmpty()) {
        QFile f(config->gemini.caFile);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("gemini.ca_file: cannot read %1: %2").arg(f.fileName(), f.errorString());
            return nullptr;
        }
        const auto cas = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (cas.isEmpty()) {
            *error = QStringLiteral("gemini.ca_file: no PEM certificate in %1").arg(f.fileName());
            return nullptr;
        }
        up.addCaCertificates(cas);
    }
    rt->upstreamTls = std::make_shared<const QSslConfiguration>(up);

    const AuthConfig& auth = config->auth;
    for (const auto& [list, name, target] :
         {std::tuple{&auth.ipAllow, "auth.ip_allow", &rt->ipRules.allow},
          std::tuple{&auth.ipDeny, "auth.ip_deny", &rt->ipRules.deny},
          std::tuple{&auth.trustedProxies, "auth.trusted_proxies", &rt->trustedProxies}}) {
        QString err;
        const std::optional<CidrSet> set = CidrSet::parse(*list, &err);
        if (!set) {
            *error = QStringLiteral("%1: %2").arg(QLatin1String(name), err);
            return nullptr;
        }
        *target = *set;
    }
    rt->forwardedHeader = auth.forwardedHeader == u"x-forwarded-for" ? ForwardedHeader::XForwardedFor
                          : auth.forwardedHeader == u"forwarded"     ? ForwardedHeader::Forwarded
                                                                     : ForwardedHeader::Auto;
    if (auth.jwt.configured(auth.jwtSecret)) {
        JwtConfig jc;
        if (auth.jwtSecret.toUtf8().size() >= 32) // shorter: warned about by the config, HS256 stays off
            jc.hsSecret = auth.jwtSecret;
        jc.publicKeyPems = auth.jwt.publicKeys;
        jc.jwksPath = auth.jwt.jwksFile;
        jc.issuer = auth.jwt.issuer;
        jc.audiences = auth.jwt.audiences;
        jc.leewaySeconds = auth.jwt.leewaySeconds;
        jc.identityClaim = auth.jwt.identityClaim;
        if (!jc.hsSecret.isEmpty() || !jc.publicKeyPems.isEmpty() || !jc.jwksPath.isEmpty()) {
            QString err;
            std::unique_ptr<JwtVerifier> v = JwtVerifier::create(jc, &err);
            if (!v) {
                *error = QStringLiteral("auth.jwt: %1").arg(err);
                return nullptr;
            }
            rt->jwt = std::move(v);
        }
    }

    for (qsizetype i = 0; i < config->auth.clientKeys.size(); ++i) {
        const ClientKey& k = config->auth.clientKeys[i];
        ConfigClient c;
        c.id = k.id;
        c.nameSpace = k.nameSpace;
        c.limits = k.limits;
        c.models = k.models;
        for (const auto& [list, name, target] : {std::tuple{&k.ipAllow, "ip_allow", &c.ipRules.allow},
                                                 std::tuple{&k.ipDeny, "ip_deny", &c.ipRules.deny}}) {
            QString err;
            const std::optional<CidrSet> set = CidrSet::parse(*list, &err);
            if (!set) {
                *error = QStringLiteral("auth.client_keys[%1].%2: %3").arg(i).arg(QLatin1String(name), err);
                return nullptr;
            }
            *target = *set;
        }
        rt->clientKeys.insert(QCryptographicHash::hash(k.key.toUtf8(), QCryptographicHash::Sha256), c);
    }

    rt->clientDefault = config->limits.clientDefault;
    if (rt->clientDefault.requestsPerMinute < 0)
        rt->clientDefault.requestsPerMinute = config->auth.rateLimitPerMinute;

    const QUrl& base = config->gemini.baseUrl;
    QUrl origin;
    origin.setScheme(base.scheme());
    origin.setHost(base.host());
    origin.setPort(base.port(base.scheme() == QLatin1String("https") ? 443 : 80));
    rt->upstreamOrigin = origin;
    QByteArray prefix = base.path(QUrl::FullyEncoded).toUtf8();
    while (prefix.endsWith('/'))
        prefix.chop(1);
    rt->upstreamPathPrefix = prefix;
    rt->headerPolicy = HeaderPolicy(config->headers);
    return rt;
}

} // namespace gemgate
