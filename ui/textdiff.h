#pragma once

// A line diff for the settings page's config history: the longest common subsequence of the lines, as a unified
// listing ("  " kept, "- " only in the old text, "+ " only in the new one) with runs of unchanged lines beyond
// `context` around a change folded to one "…" line.

#include <QString>
#include <QStringList>

namespace gemgate {

struct DiffLine {
    enum Kind { Same, Removed, Added, Folded };
    Kind kind = Same;
    QString text;
};

QList<DiffLine> diffLines(const QStringList& before, const QStringList& after, int context = 3);
// The listing as text, one line per DiffLine.
QString diffText(const QList<DiffLine>& lines);

} // namespace gemgate
