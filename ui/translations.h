#pragma once

// The window's language: GemGate's own strings (translations/gemgate_<lang>.ts, built into the program under
// :/i18n) and Qt's (the standard dialogs' buttons, from the system's Qt translations when installed).

#include <QString>
#include <QStringList>

namespace gemgate {

// The languages the window is translated into, as locale names: "en", "zh_CN".
QStringList uiLanguages();
// The language chosen in the settings (QSettings key "ui/language"); "" follows the system's locale.
QString savedUiLanguage();
void saveUiLanguage(const QString& language);
// Installs the translators for `language` ("" = the system's locale) on the application, replacing any installed
// before. Returns the language now in use ("en" when nothing else matched).
QString installUiTranslations(const QString& language);

} // namespace gemgate
