// The stateful routes of FakeUpstream: cachedContents, files, resumable uploads and batches. Each resource belongs
// to the "project" of the key that created it; another key gets 404 NOT_FOUND, as Google answers across projects.

#include "fakeupstream_p.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace gemgate::test::detail {
namespace {

constexpr qint64 kUploadGranularity = 8 * 1024 * 1024;

QDateTime now() {
    return QDateTime::currentDateTimeUtc();
}

bool parseBody(const Request& request, QJsonObject& out, Reply& error) {
    if (request.body.trimmed().isEmpty()) {
        out = {};
        return true;
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        error = errorReply(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
        return false;
    }
    out = doc.object();
    return true;
}

QString str(const QJsonObject& o, QLatin1String camel, QLatin1String snake) {
    return jsonField(o, camel, snake).toString();
}

// Splits "<collection>/<id>[:<verb>]" for the given collection. Returns false when the path is not under it.
bool splitName(const QByteArray& resource, QByteArrayView collection, QByteArray& id, QByteArray& verb) {
    if (resource == collection) {
        id.clear();
        verb.clear();
        return true;
    }
    if (!resource.startsWith(collection) || resource.size() <= collection.size() + 1 ||
        resource.at(collection.size()) != '/')
        return false;
    id = resource.mid(collection.size() + 1);
    const qsizetype colon = id.indexOf(':');
    verb = colon < 0 ? QByteArray() : id.mid(colon + 1);
    if (colon >= 0)
        id.truncate(colon);
    return !id.isEmpty() && !id.contains('/');
}

// Sorts owned entries by creation order and renders each with toJson.
template <typename Entry, typename ToJson>
QList<QByteArray> ownedItems(const QHash<QByteArray, Entry>& all, const QByteArray& key, ToJson toJson) {
    QList<std::pair<quint64, QByteArray>> owned;
    for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
        if (it->key == key)
            owned.append({it->seq, it.key()});
    }
    std::sort(owned.begin(), owned.end());
    QList<QByteArray> items;
    for (const auto& o : std::as_const(owned))
        items.append(toJson(o.second, all.value(o.second)));
    return items;
}

// ---- cachedContents ----------------------------------------------------------------------------------------------

QByteArray cacheJson(const QByteArray& id, const CachedEntry& e) {
    QByteArray out("{\"name\":\"cachedContents/");
    out.append(id);
    out.append("\",\"model\":");
    appendJsonString(out, QByteArray(QByteArrayLiteral("models/") + e.model));
    if (!e.displayName.isEmpty()) {
        out.append(",\"displayName\":");
        appendJsonString(out, e.displayName);
    }
    out.append(",\"createTime\":\"" + rfc3339(e.created) + "\",\"updateTime\":\"" + rfc3339(e.updated) +
               "\",\"expireTime\":\"" + rfc3339(e.expires) + "\",\"usageMetadata\":{\"totalTokenCount\":");
    out.append(QByteArray::number(e.tokens));
    out.append("}}");
    return out;
}

// ttl ("300s", "1.5s") or expireTime (RFC 3339), not both; none keeps `fallback`.
bool expiryFrom(const QJsonObject& body, const QDateTime& fallback, QDateTime& out, Reply& error) {
    const QString ttl = body.value(QLatin1String("ttl")).toString();
    const QString expire = str(body, QLatin1String("expireTime"), QLatin1String("expire_time"));
    if (!ttl.isEmpty() && !expire.isEmpty()) {
        error = errorReply(400, "INVALID_ARGUMENT", "Only one of ttl or expireTime may be set.");
        return false;
    }
    out = fallback;
    if (!ttl.isEmpty()) {
        bool ok = ttl.endsWith(QLatin1Char('s'));
        const double seconds = ok ? ttl.chopped(1).toDouble(&ok) : 0;
        if (!ok || seconds < 0) {
            error = errorReply(400, "INVALID_ARGUMENT", "Invalid value at 'cached_content.ttl'.");
            return false;
        }
        out = now().addMSecs(qint64(seconds * 1000));
    } else if (!expire.isEmpty()) {
        out = QDateTime::fromString(expire, Qt::ISODateWithMs);
        if (!out.isValid()) {
            error = errorReply(400, "INVALID_ARGUMENT", "Invalid value at 'cached_content.expire_time'.");
            return false;
        }
    }
    return true;
}

// Roughly what the cached contents would cost; the exact number does not matter to the gateway.
int cacheTokens(const QJsonObject& body) {
    const QJsonArray contents = body.value(QLatin1String("contents")).toArray();
    return tokensFor(QJsonDocument(contents).toJson(QJsonDocument::Compact));
}

} // namespace

bool routeCachedContents(Shared& shared, const RouteInput& in, Reply& out) {
    QByteArray id;
    QByteArray verb;
    if (!splitName(in.resource, "cachedContents", id, verb) || !verb.isEmpty())
        return false;
    const QByteArray& method = in.request.method;
    if (id.isEmpty()) {
        if (method == "GET") {
            QMutexLocker lock(&shared.mutex);
            jsonPage(in, "cachedContents", ownedItems(shared.caches, in.key, cacheJson), 100, 1000, out);
            return true;
        }
        if (method != "POST")
            return false;
        QJsonObject body;
        if (!parseBody(in.request, body, out))
            return true;
        CachedEntry e;
        e.key = in.key;
        e.model = body.value(QLatin1String("model")).toString().toUtf8();
        if (e.model.startsWith("models/"))
            e.model.remove(0, 7);
        if (e.model.isEmpty()) {
            out = errorReply(400, "INVALID_ARGUMENT", "CachedContent.model is required.");
            return true;
        }
        e.displayName = str(body, QLatin1String("displayName"), QLatin1String("display_name")).toUtf8();
        e.created = e.updated = now();
        if (!expiryFrom(body, e.created.addSecs(3600), e.expires, out))
            return true;
        e.tokens = cacheTokens(body);
        id = randomId(12);
        QMutexLocker lock(&shared.mutex);
        e.seq = shared.nextSeq++;
        shared.caches.insert(id, e);
        out = jsonReply(cacheJson(id, e));
        return true;
    }
    QMutexLocker lock(&shared.mutex);
    auto it = shared.caches.find(id);
    if (it == shared.caches.end() || it->key != in.key) {
        out = notFound("CachedContent not found (or permission denied)");
        return true;
    }
    if (method == "GET") {
        out = jsonReply(cacheJson(id, *it));
    } else if (method == "DELETE") {
        shared.caches.erase(it);
        out = jsonReply("{}");
    } else if (method == "PATCH") {
        QJsonObject body;
        QDateTime expires;
        if (parseBody(in.request, body, out) && expiryFrom(body, it->expires, expires, out)) {
            it->expires = expires;
            it->updated = now();
            out = jsonReply(cacheJson(id, *it));
        }
    } else {
        return false;
    }
    return true;
}

namespace {

// ---- files and uploads -------------------------------------------------------------------------------------------

QByteArray fileJson(const QByteArray& baseUrl, const QByteArray& id, const FileEntry& e) {
    QByteArray out("{\"name\":\"files/");
    out.append(id);
    out.append('"');
    if (!e.displayName.isEmpty()) {
        out.append(",\"displayName\":");
        appendJsonString(out, e.displayName);
    }
    out.append(",\"mimeType\":");
    appendJsonString(out, e.mimeType);
    out.append(",\"sizeBytes\":\"" + QByteArray::number(e.size) + "\",\"createTime\":\"" + rfc3339(e.created) +
               "\",\"updateTime\":\"" + rfc3339(e.created) + "\",\"expirationTime\":\"" +
               rfc3339(e.created.addSecs(48 * 3600)) + "\",\"sha256Hash\":\"" + e.sha256Base64 + "\",\"uri\":\"" +
               baseUrl + "/v1beta/files/" + id + "\",\"state\":\"ACTIVE\",\"source\":\"UPLOADED\"}");
    return out;
}

Reply uploadStatus(QByteArrayView status, qint64 received, QByteArray body = {}) {
    Reply r = jsonReply(std::move(body));
    r.extraHeaders = "X-Goog-Upload-Status: " + status.toByteArray() +
                     "\r\nX-Goog-Upload-Size-Received: " + QByteArray::number(received) + "\r\n";
    return r;
}

} // namespace

bool routeFiles(Shared& shared, const RouteInput& in, Reply& out) {
    QByteArray id;
    QByteArray verb;
    if (!splitName(in.resource, "files", id, verb) || !verb.isEmpty())
        return false;
    const QByteArray& method = in.request.method;
    const QByteArray base = shared.baseUrl();
    QMutexLocker lock(&shared.mutex);
    if (id.isEmpty()) {
        if (method != "GET")
            return false;
        const auto render = [&base](const QByteArray& fileId, const FileEntry& e) { return fileJson(base, fileId, e); };
        jsonPage(in, "files", ownedItems(shared.files, in.key, render), 10, 100, out);
        return true;
    }
    if (method != "GET" && method != "DELETE")
        return false;
    const auto it = shared.files.find(id);
    if (it == shared.files.end() || it->key != in.key) {
        out = notFound(QByteArray(QByteArrayLiteral("File ") + id + QByteArrayLiteral(" not found.")));
    } else if (method == "GET") {
        out = jsonReply(fileJson(base, id, *it));
    } else {
        shared.files.erase(it);
        out = jsonReply("{}");
    }
    return true;
}

// gemini-api.md §2.7: "start" opens a session and answers with its URL; chunks follow at that URL with
// X-Goog-Upload-Offset equal to the bytes received so far; "finalize" creates the file.
Reply routeUpload(Shared& shared, const RouteInput& in) {
    const QByteArray command = in.request.header("x-goog-upload-command").toLower();
    const QByteArray uploadId = queryValue(in.query, "upload_id");
    if (uploadId.isEmpty()) {
        if (in.request.header("x-goog-upload-protocol").toLower() != "resumable" || command.trimmed() != "start")
            return errorReply(400, "INVALID_ARGUMENT",
                              "Only resumable uploads (X-Goog-Upload-Command: start) are "
                              "supported here.");
        Reply error;
        QJsonObject body;
        if (!parseBody(in.request, body, error))
            return error;
        const QJsonObject file = body.value(QLatin1String("file")).toObject();
        UploadSession s;
        s.key = in.key;
        s.displayName = str(file, QLatin1String("displayName"), QLatin1String("display_name")).toUtf8();
        s.mimeType = in.request.header("x-goog-upload-header-content-type");
        if (s.mimeType.isEmpty())
            s.mimeType = str(file, QLatin1String("mimeType"), QLatin1String("mime_type")).toUtf8();
        if (s.mimeType.isEmpty())
            s.mimeType = QByteArrayLiteral("application/octet-stream");
        s.hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
        const QByteArray id = randomId(32);
        const QByteArray url = shared.baseUrl() + "/upload/v1beta/files?upload_id=" + id + "&upload_protocol=resumable";
        {
            QMutexLocker lock(&shared.mutex);
            shared.uploads.insert(id, s);
        }
        Reply r = uploadStatus("active", 0);
        r.extraHeaders += "X-Goog-Upload-URL: " + url +
                          "\r\nX-Goog-Upload-Chunk-Granularity: " + QByteArray::number(kUploadGranularity) + "\r\n";
        return r;
    }

    QMutexLocker lock(&shared.mutex);
    const auto it = shared.uploads.find(uploadId);
    if (it == shared.uploads.end())
        return notFound("Upload session not found.");
    if (it->key != in.key)
        return errorReply(403, "PERMISSION_DENIED", "The upload session was started by a different project.");
    bool upload = false;
    bool finalize = false;
    for (const QByteArray& part : command.split(',')) {
        const QByteArray c = part.trimmed();
        if (c == "upload")
            upload = true;
        else if (c == "finalize")
            finalize = true;
        else if (c == "query")
            return uploadStatus("active", it->received);
        else if (c == "cancel") {
            shared.uploads.erase(it);
            return uploadStatus("cancelled", 0);
        } else
            return errorReply(400, "INVALID_ARGUMENT", "Unknown X-Goog-Upload-Command.");
    }
    if (!upload && !finalize)
        return errorReply(400, "INVALID_ARGUMENT", "X-Goog-Upload-Command is required.");
    if (upload) {
        bool ok = false;
        const qint64 offset = in.request.header("x-goog-upload-offset").toLongLong(&ok);
        if (!ok || offset != it->received) {
            Reply r = errorReply(400, "INVALID_ARGUMENT",
                                 QByteArray(QByteArrayLiteral("Invalid X-Goog-Upload-Offset: expected ") +
                                            QByteArray::number(it->received)));
            r.extraHeaders = uploadStatus("active", it->received).extraHeaders;
            return r;
        }
        it->hash->addData(in.request.body);
        it->received += in.request.body.size();
    }
    if (!finalize)
        return uploadStatus("active", it->received);

    FileEntry f;
    f.key = it->key;
    f.seq = shared.nextSeq++;
    f.displayName = it->displayName;
    f.mimeType = it->mimeType;
    f.size = it->received;
    f.sha256Base64 = it->hash->result().toBase64();
    f.created = now();
    const qint64 received = it->received;
    shared.uploads.erase(it);
    const QByteArray id = randomId(12);
    shared.files.insert(id, f);
    return uploadStatus("final", received, "{\"file\":" + fileJson(shared.baseUrl(), id, f) + '}');
}

namespace {

// ---- batches -----------------------------------------------------------------------------------------------------

bool terminal(const QByteArray& state) {
    return state == "BATCH_STATE_SUCCEEDED" || state == "BATCH_STATE_CANCELLED" || state == "BATCH_STATE_FAILED";
}

QByteArray batchOutput(const QByteArray& id, const BatchEntry& e) {
    if (e.inputFile.isEmpty())
        return "\"inlinedResponses\":{\"inlinedResponses\":" + e.inlinedResponses + '}';
    return "\"responsesFile\":\"files/batch-" + id + '"';
}

QByteArray operationJson(const QByteArray& id, const BatchEntry& e) {
    const QByteArray count = QByteArray::number(e.requestCount);
    const bool succeeded = e.state == "BATCH_STATE_SUCCEEDED";
    QByteArray meta("{\"@type\":\"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch\","
                    "\"model\":");
    appendJsonString(meta, QByteArray(QByteArrayLiteral("models/") + e.model));
    if (!e.displayName.isEmpty()) {
        meta.append(",\"displayName\":");
        appendJsonString(meta, e.displayName);
    }
    meta.append(",\"createTime\":\"" + rfc3339(e.created) + "\",\"updateTime\":\"" + rfc3339(e.updated) +
                "\",\"batchStats\":{\"requestCount\":\"" + count + "\",");
    meta.append(succeeded ? "\"successfulRequestCount\":\"" : "\"pendingRequestCount\":\"");
    meta.append(count + "\"},\"state\":\"" + e.state + "\",\"name\":\"batches/" + id + '"');
    if (succeeded)
        meta.append(",\"output\":{" + batchOutput(id, e) + '}');
    meta.append('}');

    QByteArray out("{\"name\":\"batches/" + id + "\",\"metadata\":" + meta);
    if (terminal(e.state))
        out.append(",\"done\":true");
    if (succeeded)
        out.append(",\"response\":{\"@type\":\"type.googleapis.com/google.ai.generativelanguage.v1main."
                   "GenerateContentBatchOutput\"," +
                   batchOutput(id, e) + '}');
    out.append('}');
    return out;
}

} // namespace

Reply batchGenerateContent(Shared& shared, const RouteInput& in, const QByteArray& model) {
    Reply reply;
    QJsonObject body;
    if (!parseBody(in.request, body, reply))
        return reply;
    const QJsonObject batch = body.value(QLatin1String("batch")).toObject();
    const QJsonObject input = jsonField(batch, QLatin1String("inputConfig"), QLatin1String("input_config")).toObject();
    BatchEntry e;
    e.key = in.key;
    e.model = model;
    e.displayName = str(batch, QLatin1String("displayName"), QLatin1String("display_name")).toUtf8();
    e.inputFile = str(input, QLatin1String("fileName"), QLatin1String("file_name")).toUtf8();
    const QJsonArray requests =
        input.value(QLatin1String("requests")).toObject().value(QLatin1String("requests")).toArray();
    if (e.inputFile.isEmpty() && requests.isEmpty())
        return errorReply(400, "INVALID_ARGUMENT", "Batch.input_config must set requests or file_name.");
    if (e.inputFile.isEmpty()) {
        e.inlinedResponses = "[";
        for (qsizetype i = 0; i < requests.size(); ++i) {
            const QJsonObject r = requests.at(i).toObject();
            if (i > 0)
                e.inlinedResponses.append(',');
            e.inlinedResponses.append("{\"response\":" +
                                      generateResponseFor(r.value(QLatin1String("request")).toObject(), model));
            if (r.contains(QLatin1String("metadata"))) {
                e.inlinedResponses.append(
                    ",\"metadata\":" +
                    QJsonDocument(r.value(QLatin1String("metadata")).toObject()).toJson(QJsonDocument::Compact));
            }
            e.inlinedResponses.append('}');
        }
        e.inlinedResponses.append(']');
        e.requestCount = int(requests.size());
    } else {
        e.requestCount = 1;
    }
    e.state = "BATCH_STATE_PENDING";
    e.created = e.updated = now();
    const QByteArray id = randomId(16);
    QMutexLocker lock(&shared.mutex);
    e.seq = shared.nextSeq++;
    shared.batches.insert(id, e);
    return jsonReply(operationJson(id, e));
}

// Each GET moves a batch one step on (PENDING -> RUNNING -> SUCCEEDED), so pollers finish without sleeping.
bool routeBatches(Shared& shared, const RouteInput& in, Reply& out) {
    QByteArray id;
    QByteArray verb;
    if (!splitName(in.resource, "batches", id, verb))
        return false;
    const QByteArray& method = in.request.method;
    QMutexLocker lock(&shared.mutex);
    if (id.isEmpty()) {
        if (method != "GET")
            return false;
        jsonPage(in, "operations", ownedItems(shared.batches, in.key, operationJson), 50, 1000, out);
        return true;
    }
    const bool get = method == "GET" && verb.isEmpty();
    const bool remove = method == "DELETE" && verb.isEmpty();
    const bool cancel = method == "POST" && verb == "cancel";
    if (!get && !remove && !cancel)
        return false;
    const auto it = shared.batches.find(id);
    if (it == shared.batches.end() || it->key != in.key) {
        out = notFound();
        return true;
    }
    if (remove) {
        shared.batches.erase(it);
        out = jsonReply("{}");
        return true;
    }
    if (cancel) {
        if (!terminal(it->state)) {
            it->state = "BATCH_STATE_CANCELLED";
            it->updated = now();
        }
        out = jsonReply("{}");
        return true;
    }
    if (!terminal(it->state)) {
        it->state = ++it->polls == 1 ? "BATCH_STATE_RUNNING" : "BATCH_STATE_SUCCEEDED";
        it->updated = now();
    }
    out = jsonReply(operationJson(id, *it));
    return true;
}

} // namespace gemgate::test::detail
