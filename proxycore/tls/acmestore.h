#pragma once

// Where ACME state lives (server.tls.acme.storage_dir, default <data dir>/gemgate/acme; the directory 0700, every
// file 0600): the account key (account.key, created once and kept), and per set of names the certificate chain and
// its key (<first name>/cert.pem, key.pem). The runtime serves a stored certificate that covers the configured
// names and has not expired; the ACME manager orders a new one only when none does or renewal is due, so restarts
// never cost an order.

#include "tls/acmeclient.h"
#include "tls/selfsigned.h"

#include <QStringList>

namespace gemgate::acme {

// The storage directory for a configured value (empty: the default).
QString storageDir(const QString& configured);
// The account key's PEM, created (and written 0600) on first use. Empty and *error when it cannot be.
QByteArray loadOrCreateAccountKey(const QString& dir, QString* error);
// The stored certificate for the names; null (with *error saying why, "" when there is none yet) when missing,
// unreadable, expired or not covering every name.
CertificateBundle loadCertificate(const QString& dir, const QStringList& domains, QString* error);
// Writes the chain and key atomically (0600). False and *error when it cannot.
bool saveCertificate(const QString& dir, const QStringList& domains, const AcmeCertificate& certificate,
                     QString* error);

} // namespace gemgate::acme
