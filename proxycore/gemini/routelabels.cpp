#include "gemini/routelabels.h"

#include <QList>
#include <QSet>

namespace gemgate::gemini {

QString usageRouteLabel(const QByteArray& method, const QByteArray& path, const QString& model) {
    QByteArray p = path.left(256);
    if (!model.isEmpty()) {
        const qsizetype at = p.indexOf("/models/");
        if (at >= 0) {
            qsizetype end = at + 8;
            while (end < p.size() && p[end] != ':' && p[end] != '/')
                ++end;
            p.replace(at + 8, end - at - 8, "{model}");
        }
    }
    return QString::fromLatin1(method) + QLatin1Char(' ') + QString::fromUtf8(p);
}

QString restRouteLabel(const QByteArray& method, const QByteArray& path) {
    const QList<QByteArray> segs = path.split('/');
    QByteArray out = method + ' ';
    qsizetype i = 1;
    if (i < segs.size() && segs[i] == "upload")
        out += "/" + segs[i++];
    if (i < segs.size()) { // the version
        const QByteArray& v = segs[i++];
        out += '/' + (v == "v1" || v == "v1beta" || v == "v1alpha" ? v : QByteArrayLiteral("{other}"));
    }
    // Collections and actions of the Gemini REST API; anything else a client makes up is "{other}", so a client
    // cannot fill the metrics with label values of its own.
    static const QSet<QByteArray> kCollections = {
        "models",    "tunedModels", "files",       "cachedContents", "batches",          "operations", "corpora",
        "documents", "chunks",      "permissions", "generatedFiles", "fileSearchStores", "dynamic",    "ragStores"};
    static const QSet<QByteArray> kActions = {"generateContent",
                                              "streamGenerateContent",
                                              "countTokens",
                                              "embedContent",
                                              "batchEmbedContents",
                                              "batchGenerateContent",
                                              "asyncBatchEmbedContent",
                                              "predict",
                                              "predictLongRunning",
                                              "cancel",
                                              "generateAnswer",
                                              "query",
                                              "batchCreate",
                                              "batchDelete",
                                              "batchUpdate",
                                              "download",
                                              "importFile",
                                              "uploadToFileSearchStore"};
    QByteArray collection;
    for (int k = 0; i < segs.size() && k < 6; ++i, ++k) {
        QByteArray seg = segs[i];
        QByteArray action;
        const qsizetype colon = seg.indexOf(':');
        if (colon >= 0) {
            action = seg.mid(colon + 1);
            seg.truncate(colon);
        }
        if (k % 2 == 1)
            seg = collection == "models" || collection == "tunedModels" ? QByteArrayLiteral("{model}")
                                                                        : QByteArrayLiteral("{id}");
        else
            collection = seg = kCollections.contains(seg) ? seg : QByteArrayLiteral("{other}");
        out += '/' + seg;
        if (colon >= 0)
            out += ':' + (kActions.contains(action) ? action : QByteArrayLiteral("{other}"));
    }
    if (i < segs.size())
        out += "/...";
    return QString::fromUtf8(out);
}

} // namespace gemgate::gemini
