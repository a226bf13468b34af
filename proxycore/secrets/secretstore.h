#pragma once

// Where upstream API keys live. The config refers to a secret by reference instead of holding it:
//   keychain:<name>   the OS keychain through QtKeychain (Secret Service on Linux), service "gemgate",
//                     one entry per key; the default for keys added from the desktop app
//   env:<VAR>         an environment variable (systemd EnvironmentFile=, containers)
//   file:<path>       a file holding only the key, readable by its owner alone (0600 / 0400); relative paths are
//                     relative to the config file's directory
// (A literal key written in the config's `key:` field needs no store.)
//
// Every operation is asynchronous and reports on the thread that called it, through the callback, exactly once,
// within the store's timeout. Failures carry a message that names the backend, what went wrong and what to do,
// e.g. "keychain: no Secret Service is running on the session bus (...); start gnome-keyring or KWallet, or use
// file:/env: references on a headless server". Secret values never appear in a message.
// QtKeychain's insecure plaintext fallback is never enabled.
// Destroying a store (or a SecretResolver) cancels the callbacks of its operations still in flight: they are never
// called afterwards. Use a store from one thread (QtKeychain runs its jobs one at a time per process).

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace gemgate {

enum class SecretBackend { Keychain, Env, File };

struct SecretRef {
    SecretBackend backend = SecretBackend::Keychain;
    QString name; // keychain entry name, variable name, or file path (as written)

    // Parses "keychain:name", "env:VAR", "file:/path". nullopt with *error ("expected keychain:<name>, env:<VAR>
    // or file:<path>, got ...") otherwise.
    static std::optional<SecretRef> parse(const QString& text, QString* error);
    QString toString() const;
};

struct SecretResult {
    bool ok = false;
    QByteArray value;      // read: the secret; empty for write/remove
    bool notFound = false; // read/remove: no such entry (a keychain entry, variable or file that does not exist)
    QString error;         // when !ok: "<backend>: <what happened>; <what to do>"
};

using SecretCallback = std::function<void(const SecretResult&)>;

class SecretStore {
public:
    virtual ~SecretStore() = default;
    virtual SecretBackend backend() const = 0;
    virtual void read(const QString& name, SecretCallback done) = 0;
    virtual void write(const QString& name, const QByteArray& value, SecretCallback done) = 0;
    virtual void remove(const QString& name, SecretCallback done) = 0;
};

// The OS keychain. timeoutMs bounds every job (the D-Bus default is 25 s, and a locked keyring with a display can
// wait for ever on a prompt); on timeout the callback gets an error and a late answer is ignored.
std::unique_ptr<SecretStore> makeKeychainStore(int timeoutMs = 8000,
                                               const QString& service = QStringLiteral("gemgate"));
// Environment variables. write/remove fail with a message saying to set the variable in the service's environment.
std::unique_ptr<SecretStore> makeEnvStore();
// Files. Relative names resolve against baseDir. read refuses a file that group or others can read (names the
// mode and says "chmod 600 <path>"); write creates the file atomically with mode 0600 (directory 0700 if created).
std::unique_ptr<SecretStore> makeFileStore(const QString& baseDir);

// Reads many references at once (start-up): calls done(index, result) for each, then allDone() once, all within
// timeoutMs of the call even if a backend hangs. Must be called from a thread with an event loop.
class SecretResolver : public QObject {
    Q_OBJECT
public:
    SecretResolver(const QString& baseDir, int timeoutMs, QObject* parent = nullptr);
    ~SecretResolver() override;
    void resolve(const QList<SecretRef>& refs, std::function<void(int index, const SecretResult&)> done,
                 std::function<void()> allDone);
    // The store used for a backend (created on first use).
    SecretStore* store(SecretBackend backend);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace gemgate
