#include "textdiff.h"

#include <vector>

namespace gemgate {

QList<DiffLine> diffLines(const QStringList& before, const QStringList& after, int context) {
    // Common head and tail first: a config edit usually touches a few lines in the middle.
    qsizetype head = 0;
    while (head < before.size() && head < after.size() && before[head] == after[head])
        ++head;
    qsizetype tail = 0;
    while (tail < before.size() - head && tail < after.size() - head &&
           before[before.size() - 1 - tail] == after[after.size() - 1 - tail])
        ++tail;
    const qsizetype n = before.size() - head - tail, m = after.size() - head - tail;
    QList<DiffLine> full;
    for (qsizetype i = 0; i < head; ++i)
        full.append({DiffLine::Same, before[i]});
    if (n * m > 25'000'000) {
        // Too large to align line by line: everything in between as removed, then added.
        for (qsizetype i = 0; i < n; ++i)
            full.append({DiffLine::Removed, before[head + i]});
        for (qsizetype j = 0; j < m; ++j)
            full.append({DiffLine::Added, after[head + j]});
    } else {
        // lcs[i][j]: the longest common subsequence of before[head+i..] and after[head+j..].
        std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
        for (qsizetype i = n - 1; i >= 0; --i)
            for (qsizetype j = m - 1; j >= 0; --j)
                lcs[size_t(i)][size_t(j)] =
                    before[head + i] == after[head + j]
                        ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                        : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
        qsizetype i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && before[head + i] == after[head + j]) {
                full.append({DiffLine::Same, before[head + i]});
                ++i, ++j;
            } else if (i < n && (j == m || lcs[size_t(i + 1)][size_t(j)] >= lcs[size_t(i)][size_t(j + 1)])) {
                full.append({DiffLine::Removed, before[head + i]}); // removals before additions
                ++i;
            } else {
                full.append({DiffLine::Added, after[head + j]});
                ++j;
            }
        }
    }
    for (qsizetype k = 0; k < tail; ++k)
        full.append({DiffLine::Same, before[before.size() - tail + k]});

    // Fold unchanged runs that are further than `context` from a change.
    std::vector<bool> keep(size_t(full.size()), false);
    for (qsizetype k = 0; k < full.size(); ++k) {
        if (full[k].kind == DiffLine::Same)
            continue;
        for (qsizetype c = qMax<qsizetype>(0, k - context); c <= qMin(full.size() - 1, k + context); ++c)
            keep[size_t(c)] = true;
    }
    QList<DiffLine> out;
    for (qsizetype k = 0; k < full.size(); ++k) {
        if (keep[size_t(k)]) {
            out.append(full[k]);
        } else if (out.isEmpty() || out.last().kind != DiffLine::Folded) {
            out.append({DiffLine::Folded, QStringLiteral("…")});
        }
    }
    return out;
}

QString diffText(const QList<DiffLine>& lines) {
    QStringList out;
    for (const DiffLine& l : lines) {
        switch (l.kind) {
        case DiffLine::Same:
            out.append(QStringLiteral("  ") + l.text);
            break;
        case DiffLine::Removed:
            out.append(QStringLiteral("- ") + l.text);
            break;
        case DiffLine::Added:
            out.append(QStringLiteral("+ ") + l.text);
            break;
        case DiffLine::Folded:
            out.append(l.text);
            break;
        }
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace gemgate
