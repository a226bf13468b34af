#pragma once

#include <QString>
#include <QStringList>

namespace gemgate {

// `gemgate [--config FILE] usage [options]` (see its usage text): the usage roll-ups or the newest request records
// of the state database of the config in use. Returns the process exit code (0 ok, 1 failure, 2 bad arguments).
int runUsageCommand(const QString& configPath, const QStringList& args);

} // namespace gemgate
