#pragma once

// Copy buttons and actions: the text onto the clipboard, a secret with the hint that asks clipboard managers
// (Klipper and the like) not to keep it in their history, and the button saying "Copied" for a moment.

#include <QCoreApplication>
#include <QString>

class QPushButton;

namespace gemgate {

class Clipboard {
    Q_DECLARE_TR_FUNCTIONS(gemgate::Clipboard)
public:
    // button: shows "Copied" for 1.5 s, then "Copy" again (may be null).
    static void copy(const QString& text, bool secret, QPushButton* button = nullptr);
};

} // namespace gemgate
