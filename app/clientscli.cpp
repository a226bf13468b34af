// `gemgate clients ...`: manage the client keys GemGate issues, against the state database of the config in use
// (a running gateway picks the change up within two seconds).

#include "clientscli.h"

#include "clients/clientstore.h"
#include "config/configloader.h"
#include "control/keymanager.h"
#include "storage/statedb.h"

#include <QDateTime>
#include <QTimeZone>

#include <cstdio>

namespace gemgate {

namespace {

void out(const QString& s) {
    std::printf("%s\n", qPrintable(s));
}

void err(const QString& s) {
    std::fprintf(stderr, "gemgate clients: %s\n", qPrintable(s));
}

QString clientsUsage() {
    return QStringLiteral(
        "Usage: gemgate [--config FILE] clients <command>\n"
        "  add NAME [--owner TEXT] [--namespace NS] [--expires-days N] [--models m1,m2] [POLICY]\n"
        "                 issue a client key (printed once; only its hash is stored)\n"
        "  list           every client: id, name, namespace, key prefix, state, expiry, limits\n"
        "  set ID|NAME POLICY\n"
        "                 change a client's own limits and IP rules (a limit given as -1 is unset again)\n"
        "  disable ID|NAME, enable ID|NAME\n"
        "  rotate ID|NAME issue a new key for the client (the old one stops working)\n"
        "  remove ID|NAME\n"
        "POLICY options (0 = unlimited; unset ones come from limits.clients / limits.client_default):\n"
        "  --requests-per-minute N  --concurrent-requests N  --tokens-per-minute N\n"
        "  --tokens-per-day N  --tokens-per-month N  --requests-per-day N  --requests-per-month N\n"
        "  --max-input-tokens N  --max-output-tokens N  --ip-allow CIDR,...  --ip-deny CIDR,...\n");
}

// "--tokens-per-day" -> &LimitSet::tokensPerDay
qint64 LimitSet::*limitOption(const QString& option) {
    for (const auto& [name, member] : kLimitSetFields) {
        if (option == QLatin1String("--") + QString::fromLatin1(name).replace(u'_', u'-'))
            return member;
    }
    return nullptr;
}

// Reads one POLICY option at rest[i] (advancing i past its value). False when rest[i] is not one; *error when its
// value is bad.
bool readPolicyOption(const QStringList& rest, qsizetype& i, LimitSet* limits, QStringList* ipAllow,
                      QStringList* ipDeny, bool* ipChanged, QString* error) {
    const QString& a = rest[i];
    qint64 LimitSet::*member = limitOption(a);
    const bool ip = a == QLatin1String("--ip-allow") || a == QLatin1String("--ip-deny");
    if (!member && !ip)
        return false;
    if (i + 1 >= rest.size()) {
        *error = QStringLiteral("%1 needs a value").arg(a);
        return true;
    }
    const QString text = rest[++i];
    if (ip) {
        const QStringList cidrs = text.split(u',', Qt::SkipEmptyParts);
        const QString bad = ClientStore::checkCidrs(cidrs);
        if (!bad.isEmpty()) {
            *error =
                QStringLiteral("%1 expects IPv4/IPv6 addresses or CIDR ranges separated by commas: %2").arg(a, bad);
            return true;
        }
        *(a == QLatin1String("--ip-allow") ? ipAllow : ipDeny) = cidrs;
        *ipChanged = true;
        return true;
    }
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    if (!ok || n < -1 || n > 1'000'000'000'000LL) {
        *error = QStringLiteral("%1 expects a whole number from 0 (unlimited) up to 10^12, or -1 to unset it, got "
                                "\"%2\"")
                     .arg(a, text);
        return true;
    }
    limits->*member = n;
    return true;
}

QString describeLimits(const LimitSet& l) {
    QStringList parts;
    for (const auto& [name, member] : kLimitSetFields) {
        if (l.*member >= 0)
            parts.append(QStringLiteral("%1=%2").arg(QLatin1String(name)).arg(l.*member));
    }
    return parts.join(u' ');
}

QString when(qint64 ms) {
    return ms <= 0 ? QStringLiteral("never")
                   : QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

void printIssued(const QString& verb, const IssuedClient& c) {
    out(QStringLiteral("client \"%1\" %2 (id %3, namespace %4, expires %5)")
            .arg(c.record.name, verb, c.record.id, c.record.nameSpace, when(c.record.expiresAtMs)));
    out(QStringLiteral("key (shown only now; store it safely): %1").arg(QString::fromLatin1(c.key)));
}

} // namespace

int runClientsCommand(const QString& configPath, const QStringList& args) {
    if (args.isEmpty() || args[0] == QLatin1String("help") || args[0] == QLatin1String("--help")) {
        std::printf("%s", qPrintable(clientsUsage()));
        return args.isEmpty() ? 2 : 0;
    }
    const ConfigLoadResult loaded = loadConfigFile(configPath);
    if (!loaded.ok()) {
        err(QStringLiteral("invalid config %1:\n%2").arg(configPath, loaded.errorText()));
        return 1;
    }
    const QString dbPath = KeyManager::databasePathFor(*loaded.config);
    QString error;
    std::unique_ptr<StateDb> db = StateDb::open(dbPath, &error);
    if (!db) {
        err(error);
        return 1;
    }
    ClientStore store(db.get());
    const QString verb = args[0];
    const QStringList rest = args.mid(1);

    if (verb == QLatin1String("list")) {
        const QList<ClientRecord> all = store.list();
        if (all.isEmpty()) {
            out(QStringLiteral("no clients issued yet (gemgate clients add NAME)"));
            return 0;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const ClientRecord& c : all) {
            const QString state = !c.enabled       ? QStringLiteral("disabled")
                                  : c.expired(now) ? QStringLiteral("expired")
                                                   : QStringLiteral("enabled");
            const QString limits = describeLimits(c.limits);
            out(QStringLiteral("%1  %2  namespace=%3  key=%4...  %5  expires=%6%7%8%9")
                    .arg(c.id, c.name, c.nameSpace, c.keyPrefix, state, when(c.expiresAtMs),
                         c.owner.isEmpty() ? QString() : QStringLiteral("  owner=") + c.owner,
                         c.models.isEmpty() ? QString() : QStringLiteral("  models=") + c.models.join(u','),
                         (limits.isEmpty() ? QString() : QStringLiteral("  ") + limits) +
                             (c.ipAllow.isEmpty() ? QString() : QStringLiteral("  ip_allow=") + c.ipAllow.join(u',')) +
                             (c.ipDeny.isEmpty() ? QString() : QStringLiteral("  ip_deny=") + c.ipDeny.join(u','))));
        }
        return 0;
    }
    if (verb == QLatin1String("add")) {
        NewClient c;
        for (qsizetype i = 0; i < rest.size(); ++i) {
            const QString& a = rest[i];
            auto value = [&](QString* target) {
                if (i + 1 >= rest.size()) {
                    error = QStringLiteral("%1 needs a value").arg(a);
                    return;
                }
                *target = rest[++i];
            };
            QString text;
            bool ipChanged = false;
            if (readPolicyOption(rest, i, &c.limits, &c.ipAllow, &c.ipDeny, &ipChanged, &error)) {
                continue;
            } else if (a == QLatin1String("--owner")) {
                value(&c.owner);
            } else if (a == QLatin1String("--namespace")) {
                value(&c.nameSpace);
            } else if (a == QLatin1String("--models")) {
                value(&text);
                c.models = text.split(u',', Qt::SkipEmptyParts);
            } else if (a == QLatin1String("--expires-days")) {
                value(&text);
                bool ok = false;
                const int days = text.toInt(&ok);
                if (!ok || days < 1 || days > 36500)
                    error = QStringLiteral("--expires-days expects a number of days between 1 and 36500, got \"%1\"")
                                .arg(text);
                else
                    c.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + qint64(days) * 24 * 3600 * 1000;
            } else if (a.startsWith(QLatin1Char('-'))) {
                error = QStringLiteral("unknown option %1").arg(a);
            } else if (c.name.isEmpty()) {
                c.name = a;
            } else {
                error = QStringLiteral("unexpected argument %1").arg(a);
            }
        }
        if (error.isEmpty() && c.name.isEmpty())
            error = QStringLiteral("add needs a client name");
        if (!error.isEmpty()) {
            err(error);
            return 2;
        }
        const std::optional<IssuedClient> issued = store.add(c, &error);
        if (!issued) {
            err(error);
            return 1;
        }
        printIssued(QStringLiteral("added"), *issued);
        return 0;
    }
    if (verb == QLatin1String("set")) {
        if (rest.isEmpty() || rest[0].startsWith(QLatin1Char('-'))) {
            err(QStringLiteral("set needs a client id or name first\n%1").arg(clientsUsage()));
            return 2;
        }
        const std::optional<ClientRecord> c = store.find(rest[0]);
        if (!c) {
            err(QStringLiteral("no client \"%1\"").arg(rest[0]));
            return 1;
        }
        LimitSet limits = c->limits;
        QStringList allow = c->ipAllow;
        QStringList deny = c->ipDeny;
        bool ipChanged = false;
        for (qsizetype i = 1; i < rest.size() && error.isEmpty(); ++i) {
            if (!readPolicyOption(rest, i, &limits, &allow, &deny, &ipChanged, &error))
                error = QStringLiteral("unknown option %1 (set takes only POLICY options)").arg(rest[i]);
        }
        if (error.isEmpty() && rest.size() == 1)
            error = QStringLiteral("set needs at least one POLICY option");
        if (!error.isEmpty()) {
            err(error);
            return 2;
        }
        if (!store.setPolicy(c->id, limits, allow, deny, &error)) {
            err(error);
            return 1;
        }
        const QString text = describeLimits(limits);
        out(QStringLiteral("client \"%1\": %2%3%4")
                .arg(c->name, text.isEmpty() ? QStringLiteral("no limits of its own") : text,
                     allow.isEmpty() ? QString() : QStringLiteral(" ip_allow=") + allow.join(u','),
                     deny.isEmpty() ? QString() : QStringLiteral(" ip_deny=") + deny.join(u',')));
        return 0;
    }
    if (rest.size() != 1) {
        err(QStringLiteral("%1 needs exactly one client id or name\n%2").arg(verb, clientsUsage()));
        return 2;
    }
    if (verb == QLatin1String("disable") || verb == QLatin1String("enable")) {
        const bool enable = verb == QLatin1String("enable");
        if (!store.setEnabled(rest[0], enable, &error)) {
            err(error);
            return 1;
        }
        out(QStringLiteral("client \"%1\" %2")
                .arg(rest[0], enable ? QStringLiteral("enabled") : QStringLiteral("disabled")));
        return 0;
    }
    if (verb == QLatin1String("remove")) {
        if (!store.remove(rest[0], &error)) {
            err(error);
            return 1;
        }
        out(QStringLiteral("client \"%1\" removed").arg(rest[0]));
        return 0;
    }
    if (verb == QLatin1String("rotate")) {
        const std::optional<IssuedClient> issued = store.rotate(rest[0], &error);
        if (!issued) {
            err(error);
            return 1;
        }
        printIssued(QStringLiteral("has a new key"), *issued);
        return 0;
    }
    err(QStringLiteral("unknown command \"%1\"\n%2").arg(verb, clientsUsage()));
    return 2;
}

} // namespace gemgate
