#include "pipeline/stages/pinstage.h"

#include "gemini/resources.h"
#include "keys/resourcepins.h"

namespace gemgate {

std::optional<LocalReply> PinStage::onRequest(RequestContext& ctx) {
    const HttpRequest& in = ctx.request;
    QStringList names;
    if (in.path.startsWith("/upload/")) {
        const QByteArray uploadId = queryValue(in.query, "upload_id");
        if (!uploadId.isEmpty())
            names.append(QStringLiteral("upload/") + QString::fromUtf8(uploadId));
    }
    names += referencedResources(in.path, in.method == "POST" ? in.body : QByteArray());
    for (const QString& name : std::as_const(names)) {
        if (std::optional<ResourcePin> pin = m_pins.lookup(name)) {
            ctx.pinnedResource = name;
            ctx.pin = std::move(*pin);
            break;
        }
    }
    return std::nullopt;
}

} // namespace gemgate
