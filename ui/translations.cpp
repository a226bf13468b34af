#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace gemgate {

namespace {
const char kLanguageKey[] = "ui/language";

std::unique_ptr<QTranslator>& ownTranslator() {
    static std::unique_ptr<QTranslator> t;
    return t;
}
std::unique_ptr<QTranslator>& qtTranslator() {
    static std::unique_ptr<QTranslator> t;
    return t;
}
} // namespace

QStringList uiLanguages() {
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString savedUiLanguage() {
    return QSettings().value(QLatin1String(kLanguageKey)).toString();
}

void saveUiLanguage(const QString& language) {
    QSettings settings;
    if (language.isEmpty())
        settings.remove(QLatin1String(kLanguageKey));
    else
        settings.setValue(QLatin1String(kLanguageKey), language);
}

QString installUiTranslations(const QString& language) {
    for (auto* slot : {&ownTranslator(), &qtTranslator()}) {
        if (*slot) {
            QCoreApplication::removeTranslator(slot->get());
            slot->reset();
        }
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Dates and numbers in the chosen language too (the system's when none is chosen).
    QLocale::setDefault(locale);
    auto own = std::make_unique<QTranslator>();
    // Tries gemgate_zh_CN, then gemgate_zh, for each of the locale's UI languages.
    // No translation for the locale: English, whose file holds the plural forms ("1 key", "2 keys").
    if (!own->load(locale, QStringLiteral("gemgate"), QStringLiteral("_"), QStringLiteral(":/i18n")) &&
        !own->load(QStringLiteral(":/i18n/gemgate_en.qm")))
        return QStringLiteral("en");
    const QString name = own->language().isEmpty() ? locale.name() : own->language();
    QString used = name;
    for (const QString& l : uiLanguages())
        if (name == l || name.startsWith(l + QLatin1Char('_')))
            used = l;
    QCoreApplication::installTranslator(own.get());
    ownTranslator() = std::move(own);
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        qtTranslator() = std::move(qt);
    }
    return used;
}

} // namespace gemgate
