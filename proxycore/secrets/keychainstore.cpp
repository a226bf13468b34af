// keychain:<name>: the OS keychain through QtKeychain 0.13 (libsecret / Secret Service on Linux).
//
// QtKeychain facts this relies on (see docs/toolchain.md section 4):
//  - jobs run one at a time per process (QKeychain's JobExecutor), and answer through the event loop;
//  - every failure but a missing entry is OtherError with a libsecret/GDBus errorString (which holds no secret);
//  - a job can take 25 s (D-Bus activation timeout) or never finish (locked keyring + an unlock prompt on DISPLAY),
//    so every operation here has its own timeout, after which a late answer is ignored;
//  - libsecret's callbacks hold the job's private pointer: a job must never be deleted while it runs. Jobs are
//    therefore parentless and auto-deleting, and only ever talk to a PendingOp through a connection that dies with
//    it. A job that finishes after its operation (or the whole store) is gone finds nothing to call.

#include "secrets/secretstore_p.h"

#include <qt6keychain/keychain.h>

#include <QStringDecoder>

namespace gemgate::secrets_detail {

namespace {

enum class Op { Read, Write, Remove };

QString verb(Op op) {
    switch (op) {
    case Op::Read:
        return QStringLiteral("reading");
    case Op::Write:
        return QStringLiteral("storing");
    case Op::Remove:
        return QStringLiteral("removing");
    }
    return QString();
}

const QString kUseOther = QStringLiteral("or use a file: or env: reference on a headless server");

bool has(const QString& text, QLatin1String needle) {
    return text.contains(needle, Qt::CaseInsensitive);
}

// Maps a QtKeychain failure to "keychain: <what happened> (<errorString>) while <op> "<service>/<name>"; <what to
// do>". errorString comes from libsecret/GDBus and never contains the secret.
SecretResult keychainFailure(Op op, const QString& entry, QKeychain::Error code, const QString& errorString) {
    const QString detail = errorString.isEmpty() ? QStringLiteral("no details") : errorString;
    const QString where = QStringLiteral(" (%1) while %2 \"%3\"; ").arg(detail, verb(op), entry);
    auto msg = [&](const QString& what, const QString& todo) {
        return failure(QStringLiteral("keychain: ") + what + where + todo);
    };

    if (code == QKeychain::EntryNotFound && op != Op::Write) {
        // libsecret cannot tell these apart: a keyring that is locked (nobody unlocked it, e.g. on a headless
        // server) or was unlocked with another password than it was created with answers "not found" as well.
        return failure(QStringLiteral("keychain: the entry \"%1\" does not exist in the keychain (%2); add the key "
                                      "again or fix the keychain: reference. A locked keyring, or one unlocked with a "
                                      "different password than the one it was created with, also makes entries look "
                                      "missing: unlock it with the right password")
                           .arg(entry, detail),
                       true);
    }
    if (has(errorString, QLatin1String("not provided by any .service files")) ||
        has(errorString, QLatin1String("ServiceUnknown")) ||
        (has(errorString, QLatin1String("org.freedesktop.secrets")) &&
         has(errorString, QLatin1String("not activatable")))) {
        return msg(QStringLiteral("no Secret Service is running on the session bus"),
                   QStringLiteral("install and start gnome-keyring or KWallet, ") + kUseOther);
    }
    if (has(errorString, QLatin1String("autolaunch")) || has(errorString, QLatin1String("DBUS_SESSION_BUS_ADDRESS")) ||
        has(errorString, QLatin1String("Could not connect")) || has(errorString, QLatin1String("Failed to connect")) ||
        has(errorString, QLatin1String("session bus")) || has(errorString, QLatin1String("machine-id"))) {
        return msg(QStringLiteral("no D-Bus session bus is available"),
                   QStringLiteral("run GemGate inside a desktop session (or under dbus-run-session with "
                                  "gnome-keyring-daemon --unlock), ") +
                       kUseOther);
    }
    if (has(errorString, QLatin1String("Timeout was reached")) ||
        has(errorString, QLatin1String("StartServiceByName")) || has(errorString, QLatin1String("NoReply")) ||
        has(errorString, QLatin1String("timed out"))) {
        return msg(QStringLiteral("the Secret Service did not answer"),
                   QStringLiteral("check that gnome-keyring-daemon (or KWallet) can start, e.g. that $HOME exists and "
                                  "is writable, ") +
                       kUseOther);
    }
    if (code == QKeychain::AccessDeniedByUser || has(errorString, QLatin1String("dismissed")) ||
        has(errorString, QLatin1String("cancel"))) {
        return msg(QStringLiteral("access was refused at the keyring prompt"),
                   QStringLiteral("allow the access when the keyring asks, ") + kUseOther);
    }
    if (code == QKeychain::AccessDenied || has(errorString, QLatin1String("locked")) ||
        has(errorString, QLatin1String("prompt")) ||
        (has(errorString, QLatin1String("/org/freedesktop/secrets/collection/")) &&
         has(errorString, QLatin1String("not exist")))) {
        return msg(QStringLiteral("the keyring is locked or there is no default keyring"),
                   QStringLiteral("unlock it (log in to the desktop session, or run gnome-keyring-daemon --unlock "
                                  "with its password) ") +
                       kUseOther);
    }
    if (code == QKeychain::NoBackendAvailable || code == QKeychain::NotImplemented) {
        return msg(QStringLiteral("no keychain backend is available"),
                   QStringLiteral("install and start gnome-keyring (with libsecret-1-0) or KWallet, ") + kUseOther);
    }
    if (code == QKeychain::CouldNotDeleteEntry) {
        return msg(QStringLiteral("the entry could not be deleted"),
                   QStringLiteral("check that the keyring is unlocked and writable, or delete the entry with the "
                                  "desktop's password manager"));
    }
    if (code == QKeychain::OtherError && has(errorString, QLatin1String("Unknown error"))) {
        return msg(
            QStringLiteral("the keychain backend failed without details"),
            QStringLiteral("make sure libsecret-1-0 is installed and a Secret Service (gnome-keyring or KWallet) "
                           "is running, ") +
                kUseOther);
    }
    return msg(QStringLiteral("the keychain failed (QtKeychain error %1)").arg(static_cast<int>(code)),
               QStringLiteral("check that a Secret Service (gnome-keyring or KWallet) is running and unlocked, ") +
                   kUseOther);
}

SecretResult keychainTimeout(Op op, const QString& entry, int timeoutMs) {
    return failure(QStringLiteral("keychain: no answer from the keychain within %1 ms while %2 \"%3\"; the keyring may "
                                  "be locked and waiting for an unlock prompt, or the Secret Service is not "
                                  "responding; unlock the keyring (on a headless server also unset DISPLAY so that no "
                                  "prompt is attempted) ")
                       .arg(timeoutMs)
                       .arg(verb(op), entry) +
                   kUseOther);
}

SecretResult success(QByteArray value = QByteArray()) {
    SecretResult r;
    r.ok = true;
    r.value = std::move(value);
    return r;
}

bool isTextual(const QByteArray& value) {
    if (value.contains('\0')) {
        return false;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(value);
    return !decoder.hasError() && text.toUtf8() == value;
}

template <typename JobT> JobT* newJob(const QString& service, const QString& key) {
    auto* job = new JobT(service); // no parent: it must be free to outlive the store (see the top of this file)
    job->setAutoDelete(true);
    job->setKey(key);
    job->setInsecureFallback(false); // never QtKeychain's plaintext QSettings fallback
    return job;
}

class KeychainStore final : public SecretStore {
public:
    KeychainStore(int timeoutMs, const QString& service)
        : m_timeoutMs(timeoutMs > 0 ? timeoutMs : 8000)
        , m_service(service) {}
    ~KeychainStore() override { m_alive->store(false); }

    SecretBackend backend() const override { return SecretBackend::Keychain; }

    void read(const QString& name, SecretCallback done) override {
        PendingOp* op = start(Op::Read, name, std::move(done));
        if (!op) {
            return;
        }
        startRead(op, Op::Read, name, [op](const QByteArray& value) { op->finish(success(value)); });
    }

    void write(const QString& name, const QByteArray& value, SecretCallback done) override {
        if (value.isEmpty()) {
            deliverLater(
                m_alive, std::move(done),
                failure(QStringLiteral("keychain: refusing to store an empty key as \"%1\"").arg(entry(name))));
            return;
        }
        PendingOp* op = start(Op::Write, name, std::move(done));
        if (!op) {
            return;
        }
        auto* job = newJob<QKeychain::WritePasswordJob>(m_service, name);
        if (isTextual(value)) {
            job->setTextData(QString::fromUtf8(value)); // readable in Seahorse / secret-tool
        } else {
            job->setBinaryData(value); // stored base64-encoded by QtKeychain
        }
        const QString label = entry(name);
        QObject::connect(job, &QKeychain::Job::finished, op, [op, label](QKeychain::Job* j) {
            op->finish(j->error() == QKeychain::NoError
                           ? success()
                           : keychainFailure(Op::Write, label, j->error(), j->errorString()));
        });
        job->start();
    }

    // libsecret reports success when asked to delete an entry that does not exist, so look it up first to be able
    // to answer notFound.
    void remove(const QString& name, SecretCallback done) override {
        PendingOp* op = start(Op::Remove, name, std::move(done));
        if (!op) {
            return;
        }
        const QString service = m_service;
        const QString label = entry(name);
        startRead(op, Op::Remove, name, [op, service, name, label](const QByteArray&) {
            if (op->isFinished()) {
                return; // timed out meanwhile
            }
            auto* job = newJob<QKeychain::DeletePasswordJob>(service, name);
            QObject::connect(job, &QKeychain::Job::finished, op, [op, label](QKeychain::Job* j) {
                op->finish(j->error() == QKeychain::NoError
                               ? success()
                               : keychainFailure(Op::Remove, label, j->error(), j->errorString()));
            });
            job->start();
        });
    }

private:
    QString entry(const QString& name) const { return m_service + QLatin1Char('/') + name; }

    // A PendingOp with its timeout armed, or nullptr when the name is invalid (the error is then on its way).
    PendingOp* start(Op op, const QString& name, SecretCallback done) {
        if (!isValidKeychainName(name)) {
            deliverLater(m_alive, std::move(done),
                         failure(QStringLiteral("keychain: invalid entry name while %1 (it must be non-empty, "
                                                "printable and contain no whitespace); fix the keychain: reference")
                                     .arg(verb(op))));
            return nullptr;
        }
        auto* pending = new PendingOp(m_alive, std::move(done));
        pending->armTimeout(m_timeoutMs, keychainTimeout(op, entry(name), m_timeoutMs));
        return pending;
    }

    // Reads the entry; onValue runs with the value on success, otherwise op finishes with the mapped failure.
    void startRead(PendingOp* op, Op kind, const QString& name, std::function<void(const QByteArray&)> onValue) {
        auto* job = newJob<QKeychain::ReadPasswordJob>(m_service, name);
        const QString label = entry(name);
        QObject::connect(job, &QKeychain::Job::finished, op,
                         [op, kind, label, onValue = std::move(onValue)](QKeychain::Job* j) {
                             if (j->error() != QKeychain::NoError) {
                                 op->finish(keychainFailure(kind, label, j->error(), j->errorString()));
                                 return;
                             }
                             onValue(static_cast<QKeychain::ReadPasswordJob*>(j)->binaryData());
                         });
        job->start();
    }

    int m_timeoutMs;
    QString m_service;
    AliveFlag m_alive = makeAliveFlag();
};

} // namespace

std::unique_ptr<SecretStore> createKeychainStore(int timeoutMs, const QString& service) {
    return std::make_unique<KeychainStore>(timeoutMs, service);
}

} // namespace gemgate::secrets_detail
