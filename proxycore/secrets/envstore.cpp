// env:<VAR>: a secret in the process environment (systemd Environment=/EnvironmentFile=, container env).
// Read-only from the gateway's side.

#include "secrets/secretstore_p.h"

#include <QtGlobal>

namespace gemgate::secrets_detail {

namespace {

class EnvStore final : public SecretStore {
public:
    ~EnvStore() override { m_alive->store(false); }

    SecretBackend backend() const override { return SecretBackend::Env; }

    void read(const QString& name, SecretCallback done) override {
        deliverLater(m_alive, std::move(done), readNow(name));
    }

    void write(const QString& name, const QByteArray& value, SecretCallback done) override {
        Q_UNUSED(value)
        deliverLater(m_alive, std::move(done), readOnly(name, QStringLiteral("store a secret in")));
    }

    void remove(const QString& name, SecretCallback done) override {
        deliverLater(m_alive, std::move(done), readOnly(name, QStringLiteral("remove")));
    }

private:
    static SecretResult readNow(const QString& name) {
        if (!isValidEnvName(name)) {
            return failure(QStringLiteral("env: \"%1\" is not a valid environment variable name; use letters, digits "
                                          "and _, not starting with a digit")
                               .arg(name));
        }
        const QByteArray value = qgetenv(name.toLocal8Bit().constData()).trimmed();
        if (value.isEmpty()) {
            return failure(QStringLiteral("env: the environment variable %1 is not set or is empty; set it in the "
                                          "gateway's environment (systemd Environment=/EnvironmentFile=, container "
                                          "env) and restart the gateway")
                               .arg(name),
                           true);
        }
        SecretResult r;
        r.ok = true;
        r.value = value;
        return r;
    }

    static SecretResult readOnly(const QString& name, const QString& what) {
        return failure(QStringLiteral("env: the gateway cannot %1 the environment variable %2; set it in the "
                                      "service's environment instead (systemd Environment=/EnvironmentFile=, "
                                      "container env) and restart the gateway")
                           .arg(what, name));
    }

    AliveFlag m_alive = makeAliveFlag();
};

} // namespace

std::unique_ptr<SecretStore> createEnvStore() {
    return std::make_unique<EnvStore>();
}

} // namespace gemgate::secrets_detail
