#include "clipboard.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QMimeData>
#include <QPushButton>
#include <QTimer>

namespace gemgate {

void Clipboard::copy(const QString& text, bool secret, QPushButton* button) {
    if (text.isEmpty())
        return;
    auto* mime = new QMimeData;
    mime->setText(text);
    if (secret)
        mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
    QGuiApplication::clipboard()->setMimeData(mime);
    if (!button)
        return;
    button->setText(tr("Copied"));
    QTimer::singleShot(1500, button, [button] { button->setText(tr("Copy")); });
}

} // namespace gemgate
