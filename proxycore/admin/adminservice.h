#pragma once

// The admin listener and its routes as one AdminEndpoint for the controller (control/adminendpoint.h).

#include "control/adminendpoint.h"

namespace gemgate {

class AdminApi;
class AdminServer;

class AdminService final : public AdminEndpoint {
public:
    explicit AdminService(GatewayController& controller);
    ~AdminService() override;
    void setToken(const QString& token) override;
    bool listen(const QString& host, quint16 port, QString* error) override;
    bool isListening() const override;
    QString host() const override;
    quint16 port() const override;
    void closeSoon() override;

private:
    std::unique_ptr<AdminApi> m_api;
    std::unique_ptr<AdminServer> m_server;
};

// Gives the controller its admin listener (call once, before start()).
void attachAdminApi(GatewayController& controller);

} // namespace gemgate
