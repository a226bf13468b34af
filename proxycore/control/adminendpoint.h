#pragma once

// The admin listener as the controller sees it. It is implemented in admin/ (AdminService), which builds on
// control/; control/ never includes admin/: whoever builds a GatewayController hands it a factory
// (admin/adminservice.h: attachAdminApi), and without one the admin listener stays off with a clear reason.

#include <QString>

#include <functional>
#include <memory>

namespace gemgate {

class GatewayController;

class AdminEndpoint {
public:
    virtual ~AdminEndpoint() = default;
    virtual void setToken(const QString& token) = 0;
    virtual bool listen(const QString& host, quint16 port, QString* error) = 0;
    virtual bool isListening() const = 0;
    virtual QString host() const = 0;
    virtual quint16 port() const = 0;
    // Stops listening now. This may run inside an admin request (PUT /api/config turning the listener off): its
    // connections end once control is back in the event loop, not under the request's feet.
    virtual void closeSoon() = 0;
};

using AdminEndpointFactory = std::function<std::unique_ptr<AdminEndpoint>(GatewayController&)>;

} // namespace gemgate
