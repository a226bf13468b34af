#include "gemini/resources.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace gemgate {

namespace {
constexpr int kMaxReferences = 16;

bool isPinnedKind(QStringView name) {
    return name.startsWith(u"files/") || name.startsWith(u"cachedContents/") || name.startsWith(u"batches/");
}
} // namespace

QStringList referencedResources(const QByteArray& path, const QByteArray& body) {
    QStringList out;
    // Path: /v1beta/<kind>/<id>[:verb] (also /upload/v1beta/..., and /v1/...).
    static const QRegularExpression pathRe(
        QStringLiteral("/v1[a-z0-9]*/(files|cachedContents|batches)/([A-Za-z0-9_.-]+)"));
    // Most requests name no resource: look for the words before paying for a regular expression.
    if (path.contains("/files/") || path.contains("/cachedContents/") || path.contains("/batches/")) {
        if (const QRegularExpressionMatch m = pathRe.match(QString::fromUtf8(path)); m.hasMatch())
            out.append(m.captured(1) + u'/' + m.captured(2));
    }
    // Body: only worth a look when it can refer to a file or a cache at all.
    if (body.contains("fileUri") || body.contains("file_uri") || body.contains("cachedContent")) {
        static const QRegularExpression bodyRe(QStringLiteral("(?:/|\")(files|cachedContents)/([A-Za-z0-9_.-]+)\""));
        QRegularExpressionMatchIterator it = bodyRe.globalMatch(QString::fromUtf8(body));
        while (it.hasNext() && out.size() < kMaxReferences) {
            const QRegularExpressionMatch m = it.next();
            const QString name = m.captured(1) + u'/' + m.captured(2);
            if (!out.contains(name))
                out.append(name);
        }
    }
    return out;
}

QString createdResourceName(const QByteArray& body) {
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QString name = o.value(QLatin1String("name")).toString();
    if (name.isEmpty())
        name = o.value(QLatin1String("file")).toObject().value(QLatin1String("name")).toString();
    // Batch creation returns an operation named "batches/..." too.
    return isPinnedKind(name) ? name : QString();
}

bool createsResource(const QByteArray& method, const QByteArray& path, const QByteArray& action) {
    if (method != "POST")
        return false;
    if (action == "batchGenerateContent" || action == "asyncBatchEmbedContent")
        return true;
    // POST /v1beta/files (metadata-only create), /v1beta/cachedContents, and upload finalization.
    return path.endsWith("/files") || path.endsWith("/cachedContents") || path.startsWith("/upload/");
}

} // namespace gemgate
