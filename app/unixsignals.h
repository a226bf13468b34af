#pragma once

// Turns SIGTERM, SIGINT and SIGHUP into Qt signals on the main thread (self-pipe: the handler only writes one
// byte; everything else happens in the event loop).

#include <QObject>

class QSocketNotifier;

namespace gemgate {

class UnixSignals final : public QObject {
    Q_OBJECT
public:
    explicit UnixSignals(QObject* parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminate(int signal); // SIGTERM or SIGINT
    void reload();              // SIGHUP

private:
    void onReadable();
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace gemgate
