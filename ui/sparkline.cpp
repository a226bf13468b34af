#include "sparkline.h"

#include <QApplication>
#include <QPainter>

#include <cmath>

namespace gemgate {

void SparklineDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background and selection

    const QList<qint64> values = index.data(ValuesRole).value<QList<qint64>>();
    const qsizetype slots = values.size() / 2;
    if (slots == 0)
        return;
    qint64 max = 0;
    for (qsizetype i = 0; i < slots; ++i)
        max = qMax(max, values[i]);
    const QRectF area = QRectF(option.rect).adjusted(4, 4, -4, -4);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    const bool selected = option.state & QStyle::State_Selected;
    const QColor bar = selected ? option.palette.highlightedText().color() : option.palette.highlight().color();
    const QColor error(0xc6, 0x28, 0x28);
    // A baseline, so an idle key still shows a (flat) line.
    painter->setPen(QPen(option.palette.mid().color(), 1));
    painter->drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()));
    const qreal step = area.width() / qreal(slots);
    const qreal width = qMax<qreal>(1, step - 1);
    for (qsizetype i = 0; i < slots && max > 0; ++i) {
        const qint64 requests = values[i];
        if (requests <= 0)
            continue;
        const qint64 errors = qMin(values[slots + i], requests);
        // Square-root heights: a quiet night next to a busy hour still shows its shape.
        const qreal h = qMax<qreal>(1, area.height() * std::sqrt(qreal(requests) / qreal(max)));
        const qreal x = area.left() + step * qreal(i);
        const qreal eh = h * qreal(errors) / qreal(requests);
        painter->fillRect(QRectF(x, area.bottom() - h, width, h - eh), bar);
        if (errors > 0)
            painter->fillRect(QRectF(x, area.bottom() - eh, width, qMax<qreal>(1, eh)), error);
    }
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    return {qMax(base.width(), option.fontMetrics.averageCharWidth() * 14), base.height()};
}

} // namespace gemgate
