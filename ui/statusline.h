#pragma once

// The line under a page's table or editor that tells how an action went: green when it worked, red when not.

#include <QColor>
#include <QLabel>
#include <QPalette>

namespace gemgate {

inline void showStatus(QLabel* line, bool ok, const QString& text) {
    line->setText(text);
    QPalette palette = line->palette();
    palette.setColor(QPalette::WindowText, ok ? QColor(0x1e, 0x7e, 0x3a) : QColor(0xb3, 0x26, 0x1e));
    line->setPalette(palette);
}

} // namespace gemgate
