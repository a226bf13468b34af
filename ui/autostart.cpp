#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace gemgate {

QString autostartEntryPath() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/autostart/gemgate.desktop");
}

bool isAutostartEnabled() {
    QFile f(autostartEntryPath());
    if (!f.open(QIODevice::ReadOnly))
        return false;
    // An entry the user turned off in their desktop's settings says so itself.
    const QByteArray text = f.readAll();
    return !text.contains("\nHidden=true") && !text.contains("\nX-GNOME-Autostart-enabled=false");
}

bool setAutostartEnabled(bool enabled, QString* error) {
    const QString path = autostartEntryPath();
    if (!enabled) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            *error = QStringLiteral("cannot remove %1").arg(path);
            return false;
        }
        return true;
    }
    if (!QDir().mkpath(QFileInfo(path).path())) {
        *error = QStringLiteral("cannot create %1").arg(QFileInfo(path).path());
        return false;
    }
    // Exec quotes the path (the desktop entry specification's rules: a double-quoted argument, with \, ", ` and $
    // escaped).
    QString exe = QCoreApplication::applicationFilePath();
    for (const char* c : {"\\", "\"", "`", "$"})
        exe.replace(QLatin1String(c), QLatin1String("\\") + QLatin1String(c));
    const QByteArray entry = "[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=GemGate\n"
                             "Comment=Local gateway for the Gemini API\n"
                             "Exec=\"" +
                             exe.toUtf8() +
                             "\" --minimized\n"
                             "Icon=gemgate\n"
                             "Terminal=false\n"
                             "X-GNOME-Autostart-enabled=true\n";
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(entry) != entry.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace gemgate
