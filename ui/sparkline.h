#pragma once

// SparklineDelegate: paints a cell's hourly counts as a small bar chart (requests in the palette's highlight
// colour, the errors among them in red at the bottom; heights on a square-root scale), for the Keys page's "Last 24 h"
// column. The cell holds the counts under ValuesRole as a QList<qint64>: the requests per slot, then the errors per
// slot (same length).

#include <QStyledItemDelegate>

namespace gemgate {

class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    static constexpr int ValuesRole = Qt::UserRole + 10;
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace gemgate
