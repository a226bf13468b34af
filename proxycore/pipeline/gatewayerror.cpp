#include "pipeline/gatewayerror.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace gemgate {

QByteArray grpcStatusFor(int httpStatus) {
    switch (httpStatus) {
    case 400:
        return QByteArrayLiteral("INVALID_ARGUMENT");
    case 401:
        return QByteArrayLiteral("UNAUTHENTICATED");
    case 403:
        return QByteArrayLiteral("PERMISSION_DENIED");
    case 404:
        return QByteArrayLiteral("NOT_FOUND");
    case 405:
        return QByteArrayLiteral("UNIMPLEMENTED");
    case 408:
        return QByteArrayLiteral("DEADLINE_EXCEEDED");
    case 409:
        return QByteArrayLiteral("ABORTED");
    case 413:
        return QByteArrayLiteral("INVALID_ARGUMENT");
    case 429:
        return QByteArrayLiteral("RESOURCE_EXHAUSTED");
    case 431:
        return QByteArrayLiteral("INVALID_ARGUMENT");
    case 499:
        return QByteArrayLiteral("CANCELLED");
    case 501:
        return QByteArrayLiteral("UNIMPLEMENTED");
    case 502:
        return QByteArrayLiteral("UNAVAILABLE");
    case 503:
        return QByteArrayLiteral("UNAVAILABLE");
    case 504:
        return QByteArrayLiteral("DEADLINE_EXCEEDED");
    default:
        return httpStatus >= 500 ? QByteArrayLiteral("INTERNAL") : QByteArrayLiteral("FAILED_PRECONDITION");
    }
}

GatewayError GatewayError::make(int status, QString message, QByteArray kind) {
    GatewayError e;
    e.status = status;
    e.grpcStatus = grpcStatusFor(status);
    e.message = std::move(message);
    e.kind = std::move(kind);
    return e;
}

QByteArray geminiErrorBody(const GatewayError& e) {
    QJsonObject err;
    err.insert(QLatin1String("code"), e.status);
    err.insert(QLatin1String("message"), e.message);
    err.insert(QLatin1String("status"), QString::fromLatin1(e.grpcStatus));
    QJsonObject root;
    root.insert(QLatin1String("error"), err);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace gemgate
