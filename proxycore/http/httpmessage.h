#pragma once

// Plain value types for HTTP/1.1 messages on the data path. No QObject, no signals: a request is parsed into
// these and moved through the pipeline.

#include <QByteArray>
#include <QList>
#include <QPair>

namespace gemgate {

// Header list in arrival order. Names keep the sender's spelling; lookups are case-insensitive (RFC 9110).
class HttpHeaders {
public:
    using Entry = QPair<QByteArray, QByteArray>;

    void add(QByteArray name, QByteArray value) { m_entries.append({std::move(name), std::move(value)}); }
    void set(const QByteArray& name, QByteArray value);
    void remove(const QByteArray& name);
    // Replaces the first value of `name` where it stands (position and spelling of the name kept).
    void replaceValue(const QByteArray& name, QByteArray value);
    bool contains(const QByteArray& name) const { return indexOf(name) >= 0; }
    // First value, or an empty array when absent.
    QByteArray value(const QByteArray& name) const;
    // True when the comma-separated header `name` holds `token` (case-insensitive), e.g. Connection: close.
    bool hasToken(const QByteArray& name, const QByteArray& token) const;

    const QList<Entry>& entries() const { return m_entries; }
    qsizetype size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }

private:
    qsizetype indexOf(const QByteArray& name) const;
    QList<Entry> m_entries;
};

struct HttpRequest {
    QByteArray method; // "GET", "POST", ...
    QByteArray target; // request-target as sent: "/v1beta/models?pageSize=5"
    QByteArray path;   // decoded-free path part of target: "/v1beta/models"
    QByteArray query;  // raw query without '?': "pageSize=5"
    int versionMinor = 1;
    HttpHeaders headers;
    QByteArray body;
    bool keepAlive = true;
};

// The reason phrase for a status code ("Not Found").
QByteArray reasonPhrase(int status);

// Hop-by-hop headers (RFC 9110 7.6.1) that must never be forwarded in either direction.
bool isHopByHopHeader(const QByteArray& lowerName);

// Query helpers on raw (percent-encoded) query strings.
QByteArray queryValue(const QByteArray& query, const QByteArray& name);
QByteArray removeQueryItem(const QByteArray& query, const QByteArray& name);

} // namespace gemgate
