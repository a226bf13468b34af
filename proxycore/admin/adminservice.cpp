#include "admin/adminservice.h"

#include "admin/adminapi.h"
#include "admin/adminserver.h"
#include "control/gatewaycontroller.h"

namespace gemgate {

AdminService::AdminService(GatewayController& controller)
    : m_api(std::make_unique<AdminApi>(&controller)) {
    AdminApi* api = m_api.get();
    m_server = std::make_unique<AdminServer>(
        [api](const AdminRequest& request, AdminResponder respond) { api->handle(request, std::move(respond)); },
        [api](const QByteArray& path, const HttpHeaders& headers) { return api->refuse(path, headers); });
}

AdminService::~AdminService() {
    m_server.reset(); // before the routes its connections call
}

void AdminService::setToken(const QString& token) {
    m_api->setToken(token);
}

bool AdminService::listen(const QString& host, quint16 port, QString* error) {
    return m_server->listen(host, port, error);
}

bool AdminService::isListening() const {
    return m_server && m_server->isListening();
}

QString AdminService::host() const {
    return m_server ? m_server->host() : QString();
}

quint16 AdminService::port() const {
    return m_server ? m_server->port() : 0;
}

void AdminService::closeSoon() {
    if (!m_server)
        return;
    m_server->close();
    m_server.release()->deleteLater();
    m_api.release()->deleteLater(); // after the server: posted deletions run in order
}

void attachAdminApi(GatewayController& controller) {
    controller.setAdminEndpointFactory(
        [](GatewayController& c) -> std::unique_ptr<AdminEndpoint> { return std::make_unique<AdminService>(c); });
}

} // namespace gemgate
