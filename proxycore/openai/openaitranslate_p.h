#pragma once

// Internal to the OpenAI translation layer: the validating reader behind translateChatRequest and
// translateEmbeddingsRequest (openaitranslate.cpp, openaimessages.cpp). Not part of proxycore's interface.

#include "openai/openaitranslate.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>

#include <initializer_list>

namespace gemgate::openai::detail {

// "a string", "an object", ... for "expected X, but got Y" messages.
QString typeName(const QJsonValue& v);

// A field's value; null counts as absent (clients often send explicit nulls for unset options).
inline QJsonValue field(const QJsonObject& o, QLatin1StringView key) {
    const QJsonValue v = o.value(key);
    return v.isNull() ? QJsonValue(QJsonValue::Undefined) : v;
}

// Field paths as OpenAI names them: "messages[2].content[0].image_url.url".
inline QString sub(const QString& path, QLatin1StringView key) {
    return path.isEmpty() ? QString(key) : path + QLatin1Char('.') + key;
}
inline QString at(const QString& path, qsizetype i) {
    return path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
}

// Reads a request body. Every check returns false after recording the first failure in `error` (a 400 naming the
// field), so a chain of checks stops at the first one that fails.
class RequestTranslator {
public:
    explicit RequestTranslator(const TranslateOptions& options)
        : m_options(options) {}
    std::optional<ChatRequest> chat(const QByteArray& body);
    std::optional<EmbeddingsRequest> embeddings(const QByteArray& body);
    ApiError error;

private:
    bool fail(const QString& param, const QString& message, const QString& code = QStringLiteral("invalid_value"));
    bool typeError(const QString& param, const QString& expected, const QJsonValue& got);
    bool missing(const QString& param);
    bool onlyKeys(const QJsonObject& o, const QString& path, std::initializer_list<QLatin1StringView> known);
    bool string(const QJsonValue& v, const QString& path, QString* out);
    bool boolean(const QJsonValue& v, const QString& path, bool* out);
    bool object(const QJsonValue& v, const QString& path, QJsonObject* out);
    bool array(const QJsonValue& v, const QString& path, QJsonArray* out);
    bool number(const QJsonValue& v, const QString& path, double lo, double hi, double* out);
    bool integer(const QJsonValue& v, const QString& path, qint64 lo, qint64 hi, qint64* out);
    bool parse(const QByteArray& body, QJsonObject* root);
    void ignore(const QString& name) {
        if (!m_ignored.contains(name))
            m_ignored.append(name);
    }

    // openaitranslate.cpp
    bool topLevelKeys(const QJsonObject& root);
    bool model(const QJsonObject& root, QString* requested, QString* model);
    bool generation(const QJsonObject& root, QJsonObject* gen, ChatRequest* req);
    bool responseFormat(const QJsonValue& v, QJsonObject* gen);
    bool tools(const QJsonObject& root, QJsonObject* native);
    bool google(const QJsonObject& root, bool haveEffort, QJsonObject* gen, QJsonObject* native);

    // openaimessages.cpp
    bool messages(const QJsonObject& root, QJsonObject* native);
    bool textContent(const QJsonValue& v, const QString& path, bool allowRefusal, QStringList* texts);
    bool userContent(const QJsonValue& v, const QString& path, QJsonArray* parts);
    bool dataUrl(const QString& url, const QString& path, QJsonObject* part);
    bool imagePart(const QJsonObject& p, const QString& path, QJsonObject* part);
    bool audioPart(const QJsonObject& p, const QString& path, QJsonObject* part);
    bool filePart(const QJsonObject& p, const QString& path, QJsonObject* part);
    bool toolCalls(const QJsonArray& calls, const QString& path, QJsonArray* parts);

    const TranslateOptions& m_options;
    QStringList m_ignored;
    QHash<QString, QString> m_callNames; // tool-call id -> function name, from earlier assistant messages
};

} // namespace gemgate::openai::detail
