#pragma once

// Internal to tls/: owning pointers for OpenSSL objects and the thread's OpenSSL error queue as one line.

#include <QString>
#include <QStringList>

#include <openssl/err.h>

#include <array>
#include <memory>

namespace gemgate::tlsdetail {

// std::unique_ptr deleter that calls an OpenSSL free function; keeps every object on every path owned.
template <auto FreeFn> struct OpenSslDeleter {
    template <typename T> void operator()(T* p) const { FreeFn(p); }
};
template <typename T, auto FreeFn> using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<FreeFn>>;

// Drains the thread's OpenSSL error queue into one line, so the caller sees why a call failed.
inline QString drainOpenSslErrors() {
    QStringList parts;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> buf{};
        ERR_error_string_n(code, buf.data(), buf.size());
        parts << QString::fromUtf8(buf.data());
    }
    return parts.isEmpty() ? QStringLiteral("no OpenSSL error reported") : parts.join(QStringLiteral("; "));
}

} // namespace gemgate::tlsdetail
