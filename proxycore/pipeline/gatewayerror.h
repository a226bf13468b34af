#pragma once

// Errors are values: every failure the gateway answers itself is one GatewayError, turned into a response in
// one place (here) in the Gemini JSON error envelope.

#include <QByteArray>
#include <QString>

namespace gemgate {

struct GatewayError {
    int status = 500;
    QByteArray grpcStatus; // "UNAUTHENTICATED", "NOT_FOUND", ...
    QString message;       // says what was wrong and what to do; never contains a secret
    QByteArray kind;       // short machine name for logs/metrics: "auth_missing", "no_route", ...
    int retryAfterSeconds = -1;

    static GatewayError make(int status, QString message, QByteArray kind);
};

// The gRPC status name Google uses for an HTTP status (400 -> INVALID_ARGUMENT, 429 -> RESOURCE_EXHAUSTED...). The one
// table for every error envelope: the gateway's and the admin API's.
QByteArray grpcStatusFor(int httpStatus);

// {"error":{"code":..,"message":..,"status":..}}
QByteArray geminiErrorBody(const GatewayError& e);

} // namespace gemgate
