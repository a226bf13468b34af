#pragma once

// Internals of FakeUpstream shared by its source files: the parsed request, the reply a route computes, the
// in-memory "projects" (one per API key) and the thread-safe state the public accessors read.

#include "fakeupstream.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <memory>

namespace gemgate::test::detail {

struct Request {
    QByteArray method;
    QByteArray target;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QDateTime receivedAt;
    quint64 connectionId = 0;
    int httpMinor = 1;
    bool keepAlive = true;
    bool malformed = false; // the parser gave up: answered with 400 and a close

    QByteArray header(QByteArrayView lowerCaseName) const;
};

// One functionCall part of a reply (x-fake-function-call).
struct FunctionCall {
    QByteArray name;
    QByteArray argsJson;  // a compact JSON object
    QByteArray signature; // the part's thoughtSignature (base64)
};

// What a streamGenerateContent reply sends; the connection asks streamEvent() for each event when it is due.
struct StreamPlan {
    bool sse = true;
    bool empty = false; // EmptyReply: one event without candidates
    int chunks = 3;
    int intervalMs = 0;
    int abortAfter = -1; // < 0: never
    QByteArray model;
    QByteArray responseId;
    QByteArray firstText; // UTF-8
    int promptTokens = 0;
    int candidateTokens = 0;   // running total, advanced by streamEvent()
    QList<FunctionCall> calls; // when set: the last event carries these (and chunks <= 2)
};

struct Reply {
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json; charset=UTF-8");
    QByteArray extraHeaders; // complete "Name: value\r\n" lines
    QByteArray body;
    int delayMs = 0;
    bool isStream = false;
    StreamPlan stream;
};

struct CachedEntry {
    QByteArray key;
    quint64 seq = 0;
    QByteArray model;
    QByteArray displayName;
    QDateTime created;
    QDateTime updated;
    QDateTime expires;
    int tokens = 0;
};

struct FileEntry {
    QByteArray key;
    quint64 seq = 0;
    QByteArray displayName;
    QByteArray mimeType;
    QByteArray sha256Base64;
    qint64 size = 0;
    QDateTime created;
};

struct BatchEntry {
    QByteArray key;
    quint64 seq = 0;
    QByteArray model;
    QByteArray displayName;
    QDateTime created;
    QDateTime updated;
    QByteArray state;
    int polls = 0;
    int requestCount = 0;
    QByteArray inlinedResponses; // JSON array text, or empty for file input
    QByteArray inputFile;
};

struct UploadSession {
    QByteArray key;
    QByteArray displayName;
    QByteArray mimeType;
    qint64 received = 0;
    std::shared_ptr<QCryptographicHash> hash;
};

struct Shared {
    struct Rule {
        FakeUpstream::Behavior behavior = FakeUpstream::Ok;
        int remaining = -1; // < 0: forever
    };

    // Guards everything that is not atomic below.
    mutable QMutex mutex;
    QHash<QByteArray, Rule> rules;
    QList<RecordedRequest> recorded;
    int requestCount = 0;
    QMap<QByteArray, int> perKey;
    QHash<QByteArray, CachedEntry> caches;
    QHash<QByteArray, FileEntry> files;
    QHash<QByteArray, BatchEntry> batches;
    QHash<QByteArray, UploadSession> uploads;
    quint64 nextSeq = 1;

    std::atomic<bool> recording{true};
    std::atomic<int> port{0};
    std::atomic<quint64> nextConnectionId{1};
    std::atomic<quint64> nextSignature{1}; // numbers the thought signatures of function calls
    std::atomic<int> activeStreams{0};
    std::atomic<int> maxStreams{0};
    std::atomic<int> abortedStreams{0};
    std::atomic<int> abortedUnary{0};

    QByteArray baseUrl() const;
    void record(const Request& request, const QByteArray& key);
    // Returns the behaviour for the key and, when consume is set and it is not Ok, uses up one of its counts.
    FakeUpstream::Behavior behaviorFor(const QByteArray& key, bool consume);
    void streamOpened();
    void streamClosed(bool byClient);
};

// Takes over an accepted socket descriptor; the connection becomes a child of owner (and lives in its thread).
void adoptConnection(Shared& shared, QObject* owner, qintptr descriptor);

// Routing (fakeupstream_routes.cpp).
Reply route(Shared& shared, const Request& request);
QByteArray streamEvent(StreamPlan& plan, int index); // one GenerateContentResponse JSON object
Reply malformedRequestReply();

struct RouteInput {
    const Request& request;
    QByteArray key;
    QByteArray resource; // path after the version segment, e.g. "models/gemini-2.5-flash:generateContent"
    QByteArray query;
};

// Resources owned by a key's "project" (fakeupstream_resources.cpp). Each returns false when the path is not its.
bool routeCachedContents(Shared& shared, const RouteInput& in, Reply& out);
bool routeFiles(Shared& shared, const RouteInput& in, Reply& out);
bool routeBatches(Shared& shared, const RouteInput& in, Reply& out);
Reply batchGenerateContent(Shared& shared, const RouteInput& in, const QByteArray& model);
Reply routeUpload(Shared& shared, const RouteInput& in);

// Helpers shared by the route files.
Reply jsonReply(QByteArray body, int status = 200);
Reply errorReply(int code, QByteArrayView status, QByteArrayView message, QByteArrayView detailsJson = {});
Reply notFound(QByteArrayView message = {});
QByteArray queryValue(QByteArrayView query, QByteArrayView name);
QByteArray randomId(int length);
QByteArray rfc3339(const QDateTime& utc);
int tokensFor(QByteArrayView utf8);
void appendJsonString(QByteArray& out, QByteArrayView utf8);
QByteArray jsonString(QByteArrayView utf8);
// A page of items (each a JSON value) as {"<field>":[...],"nextPageToken":"..."}; false on a bad page token.
bool jsonPage(const RouteInput& in, QByteArrayView field, const QList<QByteArray>& items, int defaultSize, int maxSize,
              Reply& out);
// proto3 JSON accepts both lowerCamelCase and snake_case field names in requests.
QJsonValue jsonField(const QJsonObject& o, QLatin1String camel, QLatin1String snake);
// The unary GenerateContentResponse for a parsed request body; used by generateContent and by batches.
QByteArray generateResponseFor(const QJsonObject& body, QByteArrayView model);

} // namespace gemgate::test::detail
