#pragma once

// Internals shared by the secret stores. Not part of the public API.

#include "secrets/secretstore.h"

#include <QTimer>

#include <atomic>
#include <memory>

namespace gemgate::secrets_detail {

// Cleared by a store's destructor: results of operations still in flight are then dropped instead of delivered,
// so a callback never runs after its store is gone.
using AliveFlag = std::shared_ptr<std::atomic<bool>>;

inline AliveFlag makeAliveFlag() {
    return std::make_shared<std::atomic<bool>>(true);
}

// One operation of a store. Created on the calling thread and living there, so its deliveries go through that
// thread's event loop. finish() may be called any number of times; the first result wins and is delivered
// (queued, never synchronously) exactly once; the object then deletes itself. It is not owned by the store: an
// operation that outlives its store finishes (at the latest by its timeout) and cleans up without touching it.
class PendingOp final : public QObject {
public:
    PendingOp(AliveFlag alive, SecretCallback done);

    // After ms, finish(onTimeout) unless a result came first.
    void armTimeout(int ms, SecretResult onTimeout);
    void finish(SecretResult result);
    bool isFinished() const { return m_finished; }

private:
    AliveFlag m_alive;
    SecretCallback m_done;
    QTimer m_timer;
    bool m_finished = false;
};

// A result that is ready now, delivered through the calling thread's event loop.
void deliverLater(const AliveFlag& alive, SecretCallback done, SecretResult result);

SecretResult failure(const QString& message, bool notFound = false);

// Name checks shared by SecretRef::parse and the stores.
bool isValidEnvName(const QString& name);
bool isValidKeychainName(const QString& name);

// std::make_unique for the concrete stores, kept in their own files.
std::unique_ptr<SecretStore> createKeychainStore(int timeoutMs, const QString& service);
std::unique_ptr<SecretStore> createEnvStore();
std::unique_ptr<SecretStore> createFileStore(const QString& baseDir);

} // namespace gemgate::secrets_detail
