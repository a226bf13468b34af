#pragma once

#include <QString>
#include <QStringList>

namespace gemgate {

// `gemgate [--config FILE] clients <command> ...` (see its usage text); returns the process exit code.
int runClientsCommand(const QString& configPath, const QStringList& args);

} // namespace gemgate
