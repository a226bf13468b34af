// OpenAI chat messages -> Gemini contents and systemInstruction (docs/gemini-api.md 7.2): roles, content parts
// (text, data-URL images, audio, files), assistant tool calls with their thought signatures restored, and tool
// results grouped into one function-response turn. Decisions on ignored fields: see openaitranslate.cpp.

#include "openai/openaitranslate_p.h"

#include <QJsonDocument>
#include <QUrl>

#include <utility>
#include <vector>

namespace gemgate::openai::detail {

using namespace Qt::StringLiterals;

bool RequestTranslator::textContent(const QJsonValue& v, const QString& path, bool allowRefusal, QStringList* texts) {
    if (v.isUndefined())
        return true;
    if (v.isString()) {
        texts->append(v.toString());
        return true;
    }
    if (!v.isArray())
        return typeError(path, u"a string or an array of text parts"_s, v);
    const QJsonArray parts = v.toArray();
    for (qsizetype j = 0; j < parts.size(); ++j) {
        const QString pp = at(path, j);
        QJsonObject p;
        QString type;
        if (!object(parts.at(j), pp, &p) || !string(p.value("type"_L1), sub(pp, "type"_L1), &type))
            return false;
        if (type == "text"_L1) {
            QString text;
            if (!onlyKeys(p, pp, {"type"_L1, "text"_L1}) || !string(p.value("text"_L1), sub(pp, "text"_L1), &text))
                return false;
            texts->append(text);
        } else if (type == "refusal"_L1 && allowRefusal) {
            QString text;
            if (!onlyKeys(p, pp, {"type"_L1, "refusal"_L1}) ||
                !string(p.value("refusal"_L1), sub(pp, "refusal"_L1), &text))
                return false;
            texts->append(text);
        } else {
            return fail(sub(pp, "type"_L1),
                        u"Invalid value for '%1': '%2' parts are not allowed here; expected 'text'%3."_s.arg(
                            sub(pp, "type"_L1), type, allowRefusal ? u" or 'refusal'"_s : QString()));
        }
    }
    return true;
}

bool RequestTranslator::dataUrl(const QString& url, const QString& path, QJsonObject* part) {
    const qsizetype comma = url.indexOf(u',');
    const QStringList meta = url.mid(5, comma - 5).split(u';');
    const QString mime = meta.value(0).trimmed().toLower();
    bool base64 = false;
    for (qsizetype i = 1; i < meta.size(); ++i)
        base64 = base64 || meta.at(i).trimmed().compare("base64"_L1, Qt::CaseInsensitive) == 0;
    if (comma < 0 || mime.isEmpty() || !base64 || comma + 1 >= url.size())
        return fail(
            path,
            u"Invalid value for '%1': expected a base64 data URL ('data:<media type>;base64,<data>')."_s.arg(path));
    part->insert("inlineData"_L1, QJsonObject{{"mimeType"_L1, mime}, {"data"_L1, url.mid(comma + 1)}});
    return true;
}

bool RequestTranslator::imagePart(const QJsonObject& p, const QString& path, QJsonObject* part) {
    QJsonObject image;
    QString url;
    const QString ip = sub(path, "image_url"_L1);
    if (!onlyKeys(p, path, {"type"_L1, "image_url"_L1}) || !object(p.value("image_url"_L1), ip, &image) ||
        !onlyKeys(image, ip, {"url"_L1, "detail"_L1}))
        return false;
    const QString up = sub(ip, "url"_L1);
    if (image.value("url"_L1).isUndefined())
        return missing(up);
    if (!string(image.value("url"_L1), up, &url))
        return false;
    if (const QJsonValue detail = field(image, "detail"_L1); !detail.isUndefined()) {
        QString d;
        if (!string(detail, sub(ip, "detail"_L1), &d))
            return false;
        ignore(u"messages[].content[].image_url.detail"_s);
    }
    if (url.startsWith("data:"_L1, Qt::CaseInsensitive))
        return dataUrl(url, up, part);
    const QUrl u(url);
    if (u.scheme() == "https"_L1 && u.host() == "generativelanguage.googleapis.com"_L1 &&
        u.path().contains("/files/"_L1)) {
        part->insert("fileData"_L1, QJsonObject{{"fileUri"_L1, url}});
        return true;
    }
    if (u.scheme() == "http"_L1 || u.scheme() == "https"_L1)
        return fail(up,
                    u"Invalid value for '%1': this gateway does not fetch image URLs. Send the image inline as a "
                    "base64 data URL ('data:image/png;base64,...') or as a Gemini Files API URI."_s.arg(up),
                    u"unsupported_value"_s);
    return fail(up, u"Invalid value for '%1': expected a base64 data URL ('data:image/png;base64,...') or a Gemini "
                    "Files API URI."_s.arg(up));
}

bool RequestTranslator::audioPart(const QJsonObject& p, const QString& path, QJsonObject* part) {
    QJsonObject audio;
    QString data;
    QString format;
    const QString ap = sub(path, "input_audio"_L1);
    if (!onlyKeys(p, path, {"type"_L1, "input_audio"_L1}) || !object(p.value("input_audio"_L1), ap, &audio) ||
        !onlyKeys(audio, ap, {"data"_L1, "format"_L1}) || !string(audio.value("data"_L1), sub(ap, "data"_L1), &data) ||
        !string(audio.value("format"_L1), sub(ap, "format"_L1), &format))
        return false;
    if (data.isEmpty())
        return fail(sub(ap, "data"_L1), u"Invalid value for '%1': the audio data is empty."_s.arg(sub(ap, "data"_L1)));
    if (format != "wav"_L1 && format != "mp3"_L1)
        return fail(sub(ap, "format"_L1),
                    u"Invalid value for '%1': expected 'wav' or 'mp3', got '%2'."_s.arg(sub(ap, "format"_L1), format));
    part->insert("inlineData"_L1, QJsonObject{{"mimeType"_L1, QString(u"audio/"_s + format)}, {"data"_L1, data}});
    return true;
}

bool RequestTranslator::filePart(const QJsonObject& p, const QString& path, QJsonObject* part) {
    QJsonObject file;
    const QString fp = sub(path, "file"_L1);
    if (!onlyKeys(p, path, {"type"_L1, "file"_L1}) || !object(p.value("file"_L1), fp, &file) ||
        !onlyKeys(file, fp, {"file_data"_L1, "file_id"_L1, "filename"_L1}))
        return false;
    if (!field(file, "file_id"_L1).isUndefined())
        return fail(sub(fp, "file_id"_L1),
                    u"Invalid value for '%1': OpenAI file ids cannot be used with Gemini; send the file inline as "
                    "'file_data' (a base64 data URL)."_s.arg(sub(fp, "file_id"_L1)),
                    u"unsupported_value"_s);
    if (const QJsonValue name = field(file, "filename"_L1); !name.isUndefined()) {
        QString n;
        if (!string(name, sub(fp, "filename"_L1), &n))
            return false;
        ignore(u"messages[].content[].file.filename"_s);
    }
    QString data;
    const QString dp = sub(fp, "file_data"_L1);
    if (field(file, "file_data"_L1).isUndefined())
        return missing(dp);
    if (!string(file.value("file_data"_L1), dp, &data))
        return false;
    if (!data.startsWith("data:"_L1, Qt::CaseInsensitive))
        return fail(
            dp, u"Invalid value for '%1': expected a base64 data URL ('data:application/pdf;base64,...')."_s.arg(dp));
    return dataUrl(data, dp, part);
}

bool RequestTranslator::userContent(const QJsonValue& v, const QString& path, QJsonArray* parts) {
    if (v.isString()) {
        if (!v.toString().isEmpty())
            parts->append(QJsonObject{{"text"_L1, v.toString()}});
        return true;
    }
    if (!v.isArray())
        return typeError(path, u"a string or an array of content parts"_s, v);
    const QJsonArray items = v.toArray();
    for (qsizetype j = 0; j < items.size(); ++j) {
        const QString pp = at(path, j);
        QJsonObject p;
        QString type;
        if (!object(items.at(j), pp, &p) || !string(p.value("type"_L1), sub(pp, "type"_L1), &type))
            return false;
        QJsonObject part;
        if (type == "text"_L1) {
            QString text;
            if (!onlyKeys(p, pp, {"type"_L1, "text"_L1}) || !string(p.value("text"_L1), sub(pp, "text"_L1), &text))
                return false;
            if (text.isEmpty())
                continue;
            part.insert("text"_L1, text);
        } else if (type == "image_url"_L1) {
            if (!imagePart(p, pp, &part))
                return false;
        } else if (type == "input_audio"_L1) {
            if (!audioPart(p, pp, &part))
                return false;
        } else if (type == "file"_L1) {
            if (!filePart(p, pp, &part))
                return false;
        } else {
            return fail(sub(pp, "type"_L1), u"Invalid value for '%1': '%2'; expected 'text', 'image_url', "
                                            "'input_audio' or 'file'."_s.arg(sub(pp, "type"_L1), type));
        }
        parts->append(part);
    }
    return true;
}

bool RequestTranslator::toolCalls(const QJsonArray& calls, const QString& path, QJsonArray* parts) {
    for (qsizetype j = 0; j < calls.size(); ++j) {
        const QString cp = at(path, j);
        QJsonObject call;
        QJsonObject function;
        QString id;
        QString name;
        QString arguments;
        if (!object(calls.at(j), cp, &call) || !onlyKeys(call, cp, {"id"_L1, "type"_L1, "function"_L1}))
            return false;
        if (field(call, "id"_L1).isUndefined())
            return missing(sub(cp, "id"_L1));
        if (!string(call.value("id"_L1), sub(cp, "id"_L1), &id))
            return false;
        if (const QJsonValue type = field(call, "type"_L1); !type.isUndefined() && type != QJsonValue(u"function"_s))
            return fail(sub(cp, "type"_L1), u"Invalid value for '%1': expected 'function'."_s.arg(sub(cp, "type"_L1)));
        const QString fp = sub(cp, "function"_L1);
        if (!object(call.value("function"_L1), fp, &function) || !onlyKeys(function, fp, {"name"_L1, "arguments"_L1}) ||
            !string(function.value("name"_L1), sub(fp, "name"_L1), &name))
            return false;
        if (name.isEmpty())
            return fail(sub(fp, "name"_L1),
                        u"Invalid value for '%1': the function name is empty."_s.arg(sub(fp, "name"_L1)));
        const QString ap = sub(fp, "arguments"_L1);
        if (!field(function, "arguments"_L1).isUndefined() && !string(function.value("arguments"_L1), ap, &arguments))
            return false;
        QJsonObject args;
        if (!arguments.trimmed().isEmpty()) {
            QJsonParseError pe;
            const QJsonDocument doc = QJsonDocument::fromJson(arguments.toUtf8(), &pe);
            if (pe.error != QJsonParseError::NoError || !doc.isObject())
                return fail(
                    ap, u"Invalid value for '%1': expected a JSON object encoded as a string (%2)."_s.arg(
                            ap, pe.error != QJsonParseError::NoError ? pe.errorString() : u"got another JSON value"_s));
            args = doc.object();
        }
        QJsonObject part{{"functionCall"_L1, QJsonObject{{"name"_L1, name}, {"args"_L1, args}}}};
        if (m_options.signatures) {
            const QByteArray sig = m_options.signatures->signature(id);
            if (!sig.isEmpty())
                part.insert("thoughtSignature"_L1, QString::fromLatin1(sig));
        }
        parts->append(part);
        m_callNames.insert(id, name);
    }
    return true;
}

bool RequestTranslator::messages(const QJsonObject& root, QJsonObject* native) {
    const QJsonValue v = field(root, "messages"_L1);
    if (v.isUndefined())
        return missing(u"messages"_s);
    QJsonArray messages;
    if (!array(v, u"messages"_s, &messages))
        return false;
    if (messages.isEmpty())
        return fail(u"messages"_s, u"Invalid value for 'messages': at least one message is required."_s);

    QJsonArray system;
    std::vector<std::pair<QString, QJsonArray>> turns; // consecutive same-role messages merged
    const auto add = [&turns](const QString& role, const QJsonArray& parts) {
        if (parts.isEmpty())
            return;
        if (turns.empty() || turns.back().first != role)
            turns.emplace_back(role, QJsonArray());
        for (const QJsonValue& p : parts)
            turns.back().second.append(p);
    };

    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString path = at(u"messages"_s, i);
        QJsonObject m;
        QString role;
        if (!object(messages.at(i), path, &m))
            return false;
        if (field(m, "role"_L1).isUndefined())
            return missing(sub(path, "role"_L1));
        if (!string(m.value("role"_L1), sub(path, "role"_L1), &role))
            return false;
        const QString cp = sub(path, "content"_L1);
        const QJsonValue content = field(m, "content"_L1);
        if (!field(m, "name"_L1).isUndefined()) {
            QString name;
            if (!string(m.value("name"_L1), sub(path, "name"_L1), &name))
                return false;
            ignore(u"messages[].name"_s);
        }

        if (role == "system"_L1 || role == "developer"_L1) {
            QStringList texts;
            if (!onlyKeys(m, path, {"role"_L1, "content"_L1, "name"_L1}) || !textContent(content, cp, false, &texts))
                return false;
            for (const QString& t : std::as_const(texts))
                if (!t.isEmpty())
                    system.append(QJsonObject{{"text"_L1, t}});
        } else if (role == "user"_L1) {
            QJsonArray parts;
            if (!onlyKeys(m, path, {"role"_L1, "content"_L1, "name"_L1}))
                return false;
            if (content.isUndefined())
                return missing(cp);
            if (!userContent(content, cp, &parts))
                return false;
            if (parts.isEmpty())
                return fail(cp, u"Invalid value for '%1': the message is empty."_s.arg(cp));
            add(u"user"_s, parts);
        } else if (role == "assistant"_L1) {
            if (!field(m, "function_call"_L1).isUndefined())
                return fail(
                    sub(path, "function_call"_L1),
                    u"'%1' is deprecated and not supported: send 'tool_calls'."_s.arg(sub(path, "function_call"_L1)),
                    u"unsupported_parameter"_s);
            if (!field(m, "audio"_L1).isUndefined())
                return fail(sub(path, "audio"_L1),
                            u"'%1': audio replies are not supported."_s.arg(sub(path, "audio"_L1)),
                            u"unsupported_parameter"_s);
            if (!onlyKeys(m, path,
                          {"role"_L1, "content"_L1, "name"_L1, "tool_calls"_L1, "refusal"_L1, "reasoning_content"_L1,
                           "audio"_L1, "function_call"_L1}))
                return false;
            QStringList texts;
            if (!textContent(content, cp, true, &texts))
                return false;
            if (const QJsonValue refusal = field(m, "refusal"_L1); !refusal.isUndefined()) {
                QString r;
                if (!string(refusal, sub(path, "refusal"_L1), &r))
                    return false;
                texts.append(r);
            }
            if (!field(m, "reasoning_content"_L1).isUndefined())
                ignore(u"messages[].reasoning_content"_s);
            QJsonArray parts;
            for (const QString& t : std::as_const(texts))
                if (!t.isEmpty())
                    parts.append(QJsonObject{{"text"_L1, t}});
            if (const QJsonValue calls = field(m, "tool_calls"_L1); !calls.isUndefined()) {
                QJsonArray list;
                if (!array(calls, sub(path, "tool_calls"_L1), &list) ||
                    !toolCalls(list, sub(path, "tool_calls"_L1), &parts))
                    return false;
            }
            // An assistant message with neither text nor calls says nothing: dropping it loses nothing.
            add(u"model"_s, parts);
        } else if (role == "tool"_L1) {
            QString id;
            QStringList texts;
            const QString ip = sub(path, "tool_call_id"_L1);
            if (!onlyKeys(m, path, {"role"_L1, "content"_L1, "tool_call_id"_L1}))
                return false;
            if (field(m, "tool_call_id"_L1).isUndefined())
                return missing(ip);
            if (!string(m.value("tool_call_id"_L1), ip, &id) || !textContent(content, cp, false, &texts))
                return false;
            const QString name = m_callNames.value(id);
            if (name.isEmpty())
                return fail(ip, u"Invalid value for '%1': '%2' does not match a tool call of an earlier assistant "
                                "message."_s.arg(ip, id));
            const QString text = texts.join(QString());
            const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
            const QJsonObject response = doc.isObject() ? doc.object() : QJsonObject{{"result"_L1, text}};
            add(u"user"_s, QJsonArray{QJsonObject{
                               {"functionResponse"_L1, QJsonObject{{"name"_L1, name}, {"response"_L1, response}}}}});
        } else if (role == "function"_L1) {
            return fail(sub(path, "role"_L1), u"Invalid value for '%1': the 'function' role is deprecated and not "
                                              "supported; send 'tool' messages."_s.arg(sub(path, "role"_L1)));
        } else {
            return fail(sub(path, "role"_L1), u"Invalid value for '%1': '%2'; expected 'system', 'developer', "
                                              "'user', 'assistant' or 'tool'."_s.arg(sub(path, "role"_L1), role));
        }
    }
    if (turns.empty())
        return fail(u"messages"_s,
                    u"Invalid value for 'messages': at least one user or assistant message is required."_s);
    QJsonArray contents;
    for (auto& [role, parts] : turns)
        contents.append(QJsonObject{{"role"_L1, role}, {"parts"_L1, parts}});
    native->insert("contents"_L1, contents);
    if (!system.isEmpty())
        native->insert("systemInstruction"_L1, QJsonObject{{"parts"_L1, system}});
    return true;
}

} // namespace gemgate::openai::detail
