#include "secrets/secretstore.h"
#include "secrets/secretstore_p.h"

#include <QHash>
#include <QList>
#include <QMetaObject>
#include <QPointer>

#include <vector>

namespace gemgate {

namespace secrets_detail {

PendingOp::PendingOp(AliveFlag alive, SecretCallback done)
    : m_alive(std::move(alive))
    , m_done(std::move(done)) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
}

void PendingOp::armTimeout(int ms, SecretResult onTimeout) {
    QObject::connect(&m_timer, &QTimer::timeout, this,
                     [this, r = std::move(onTimeout)]() mutable { finish(std::move(r)); });
    m_timer.start(ms);
}

void PendingOp::finish(SecretResult result) {
    if (m_finished) {
        return; // a late answer after the timeout (or a second answer): ignored
    }
    m_finished = true;
    m_timer.stop();
    QMetaObject::invokeMethod(
        this,
        [this, r = std::move(result)] {
            SecretCallback done = std::move(m_done);
            if (done && m_alive->load()) {
                done(r);
            }
            deleteLater();
        },
        Qt::QueuedConnection);
}

void deliverLater(const AliveFlag& alive, SecretCallback done, SecretResult result) {
    auto* op = new PendingOp(alive, std::move(done));
    op->finish(std::move(result));
}

SecretResult failure(const QString& message, bool notFound) {
    SecretResult r;
    r.ok = false;
    r.notFound = notFound;
    r.error = message;
    return r;
}

bool isValidEnvName(const QString& name) {
    if (name.isEmpty()) {
        return false;
    }
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        const bool alpha = (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_';
        const bool digit = c >= u'0' && c <= u'9';
        if (!(alpha || (i > 0 && digit))) {
            return false;
        }
    }
    return true;
}

bool isValidKeychainName(const QString& name) {
    if (name.isEmpty()) {
        return false;
    }
    for (const QChar c : name) {
        if (c.isSpace() || !c.isPrint()) {
            return false;
        }
    }
    return true;
}

} // namespace secrets_detail

using namespace secrets_detail;

namespace {

const QString kExpected = QStringLiteral("expected keychain:<name>, env:<VAR> or file:<path>, got ");

QString quoted(const QString& s) {
    return QLatin1Char('"') + s + QLatin1Char('"');
}

// A reference field holding what looks like the key itself must not echo it back into logs.
// (Google keys start with "AIza"; other tokens are long runs of base64/base64url characters.)
bool looksLikeLiteralKey(const QString& text) {
    if (text.startsWith(QLatin1String("AIza"))) {
        return true;
    }
    if (text.size() < 24) {
        return false;
    }
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool alnum = (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9');
        if (!alnum && u != u'_' && u != u'-' && u != u'.' && u != u'+' && u != u'=') {
            return false;
        }
    }
    return true;
}

QString describeInput(const QString& text) {
    if (looksLikeLiteralKey(text)) {
        return QStringLiteral("a value of %1 characters that looks like a literal key (not shown; put a literal key "
                              "in the key: field instead)")
            .arg(text.size());
    }
    return quoted(text);
}

QString backendPrefix(SecretBackend b) {
    switch (b) {
    case SecretBackend::Keychain:
        return QStringLiteral("keychain");
    case SecretBackend::Env:
        return QStringLiteral("env");
    case SecretBackend::File:
        return QStringLiteral("file");
    }
    return QStringLiteral("keychain");
}

} // namespace

std::optional<SecretRef> SecretRef::parse(const QString& text, QString* error) {
    const QString t = text.trimmed();
    auto fail = [&](const QString& detail) -> std::optional<SecretRef> {
        if (error) {
            *error = (detail.isEmpty() ? QString() : detail + QStringLiteral("; ")) + kExpected + describeInput(t);
        }
        return std::nullopt;
    };

    struct Prefix {
        QLatin1String text;
        SecretBackend backend;
    };
    static const Prefix prefixes[] = {{QLatin1String("keychain:"), SecretBackend::Keychain},
                                      {QLatin1String("env:"), SecretBackend::Env},
                                      {QLatin1String("file:"), SecretBackend::File}};
    for (const Prefix& p : prefixes) {
        if (!t.startsWith(p.text)) {
            continue;
        }
        SecretRef ref;
        ref.backend = p.backend;
        ref.name = t.mid(p.text.size());
        if (ref.name.isEmpty()) {
            return fail(QStringLiteral("the name after \"%1\" is empty").arg(p.text));
        }
        switch (p.backend) {
        case SecretBackend::Env:
            if (!isValidEnvName(ref.name)) {
                return fail(QStringLiteral("%1 is not a valid environment variable name (letters, digits and _, "
                                           "not starting with a digit)")
                                .arg(quoted(ref.name)));
            }
            break;
        case SecretBackend::Keychain:
            if (!isValidKeychainName(ref.name)) {
                return fail(QStringLiteral("a keychain entry name must be printable and contain no whitespace"));
            }
            break;
        case SecretBackend::File:
            if (ref.name.contains(QChar(u'\0'))) {
                return fail(QStringLiteral("a file path cannot contain a NUL character"));
            }
            break;
        }
        if (error) {
            error->clear();
        }
        return ref;
    }
    return fail(QString());
}

QString SecretRef::toString() const {
    return backendPrefix(backend) + QLatin1Char(':') + name;
}

std::unique_ptr<SecretStore> makeKeychainStore(int timeoutMs, const QString& service) {
    return createKeychainStore(timeoutMs, service);
}

std::unique_ptr<SecretStore> makeEnvStore() {
    return createEnvStore();
}

std::unique_ptr<SecretStore> makeFileStore(const QString& baseDir) {
    return createFileStore(baseDir);
}

// ---------------------------------------------------------------------------------------------------------------
// SecretResolver

namespace {

struct Batch {
    QList<SecretRef> refs;
    std::vector<bool> reported;
    qsizetype remaining = 0;
    bool finished = false;
    std::function<void(int, const SecretResult&)> done;
    std::function<void()> allDone;
    std::shared_ptr<bool> resolverAlive;
    QPointer<QTimer> timer;

    // Reports one entry (the first report per index wins). Returns false once the resolver is gone, which a
    // callback may cause by deleting it.
    void report(int index, const SecretResult& r) {
        if (finished || !*resolverAlive || reported[static_cast<size_t>(index)]) {
            return;
        }
        reported[static_cast<size_t>(index)] = true;
        --remaining;
        if (done) {
            done(index, r);
        }
        if (remaining == 0 && !finished && *resolverAlive) {
            complete();
        }
    }

    void complete() {
        finished = true;
        if (timer) {
            timer->stop();
            timer->deleteLater();
        }
        if (allDone && *resolverAlive) {
            auto cb = std::move(allDone);
            cb();
        }
    }
};

SecretResult resolverTimeout(const SecretRef& ref, int timeoutMs) {
    QString advice;
    switch (ref.backend) {
    case SecretBackend::Keychain:
        advice = QStringLiteral("the keyring may be locked and waiting for an unlock prompt, or the Secret Service "
                                "is not responding; unlock the keyring or use a file: or env: reference");
        break;
    case SecretBackend::Env:
    case SecretBackend::File:
        advice = QStringLiteral("check the reference");
        break;
    }
    return failure(QStringLiteral("%1: no answer within %2 ms while resolving %3; %4")
                       .arg(backendPrefix(ref.backend))
                       .arg(timeoutMs)
                       .arg(ref.toString(), advice));
}

} // namespace

struct SecretResolver::Private {
    QString baseDir;
    int timeoutMs = 8000;
    std::unique_ptr<SecretStore> keychain;
    std::unique_ptr<SecretStore> env;
    std::unique_ptr<SecretStore> file;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

SecretResolver::SecretResolver(const QString& baseDir, int timeoutMs, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>()) {
    d->baseDir = baseDir;
    d->timeoutMs = timeoutMs;
}

SecretResolver::~SecretResolver() {
    *d->alive = false;
}

SecretStore* SecretResolver::store(SecretBackend backend) {
    switch (backend) {
    case SecretBackend::Keychain:
        if (!d->keychain) {
            d->keychain = makeKeychainStore(d->timeoutMs);
        }
        return d->keychain.get();
    case SecretBackend::Env:
        if (!d->env) {
            d->env = makeEnvStore();
        }
        return d->env.get();
    case SecretBackend::File:
        if (!d->file) {
            d->file = makeFileStore(d->baseDir);
        }
        return d->file.get();
    }
    return nullptr;
}

void SecretResolver::resolve(const QList<SecretRef>& refs, std::function<void(int index, const SecretResult&)> done,
                             std::function<void()> allDone) {
    auto batch = std::make_shared<Batch>();
    batch->refs = refs;
    batch->reported.assign(static_cast<size_t>(refs.size()), false);
    batch->remaining = refs.size();
    batch->done = std::move(done);
    batch->allDone = std::move(allDone);
    batch->resolverAlive = d->alive;

    if (refs.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [batch] { batch->complete(); }, Qt::QueuedConnection);
        return;
    }

    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    batch->timer = timer;
    const int timeoutMs = d->timeoutMs;
    connect(timer, &QTimer::timeout, this, [batch, timeoutMs] {
        for (qsizetype i = 0; i < batch->refs.size(); ++i) {
            if (batch->finished || !*batch->resolverAlive) {
                return;
            }
            if (!batch->reported[static_cast<size_t>(i)]) {
                batch->report(static_cast<int>(i), resolverTimeout(batch->refs.at(i), timeoutMs));
            }
        }
    });
    timer->start(timeoutMs);

    for (qsizetype i = 0; i < refs.size(); ++i) {
        const int index = static_cast<int>(i);
        store(refs.at(i).backend)->read(refs.at(i).name, [batch, index](const SecretResult& r) {
            batch->report(index, r);
        });
    }
}

} // namespace gemgate
