#pragma once

// Start at login: an XDG autostart entry ($XDG_CONFIG_HOME/autostart/gemgate.desktop) that runs this executable with
// --minimized, so GemGate comes up in the tray when the user logs in.

#include <QString>

namespace gemgate {

QString autostartEntryPath();
bool isAutostartEnabled();
// Writes (atomically) or removes the entry; false with *error naming the file and the cause.
bool setAutostartEnabled(bool enabled, QString* error);

} // namespace gemgate
